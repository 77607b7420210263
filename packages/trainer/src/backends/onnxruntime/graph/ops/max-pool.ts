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
  return g.op('MaxPool', [x], shape, {
    attributes: [attr.ints('kernel_shape', [size, size]), attr.ints('strides', [size, size])],
  });
}

/**
 * Sends `dy` (the gradient of `pooled`) back to x's positions, each window's to the first
 * position holding its maximum in row-major order. The windows are laid out last
 * ([B, C, OH·OW, s²], one transpose), `ArgMax` finds each one's first maximum (its ties rule is
 * exactly that), the window-local index becomes a flat index into x, and `MaxUnpool` scatters dy
 * there, zeros elsewhere. About half the cost of strided slices, equality masks and
 * `DepthToSpace`, and a fifth of `MaxPool`'s own `Indices` output, which onnxruntime computes on a
 * slow path.
 */
function routeToFirstMaximum(g: ShapedGraph, x: Value, pooled: Value, dy: Value, size: number): Value {
  const [b, c, h, w] = x.shape;
  const [, , oh, ow] = pooled.shape;
  const cropped =
    oh * size === h && ow * size === w
      ? x
      : g.op(
          'Slice',
          [x, g.ints([0, 0]), g.ints([oh * size, ow * size]), g.ints([2, 3])],
          [b, c, oh * size, ow * size],
        );
  const windows = g.reshape(g.transpose(g.reshape(cropped, [b, c, oh, size, ow, size]), [0, 1, 2, 4, 3, 5]), [
    b,
    c,
    oh * ow,
    size * size,
  ]);
  const first = g.op('ArgMax', [windows], [b, c, oh * ow], {
    type: TensorDataType.INT64,
    attributes: [attr.int('axis', 3), attr.int('keepdims', 0)],
  });
  // Flat index in x of window k's element (i, j): plane + window corner + i·W + j. The sum of the
  // two constant parts is folded by onnxruntime when the session loads.
  const local = g.int64s('windowOffsets', [size * size], (k) => Math.floor(k / size) * w + (k % size));
  const corners = g.int64s('windowCorners', [oh * ow], (k) => Math.floor(k / ow) * size * w + (k % ow) * size);
  const planes = g.int64s('planeStarts', [b, c, 1], (k) => k * h * w);
  const base = g.op('Add', [planes, corners], [b, c, oh * ow], { type: TensorDataType.INT64 });
  const offsets = g.op('Gather', [local, first], [b, c, oh * ow], { type: TensorDataType.INT64 });
  const indices = g.reshape(g.op('Add', [base, offsets], [b, c, oh * ow], { type: TensorDataType.INT64 }), [
    b,
    c,
    oh,
    ow,
  ]);
  const kernel = [attr.ints('kernel_shape', [size, size]), attr.ints('strides', [size, size])];
  return g.op('MaxUnpool', [dy, indices, g.ints([b, c, h, w])], x.shape, {
    type: TensorDataType.FLOAT,
    attributes: kernel,
  });
}
