import { TensorDataType } from '@onnxpipe/onnx';
import type { Tape } from '../tape.js';
import type { Value } from '../shaped-graph.js';

/** max(x, 0). Gradient rule: dy where the output is positive, else 0 (tfjs's step(x), as x > 0 ⇔ y > 0). */
export function relu(tape: Tape, x: Value): Value {
  const g = tape.graph;
  const y = g.op('Relu', [x], x.shape);
  tape.record([x], [y], ([dy]) => [whereNonPositiveZero(tape, y, dy!)]);
  return y;
}

/** `dy` where `reference` > 0, else 0. */
export function whereNonPositiveZero(tape: Tape, reference: Value, dy: Value): Value {
  const g = tape.graph;
  const positive = g.op('Greater', [reference, g.scalar(0)], reference.shape, { type: TensorDataType.BOOL });
  return g.op('Where', [positive, dy, g.scalar(0)], dy.shape, { type: TensorDataType.FLOAT });
}
