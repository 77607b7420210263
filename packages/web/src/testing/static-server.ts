import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

// A loopback HTTP server for browser tests and the benchmark: static folders with the MIME
// types onnxruntime-web needs (`.wasm` must be application/wasm for streaming compilation,
// `.mjs` a JavaScript type for module import), optional cross-origin isolation headers, and
// extra routes (a fake onnxpipe server for the remote client's tests).

/** MIME types by extension. */
export const MIME_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
});

/** Routes answered by code instead of files: returns `true` when it answered the request. */
export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
) => boolean | Promise<boolean>;

export interface StaticServerOptions {
  /** URL prefix (starting and ending with `/`) → folder on disk. */
  readonly mounts: Readonly<Record<string, string>>;
  /** Files held in memory, by URL path. */
  readonly pages?: Readonly<Record<string, string>>;
  /** Sends COOP/COEP so that the page is `crossOriginIsolated` (wasm threads). @defaultValue `false` */
  readonly crossOriginIsolated?: boolean;
  readonly routes?: RouteHandler;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>`: a secure origin, as WebGPU requires. */
  readonly origin: string;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response
    .writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
    .end(body);
}

function fileFor(mounts: Readonly<Record<string, string>>, pathname: string): string | undefined {
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!pathname.startsWith(prefix)) continue;
    const path = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
    if (path !== dir && !path.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined;
    if (statSync(path, { throwIfNoEntry: false })?.isFile()) return path;
  }
  return undefined;
}

// Files are read once and kept: a stream of the 27 MiB wasm in 64 KiB chunks took seconds.
const fileCache = new Map<string, Buffer>();
function cached(path: string): Buffer {
  let bytes = fileCache.get(path);
  if (bytes === undefined) fileCache.set(path, (bytes = readFileSync(path)));
  return bytes;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the server on 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * const server = await startStaticServer({ mounts: { '/': distBrowser } });
 * await page.goto(`${server.origin}/index.html`);
 * await server.close();
 * ```
 */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- every path inside answers, errors with 500
  const server = createServer(async (request, response) => {
    try {
      if (options.crossOriginIsolated) {
        response.setHeader('cross-origin-opener-policy', 'same-origin');
        response.setHeader('cross-origin-embedder-policy', 'require-corp');
      }
      const body = await readBody(request);
      if (options.routes !== undefined && (await options.routes(request, response, body))) return;
      const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
      const page = options.pages?.[pathname];
      if (page !== undefined) return send(response, 200, MIME_TYPES[extname(pathname)] ?? 'text/plain', page);
      const file = fileFor(options.mounts, pathname);
      if (file === undefined) return send(response, 404, 'text/plain', `not found: ${pathname}`);
      send(response, 200, MIME_TYPES[extname(file)] ?? 'application/octet-stream', cached(file));
    } catch (error) {
      if (!response.headersSent) send(response, 500, 'text/plain', String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
