import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { WEB_APP_CONTENT_SECURITY_POLICY } from '@onnxpipe/server';
import { chromiumUnavailableReason, launchChromium, type ChromiumSession } from '@onnxpipe/web/testing';
// The server tests' tiny MNIST-shaped model (with the exporter's metadata), imported by path:
// the demo runs on it as on the shipped model, so this test needs no trained model.
import {
  buildTinyMnistModel,
  writeTestRepository,
  type TestRepository,
} from '../packages/server/src/testing/tiny-model.js';
import { DIGIT_STROKES, drawStrokes, openDemo, readAnswer, resultCount, waitForResult } from './helpers/demo-page.js';
import { startWebServer, type WebServer } from './helpers/web-server.js';

// The demo page under the server's Content-Security-Policy, in real headless Chromium: it
// loads cross-origin isolated, predicts in the page (onnxruntime-web's wasm, compiled under
// 'wasm-unsafe-eval') and on the server (a same-origin fetch), runs the SDK with two wasm
// threads (workers started from the same-origin runtime file, under that file's own policy),
// and through all of it the page reports no CSP violation and the console no error. A control
// at the end shows the policy is enforced and that such a violation would have been seen.

const skip = chromiumUnavailableReason();

let repository: TestRepository;
let server: WebServer;
let browser: ChromiumSession;

before(async () => {
  if (skip) return;
  repository = await writeTestRepository([{ bytes: buildTinyMnistModel().bytes }]);
  server = await startWebServer(repository.dir);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await repository?.remove();
});

interface Watched {
  /** Console errors, anything the console says about the Content Security Policy, page errors. */
  readonly problems: string[];
  /** `securitypolicyviolation` events of the document, read from the page. */
  violations(): Promise<string[]>;
}

/** Records what a page reports: console errors and CSP messages, uncaught errors, CSP violation events. */
async function watch(page: Page): Promise<Watched> {
  const problems: string[] = [];
  page.on('console', (message) => {
    const { url } = message.location();
    // A document without <link rel=icon> (the JSON one below) makes Chromium ask for /favicon.ico.
    if (url.endsWith('/favicon.ico')) return;
    if (message.type() === 'error' || /content security policy/i.test(message.text()))
      problems.push(`console.${message.type()}: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as { cspViolations?: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.effectiveDirective} blocked ${event.blockedURI}`),
    );
  });
  return {
    problems,
    violations: () => page.evaluate(() => (globalThis as { cspViolations?: string[] }).cspViolations ?? []),
  };
}

test(
  'the demo predicts in the page and on the server under its CSP, with no violation and no console error; inline scripts stay blocked',
  { skip },
  async () => {
    const page = await browser.context.newPage();
    const watched = await watch(page);
    const response = await page.goto(`${server.origin}/`);
    const headers = response!.headers();
    assert.equal(headers['content-security-policy'], WEB_APP_CONTENT_SECURITY_POLICY);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.equal(headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(headers['cross-origin-embedder-policy'], 'require-corp');

    await openDemo(page, `${server.origin}/`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const before = await resultCount(page);
    await drawStrokes(page, DIGIT_STROKES['7']);
    await waitForResult(page, before);
    const local = await readAnswer(page);
    assert.match(local.provider, /^wasm \(in this browser\)$/);
    assert.match(local.label, /^[0-9]$/);

    const beforeRemote = await resultCount(page);
    await page.check('#mode-remote');
    await waitForResult(page, beforeRemote);
    const remote = await readAnswer(page);
    assert.match(remote.provider, /^cpu \(on the server\)$/);
    assert.equal(remote.label, local.label, 'the same model on both sides');

    assert.deepEqual(await watched.violations(), []);
    assert.deepEqual(watched.problems, []);

    // The control: the policy is in force (an inline script does not run), and the violation is
    // seen both ways. (Code that Playwright evaluates is exempt from the policy; a script element
    // the page adds is not.)
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'globalThis.inlineScriptRan = true';
      document.head.append(script);
    });
    const until = Date.now() + 5000;
    while ((await watched.violations()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(
      await page.evaluate(() => (globalThis as { inlineScriptRan?: boolean }).inlineScriptRan),
      undefined,
      "no 'unsafe-inline'",
    );
    assert.deepEqual(await watched.violations(), ['script-src-elem blocked inline']);
    assert.ok(
      watched.problems.some((p) => /content security policy/i.test(p)),
      watched.problems.join('\n'),
    );
    await page.close();
  },
);

test(
  'the SDK runs onnxruntime-web with two wasm threads under the policy: the workers start and no violation occurs',
  { skip },
  async () => {
    const page = await browser.context.newPage();
    const watched = await watch(page);
    // A document of the web app that starts no classifier of its own: ort's thread count is fixed
    // by the first session of a page. It carries the page's policy and isolation headers.
    const response = await page.goto(`${server.origin}/manifest.json`);
    assert.equal(response!.headers()['content-security-policy'], WEB_APP_CONTENT_SECURITY_POLICY);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const result = await page.evaluate(async () => {
      const bundle = '/onnxpipe-web.js'; // a URL of the page, not a module TypeScript can resolve
      const sdk = (await import(bundle)) as typeof import('@onnxpipe/web');
      const classifier = await sdk.createClassifier('/models/mnist/model.onnx', { device: 'wasm', numThreads: 2 });
      const { predictions } = await classifier.predict(new Float32Array(784), { preprocess: 'none' });
      return { provider: classifier.executionProvider, probabilities: predictions[0].probabilities.length };
    });
    assert.deepEqual(result, { provider: 'wasm', probabilities: 10 });
    assert.ok(page.workers().length >= 1, `onnxruntime-web's thread workers started (${page.workers().length})`);
    assert.deepEqual(await watched.violations(), []);
    assert.deepEqual(watched.problems, []);
    await page.close();
  },
);
