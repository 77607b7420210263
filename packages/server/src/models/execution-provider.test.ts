import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createModel, encodeModel, GraphBuilder, TensorDataType } from '@onnxpipe/onnx';
import { createTestApp } from '../testing/test-app.js';
import { buildTinyMnistModel, writeTestRepository } from '../testing/tiny-model.js';

// Which execution provider runs. Whether CUDA works here is found out independently of the
// server's code (a session of our own), so the expectations hold on a GPU machine too.

ort.env.logLevel = 'fatal';

async function cudaWorks(): Promise<boolean> {
  const g = new GraphBuilder('check');
  g.node('Identity', [g.input('x', TensorDataType.FLOAT, [1])], { outputs: ['y'] });
  g.output('y', TensorDataType.FLOAT, [1]);
  const bytes = encodeModel(createModel({ graph: g.build(), opset: 17, producerName: 'test', producerVersion: '0' }));
  try {
    await (await ort.InferenceSession.create(bytes, { executionProviders: ['cuda'] })).release();
    return true;
  } catch {
    return false;
  }
}
const HAS_CUDA = await cudaWorks();

test(
  'device auto without CUDA falls back to the CPU, says so in one log line, and reports cpu',
  { skip: HAS_CUDA && 'CUDA works on this machine' },
  async () => {
    const { app, logs, close } = await createTestApp({ overrides: { device: 'auto' } });
    try {
      assert.equal(app.models.executionProvider, 'cpu');
      const lines = logs.filter((l) => /CUDA|execution provider|inference runs on/i.test(l.msg));
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.match(lines[0].msg, /^device auto: CUDA is unavailable \(.+\); inference runs on the CPU$/);
      assert.equal(lines[0].executionProvider, 'cpu');
      const response = await app.inject({ method: 'POST', url: '/predict', payload: { pixels: Array(784).fill(0) } });
      assert.equal(response.json().executionProvider, 'cpu');
    } finally {
      await close();
    }
  },
);

test(
  'device cuda without CUDA fails at start-up with DEVICE_UNAVAILABLE and the reason',
  { skip: HAS_CUDA && 'CUDA works on this machine' },
  async () => {
    await assert.rejects(
      createTestApp({ overrides: { device: 'cuda' } }),
      (error: { code?: string; message: string }) => {
        assert.equal(error.code, 'ONNXPIPE_SERVER_DEVICE_UNAVAILABLE');
        assert.match(
          error.message,
          /'device' is cuda but the CUDA execution provider cannot start on this machine: .+; install/,
        );
        return true;
      },
    );
  },
);

// onnxruntime-node's WebGPU provider (Dawn) needs a Vulkan loader and driver. Chromium ships
// both (SwiftShader, a CPU Vulkan): found through LD_LIBRARY_PATH and VK_ICD_FILENAMES, which
// only a new process reads, so that test runs the server in a child process.
const CHROMIUM = '/usr/lib/chromium';
const SWIFTSHADER = `${CHROMIUM}/vk_swiftshader_icd.json`;
const HAS_SWIFTSHADER = existsSync(`${CHROMIUM}/libvulkan.so.1`) && existsSync(SWIFTSHADER);

test(
  'device webgpu runs the model on the WebGPU provider (SwiftShader) and matches the reference',
  {
    skip:
      !HAS_SWIFTSHADER &&
      `no Vulkan for WebGPU: ${CHROMIUM}/libvulkan.so.1 and ${SWIFTSHADER} (Debian chromium) are missing`,
  },
  async () => {
    const model = buildTinyMnistModel();
    const repository = await writeTestRepository([{ bytes: model.bytes }]);
    try {
      const pixels = Array.from({ length: 784 }, (_, i) => (i * 37) % 256);
      const script = fileURLToPath(new URL('../testing/predict-once.ts', import.meta.url));
      const child = spawnSync(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', script, repository.dir, 'webgpu', JSON.stringify({ pixels })],
        {
          env: { ...process.env, LD_LIBRARY_PATH: CHROMIUM, VK_ICD_FILENAMES: SWIFTSHADER },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
      assert.equal(result.error, undefined, JSON.stringify(result.error ?? child.stderr));
      assert.equal(result.executionProvider, 'webgpu');
      assert.equal(result.body.executionProvider, 'webgpu');
      const input = Float32Array.from(pixels, (p) => (p / 255 - 0.1307) / 0.3081);
      const expected = Array.from(model.reference(input, 1), Math.exp);
      const worst = Math.max(
        ...result.body.predictions[0].probabilities.map((p: number, i: number) => Math.abs(p - expected[i])),
      );
      assert.ok(worst <= 1e-4, `WebGPU vs the JS reference: max |Δ| = ${worst}`);
    } finally {
      await repository.remove();
    }
  },
);

test('device webgpu where no adapter exists fails at start-up with DEVICE_UNAVAILABLE', async (t) => {
  // This process was started without Chromium's Vulkan on the library path.
  const outcome = await createTestApp({ overrides: { device: 'webgpu' } }).then(
    async (built) => {
      await built.close();
      return undefined;
    },
    (error: { code?: string; message: string }) => error,
  );
  if (outcome === undefined) return t.skip('a WebGPU adapter exists in this process (a system Vulkan driver)');
  assert.equal(outcome.code, 'ONNXPIPE_SERVER_DEVICE_UNAVAILABLE');
  assert.match(outcome.message, /'device' is webgpu but the WebGPU execution provider cannot start/);
});
