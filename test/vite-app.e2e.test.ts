import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromiumUnavailableReason,
  launchChromium,
  startStaticServer,
  type ChromiumSession,
  type StaticServer,
} from '@onnxpipe/web/testing';
import { DIGIT_STROKES, drawStrokes } from './helpers/demo-page.js';
import { repositoryRoot } from './helpers/web-server.js';

// @onnxpipe/web as a frontend gets it: the workspace packages it needs (core, onnx, web) built
// and `npm pack`ed, installed as tarballs into a fresh Vite app in a temporary folder (vite from
// the npm registry: 8, else 7), typechecked against the types the package ships, built with
// `vite build` and its ortFiles() plugin, served as static files and used in headless Chromium:
// a 7 drawn on the app's canvas is classified in the page. Needs the npm registry (skipped with
// the reason when it cannot be reached); npm's cache makes later runs quicker.

const MODEL = join(repositoryRoot, 'models', 'mnist', '2', 'model.int8.onnx');
const PACKAGES = ['core', 'onnx', 'web'];

function run(command: string, args: readonly string[], options: SpawnSyncOptions & { timeoutMs?: number } = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: options.timeoutMs ?? 600_000, ...options });
  return {
    ok: result.status === 0,
    stdout: String(result.stdout ?? ''),
    output: `${String(result.stdout ?? '')}${String(result.stderr ?? '')}`,
    error: result.error,
  };
}

function registryUnreachable(): string | undefined {
  const probe = run('npm', ['view', 'vite', 'version'], { timeoutMs: 60_000 });
  return probe.ok
    ? undefined
    : `the npm registry cannot be reached (npm view vite version: ${probe.error?.message ?? probe.output.trim().split('\n').at(-1)})`;
}

const skip =
  chromiumUnavailableReason() ??
  (existsSync(MODEL) ? undefined : `no ${MODEL} (npm run quantize)`) ??
  registryUnreachable() ??
  false;

const APP_FILES: Record<string, string> = {
  'package.json': JSON.stringify(
    { name: 'digit-app', private: true, type: 'module', scripts: { build: 'vite build' } },
    null,
    2,
  ),
  'vite.config.js': `import { defineConfig } from 'vite';
import { ortFiles } from '@onnxpipe/web/vite';

// ortFiles() hosts onnxruntime-web's runtime where the SDK looks by default (/ort/<version>/).
export default defineConfig({ plugins: [ortFiles()] });
`,
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      include: ['src'],
    },
    null,
    2,
  ),
  'index.html': `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>digits</title><link rel="icon" href="data:,"></head>
<body>
  <canvas id="pad" width="280" height="280" style="touch-action: none"></canvas>
  <output id="answer" data-state="loading"></output>
  <script type="module" src="/src/main.ts"></script>
</body>
</html>
`,
  'src/main.ts': `import { createClassifier, type DigitClassifier } from '@onnxpipe/web';

// Draw a digit with the mouse, a pen or a finger; its label shows when the stroke ends.
const pad = document.querySelector<HTMLCanvasElement>('#pad')!;
const answer = document.querySelector<HTMLOutputElement>('#answer')!;
const context = pad.getContext('2d', { willReadFrequently: true })!;
context.fillRect(0, 0, pad.width, pad.height);
Object.assign(context, { strokeStyle: '#fff', lineWidth: 21, lineCap: 'round', lineJoin: 'round' });

let last: { x: number; y: number } | undefined;
const at = (event: PointerEvent) => ({ x: event.offsetX, y: event.offsetY });
pad.addEventListener('pointerdown', (event) => (last = at(event)));
pad.addEventListener('pointermove', (event) => {
  if (last === undefined) return;
  const next = at(event);
  context.beginPath();
  context.moveTo(last.x, last.y);
  context.lineTo(next.x, next.y);
  context.stroke();
  last = next;
});

const classifier: Promise<DigitClassifier> = createClassifier('/model.int8.onnx');
classifier.then(
  () => (answer.dataset.state = 'ready'),
  (error: Error) => (answer.dataset.state = \`error: \${error.message}\`),
);
pad.addEventListener('pointerup', async () => {
  last = undefined;
  const ready = await classifier;
  const { predictions } = await ready.predict(pad);
  answer.dataset.variant = ready.variant ?? '';
  answer.dataset.provider = ready.executionProvider ?? '';
  answer.textContent = predictions[0].label;
});
`,
};

let work: string;
let server: StaticServer | undefined;
let browser: ChromiumSession | undefined;

before(() => {
  if (skip === false) work = mkdtempSync(join(tmpdir(), 'onnxpipe-vite-app-'));
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory()
      ? listFiles(join(dir, name), root)
      : [join(dir, name).slice(root.length + 1)],
  );
}

test(
  'a Vite app installs the packed @onnxpipe/web, typechecks against its types, builds with ortFiles() and classifies a drawn 7 in Chromium',
  { skip, timeout: 1_200_000 },
  async (t) => {
    // The packages' JavaScript and types (tsc -b builds web's references too), then their tarballs.
    const built = run(process.execPath, [
      join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-b',
      join(repositoryRoot, 'packages', 'web'),
    ]);
    assert.ok(built.ok, built.output);
    const packs = join(work, 'packs');
    mkdirSync(packs);
    const packed = run(
      'npm',
      ['pack', ...PACKAGES.flatMap((p) => ['--workspace', `packages/${p}`]), '--pack-destination', packs, '--json'],
      { cwd: repositoryRoot },
    );
    assert.ok(packed.ok, packed.output);
    const tarballs = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const web = tarballs.find((p) => p.filename.startsWith('onnxpipe-web-'))!;
    assert.ok(
      web.files.some((f) => f.path === 'dist/index.d.ts'),
      'the package ships its types',
    );
    assert.ok(
      web.files.some((f) => f.path === 'dist/vite/index.js'),
      'and the Vite plugin',
    );
    assert.ok(
      !web.files.some((f) => /^dist\/(browser|testing)\/|\.test\./.test(f.path)),
      'but not the demo build, test helpers or tests',
    );

    const app = join(work, 'app');
    for (const [path, text] of Object.entries(APP_FILES)) {
      mkdirSync(join(app, path, '..'), { recursive: true });
      writeFileSync(join(app, path), text);
    }
    mkdirSync(join(app, 'public'));
    copyFileSync(MODEL, join(app, 'public', 'model.int8.onnx'));
    const install = (vite: string) =>
      run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          vite,
          ...tarballs.map((p) => join(packs, p.filename)),
        ],
        { cwd: app, timeoutMs: 900_000 },
      );
    let installed = install('vite@8');
    if (!installed.ok) {
      t.diagnostic(
        `vite@8 did not install, trying vite@7: ${installed.output.trim().split('\n').slice(-3).join(' / ')}`,
      );
      installed = install('vite@7');
    }
    assert.ok(installed.ok, installed.output);

    // The app's TypeScript against the .d.ts files the tarball installed (the repository's tsc).
    const typechecked = run(
      process.execPath,
      [join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(app, 'tsconfig.json')],
      { cwd: app },
    );
    assert.ok(typechecked.ok, typechecked.output);

    const viteBuild = run(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
      cwd: app,
    });
    assert.ok(viteBuild.ok, viteBuild.output);
    t.diagnostic(
      viteBuild.output
        .split('\n')
        .filter((l) => /dist\/|built in/.test(l))
        .join('\n'),
    );
    const files = listFiles(join(app, 'dist'));
    for (const name of [
      'ort-wasm-simd-threaded.mjs',
      'ort-wasm-simd-threaded.wasm',
      'ort-wasm-simd-threaded.jsep.mjs',
      'ort-wasm-simd-threaded.jsep.wasm',
    ]) {
      assert.ok(
        files.some((f) => new RegExp(`^ort/[\\d.]+/${name.replaceAll('.', '\\.')}$`).test(f)),
        `${name} is in dist/ort/<version>/: ${files.join(', ')}`,
      );
    }
    assert.ok(
      !files.some((f) => f.startsWith('assets/') && f.endsWith('.wasm')),
      `no second copy of the runtime under assets/: ${files.join(', ')}`,
    );

    server = await startStaticServer({ mounts: { '/': join(app, 'dist') } });
    browser = await launchChromium();
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(`${server.origin}/index.html`);
    await page.waitForSelector('#answer[data-state="ready"]', { state: 'attached', timeout: 120_000 });
    await drawStrokes(page, DIGIT_STROKES['7']);
    await page.waitForFunction(() => document.getElementById('answer')!.textContent !== '', undefined, {
      timeout: 60_000,
    });
    const answer = await page.evaluate(() => ({
      label: document.getElementById('answer')!.textContent,
      ...document.getElementById('answer')!.dataset,
    }));
    assert.deepEqual(answer, { label: '7', state: 'ready', variant: 'int8', provider: 'wasm' });
    assert.deepEqual(problems, []);
  },
);
