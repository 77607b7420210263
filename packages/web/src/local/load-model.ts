import { parseModelMetadata, type ModelMetadata, errorMessage } from '@onnxpipe/core';
import { readMetadataProps } from '@onnxpipe/onnx/metadata-props';
import { ONNXPIPE_WEB_INVALID_ARGUMENT, ONNXPIPE_WEB_MODEL_LOAD_FAILED } from '../errors.js';

// The model's bytes, and its facts from its own metadata_props: labels, normalisation, input
// side and layout, output kind. onnxruntime-web does not expose custom metadata, so the
// protobuf is walked here (without protobufjs, which would triple the bundle).

/** A model's bytes and where they came from. */
export interface ModelSource {
  readonly bytes: Uint8Array;
  /** The absolute URL, for a model given by URL. */
  readonly url: string | undefined;
  /** How messages name it: the URL, or "the model bytes". */
  readonly where: string;
}

function isBytes(value: unknown): value is Uint8Array {
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}

function absoluteUrl(model: string | URL): string {
  try {
    return new URL(String(model), globalThis.location?.href).href;
  } catch (error) {
    throw new ONNXPIPE_WEB_INVALID_ARGUMENT(
      `'model' must be a valid URL (absolute, or relative to the page); received ${JSON.stringify(String(model))}`,
      { cause: error },
    );
  }
}

/**
 * Fetches a model given by URL, or takes the bytes given.
 *
 * @throws `ONNXPIPE_WEB_INVALID_ARGUMENT` for a `model` of another type,
 * `ONNXPIPE_WEB_MODEL_LOAD_FAILED` naming the URL when the fetch fails or answers an error
 */
export async function loadModelSource(model: unknown): Promise<ModelSource> {
  if (isBytes(model)) return { bytes: model, url: undefined, where: 'the model bytes' };
  if (Object.prototype.toString.call(model) === '[object ArrayBuffer]') {
    return { bytes: new Uint8Array(model as ArrayBuffer), url: undefined, where: 'the model bytes' };
  }
  if (typeof model !== 'string' && !(typeof URL === 'function' && model instanceof URL)) {
    const received =
      model === null || typeof model !== 'object'
        ? String(model)
        : `a ${(model as object).constructor?.name ?? 'object'}`;
    throw new ONNXPIPE_WEB_INVALID_ARGUMENT(
      `'model' must be a URL (string or URL), an ArrayBuffer or a Uint8Array; received ${received}`,
    );
  }
  const url = absoluteUrl(model);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ONNXPIPE_WEB_MODEL_LOAD_FAILED(`could not fetch the model ${url}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new ONNXPIPE_WEB_MODEL_LOAD_FAILED(
      `fetching the model ${url} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  }
  try {
    return { bytes: new Uint8Array(await response.arrayBuffer()), url, where: url };
  } catch (error) {
    throw new ONNXPIPE_WEB_MODEL_LOAD_FAILED(`reading the model ${url} failed: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** metadata_props key of the exporter's reduced-precision variants (`fp16`, `int8`); absent in model.onnx itself. */
export const VARIANT_METADATA_KEY = 'onnxpipe.variant';

/** A model's facts, and which of the exporter's files it is. */
export interface ModelFacts {
  readonly metadata: ModelMetadata;
  /** `fp32` (the exported model.onnx), or the variant named in its metadata: `fp16`, `int8`. */
  readonly variant: string;
}

/**
 * The model's metadata, checked, and its variant.
 *
 * @throws `ONNXPIPE_WEB_MODEL_LOAD_FAILED` naming the source when the bytes are not ONNX or
 * lack onnxpipe's metadata
 */
export function readModelMetadata(source: ModelSource): ModelFacts {
  let props;
  try {
    props = readMetadataProps(source.bytes);
  } catch (error) {
    throw new ONNXPIPE_WEB_MODEL_LOAD_FAILED(
      `${source.where} is not an ONNX model (${source.bytes.length} bytes): ${errorMessage(error)}`,
      { cause: error },
    );
  }
  try {
    return {
      metadata: parseModelMetadata(props),
      variant: props.find((p) => p.key === VARIANT_METADATA_KEY)?.value ?? 'fp32',
    };
  } catch (error) {
    throw new ONNXPIPE_WEB_MODEL_LOAD_FAILED(`${source.where} is not an onnxpipe model: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** File names the exporter writes: model.onnx and its variants (model.int8.onnx, ...). */
const EXPORTED_FILE = /^model(\.[A-Za-z0-9]+)?\.onnx$/;

/**
 * Name and version for results, from the URL: `…/<name>/<version>/model.onnx` (a model
 * repository), `…/<name>/versions/<version>/model.onnx` and `…/<name>/model.onnx` (the server's
 * model routes), the same with a variant's file (`model.int8.onnx`), else the file name without
 * `.onnx`; version 1 when the URL has none.
 */
export function modelIdentity(url: string | undefined): { name: string; version: string } {
  const segments =
    url === undefined
      ? []
      : new URL(url).pathname
          .split('/')
          .filter(Boolean)
          .map((s) => decodeURIComponent(s));
  const file = segments.pop();
  if (file === undefined) return { name: 'model', version: '1' };
  if (!EXPORTED_FILE.test(file) || segments.length === 0)
    return { name: file.replace(/\.onnx$/, '') || 'model', version: '1' };
  const last = segments[segments.length - 1];
  if (!/^\d+$/.test(last)) return { name: last, version: '1' };
  const rest = segments.slice(0, -1);
  if (rest[rest.length - 1] === 'versions') rest.pop();
  return { name: rest[rest.length - 1] ?? 'model', version: last };
}
