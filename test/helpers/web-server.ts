import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp, loadConfig } from '@onnxpipe/server';
// The SDK's own build script (esbuild, well under a second): the tests serve exactly what
// `npm run build:web` ships, built into a temporary folder so that a checkout's
// packages/web/dist/browser is neither needed nor overwritten.
import { buildWebBundle } from '../../packages/web/scripts/build.mjs';

// What the cross-package browser tests share: the browser build, and a real server on loopback
// that hosts it beside a model repository — the page and the API on one origin, as `npm start`
// serves them.

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

let built: Promise<string> | undefined;

/** Builds the browser bundle (SDK, demo page, ort files) once per process; returns its folder. */
export function webBuild(): Promise<string> {
  built ??= (async () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'onnxpipe-web-build-')), 'browser');
    await buildWebBundle({ outdir, quiet: true });
    process.once('exit', () => rmSync(join(outdir, '..'), { recursive: true, force: true }));
    return outdir;
  })();
  return built;
}

/** A listening server and its base URL (`http://127.0.0.1:<port>`). */
export interface WebServer {
  readonly app: FastifyInstance;
  readonly origin: string;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with a free port, serving `modelRepository` and the browser build at `/`. */
export async function startWebServer(modelRepository: string): Promise<WebServer> {
  const webRoot = await webBuild();
  const config = loadConfig({
    env: {},
    overrides: { modelRepository, webRoot, device: 'cpu', port: 0, host: '127.0.0.1', logLevel: 'warn' },
  });
  const app = await buildApp({
    config,
    logStream: { write: (line) => void process.stderr.write(`# server: ${line}`) },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { app, origin: `http://127.0.0.1:${port}`, close: () => app.close() };
}
