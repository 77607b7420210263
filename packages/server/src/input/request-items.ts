import type { FastifyRequest } from 'fastify';
import { describeValue, formatChoices, PREPROCESS_MODES, type PreprocessMode } from '@onnxpipe/core';
import {
  ONNXPIPE_SERVER_BAD_REQUEST,
  ONNXPIPE_SERVER_BODY_TOO_LARGE,
  ONNXPIPE_SERVER_TOO_MANY_ITEMS,
} from '../errors.js';

// The input forms of POST /predict, reduced to one list of items: encoded images (raw body,
// multipart files, base64 in JSON) and pixel arrays (JSON). What an item means for the model
// (decoding, preprocessing) is prepare-inputs.ts's job.

/** One thing to classify and where it came from (for error messages). */
export type InputItem =
  | { readonly kind: 'image'; readonly bytes: Uint8Array; readonly where: string }
  | {
      readonly kind: 'pixels';
      readonly values: readonly number[] | readonly (readonly number[])[];
      readonly where: string;
    };

/** `preprocess` values (core's): the model's recipe, or none for inputs already in the model's format. */
export { PREPROCESS_MODES, type PreprocessMode };

/** The JSON body, as its schema admits it. */
export interface PredictJsonBody {
  readonly image?: string;
  readonly images?: readonly string[];
  readonly pixels?: readonly (number | readonly (number | readonly number[])[])[];
  readonly preprocess?: PreprocessMode;
}

function checkCount(count: number, maxItems: number): void {
  if (count > maxItems) {
    throw new ONNXPIPE_SERVER_TOO_MANY_ITEMS(
      `a request may carry at most ${maxItems} images ('maxItemsPerRequest'); received ${count}; split it into several requests`,
    );
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[\w-]+=[\w.-]+)*;base64,/;

function fromBase64(text: string, where: string): Uint8Array {
  const payload = text.replace(DATA_URL, '').replace(/\s+/g, '');
  // Buffer.from ignores characters outside the alphabet; a typo must not become a different image.
  if (payload.length === 0 || payload.length % 4 === 1 || !BASE64.test(payload)) {
    throw new ONNXPIPE_SERVER_BAD_REQUEST(
      `'${where}' must be a base64-encoded PNG, JPEG or WebP file (optionally a data: URL); received ${describeValue(text.slice(0, 40))}${text.length > 40 ? '…' : ''}`,
    );
  }
  return Buffer.from(payload, 'base64');
}

/**
 * Items of a JSON body: `image` (one base64 file), `images` (several), or `pixels`: one image
 * as `side²` numbers or `side` rows of `side`, or a batch of either. Arrays of arrays are a
 * batch when their elements are themselves nested, or hold `side²` values; otherwise, when
 * there are `side` of them or the first holds `side` values, they are one image's rows (so a
 * mistake in one row is reported as such, not as a batch of wrong-sized images).
 */
export function itemsFromJson(body: PredictJsonBody, side: number, maxItems: number): InputItem[] {
  const present = (['image', 'images', 'pixels'] as const).filter((key) => body[key] !== undefined);
  if (present.length !== 1) {
    throw new ONNXPIPE_SERVER_BAD_REQUEST(
      `the JSON body must have exactly one of ${formatChoices(['image', 'images', 'pixels'])}; received ${present.length === 0 ? 'none' : present.join(' and ')}`,
    );
  }
  if (body.image !== undefined) return [{ kind: 'image', bytes: fromBase64(body.image, 'image'), where: 'image' }];
  if (body.images !== undefined) {
    checkCount(body.images.length, maxItems);
    return body.images.map((text, i) => ({
      kind: 'image',
      bytes: fromBase64(text, `images[${i}]`),
      where: `images[${i}]`,
    }));
  }
  const pixels = body.pixels!;
  const first = pixels[0];
  const batch =
    Array.isArray(first) &&
    (Array.isArray(first[0]) || first.length === side * side || (first.length !== side && pixels.length !== side));
  if (!batch) return [{ kind: 'pixels', values: pixels as number[] | number[][], where: 'pixels' }];
  checkCount(pixels.length, maxItems);
  return pixels.map((values, i) => {
    if (!Array.isArray(values)) {
      throw new ONNXPIPE_SERVER_BAD_REQUEST(
        `'pixels[${i}]' must be an array like 'pixels[0]' (a batch holds one array per image); received ${describeValue(values)}`,
      );
    }
    return { kind: 'pixels', values: values as number[] | number[][], where: `pixels[${i}]` };
  });
}

/** What a multipart body carried: its files as items, and the `preprocess` field if sent. */
export interface MultipartItems {
  readonly items: InputItem[];
  readonly preprocess?: PreprocessMode;
}

/**
 * Reads every part of a multipart body: each file is one item; the only field taken is
 * `preprocess`. Files together may hold at most `maxBodyBytes` (the body limit does not apply
 * to streamed multipart bodies); @fastify/multipart's own limits stop a single file or too many
 * files early.
 */
export async function itemsFromMultipart(
  request: FastifyRequest,
  maxItems: number,
  maxBodyBytes: number,
): Promise<MultipartItems> {
  const items: InputItem[] = [];
  let preprocess: PreprocessMode | undefined;
  let total = 0;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const where = `file ${describeValue(part.filename || part.fieldname)}`;
        const bytes = await part.toBuffer();
        total += bytes.length;
        if (total > maxBodyBytes) {
          throw new ONNXPIPE_SERVER_BODY_TOO_LARGE(
            `the files of a multipart body may hold at most ${maxBodyBytes} bytes together ('maxBodyBytes'); received more at ${where}`,
          );
        }
        checkCount(items.length + 1, maxItems);
        items.push({ kind: 'image', bytes, where });
      } else if (part.fieldname === 'preprocess') {
        if (!PREPROCESS_MODES.includes(part.value as PreprocessMode)) {
          throw new ONNXPIPE_SERVER_BAD_REQUEST(
            `'preprocess' must be one of ${formatChoices(PREPROCESS_MODES)}; received ${describeValue(part.value)}`,
          );
        }
        preprocess = part.value as PreprocessMode;
      } else {
        throw new ONNXPIPE_SERVER_BAD_REQUEST(
          `multipart field ${describeValue(part.fieldname)} is not accepted: send images as file parts, and optionally a 'preprocess' field`,
        );
      }
    }
  } catch (error) {
    // busboy reports a malformed body with plain Errors; coded errors (ours, the plugin's) pass.
    if (
      (error as { code?: unknown }).code !== undefined ||
      (error as { statusCode?: unknown }).statusCode !== undefined
    )
      throw error;
    throw new ONNXPIPE_SERVER_BAD_REQUEST(`malformed multipart body: ${(error as Error).message}`, { cause: error });
  }
  if (items.length === 0) {
    throw new ONNXPIPE_SERVER_BAD_REQUEST('a multipart body must carry at least one file part (the image)');
  }
  return preprocess === undefined ? { items } : { items, preprocess };
}
