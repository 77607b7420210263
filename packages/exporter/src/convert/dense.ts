import { attr } from '@onnxpipe/onnx';
import { activationOf, applyActivation, assertSupportedActivation } from './activation.js';
import { layerWeights, requireWeight } from './context.js';
import type { ConversionContext, Layer } from './context.js';
import { flattenRowPermutation, permuteRows, transpose2d } from './layout.js';
import type { GraphValue } from './layout.js';

/**
 * `Dense` (+ fused activation). tfjs applies it to the last axis of any input rank:
 * - 2-D input → `Gemm`; after an NCHW Flatten (`flat-chw`) the kernel's rows are permuted to
 *   the C,H,W feature order, which is exact and costs nothing at run time;
 * - an `nchw` image → a 1×1 `Conv` (the last tfjs axis is ONNX's channel axis), staying NCHW;
 * - any other rank → `MatMul` + `Add`, which broadcast over the leading axes.
 */
export function convertDense(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  const activation = assertSupportedActivation(layer, activationOf(layer));
  const weights = layerWeights(layer);
  const kernel = requireWeight(weights, layer, 'kernel');
  const [inFeatures, units] = kernel.shape;
  const bias = layer.getConfig().useBias === false ? undefined : requireWeight(weights, layer, 'bias');
  const shape = [...input.shape.slice(0, -1), units];
  const nodeName = layer.name;
  const biasInput = (): string[] =>
    bias === undefined ? [] : [ctx.floatInitializer(`${nodeName}/bias`, [units], bias.data)];

  let y: GraphValue;
  if (input.layout === 'nchw') {
    const oihw = transpose2d(kernel.data, inFeatures, units);
    const w = ctx.floatInitializer(`${nodeName}/kernel`, [units, inFeatures, 1, 1], oihw);
    const name = ctx.node('Conv', [input.name, w, ...biasInput()], `${nodeName}/Conv`, [
      attr.ints('kernel_shape', [1, 1]),
    ]);
    y = { name, layout: 'nchw', shape };
  } else if (input.shape.length === 1) {
    const rows =
      input.layout === 'flat-chw'
        ? permuteRows(kernel.data, units, flattenRowPermutation(input.flattenedFrom))
        : kernel.data;
    const w = ctx.floatInitializer(`${nodeName}/kernel`, [inFeatures, units], rows);
    y = { name: ctx.node('Gemm', [input.name, w, ...biasInput()], `${nodeName}/Gemm`), layout: 'tf', shape };
  } else {
    const w = ctx.floatInitializer(`${nodeName}/kernel`, [inFeatures, units], kernel.data);
    let name = ctx.node('MatMul', [input.name, w], `${nodeName}/MatMul`);
    const [b] = biasInput();
    if (b !== undefined) name = ctx.node('Add', [name, b], `${nodeName}/Add`);
    y = { name, layout: 'tf', shape };
  }
  return applyActivation(ctx, y, activation, nodeName);
}
