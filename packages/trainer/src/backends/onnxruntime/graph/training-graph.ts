import { createModel, encodeModel } from '@onnxpipe/onnx';
import { parameterSpecs, type ParameterSpec } from '../../../model/network-spec.js';
import type { Recipe } from '../../../recipes/recipe.js';
import { crossEntropy } from './ops/cross-entropy.js';
import { imagesChannelsFirst, networkForward } from './network-graph.js';
import { OPTIMIZER_SCALARS, OPTIMIZER_STATE_NAMES, optimizerUpdate, weightAverageUpdate } from './optimizer-graph.js';
import { ShapedGraph, type Value } from './shaped-graph.js';
import { Tape } from './tape.js';

/** The opset of every graph the trainer builds: the newest that Debian's onnx.checker (1.12) knows. */
export const TRAINER_OPSET = 17;

/** A dropout layer's mask input: NCHW `shape`, drawn in tfjs's NHWC order (see `fillDropoutMask`). */
export interface MaskInput {
  readonly name: string;
  readonly layer: string;
  readonly rate: number;
  readonly shape: readonly number[];
}

/** One tensor of the flat state buffers as a graph input and the output that replaces it. */
export interface TensorBinding {
  readonly spec: ParameterSpec;
  readonly input: string;
  /** The output with its next value (a step), or its gradient (a gradients graph). */
  readonly output: string;
}

/** A training graph and what its inputs and outputs mean. */
export interface TrainingGraph {
  readonly model: Uint8Array;
  /** Images in a batch (static: one graph per batch size). */
  readonly batch: number;
  /** NHWC images [B, H, W, C], normalised. */
  readonly images: string;
  /** Targets [B, classes]: one-hot, label-smoothed where the recipe says so. */
  readonly target: string;
  readonly masks: readonly MaskInput[];
  readonly params: readonly TensorBinding[];
  /** Optimizer state by the JS optimizer's state names (a step only). */
  readonly optimizerState: Readonly<Record<string, readonly TensorBinding[]>>;
  /** The weight average (a step of a recipe that keeps one). */
  readonly averaged?: readonly TensorBinding[];
  /** Scalar inputs: the optimizer's (`OPTIMIZER_SCALARS`) and the average's `averageDecay`, `averageComplement`. */
  readonly scalars: readonly string[];
  /** The summed loss of the batch, a scalar output. */
  readonly loss: string;
}

/**
 * The ONNX graph of one training step of `recipe` on `batch` images — forward, loss, backward
 * by the tape's per-op rules, the optimizer's update of every parameter tensor and the weight
 * average's — with parameters and optimizer state in, their next values out. With `kind:
 * 'gradients'` the graph stops at the summed gradients (no update), for equivalence tests and
 * `GradientComputer.gradients`.
 */
export function buildTrainingGraph(recipe: Recipe, batch: number, kind: 'step' | 'gradients' = 'step'): TrainingGraph {
  const network = recipe.network;
  const g = new ShapedGraph(`${network.name}_${kind}`);
  const tape = new Tape(g);
  const specs = parameterSpecs(network);
  const params = specs.map((spec) => tape.watch(g.input(`param:${spec.name}`, spec.shape)));
  const images = g.input('images', [batch, ...network.inputShape]);
  const target = g.input('target', [batch, network.classes]);
  const masks: MaskInput[] = [];
  const logProbabilities = networkForward(tape, network, params, imagesChannelsFirst(tape, images), {
    kind: 'train',
    mask: (layer, shape) => {
      const mask = g.input(`mask:${layer.name}`, shape);
      masks.push({ name: mask.name, layer: layer.name, rate: layer.rate, shape });
      return mask;
    },
  });
  // A step averages the gradient over the batch through the seed; a gradients graph sums.
  const { loss, seed } = crossEntropy(tape, logProbabilities, target, kind === 'step' ? 1 / batch : 1);
  g.output(g.op('Identity', [loss], [], { output: 'loss' }));
  const grads = tape.gradients([[logProbabilities, seed]], params);
  grads.forEach((grad, i) => {
    if (grad === undefined) throw new Error(`no gradient reaches parameter ${specs[i].name}`);
  });

  const binding = (spec: ParameterSpec, prefix: string, output = `${prefix}:${spec.name}:next`): TensorBinding => ({
    spec,
    input: `${prefix}:${spec.name}`,
    output,
  });
  const paramBindings = specs.map((spec) => binding(spec, 'param', kind === 'step' ? undefined : `grad:${spec.name}`));
  const common = { batch, images: images.name, target: target.name, masks, params: paramBindings, loss: 'loss' };

  if (kind === 'gradients') {
    grads.forEach((grad, i) =>
      g.output(g.op('Identity', [grad!], specs[i].shape, { output: paramBindings[i].output })),
    );
    return { ...common, model: encode(g), optimizerState: {}, scalars: [] };
  }

  const optimizer = recipe.optimizer;
  const stateNames = OPTIMIZER_STATE_NAMES[optimizer.kind];
  const optimizerState = Object.fromEntries(stateNames.map((name) => [name, specs.map((spec) => binding(spec, name))]));
  const scalarNames = [
    ...OPTIMIZER_SCALARS[optimizer.kind],
    ...(recipe.weightAverageDecay === undefined ? [] : ['averageDecay', 'averageComplement']),
  ];
  const scalars = Object.fromEntries(scalarNames.map((name) => [name, g.input(name, [])]));
  const averaged = recipe.weightAverageDecay === undefined ? undefined : specs.map((spec) => binding(spec, 'average'));
  specs.forEach((spec, i) => {
    const state = Object.fromEntries(
      stateNames.map((name) => [name, g.input(optimizerState[name][i].input, spec.shape)]),
    );
    const next = optimizerUpdate(g, optimizer, params[i], grads[i]!, state, scalars, {
      param: paramBindings[i].output,
      state: Object.fromEntries(stateNames.map((name) => [name, optimizerState[name][i].output])),
    });
    g.output(next);
    for (const name of stateNames)
      g.output({ name: optimizerState[name][i].output, shape: spec.shape, type: next.type });
    if (averaged !== undefined) {
      const average = g.input(averaged[i].input, spec.shape);
      weightAverageUpdate(g, average, next, scalars.averageDecay, scalars.averageComplement, averaged[i].output);
      g.output({ name: averaged[i].output, shape: spec.shape, type: next.type });
    }
  });
  return { ...common, model: encode(g), optimizerState, averaged, scalars: scalarNames };
}

export function encode(g: ShapedGraph): Uint8Array {
  return encodeModel(
    createModel({ graph: g.build(), opset: TRAINER_OPSET, producerName: 'onnxpipe-trainer', producerVersion: '0.1.0' }),
  );
}

export type { Value };
