import type { Tape } from '../tape.js';
import type { Value } from '../shaped-graph.js';

/**
 * Inverted dropout with the mask as an input (0 or 1/(1 − rate), drawn by the project's seeded
 * RNG outside the graph: ONNX's `Dropout` takes its seed as a fixed attribute). Gradient rule:
 * dy · mask.
 */
export function dropout(tape: Tape, x: Value, mask: Value): Value {
  const g = tape.graph;
  const y = g.mul(x, mask);
  tape.record([x], [y], ([dy]) => [g.mul(dy!, mask)]);
  return y;
}
