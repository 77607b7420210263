import { describeValue } from '@onnxpipe/core';
import { ONNXPIPE_WEB_INVALID_ARGUMENT } from '../errors.js';
import { checkObject, checkString } from '../options.js';
import type { DigitClassifier, RemoteClassifierOptions } from '../types.js';
import { RemoteClassifier } from './remote-classifier.js';
import { describeRemoteModel } from './remote-model.js';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MODEL_VERSION = /^[1-9][0-9]*$/;

function baseUrl(endpoint: unknown): string {
  if (typeof endpoint !== 'string' && !(typeof URL === 'function' && endpoint instanceof URL)) {
    throw new ONNXPIPE_WEB_INVALID_ARGUMENT(
      `'endpoint' must be the server's URL (a string or URL); received ${describeValue(endpoint)}`,
    );
  }
  let url: URL;
  try {
    url = new URL(String(endpoint), globalThis.location?.href);
  } catch (error) {
    throw new ONNXPIPE_WEB_INVALID_ARGUMENT(
      `'endpoint' must be a valid URL (absolute, or relative to the page); received ${describeValue(String(endpoint))}`,
      { cause: error },
    );
  }
  // Accept the /predict URL itself as well as the server's base URL.
  url.pathname = url.pathname.replace(/\/predict\/?$/, '/').replace(/\/?$/, '/');
  url.search = '';
  url.hash = '';
  return url.href;
}

function checkHeaders(value: unknown): Record<string, string> {
  const headers = checkObject('headers', value);
  for (const [key, header] of Object.entries(headers)) {
    if (typeof header !== 'string')
      throw new ONNXPIPE_WEB_INVALID_ARGUMENT(`'headers.${key}' must be a string; received ${describeValue(header)}`);
  }
  return headers as Record<string, string>;
}

/**
 * A classifier that sends digits to an onnxpipe server's `POST /predict` and answers with the
 * same result shape as a local one. Inputs are preprocessed in the page with the same code as
 * the server and local mode, then sent as pixels: local and remote answers agree. Labels,
 * input size and the item limit per request come from the server's
 * `GET /v2/models/{name}` before the classifier is returned.
 *
 * @param endpoint - the server's base URL (or its `/predict` URL), absolute or relative to the page
 * @param options - `model` and `version` (default: the server's default model, its highest
 *   loaded version), `fetch`, `headers`
 * @throws `ONNXPIPE_WEB_INVALID_ARGUMENT`; `ONNXPIPE_WEB_REMOTE_FAILED` with the server's
 *   `statusCode` and `serverCode` (an unknown model is the server's 404)
 *
 * @example
 * ```ts
 * const classifier = await createRemoteClassifier('https://digits.example.com/', { model: 'mnist' });
 * const { predictions, executionProvider } = await classifier.predict([canvas, file]);
 * ```
 */
export async function createRemoteClassifier(
  endpoint: string | URL,
  options?: RemoteClassifierOptions,
): Promise<DigitClassifier> {
  const base = baseUrl(endpoint);
  const o = checkObject('options', options);
  const model = checkString('model', o.model, MODEL_NAME, 'a model name (letters, digits, _ . -)');
  const version = checkString('version', o.version, MODEL_VERSION, 'a version number (1, 2, ...)');
  const fetchFn = o.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function')
    throw new ONNXPIPE_WEB_INVALID_ARGUMENT(`'fetch' must be a function; received ${describeValue(fetchFn)}`);
  const client = { base, fetch: (fetchFn as typeof fetch).bind(globalThis), headers: checkHeaders(o.headers) };
  const remote = await describeRemoteModel(client, model, version);
  return new RemoteClassifier(client, remote, version !== undefined);
}
