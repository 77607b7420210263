import { parameterSpecs, statisticSpecs, type ParameterSpec } from '../../../model/network-spec.js';
import type { NetworkSpec } from '../../../model/network-spec.js';
import type { BatchMoments } from './ops/batch-norm.js';
import { imagesChannelsFirst, networkForward } from './network-graph.js';
import { ShapedGraph } from './shaped-graph.js';
import { Tape } from './tape.js';
import { encode } from './training-graph.js';

/** A forward-only graph: parameters (and statistics) in by name, images in, results out. */
export interface ForwardGraph {
  readonly model: Uint8Array;
  readonly batch: number;
  readonly images: string;
  /** Inputs `param:<name>` in `parameterSpecs` order. */
  readonly params: readonly { readonly spec: ParameterSpec; readonly input: string }[];
  /** Inputs `statistic:<name>` in `statisticSpecs` order (an inference graph). */
  readonly statistics: readonly { readonly spec: ParameterSpec; readonly input: string }[];
  /**
   * An inference graph: `logProbabilities` [B, classes]. A moments graph: `mean:<layer>`,
   * `variance:<layer>` per batch norm.
   */
  readonly outputs: readonly string[];
}

/**
 * Inference on `batch` images with population statistics: the evaluation graph. Its output is
 * the log-probabilities; loss, argmax and confidence are read from them.
 */
export function buildInferenceGraph(network: NetworkSpec, batch: number): ForwardGraph {
  const g = new ShapedGraph(`${network.name}_inference`);
  const tape = new Tape(g);
  const params = parameterSpecs(network).map((spec) => ({ spec, input: g.input(`param:${spec.name}`, spec.shape) }));
  const statistics = statisticSpecs(network).map((spec) => ({
    spec,
    input: g.input(`statistic:${spec.name}`, spec.shape),
  }));
  const images = g.input('images', [batch, ...network.inputShape]);
  const x = imagesChannelsFirst(tape, images);
  const logProbabilities = networkForward(
    tape,
    network,
    params.map((p) => p.input),
    x,
    {
      kind: 'inference',
      statistics: statistics.map((s) => s.input),
    },
  );
  g.output(g.op('Identity', [logProbabilities], logProbabilities.shape, { output: 'logProbabilities' }));
  return {
    model: encode(g),
    batch,
    images: images.name,
    params: params.map(({ spec, input }) => ({ spec, input: input.name })),
    statistics: statistics.map(({ spec, input }) => ({ spec, input: input.name })),
    outputs: ['logProbabilities'],
  };
}

/**
 * The batch moments of every batch normalisation on `batch` images, without dropout: summed
 * over batches they give the population statistics ("precise BN", see `TfjsEngine.batchMoments`).
 */
export function buildMomentsGraph(network: NetworkSpec, batch: number): ForwardGraph {
  const g = new ShapedGraph(`${network.name}_moments`);
  const tape = new Tape(g);
  const params = parameterSpecs(network).map((spec) => ({ spec, input: g.input(`param:${spec.name}`, spec.shape) }));
  const images = g.input('images', [batch, ...network.inputShape]);
  const moments: BatchMoments[] = [];
  networkForward(
    tape,
    network,
    params.map((p) => p.input),
    imagesChannelsFirst(tape, images),
    { kind: 'moments', moments },
  );
  const names = network.layers.filter((l) => l.kind === 'batchNorm').map((l) => l.name);
  const outputs: string[] = [];
  moments.forEach(({ mean, variance }, k) => {
    for (const [what, value] of [
      ['mean', mean],
      ['variance', variance],
    ] as const) {
      const name = `${what}:${names[k]}`;
      g.output(g.op('Identity', [value], value.shape, { output: name }));
      outputs.push(name);
    }
  });
  return {
    model: encode(g),
    batch,
    images: images.name,
    params: params.map(({ spec, input }) => ({ spec, input: input.name })),
    statistics: [],
    outputs,
  };
}
