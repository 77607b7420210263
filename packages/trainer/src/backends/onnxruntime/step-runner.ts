import * as ort from 'onnxruntime-node';
import { fillDropoutMaskChannelsFirst } from '../../model/dropout-mask.js';
import type { Recipe } from '../../recipes/recipe.js';
import type { MaskInput, TrainingGraph } from './graph/training-graph.js';
import { optimizerScalars } from './graph/optimizer-graph.js';
import type { StateBuffers } from './state-buffers.js';

/** One batch's inputs as the trainer builds them: NHWC pixels, labels, the dropout seed. */
export interface StepBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  /** The k-th dropout layer draws its mask from dropoutSeed + k; undefined: no dropout. */
  readonly dropoutSeed: number | undefined;
}

/**
 * Runs one batch size's training graph: owns the arrays of the per-step inputs (images, targets,
 * masks, scalars), fills them for each step and binds the parameter and state tensors of both
 * buffer sets once, so that a step allocates nothing but its loss.
 */
export class StepRunner {
  readonly #images: Float32Array;
  readonly #target: Float32Array;
  readonly #masks: Float32Array[];
  readonly #scalars: Record<string, Float32Array>;
  /** Feeds and fetches when set 0, or set 1, holds the current state. */
  readonly #bindings: readonly [Bindings, Bindings];

  readonly #recipe: Recipe;
  readonly #graph: TrainingGraph;
  readonly #buffers: StateBuffers;

  constructor(
    recipe: Recipe,
    graph: TrainingGraph,
    readonly session: ort.InferenceSession,
    buffers: StateBuffers,
  ) {
    this.#recipe = recipe;
    this.#graph = graph;
    this.#buffers = buffers;
    const { batch } = graph;
    const network = recipe.network;
    this.#images = new Float32Array(batch * network.inputShape.reduce((a, b) => a * b, 1));
    this.#target = new Float32Array(batch * network.classes);
    this.#masks = graph.masks.map((mask) => new Float32Array(mask.shape.reduce((a, b) => a * b, 1)));
    this.#scalars = Object.fromEntries(graph.scalars.map((name) => [name, new Float32Array(1)]));
    const common: Record<string, ort.Tensor> = {
      [graph.images]: new ort.Tensor('float32', this.#images, [batch, ...network.inputShape]),
      [graph.target]: new ort.Tensor('float32', this.#target, [batch, network.classes]),
      ...Object.fromEntries(
        graph.masks.map((mask, k) => [mask.name, new ort.Tensor('float32', this.#masks[k], [...mask.shape])]),
      ),
      ...Object.fromEntries(graph.scalars.map((name) => [name, new ort.Tensor('float32', this.#scalars[name], [])])),
    };
    const prefixes: [string, TrainingGraph['params']][] = [
      ['param', graph.params],
      ...Object.entries(graph.optimizerState),
      ...(graph.averaged === undefined ? [] : [['average', graph.averaged] as [string, TrainingGraph['params']]]),
    ];
    const bind = (from: 0 | 1): Bindings => {
      const to = (1 - from) as 0 | 1;
      const feeds = { ...common };
      const fetches: Record<string, ort.Tensor | null> = { [graph.loss]: null };
      for (const [prefix, bindings] of prefixes) {
        Object.assign(feeds, buffers.tensors(from, prefix, bindings, 'input'));
        Object.assign(fetches, buffers.tensors(to, prefix, bindings, 'output'));
      }
      return { feeds, fetches };
    };
    this.#bindings = [bind(0), bind(1)];
  }

  /** One step: the update lands in the other buffer set, which becomes current. Returns Σ loss. */
  async run(batch: StepBatch, lr: number, step: number): Promise<number> {
    this.#fill(batch, lr, step);
    const { feeds, fetches } = this.#bindings[this.#buffers.current];
    const results = await this.session.run(feeds, fetches);
    this.#buffers.current = (1 - this.#buffers.current) as 0 | 1;
    return (results[this.#graph.loss].data as Float32Array)[0];
  }

  #fill(batch: StepBatch, lr: number, step: number): void {
    this.#images.set(batch.x);
    fillTargets(this.#target, batch.y, this.#recipe.network.classes, this.#recipe.labelSmoothing);
    fillMasks(this.#graph.masks, this.#masks, batch.dropoutSeed);
    const values: Record<string, number> = optimizerScalars(this.#recipe.optimizer, lr, step);
    const decay = this.#recipe.weightAverageDecay;
    if (decay !== undefined) {
      // As updateWeightAverage: the decay ramps up over the first steps.
      values.averageDecay = Math.min(decay, (1 + step) / (10 + step));
      values.averageComplement = 1 - values.averageDecay;
    }
    for (const name of this.#graph.scalars) this.#scalars[name][0] = values[name];
  }
}

interface Bindings {
  readonly feeds: Record<string, ort.Tensor>;
  readonly fetches: Record<string, ort.Tensor | null>;
}

/**
 * The masks of a graph's dropout layers, as the tfjs forward pass draws them: the k-th from
 * `dropoutSeed + k`; all ones (no dropout) when the seed is undefined.
 */
export function fillMasks(
  masks: readonly MaskInput[],
  into: readonly Float32Array[],
  dropoutSeed: number | undefined,
): void {
  masks.forEach((mask, k) => {
    if (dropoutSeed === undefined) into[k].fill(1);
    else fillDropoutMaskChannelsFirst(into[k], mask.shape, mask.rate, dropoutSeed + k);
  });
}

/**
 * Targets [B, classes] as `summedCrossEntropy` builds them in float32: one-hot, or with label
 * smoothing ε, oneHot·(1 − ε) + ε/classes.
 */
export function fillTargets(into: Float32Array, labels: Int32Array, classes: number, labelSmoothing: number): void {
  const off = Math.fround(labelSmoothing / classes);
  const on = labelSmoothing === 0 ? 1 : Math.fround(Math.fround(1 - labelSmoothing) + off);
  into.fill(labelSmoothing === 0 ? 0 : off);
  for (let i = 0; i < labels.length; i++) into[i * classes + labels[i]] = on;
}
