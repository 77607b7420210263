import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistTestDataDir } from '@onnxpipe/data/testing';
import type { Page } from 'playwright-core';
import { buildWebBundle, type BuildResult } from '../../scripts/build.mjs';
import type * as Sdk from '../index.js';
import { chromiumUnavailableReason, launchChromium, type ChromiumSession } from './chromium.js';
import { startStaticServer, type RouteHandler, type StaticServer } from './static-server.js';

// A page in headless Chromium with the built SDK loaded as `window.onnxpipe`, served from
// loopback with the shipped model at /models/: what the browser tests and bench:web run in.
// The bundle is built once per process into a temporary folder, so a test run never touches
// dist/browser, which a running server may be serving.

/** The checkout's model repository (models/mnist/1/model.onnx is the shipped model). */
export const MODEL_REPOSITORY = fileURLToPath(new URL('../../../../models/', import.meta.url));
/** URL path of the shipped model on the harness server. */
export const SHIPPED_MODEL_PATH = '/models/mnist/1/model.onnx';

const HARNESS_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>@onnxpipe/web test harness</title>
<link rel="icon" href="data:,">
<script type="module">
  import * as sdk from '/onnxpipe-web.js';
  window.onnxpipe = sdk;
  // Tests' page.evaluate callbacks cannot declare helpers (tsx would wrap them in __name).
  window.catchError = async (run) => {
    try {
      await run();
      return {};
    } catch (error) {
      const { code, message, name, statusCode, serverCode, request } = error;
      return { code, message, name, statusCode, serverCode, request, isOnnxpipeError: error instanceof sdk.OnnxpipeError };
    }
  };
  window.harnessReady = true;
</script>
`;

/** The shipped model's file. */
export const SHIPPED_MODEL_FILE = join(MODEL_REPOSITORY, 'mnist', '1', 'model.onnx');

/** `undefined` when browser tests can run here, else why not (no Chromium, no shipped model). */
export function harnessUnavailableReason(): string | undefined {
  return (
    chromiumUnavailableReason() ??
    (existsSync(SHIPPED_MODEL_FILE)
      ? undefined
      : `the shipped model ${SHIPPED_MODEL_FILE} is not exported yet (npm run train, then npm run export)`)
  );
}

/** Why the harness cannot run on real MNIST test digits here, or `undefined` when it can. */
export function mnistHarnessUnavailableReason(): string | undefined {
  return (
    harnessUnavailableReason() ??
    (mnistTestDataDir() === undefined ? 'the MNIST test files are missing: set ONNXPIPE_DATA_DIR' : undefined)
  );
}

/**
 * What the harness page puts on `window`; in `page.evaluate` callbacks: `(globalThis as unknown as
 * HarnessGlobals).onnxpipe`.
 */
export interface HarnessGlobals {
  readonly onnxpipe: typeof Sdk;
  /** Runs `run` and returns what it threw (`{}` when nothing). */
  catchError(run: () => Promise<unknown>): Promise<CaughtError>;
}

/** The fields of an error thrown in the page. */
export interface CaughtError {
  readonly code?: string;
  readonly message?: string;
  readonly name?: string;
  readonly statusCode?: number;
  readonly serverCode?: string;
  readonly request?: string;
  readonly isOnnxpipeError?: boolean;
}

let built: Promise<BuildResult> | undefined;

/** Builds the bundle into a temporary folder, once per process; removed when the process exits. */
export function buildOnce(): Promise<BuildResult> {
  if (built === undefined) {
    const outdir = mkdtempSync(join(tmpdir(), 'onnxpipe-web-build-'));
    process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
    built = buildWebBundle({ outdir, quiet: true });
  }
  return built;
}

export interface HarnessOptions {
  /** Start Chromium with WebGPU (SwiftShader). @defaultValue `false` */
  readonly webgpu?: boolean;
  /** Serve with COOP/COEP headers (wasm threads). @defaultValue `false` */
  readonly crossOriginIsolated?: boolean;
  /** Extra routes on the same origin (a fake onnxpipe server). */
  readonly routes?: RouteHandler;
}

export interface BrowserHarness {
  readonly page: Page;
  readonly origin: string;
  /** Absolute URL of the shipped model. */
  readonly modelUrl: string;
  /** Messages the page logged with console.error or threw, for diagnosis. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Builds (once), serves and opens the harness page.
 *
 * @example
 * ```ts
 * const harness = await openHarness();
 * const label = await harness.page.evaluate(async (url) => {
 *   const classifier = await window.onnxpipe.createClassifier(url, { device: 'wasm' });
 *   return (await classifier.predict(new Array(784).fill(0))).predictions[0].label;
 * }, harness.modelUrl);
 * await harness.close();
 * ```
 */
export async function openHarness(options: HarnessOptions = {}): Promise<BrowserHarness> {
  const { outdir } = await buildOnce();
  let server: StaticServer | undefined;
  let browser: ChromiumSession | undefined;
  try {
    server = await startStaticServer({
      mounts: { '/models/': MODEL_REPOSITORY, '/': outdir },
      pages: { '/harness.html': HARNESS_PAGE },
      crossOriginIsolated: options.crossOriginIsolated,
      routes: options.routes,
    });
    browser = await launchChromium({ webgpu: options.webgpu });
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${server.origin}/harness.html`);
    await page.waitForFunction(() => (globalThis as { harnessReady?: boolean }).harnessReady === true, undefined, {
      timeout: 30_000,
    });
    const opened = { server, browser };
    return {
      page,
      origin: server.origin,
      modelUrl: `${server.origin}${SHIPPED_MODEL_PATH}`,
      pageErrors,
      async close() {
        await opened.browser.close();
        await opened.server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server?.close();
    throw error;
  }
}
