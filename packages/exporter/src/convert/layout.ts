/**
 * Where a tfjs tensor lives in the ONNX graph. tfjs is NHWC; ONNX's Conv and pooling ops are
 * NCHW, so image tensors are kept NCHW between them and only turned back into tfjs order where
 * a layer's meaning depends on element order (Flatten, Reshape, the graph output).
 *
 * - `nchw`: a 4-D tfjs tensor `[N, H, W, C]` stored as `[N, C, H, W]`.
 * - `tf`: tfjs's own element order, any rank (2-D features, NHWC images straight from an
 *   `nhwc` input, reshaped tensors).
 * - `flat-chw`: a 2-D tensor made by flattening an `nchw` tensor without transposing it back,
 *   so its features run in C,H,W order where tfjs's run in H,W,C order. Only a following Dense
 *   may consume it, with its kernel rows permuted to match (see {@link flattenRowPermutation}).
 */
export type TensorLayout = 'nchw' | 'tf' | 'flat-chw';

interface GraphValueBase {
  /** Name of the ONNX value. */
  readonly name: string;
  /** tfjs shape without the batch dimension, e.g. `[H, W, C]` for images, whatever the layout. */
  readonly shape: readonly number[];
}

/** A tfjs tensor as it exists in the graph being built. */
export type GraphValue =
  | (GraphValueBase & { readonly layout: 'nchw' | 'tf' })
  | (GraphValueBase & {
      readonly layout: 'flat-chw';
      /** The tfjs `[H, W, C]` shape that was flattened in C,H,W order. */
      readonly flattenedFrom: readonly [number, number, number];
    });

/** NHWC → NCHW, the permutation ONNX's Transpose needs to turn tfjs images into ONNX images. */
export const NHWC_TO_NCHW = [0, 3, 1, 2] as const;
/** NCHW → NHWC. */
export const NCHW_TO_NHWC = [0, 2, 3, 1] as const;

/** The ONNX shape of `value` without the batch dimension. */
export function onnxShape(value: GraphValue): number[] {
  if (value.layout === 'nchw') {
    const [h, w, c] = value.shape;
    return [c, h, w];
  }
  return [...value.shape];
}

/** Maps a tfjs axis (negative allowed, batch is 0) to the ONNX axis of the same dimension. */
export function onnxAxis(value: GraphValue, tfAxis: number): number {
  const rank = value.shape.length + 1;
  const axis = tfAxis < 0 ? tfAxis + rank : tfAxis;
  if (value.layout !== 'nchw' || axis === 0) return axis;
  // tfjs [N, H, W, C] axis → position in [N, C, H, W]
  return [0, 2, 3, 1][axis];
}

/** Number of elements per batch item. */
export function featureCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Conv2D kernel: tfjs HWIO `[kh, kw, in, out]` → ONNX OIHW `[out, in, kh, kw]`.
 */
export function hwioToOihw(kernel: Float32Array, dims: readonly number[]): Float32Array {
  const [kh, kw, cin, cout] = dims;
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = kernel[src + o];
      }
    }
  }
  return out;
}

/** Row-major 2-D transpose: `[rows, cols]` → `[cols, rows]`. */
export function transpose2d(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = matrix[r * cols + c];
  }
  return out;
}

/**
 * `result[chwIndex] = hwcIndex`: for each feature of an NCHW flatten (C,H,W order), the index
 * of the same element in tfjs's flatten (H,W,C order).
 */
export function flattenRowPermutation([h, w, c]: readonly [number, number, number]): Int32Array {
  const perm = new Int32Array(h * w * c);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) perm[(ch * h + y) * w + x] = (y * w + x) * c + ch;
    }
  }
  return perm;
}

/**
 * Reorders the rows of a Dense kernel `[features, units]` so that it consumes `flat-chw`
 * features: row `r` of the result is row `perm[r]` of the tfjs kernel. Exact (a gather of
 * whole rows) and free at run time, unlike a Transpose in front of the Flatten.
 */
export function permuteRows(kernel: Float32Array, units: number, perm: Int32Array): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let r = 0; r < perm.length; r++) {
    out.set(kernel.subarray(perm[r] * units, (perm[r] + 1) * units), r * units);
  }
  return out;
}
