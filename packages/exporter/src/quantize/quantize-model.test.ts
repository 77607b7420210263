import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createRng } from '@onnxpipe/core';
import { mnistMetadata } from '@onnxpipe/core/testing';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import {
  attr,
  createModel,
  decodeModel,
  encodeModel,
  GraphBuilder,
  TensorDataType,
  type OnnxModel,
} from '@onnxpipe/onnx';
import { checkOnnxModels } from '@onnxpipe/onnx/testing';
import { chooseWebVariant } from './choose-variant.js';
import { fromFloat16Bits, toFloat16Bits } from './float16.js';
import { parsePrecisions, quantizeModel, VARIANT_METADATA_KEYS } from './quantize-model.js';
import { writeVariants } from './write-variants.js';

// Reduced-precision variants: the float16 conversion against its definition, each variant in
// onnxruntime-node against a float32 model built here from independently rounded weights, the
// files through ONNX's own checker, and the one-command writer on a model version folder.

/** conv 1→16 5×5 → ReLU → max-pool 2 → flatten → dense 2304→10 ([K, N], no transB) → log-softmax. */
function buildModel(weights?: { conv: Float32Array; dense: Float32Array }): {
  model: OnnxModel;
  conv: Float32Array;
  dense: Float32Array;
} {
  const rng = createRng(11);
  const uniform = (n: number, fanIn: number) =>
    Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) / Math.sqrt(fanIn));
  const conv = weights?.conv ?? uniform(16 * 25, 25);
  const dense = weights?.dense ?? uniform(2304 * 10, 2304);
  const g = new GraphBuilder('variant_test');
  const x = g.input('input', TensorDataType.FLOAT, ['N', 1, 28, 28]);
  const w = g.initializer('conv.weight', TensorDataType.FLOAT, [16, 1, 5, 5], conv);
  const b = g.initializer(
    'conv.bias',
    TensorDataType.FLOAT,
    [16],
    Float32Array.from({ length: 16 }, (_, i) => i / 100),
  );
  const [c] = g.node('Conv', [x, w, b], { attributes: [attr.ints('kernel_shape', [5, 5])] });
  const [r] = g.node('Relu', [c]);
  const [p] = g.node('MaxPool', [r], { attributes: [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])] });
  const [f] = g.node('Flatten', [p], { attributes: [attr.int('axis', 1)] });
  const dw = g.initializer('dense.weight', TensorDataType.FLOAT, [2304, 10], dense);
  const [logits] = g.node('Gemm', [f, dw]);
  g.node('LogSoftmax', [logits], { outputs: ['output'], attributes: [attr.int('axis', 1)] });
  g.output('output', TensorDataType.FLOAT, ['N', 10]);
  const model = createModel({
    graph: g.build(),
    opset: 17,
    producerName: 'onnxpipe-exporter-tests',
    producerVersion: '0.1.0',
    metadata: mnistMetadata(),
  });
  return { model, conv, dense };
}

async function runModel(bytes: Uint8Array, input: Float32Array, batch: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, [batch, 1, 28, 28]) });
    return out.output.data as Float32Array;
  } finally {
    await session.release();
  }
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('float16 bits', () => {
  test('every finite binary16 value converts back to its own bits; midpoints round to even; overflow is Infinity', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue; // Infinity and NaN
      const value = fromFloat16Bits(bits);
      assert.equal(toFloat16Bits(value), bits === 0x8000 ? 0x8000 : bits, `0x${bits.toString(16)} (${value})`);
    }
    // Halfway between 1 and the next half (1 + 2^-10): ties to the even one, 1.
    assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00);
    assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
    // Just above halfway rounds up.
    assert.equal(toFloat16Bits(Math.fround(1 + 2 ** -11 + 2 ** -20)), 0x3c01);
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(65520), 0x7c00, 'halfway to 2^16 rounds to Infinity');
    assert.equal(toFloat16Bits(-1e9), 0xfc00);
    assert.equal(toFloat16Bits(2 ** -25), 0, 'half the smallest subnormal ties to even zero');
    assert.equal(toFloat16Bits(Math.fround(2 ** -25 * 1.5)), 1);
    assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN))));
  });

  test(
    'agrees with Math.f16round where this Node has it',
    { skip: typeof (Math as { f16round?: unknown }).f16round !== 'function' && 'no Math.f16round in this Node' },
    () => {
      const f16round = (Math as unknown as { f16round(x: number): number }).f16round;
      const rng = createRng(5);
      for (let i = 0; i < 100_000; i++) {
        const x = Math.fround((rng.next() * 2 - 1) * 2 ** Math.floor(rng.next() * 40 - 28));
        assert.equal(fromFloat16Bits(toFloat16Bits(x)), f16round(x), String(x));
      }
    },
  );
});

describe('quantizeModel', () => {
  const { model, conv, dense } = buildModel();
  const rng = createRng(3);
  const input = Float32Array.from({ length: 4 * 784 }, () => rng.next() * 3 - 0.4);

  test('fp16 runs as the float32 model with float16-rounded weights (max |Δ| ≤ 1e-5), in half the bytes', async () => {
    const { model: variant, quantized } = quantizeModel(model, 'fp16', { sourceSha256: 'a'.repeat(64) });
    assert.deepEqual(
      quantized.map((q) => q.name),
      ['conv.weight', 'dense.weight'],
      'the 16-element bias stays float32',
    );
    const round = (w: Float32Array) => w.map((v) => fromFloat16Bits(toFloat16Bits(v)));
    const reference = encodeModel(buildModel({ conv: round(conv), dense: round(dense) }).model);
    const bytes = encodeModel(variant);
    const [got, want, original] = await Promise.all([
      runModel(bytes, input, 4),
      runModel(reference, input, 4),
      runModel(encodeModel(model), input, 4),
    ]);
    assert.ok(maxDiff(got, want) <= 1e-5, `max |Δ| ${maxDiff(got, want)}`);
    assert.ok(maxDiff(got, original) > 0, 'the rounding is real');
    assert.ok(bytes.byteLength < encodeModel(model).byteLength * 0.55, `${bytes.byteLength} bytes`);
    const props = Object.fromEntries(variant.metadataProps.map((p) => [p.key, p.value]));
    assert.equal(props[VARIANT_METADATA_KEYS.variant], 'fp16');
    assert.equal(props[VARIANT_METADATA_KEYS.sourceSha256], 'a'.repeat(64));
    assert.equal(props['onnxpipe.labels'], mnistMetadata()['onnxpipe.labels'], 'the source metadata is kept');
  });

  test('int8 runs as the float32 model with per-output-channel int8 weights (conv axis 0, Gemm B axis 1), in about a quarter of the bytes', async () => {
    const { model: variant, quantized } = quantizeModel(model, 'int8');
    assert.deepEqual(
      quantized.map((q) => [q.name, q.axis]),
      [
        ['conv.weight', 0],
        ['dense.weight', 1],
      ],
    );
    // The rounding written out independently: scale = max|w| / 127 per output channel.
    const convQ = new Float32Array(conv.length);
    for (let o = 0; o < 16; o++) {
      const slice = conv.subarray(o * 25, (o + 1) * 25);
      const scale = Math.fround(Math.max(...slice.map(Math.abs)) / 127);
      slice.forEach((v, i) => (convQ[o * 25 + i] = Math.fround(Math.round(v / scale) * scale)));
    }
    const denseQ = new Float32Array(dense.length);
    for (let n = 0; n < 10; n++) {
      let max = 0;
      for (let k = 0; k < 2304; k++) max = Math.max(max, Math.abs(dense[k * 10 + n]));
      const scale = Math.fround(max / 127);
      for (let k = 0; k < 2304; k++) denseQ[k * 10 + n] = Math.fround(Math.round(dense[k * 10 + n] / scale) * scale);
    }
    const reference = encodeModel(buildModel({ conv: convQ, dense: denseQ }).model);
    const bytes = encodeModel(variant);
    const [got, want] = await Promise.all([runModel(bytes, input, 4), runModel(reference, input, 4)]);
    assert.ok(maxDiff(got, want) <= 1e-5, `max |Δ| ${maxDiff(got, want)}`);
    assert.ok(bytes.byteLength < encodeModel(model).byteLength * 0.3, `${bytes.byteLength} bytes`);
    assert.equal(decodeModel(bytes).metadataProps.find((p) => p.key === VARIANT_METADATA_KEYS.variant)?.value, 'int8');
  });

  test("both variants pass ONNX's own checker", () => {
    const files = new Map(
      ['fp16', 'int8'].map((p) => [p, encodeModel(quantizeModel(model, p as 'fp16' | 'int8').model)]),
    );
    assert.deepEqual(checkOnnxModels(files), []);
  });

  test('a precision outside fp16, int8 is refused with ONNXPIPE_EXPORT_INVALID_OPTION naming the values', () => {
    assert.throws(() => quantizeModel(model, 'int4' as 'int8'), {
      code: 'ONNXPIPE_EXPORT_INVALID_OPTION',
      message: /'precision' must be one of fp16, int8; received "int4"/,
    });
    assert.throws(() => parsePrecisions('fp16,bf16', '--quantize'), {
      code: 'ONNXPIPE_EXPORT_INVALID_OPTION',
      message: /'--quantize' must be a comma-separated list of fp16, int8; received "fp16,bf16"/,
    });
    assert.deepEqual(parsePrecisions(' int8,fp16,int8 '), ['int8', 'fp16']);
  });
});

test('chooseWebVariant: the smallest within the tolerance of the source, else the source', () => {
  const source = { file: 'model.onnx', bytes: 800, accuracy: 0.9962 };
  const fp16 = { file: 'model.fp16.onnx', bytes: 400, accuracy: 0.9962 };
  const int8 = { file: 'model.int8.onnx', bytes: 200, accuracy: 0.9957 };
  assert.equal(chooseWebVariant([source, fp16, int8]).file, 'model.int8.onnx', 'exactly 0.05 points lower qualifies');
  assert.equal(chooseWebVariant([source, fp16, { ...int8, accuracy: 0.9956 }]).file, 'model.fp16.onnx');
  assert.equal(chooseWebVariant([source, { ...fp16, accuracy: 0.99 }]).file, 'model.onnx');
  assert.equal(chooseWebVariant([source, fp16, int8], 0).file, 'model.fp16.onnx');
});

const dataDir = mnistTestDataDir();
test(
  "writeVariants: files beside model.onnx (untouched), measured on real test digits, recorded in the manifest with the browsers' choice",
  { skip: dataDir === undefined && 'no MNIST test files (ONNXPIPE_DATA_DIR)' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'onnxpipe-variants-'));
    try {
      const versionDir = join(dir, 'mnist', '3');
      await mkdir(versionDir, { recursive: true });
      const bytes = encodeModel(buildModel().model);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await writeFile(join(versionDir, 'model.onnx'), bytes);
      await writeFile(
        join(versionDir, 'manifest.json'),
        JSON.stringify({ name: 'mnist', epochs: 1, onnx: { file: 'model.onnx', sha256, bytes: bytes.byteLength } }),
      );
      const { images, labels } = readMnistTestDigits(dataDir!, 200);
      const test = { images: Uint8Array.from(images.flatMap((i) => Array.from(i))), labels: Uint8Array.from(labels) };
      const report = await writeVariants({ versionDir, precisions: ['fp16', 'int8'], test });

      assert.deepEqual(
        new Uint8Array(await readFile(join(versionDir, 'model.onnx'))),
        bytes,
        'model.onnx is not rewritten',
      );
      const manifest = JSON.parse(await readFile(join(versionDir, 'manifest.json'), 'utf8'));
      assert.equal(manifest.epochs, 1, 'the manifest is extended, not replaced');
      assert.equal(manifest.onnx.sha256, sha256);
      assert.deepEqual(
        manifest.onnx.variants.map((v: { file: string }) => v.file),
        ['model.fp16.onnx', 'model.int8.onnx'],
      );
      for (const variant of manifest.onnx.variants) {
        const file = new Uint8Array(await readFile(join(versionDir, variant.file)));
        assert.equal(variant.bytes, file.byteLength);
        assert.equal(variant.sha256, createHash('sha256').update(file).digest('hex'));
        assert.equal(variant.testImages, 200);
        const props = Object.fromEntries(decodeModel(file).metadataProps.map((p) => [p.key, p.value]));
        assert.equal(props[VARIANT_METADATA_KEYS.variant], variant.precision);
        assert.equal(props[VARIANT_METADATA_KEYS.sourceSha256], sha256);
        assert.equal(Number(props[VARIANT_METADATA_KEYS.testAccuracy]), variant.testAccuracy);
        assert.equal(Number(props[VARIANT_METADATA_KEYS.agreement]), variant.argmaxAgreement);
        assert.equal(variant.argmaxAgreement, 1 - variant.disagreements / 200);
      }
      const eligible = [
        { file: 'model.onnx', bytes: bytes.byteLength, accuracy: manifest.onnx.testAccuracy },
        ...manifest.onnx.variants.map((v: { file: string; bytes: number; testAccuracy: number }) => ({
          file: v.file,
          bytes: v.bytes,
          accuracy: v.testAccuracy,
        })),
      ]
        .filter((c) => c.accuracy >= manifest.onnx.testAccuracy - 0.0005 - 1e-9)
        .sort((a, b) => a.bytes - b.bytes);
      assert.equal(manifest.onnx.web.file, eligible[0].file);
      assert.deepEqual(report.web, manifest.onnx.web);

      // A manifest that records another file: re-export first.
      await writeFile(
        join(versionDir, 'manifest.json'),
        JSON.stringify({ onnx: { file: 'model.onnx', sha256: 'f'.repeat(64) } }),
      );
      await assert.rejects(writeVariants({ versionDir, precisions: ['int8'], test }), {
        code: 'ONNXPIPE_EXPORT_MODEL_LOAD_FAILED',
        message: /run npm run export for this version first/,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
