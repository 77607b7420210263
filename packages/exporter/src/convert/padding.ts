import { ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG } from '../errors.js';
import type { Layer } from './context.js';

/** The padding modes of tfjs's 2-D convolution and pooling layers. */
export const SUPPORTED_PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof SUPPORTED_PADDINGS)[number];

/** One spatial axis of a window op: explicit pads and the output size. */
export interface AxisWindow {
  readonly before: number;
  readonly after: number;
  readonly outSize: number;
}

/**
 * TensorFlow's padding rule for one axis. ONNX's `auto_pad=SAME_UPPER` would match it, but
 * explicit pads computed from the known input size are unambiguous for every runtime and let
 * shape inference check our arithmetic. `same` gives `ceil(in / stride)` outputs and puts the
 * odd pad at the end (bottom/right); `valid` pads nothing.
 */
export function axisWindow(
  inSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: Padding,
): AxisWindow {
  const effectiveKernel = (kernel - 1) * dilation + 1;
  if (padding === 'valid') {
    return { before: 0, after: 0, outSize: Math.floor((inSize - effectiveKernel) / stride) + 1 };
  }
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effectiveKernel - inSize, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, outSize };
}

/** The 2-D window of a layer on an `[H, W, C]` input: ONNX `pads` and the output `[H', W']`. */
export function window2d(
  [height, width]: readonly number[],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
  padding: Padding,
): { pads: number[]; outSize: [number, number] } {
  const y = axisWindow(height, kernel[0], strides[0], dilations[0], padding);
  const x = axisWindow(width, kernel[1], strides[1], dilations[1], padding);
  return { pads: [y.before, x.before, y.after, x.after], outSize: [y.outSize, x.outSize] };
}

/** The layer's `padding` setting, or the coded error for one the converter does not know. */
export function paddingOf(layer: Layer): Padding {
  const padding = layer.getConfig().padding;
  if (!(SUPPORTED_PADDINGS as readonly unknown[]).includes(padding)) {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG(
      layer.name,
      layer.getClassName(),
      'padding',
      `one of ${SUPPORTED_PADDINGS.join(', ')}`,
      JSON.stringify(padding),
    );
  }
  return padding as Padding;
}

/** Rejects `channelsFirst` layers: their tfjs input is already NCHW, which the walk does not model. */
export function assertChannelsLast(layer: Layer): void {
  const dataFormat = layer.getConfig().dataFormat;
  if (dataFormat !== undefined && dataFormat !== 'channelsLast') {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG(
      layer.name,
      layer.getClassName(),
      'dataFormat',
      '"channelsLast"',
      JSON.stringify(dataFormat),
    );
  }
}
