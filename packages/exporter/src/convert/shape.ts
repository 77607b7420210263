import { attr } from '@onnxpipe/onnx';
import type { ConversionContext, Layer } from './context.js';
import { ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG } from '../errors.js';
import { featureCount } from './layout.js';
import type { GraphValue } from './layout.js';

/**
 * Layers that may consume a `flat-chw` tensor: Dense permutes its kernel rows to match, and
 * the rest act element-wise (or, like softmax, commute with a permutation of the features).
 */
export const FLAT_CHW_CONSUMERS: ReadonlySet<string> = new Set(['Dense', 'Dropout', 'Activation']);

/** Whether the layers after a Flatten reach a Dense through element-wise layers only. */
export function denseFollows(following: readonly Layer[]): boolean {
  for (const layer of following) {
    const className = layer.getClassName();
    if (className === 'Dense') return true;
    if (!FLAT_CHW_CONSUMERS.has(className)) return false;
  }
  return false;
}

/**
 * `Flatten`. tfjs flattens NHWC images in H,W,C order. An `nchw` image followed by a Dense is
 * flattened as it is (C,H,W order) and the Dense absorbs the difference in its kernel;
 * otherwise it is transposed back to NHWC first so the features come out in tfjs's order.
 */
export function convertFlatten(
  ctx: ConversionContext,
  layer: Layer,
  input: GraphValue,
  following: readonly Layer[],
): GraphValue {
  if (input.shape.length <= 1) return input;
  const shape = [featureCount(input.shape)];
  if (input.layout === 'nchw' && input.shape.length === 3 && denseFollows(following)) {
    const [h, w, c] = input.shape;
    const name = ctx.node('Flatten', [input.name], `${layer.name}/Flatten`, [attr.int('axis', 1)]);
    return { name, layout: 'flat-chw', shape, flattenedFrom: [h, w, c] };
  }
  const x = ctx.toTf(input, layer.name);
  const name = ctx.node('Flatten', [x.name], `${layer.name}/Flatten`, [attr.int('axis', 1)]);
  return { name, layout: 'tf', shape };
}

/**
 * `Reshape` → ONNX `Reshape` on the tfjs-ordered tensor, with the target shape as an INT64
 * initializer (an input since opset 5). The batch entry is 0, "copy the input's", which keeps
 * the symbolic batch visible to shape inference; the result stays in tfjs order (a following
 * Conv transposes it when it needs NCHW).
 */
export function convertReshape(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  const target = layer.getConfig().targetShape;
  const total = featureCount(input.shape);
  const resolved = resolveTargetShape(target, total);
  if (resolved === undefined) {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG(
      layer.name,
      layer.getClassName(),
      'targetShape',
      `positive integers (at most one -1) with ${total} elements in all`,
      JSON.stringify(target),
    );
  }
  const x = ctx.toTf(input, layer.name);
  const shapeInput = ctx.int64Initializer(`${layer.name}/shape`, [0, ...resolved]);
  const name = ctx.node('Reshape', [x.name, shapeInput], `${layer.name}/Reshape`);
  return { name, layout: 'tf', shape: resolved };
}

/**
 * Replaces the one unknown entry (-1, or null, which is how tfjs's getConfig() writes it) by
 * the inferred size; undefined when the target does not fit `total` elements.
 */
export function resolveTargetShape(target: unknown, total: number): number[] | undefined {
  if (!Array.isArray(target) || target.length === 0) return undefined;
  const dims = target.map((d: unknown) => (d === null ? -1 : d));
  if (!dims.every((d): d is number => Number.isInteger(d) && ((d as number) > 0 || d === -1))) return undefined;
  const unknown = dims.filter((d) => d === -1).length;
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (unknown > 1) return undefined;
  if (unknown === 0) return known === total ? dims : undefined;
  if (total % known !== 0) return undefined;
  return dims.map((d) => (d === -1 ? total / known : d));
}

/** `Dropout` is the identity at inference: no node at all. */
export function convertDropout(_ctx: ConversionContext, _layer: Layer, input: GraphValue): GraphValue {
  return input;
}
