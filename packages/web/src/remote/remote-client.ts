import { errorMessage } from '@onnxpipe/core';
import { ONNXPIPE_WEB_REMOTE_FAILED } from '../errors.js';

// JSON over fetch to an onnxpipe server, with its errors turned into ONNXPIPE_WEB_REMOTE_FAILED
// carrying the server's status and code. Two error bodies exist: POST /predict sends
// { error, code, statusCode, message }, the Open Inference Protocol routes { error, code }
// where `error` is the message.

/** How the client calls the server. */
export interface RemoteClientOptions {
  /** The server's base URL, ending in `/`. */
  readonly base: string;
  readonly fetch: typeof fetch;
  readonly headers: Readonly<Record<string, string>>;
}

/** One call: method, path relative to the base, query, JSON body. */
export interface RemoteCall {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
}

function serverError(status: number, body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const { code, message: text, error } = body as Record<string, unknown>;
  return {
    code: typeof code === 'string' ? code : undefined,
    message:
      typeof text === 'string' ? text : typeof error === 'string' && error !== httpReason(status) ? error : undefined,
  };
}

// Fastify's `error` is the reason phrase; only the OIP routes put the message there.
function httpReason(status: number): string | undefined {
  return (
    {
      400: 'Bad Request',
      404: 'Not Found',
      413: 'Payload Too Large',
      415: 'Unsupported Media Type',
      422: 'Unprocessable Entity',
      429: 'Too Many Requests',
      500: 'Internal Server Error',
      503: 'Service Unavailable',
      504: 'Gateway Timeout',
    } as Record<number, string>
  )[status];
}

/**
 * Makes one call and returns the parsed JSON answer.
 *
 * @throws `ONNXPIPE_WEB_REMOTE_FAILED`: `statusCode` and `serverCode` are the server's for an
 * error answer; 502 when the server could not be reached or did not answer JSON
 */
export async function callServer<T>(client: RemoteClientOptions, call: RemoteCall): Promise<T> {
  const url = new URL(call.path, client.base);
  for (const [key, value] of Object.entries(call.query ?? {}))
    if (value !== undefined) url.searchParams.set(key, String(value));
  const request = `${call.method} ${url.href}`;
  const headers: Record<string, string> = { accept: 'application/json', ...client.headers };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await client.fetch(url.href, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    });
  } catch (error) {
    throw new ONNXPIPE_WEB_REMOTE_FAILED(
      `${request} failed: ${errorMessage(error)} (is the server running, and does it allow this origin by CORS?)`,
      { request },
      { cause: error },
    );
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const { code, message: detail } = serverError(response.status, body);
    const what = detail ?? (text.slice(0, 200) || response.statusText || 'no body');
    throw new ONNXPIPE_WEB_REMOTE_FAILED(`${request} answered ${response.status}${code ? ` ${code}` : ''}: ${what}`, {
      request,
      statusCode: response.status,
      serverCode: code,
    });
  }
  if (body === undefined) {
    throw new ONNXPIPE_WEB_REMOTE_FAILED(
      `${request} answered ${response.status} without a JSON body (${JSON.stringify(text.slice(0, 80))}): is ${client.base} an onnxpipe server?`,
      { request },
    );
  }
  return body as T;
}

/** Throws ONNXPIPE_WEB_REMOTE_FAILED for an answer that is not what an onnxpipe server sends. */
export function unexpectedAnswer(request: string, what: string, received: unknown): never {
  const shown = JSON.stringify(received)?.slice(0, 120) ?? String(received);
  throw new ONNXPIPE_WEB_REMOTE_FAILED(
    `${request} answered without ${what} (received ${shown}): is it an onnxpipe server?`,
    { request },
  );
}
