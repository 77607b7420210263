import { ONNXPIPE_WEB_BAD_INPUT } from '../errors.js';
import type { DigitInput } from '../types.js';

// Which of the accepted input types a value is. Checked with `instanceof` where the global
// exists (a worker has no HTMLCanvasElement) and by shape for ImageData and typed arrays, which
// may come from another realm (an iframe, a structured clone) and fail `instanceof`.

/** The input types `predict()` accepts, as named in error messages. */
export const INPUT_TYPES = Object.freeze([
  'HTMLCanvasElement',
  'OffscreenCanvas',
  'ImageData',
  'ImageBitmap',
  'HTMLImageElement',
  'Blob',
  'Float32Array',
  'number[]',
] as const);

/** What an input is, once recognised. */
export type InputKind = 'canvas' | 'imagedata' | 'drawable' | 'image' | 'blob' | 'floats';

function isInstance(value: unknown, name: string): boolean {
  const ctor = (globalThis as Record<string, unknown>)[name];
  return typeof ctor === 'function' && value instanceof (ctor as abstract new (...args: never[]) => unknown);
}

const tag = (value: unknown) => Object.prototype.toString.call(value);

/** The kind of `value`, or `undefined` when `predict()` does not accept it. */
export function inputKind(value: unknown): InputKind | undefined {
  if (Array.isArray(value)) return 'floats';
  if (tag(value) === '[object Float32Array]') return 'floats';
  if (typeof value !== 'object' || value === null) return undefined;
  if (isInstance(value, 'HTMLCanvasElement') || isInstance(value, 'OffscreenCanvas')) return 'canvas';
  if (isInstance(value, 'HTMLImageElement')) return 'image';
  if (isInstance(value, 'ImageBitmap')) return 'drawable';
  if (isInstance(value, 'Blob')) return 'blob';
  if (isInstance(value, 'ImageData') || tag(value) === '[object ImageData]') return 'imagedata';
  return undefined;
}

/** A short description of a value for "received ..." in messages. */
export function describeInput(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'an empty array';
    return value.every((v) => typeof v === 'number')
      ? `an array of ${value.length} numbers`
      : `an array whose first item is ${describeInput(value[0])}`;
  }
  if (tag(value) === '[object Float32Array]') return `a Float32Array of ${(value as Float32Array).length} values`;
  if (typeof value === 'string')
    return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value !== 'object' && typeof value !== 'function') return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'a plain object';
}

/**
 * The list of inputs a `predict()` argument stands for: an array of numbers is one image (raw
 * pixels); any other array is many inputs; anything else is one input.
 *
 * @throws `ONNXPIPE_WEB_BAD_INPUT` for an empty array
 */
export function inputList(input: DigitInput | readonly DigitInput[]): readonly unknown[] {
  if (!Array.isArray(input)) return [input];
  if (input.length === 0)
    throw new ONNXPIPE_WEB_BAD_INPUT(
      "'input' must be one input or a non-empty array of inputs; received an empty array",
    );
  return typeof input[0] === 'number' ? [input] : input;
}
