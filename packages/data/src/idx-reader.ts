import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import {
  ONNXPIPE_DATA_CORRUPT_GZIP,
  ONNXPIPE_DATA_IDX_BAD_LABEL,
  ONNXPIPE_DATA_IDX_BAD_MAGIC,
  ONNXPIPE_DATA_IDX_BAD_SHAPE,
  ONNXPIPE_DATA_IDX_TRAILING_BYTES,
  ONNXPIPE_DATA_IDX_TRUNCATED,
  ONNXPIPE_DATA_NOT_FOUND,
} from './errors.js';

/** IDX magic: two zero bytes, element type 0x08 (unsigned byte), number of dimensions. */
export const IDX_IMAGES_MAGIC = 0x0000_0803;
export const IDX_LABELS_MAGIC = 0x0000_0801;

/** An IDX image file: `count` images of `rows × cols` bytes, row-major, 0 = background. */
export interface IdxImages {
  readonly kind: 'images';
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
}

/** An IDX label file: `count` bytes, one class index each. */
export interface IdxLabels {
  readonly kind: 'labels';
  readonly count: number;
  readonly data: Uint8Array;
}

export type IdxFile = IdxImages | IdxLabels;

export interface ParseIdxOptions {
  /** Reject the other kind of file (e.g. labels passed where images belong). */
  readonly expect?: 'images' | 'labels';
  /** For label files: every label must be below this (the number of classes). */
  readonly numClasses?: number;
}

const hex = (value: number): string => `0x${value.toString(16).padStart(8, '0')}`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeMagic(magic: number, bytes: Uint8Array): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return `${hex(magic)} (gzip data: decompress it first)`;
  return `${magic} (${hex(magic)})`;
}

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes an uncompressed IDX file. The returned `data` is a view into `bytes`, not a copy.
 * Any mismatch between header and length is an error: a short dataset must never load.
 *
 * @param fileName - used in error messages only
 *
 * @example
 * ```ts
 * const labels = parseIdx(bytes, 't10k-labels-idx1-ubyte', { expect: 'labels', numClasses: 10 });
 * ```
 */
export function parseIdx(
  bytes: Uint8Array,
  fileName: string,
  options: ParseIdxOptions & { expect: 'images' },
): IdxImages;
export function parseIdx(
  bytes: Uint8Array,
  fileName: string,
  options: ParseIdxOptions & { expect: 'labels' },
): IdxLabels;
export function parseIdx(bytes: Uint8Array, fileName: string, options?: ParseIdxOptions): IdxFile;
export function parseIdx(bytes: Uint8Array, fileName: string, options: ParseIdxOptions = {}): IdxFile {
  const { expect, numClasses } = options;
  const expectedMagic =
    expect === 'images'
      ? `${IDX_IMAGES_MAGIC} (${hex(IDX_IMAGES_MAGIC)}, images)`
      : expect === 'labels'
        ? `${IDX_LABELS_MAGIC} (${hex(IDX_LABELS_MAGIC)}, labels)`
        : `${IDX_IMAGES_MAGIC} (images) or ${IDX_LABELS_MAGIC} (labels)`;
  if (bytes.length < 4) {
    throw new ONNXPIPE_DATA_IDX_TRUNCATED(fileName, 'a 4-byte magic number', plural(bytes.length, 'byte'));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const kind = magic === IDX_IMAGES_MAGIC ? 'images' : magic === IDX_LABELS_MAGIC ? 'labels' : undefined;
  if (kind === undefined || (expect !== undefined && kind !== expect)) {
    throw new ONNXPIPE_DATA_IDX_BAD_MAGIC(fileName, expectedMagic, describeMagic(magic, bytes));
  }

  const ndims = kind === 'images' ? 3 : 1;
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new ONNXPIPE_DATA_IDX_TRUNCATED(fileName, `a ${headerBytes}-byte header`, plural(bytes.length, 'byte'));
  }
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  if (kind === 'images' && (dims[1] === 0 || dims[2] === 0)) {
    throw new ONNXPIPE_DATA_IDX_BAD_SHAPE(fileName, 'rows and cols > 0', dims.join(' × '));
  }
  const payload = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  const expectedText = `${plural(payload, 'payload byte')} for ${dims.join(' × ')} after the header`;
  if (actual < payload) {
    throw new ONNXPIPE_DATA_IDX_TRUNCATED(fileName, expectedText, `${actual}`);
  }
  if (actual > payload) {
    throw new ONNXPIPE_DATA_IDX_TRAILING_BYTES(fileName, expectedText, `${actual}`);
  }

  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, payload);
  if (kind === 'images') return { kind, count: dims[0], rows: dims[1], cols: dims[2], data };

  if (numClasses !== undefined) {
    for (let i = 0; i < data.length; i++) {
      if (data[i] >= numClasses) {
        throw new ONNXPIPE_DATA_IDX_BAD_LABEL(fileName, `values 0..${numClasses - 1}`, `${data[i]} at index ${i}`);
      }
    }
  }
  return { kind, count: dims[0], data };
}

/** Returns `bytes` itself, or its decompressed content when it starts with the gzip magic. */
export function maybeGunzip(bytes: Uint8Array, fileName: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (cause) {
    throw new ONNXPIPE_DATA_CORRUPT_GZIP(fileName, (cause as Error).message, { cause });
  }
}

/**
 * Reads an IDX file, raw or gzip-compressed (detected from the content, not the name).
 *
 * @example
 * ```ts
 * const images = await readIdxFile('data/mnist/t10k-images-idx3-ubyte.gz', { expect: 'images' });
 * ```
 */
export async function readIdxFile(path: string, options: ParseIdxOptions & { expect: 'images' }): Promise<IdxImages>;
export async function readIdxFile(path: string, options: ParseIdxOptions & { expect: 'labels' }): Promise<IdxLabels>;
export async function readIdxFile(path: string, options?: ParseIdxOptions): Promise<IdxFile>;
export async function readIdxFile(path: string, options: ParseIdxOptions = {}): Promise<IdxFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ONNXPIPE_DATA_NOT_FOUND(`${path}: no such file`, { cause });
    throw cause;
  }
  return parseIdx(maybeGunzip(bytes, path), path, options);
}
