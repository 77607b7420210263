import type { Tape } from '../tape.js';
import type { Value } from '../shaped-graph.js';

/**
 * Flattens NCHW activations [B, C, H, W] in tfjs's NHWC order ((h·W + w)·C + c), so that the
 * dense kernel after it keeps the trainer's layout. Gradient rule: the inverse reshape and
 * transpose.
 */
export function flattenChannelsLast(tape: Tape, x: Value): Value {
  const g = tape.graph;
  const [b, c, h, w] = x.shape;
  // With one channel or one position the two orders coincide and no transpose is needed.
  const transposed = c === 1 || h * w === 1 ? x : g.transpose(x, [0, 2, 3, 1]);
  const y = g.reshape(transposed, [b, c * h * w]);
  tape.record([x], [y], ([dy]) => {
    if (transposed === x) return [g.reshape(dy!, x.shape)];
    return [g.transpose(g.reshape(dy!, [b, h, w, c]), [0, 3, 1, 2])];
  });
  return y;
}
