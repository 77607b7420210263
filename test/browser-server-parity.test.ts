import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumUnavailableReason, createNodeReference, launchChromium } from '@onnxpipe/web/testing';
import { DIGIT_STROKES, drawStrokes, openDemo, readAnswer, resultCount, waitForResult } from './helpers/demo-page.js';
import { mnistTestDataDir, mnistTestDigits } from './helpers/mnist-digits.js';
import { maxAbsDifference, pageClassify, serverPredict, type Answer } from './helpers/parity.js';
import { repositoryRoot, startWebServer, type WebServer } from './helpers/web-server.js';

// The same model, three ways: onnxruntime-web in a page the server hosts (wasm, and WebGPU on
// SwiftShader), the server's POST /predict (onnxruntime-node), and the SDK's remote mode — for
// every version the server loads and every file it serves of it (model.onnx and the exporter's
// reduced-precision variants, which browsers fetch). On real MNIST test digits model.onnx in the
// page and on the server must agree on every label and every probability to 1e-4 (two
// runtimes, two preprocessing call sites: the SDK's and the server's, both core's code). A
// variant in the page must agree to 1e-4 with the same file in onnxruntime-node in this process
// (an independent runtime on the same weights), and with the server's model.onnx as closely as
// the exporter measured on the 10,000 test digits (recorded in the version's manifest).

const COUNT = 300;
const WEBGPU_COUNT = 8;
const TOLERANCE = 1e-4;

const models = join(repositoryRoot, 'models');
const versionDir = (version: string) => join(models, 'mnist', version);
/** Versions the server loads, and the variants each one's manifest lists, with the figures the exporter measured. */
const VERSIONS = existsSync(join(models, 'mnist'))
  ? readdirSync(join(models, 'mnist'))
      .filter((v) => /^\d+$/.test(v) && existsSync(join(versionDir(v), 'model.onnx')))
      .sort((a, b) => Number(a) - Number(b))
  : [];
interface RecordedVariant {
  readonly file: string;
  readonly argmaxAgreement: number;
  readonly maxProbabilityDiff: number;
}
function variantsOf(version: string): RecordedVariant[] {
  const manifest = JSON.parse(readFileSync(join(versionDir(version), 'manifest.json'), 'utf8')) as {
    onnx?: { variants?: RecordedVariant[] };
  };
  return manifest.onnx?.variants ?? [];
}
const skip =
  chromiumUnavailableReason() ??
  (VERSIONS.length > 0 ? undefined : 'no shipped model (models/mnist/<version>/model.onnx)') ??
  (mnistTestDataDir() ? undefined : 'no MNIST test set (ONNXPIPE_DATA_DIR)');

let server: WebServer;
let digits: { images: number[][]; labels: number[] };

before(async () => {
  if (skip) return;
  server = await startWebServer(models);
  const { images, labels } = await mnistTestDigits(COUNT);
  digits = { images: images.map((image) => Array.from(image)), labels };
});

after(async () => {
  await server?.close();
});

function assertAgree(
  actual: readonly Answer[],
  expected: readonly Answer[],
  what: string,
  tolerance = TOLERANCE,
): number {
  assert.equal(actual.length, expected.length, what);
  const disagreements = actual.flatMap((a, i) =>
    a.label === expected[i].label ? [] : [`#${i}: ${a.label} vs ${expected[i].label}`],
  );
  assert.deepEqual(disagreements, [], `${what}: labels`);
  const delta = maxAbsDifference(actual, expected);
  assert.ok(delta <= tolerance, `${what}: max |Δ| of the probabilities ${delta} > ${tolerance}`);
  return delta;
}

/** onnxruntime-node's answers for `file` in this process, prepared by core as the server and the page prepare them. */
async function nodeAnswers(
  path: string,
  images: readonly (readonly number[])[],
  preprocess: 'mnist' | 'none',
): Promise<Answer[]> {
  const reference = await createNodeReference(path);
  try {
    const rows = await reference.classify(reference.prepare(images, preprocess));
    return rows.map((probabilities) => ({
      label: reference.metadata.labels[probabilities.indexOf(Math.max(...probabilities))],
      probabilities,
    }));
  } finally {
    await reference.release();
  }
}

test(
  `${COUNT} MNIST test digits, every served version and model file: wasm in the page, onnxruntime-node, the server's POST /predict and the SDK's remote mode agree`,
  { skip },
  async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      // Any page of the server's origin will do; in remote mode the demo loads no model of its own.
      await openDemo(page, `${server.origin}/?mode=remote`);
      const modes = ['mnist', 'none'] as const;
      const remote = await pageClassify(page, { remote: true, images: digits.images, preprocess: modes });
      assert.equal(remote.executionProvider, 'cpu');
      for (const preprocess of modes) {
        // Remote mode is the server (its highest version): the same numbers, not merely close ones.
        const remoteDelta = assertAgree(
          remote.answers[preprocess],
          await serverPredict(server.origin, digits.images, preprocess),
          `remote vs server, preprocess=${preprocess}`,
          1e-6,
        );
        process.stdout.write(`# remote vs server, preprocess=${preprocess}: max |Δ| ${remoteDelta.toExponential(2)}\n`);
      }
      for (const version of VERSIONS) {
        const expected = Object.fromEntries(
          await Promise.all(
            modes.map(async (m) => [m, await serverPredict(server.origin, digits.images, m, version)] as const),
          ),
        );
        const inPage = await pageClassify(page, {
          modelUrl: `/models/mnist/versions/${version}/model.onnx`,
          device: 'wasm',
          images: digits.images,
          preprocess: modes,
        });
        assert.equal(inPage.executionProvider, 'wasm');
        for (const preprocess of modes) {
          const delta = assertAgree(
            inPage.answers[preprocess],
            expected[preprocess],
            `v${version} model.onnx: wasm vs server, preprocess=${preprocess}`,
          );
          const correct = expected[preprocess].filter((a, i) => a.label === String(digits.labels[i])).length;
          process.stdout.write(
            `# v${version} model.onnx, preprocess=${preprocess}: ${correct}/${COUNT} correct; max |Δ| wasm vs server ${delta.toExponential(2)}\n`,
          );
          assert.ok(correct >= COUNT * 0.97, `version ${version} is right on ${correct}/${COUNT}`);
        }
        for (const variant of variantsOf(version)) {
          const what = `v${version} ${variant.file}`;
          const onVariant = await pageClassify(page, {
            modelUrl: `/models/mnist/versions/${version}/${variant.file}`,
            device: 'wasm',
            images: digits.images,
            preprocess: modes,
          });
          // As close to the server's model.onnx as the exporter measured (twice its largest |Δp|),
          // and the labels as often as it found them equal (at least 99 % of the digits).
          const tolerance = Math.max(TOLERANCE, 2 * variant.maxProbabilityDiff);
          const allowed = Math.max(1, Math.ceil(COUNT * (1 - Math.min(variant.argmaxAgreement, 0.99))));
          for (const preprocess of modes) {
            const same = assertAgree(
              onVariant.answers[preprocess],
              await nodeAnswers(join(versionDir(version), variant.file), digits.images, preprocess),
              `${what}: wasm vs onnxruntime-node, preprocess=${preprocess}`,
            );
            const differ = onVariant.answers[preprocess].filter(
              (a, i) => a.label !== expected[preprocess][i].label,
            ).length;
            const delta = maxAbsDifference(onVariant.answers[preprocess], expected[preprocess]);
            process.stdout.write(
              `# ${what}, preprocess=${preprocess}: max |Δ| vs onnxruntime-node ${same.toExponential(2)}; vs the server's model.onnx ${delta.toExponential(2)}, ${differ} label(s) differ\n`,
            );
            assert.ok(
              differ <= allowed,
              `${what} vs the server's model.onnx: ${differ} labels differ (at most ${allowed})`,
            );
            assert.ok(delta <= tolerance, `${what} vs the server's model.onnx: max |Δ| ${delta} > ${tolerance}`);
          }
        }
      }
    } finally {
      await browser.close();
    }
  },
);

test(
  `WebGPU (SwiftShader): the demo runs on it when asked for (auto stays on wasm and says why), and it agrees with wasm on ${WEBGPU_COUNT} digits`,
  { skip },
  async () => {
    const browser = await launchChromium({ webgpu: true });
    try {
      const page = await browser.context.newPage();
      const draw = async () => {
        const before = await resultCount(page);
        await drawStrokes(page, DIGIT_STROKES['1']);
        await waitForResult(page, before);
        return readAnswer(page);
      };
      await openDemo(page, `${server.origin}/`);
      assert.equal((await draw()).provider, 'wasm (in this browser)', 'auto: wasm, with an adapter there');
      assert.match(
        await page.locator('#fallback').innerText(),
        /Asked for auto, running on wasm: 'auto' runs digit models on wasm/,
      );
      await openDemo(page, `${server.origin}/?device=webgpu`);
      const answer = await draw();
      assert.equal(answer.label, '1');
      assert.equal(answer.provider, 'webgpu (in this browser)');
      assert.equal(await page.locator('#fallback').isVisible(), false, 'no fallback to explain');

      const images = digits.images.slice(0, WEBGPU_COUNT);
      const modelUrl = `/models/mnist/versions/${VERSIONS.at(-1)}/model.onnx`;
      const wasm = await pageClassify(page, { modelUrl, device: 'wasm', images, preprocess: ['mnist'] });
      const webgpu = await pageClassify(page, { modelUrl, device: 'webgpu', images, preprocess: ['mnist'] });
      assert.equal(webgpu.executionProvider, 'webgpu');
      const delta = assertAgree(webgpu.answers.mnist, wasm.answers.mnist, 'webgpu vs wasm');
      process.stdout.write(`# webgpu vs wasm on ${WEBGPU_COUNT} digits: max |Δ| ${delta.toExponential(2)}\n`);
    } finally {
      await browser.close();
    }
  },
);
