import { attr, TensorDataType } from '@onnxpipe/onnx';
import type { Tape } from '../tape.js';
import type { ShapedGraph, Value } from '../shaped-graph.js';
import { whereNonPositiveZero } from './relu.js';

/**
 * Max-pooling of NCHW `x` with a `size`×`size` window and stride (`valid`: leftover rows and
 * columns are dropped, as in tfjs). Gradient rule: each window's gradient goes to the first
 * position holding its maximum, in row-major order — tfjs's and PyTorch's choice. Ties are common
 * here, not rare: MNIST's blank background makes whole regions of activations equal.
 */
export function maxPool(tape: Tape, x: Value, size: number): Value {
  const g = tape.graph;
  const y = pool(g, x, size);
  tape.record([x], [y], ([dy]) => [routeToFirstMaximum(g, x, y, dy!, size)]);
  return y;
}

/**
 * max-pool(relu(x)), computed as relu(max-pool(x)) — equal, since ReLU is monotonic — so that
 * the ReLU runs on the pooled quarter of the values, and its gradient too: where the window's
 * maximum is positive its first position is the same in x and in relu(x); where it is not, the
 * ReLU's gradient is 0 whichever position the window would pick. Exactly tfjs's gradient, with
 * two passes over the full-size activation fewer each way.
 */
export function reluMaxPool(tape: Tape, x: Value, size: number): Value {
  const g = tape.graph;
  const pooled = pool(g, x, size);
  const y = g.op('Relu', [pooled], pooled.shape);
  tape.record([x], [y], ([dy]) => [routeToFirstMaximum(g, x, pooled, whereNonPositiveZero(tape, pooled, dy!), size)]);
  return y;
}

function pool(g: ShapedGraph, x: Value, size: number): Value {
  const [b, c, h, w] = x.shape;
  const shape = [b, c, Math.floor(h / size), Math.floor(w / size)];
  return g.op('MaxPool', [x], shape, { attributes: [attr.ints('kernel_shape', [size, size]), attr.ints('strides', [size, size])] });
}

/**
 * Sends `dy` (the gradient of `pooled`) back to x's positions: for each window offset (i, j) in
 * row-major order, the strided slice x[i::s, j::s] is compared with the pooled maxima, positions
 * already claimed by an earlier offset are masked out, and the winners take dy. The s² pieces are
 * stacked as channels and `DepthToSpace` interleaves them back into x's layout. onnxruntime's
 * `MaxPool` with its `Indices` output and a scatter would do the same at about twice the cost.
 */
function routeToFirstMaximum(g: ShapedGraph, x: Value, pooled: Value, dy: Value, size: number): Value {
  const [b, c, h, w] = x.shape;
  const [, , oh, ow] = pooled.shape;
  const pieces: Value[] = [];
  let claimed: Value | undefined;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const window = g.op(
        'Slice',
        [x, g.ints([i, j]), g.ints([i + size * (oh - 1) + 1, j + size * (ow - 1) + 1]), g.ints([2, 3]), g.ints([size, size])],
        pooled.shape,
      );
      const isMaximum = g.op('Equal', [window, pooled], pooled.shape, { type: TensorDataType.BOOL });
      let wins = isMaximum;
      if (claimed === undefined) {
        claimed = isMaximum;
      } else {
        wins = g.op('And', [isMaximum, g.op('Not', [claimed], pooled.shape)], pooled.shape);
        if (i < size - 1 || j < size - 1) claimed = g.op('Or', [claimed, isMaximum], pooled.shape);
      }
      pieces.push(g.op('Where', [wins, dy, g.scalar(0)], pooled.shape, { type: TensorDataType.FLOAT }));
    }
  }
  const stacked = pieces.length === 1 ? pieces[0] : g.op('Concat', pieces, [b, size * size * c, oh, ow], { attributes: [attr.int('axis', 1)] });
  const interleaved =
    size === 1
      ? stacked
      : g.op('DepthToSpace', [stacked], [b, c, oh * size, ow * size], { attributes: [attr.int('blocksize', size), attr.string('mode', 'DCR')] });
  if (oh * size === h && ow * size === w) return interleaved;
  return g.op('Pad', [interleaved, g.ints([0, 0, 0, 0, 0, 0, h - oh * size, w - ow * size])], x.shape);
}
