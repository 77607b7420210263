import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@onnxpipe/core';
import { mnistMetadata } from '@onnxpipe/core/testing';
import { attr, createModel, encodeModel, GraphBuilder, TensorDataType } from '@onnxpipe/onnx';

// Test fixture: a small MNIST-shaped network with random weights, built with our own ONNX
// tools and written into a model repository the way the exporter lays one out, metadata_props
// included. A plain-JS forward pass of the same maths is the independent reference.

export { mnistMetadata };

/** A tiny model's ONNX bytes and its reference forward pass. */
export interface TinyModel {
  readonly bytes: Uint8Array;
  /** Log-probabilities `[batch, 10]` for normalised inputs `[batch, 1, 28, 28]`, in float64. */
  reference(input: Float32Array, batch: number): Float64Array;
}

const FILTERS = 4;
const POOLED = 13;
const FEATURES = FILTERS * POOLED * POOLED; // 676
const CLASSES = 10;

/**
 * conv 1→4 3×3 (valid) → ReLU → max-pool 2 → flatten → dense 676→10 → log-softmax, seeded
 * random weights (U(±1/√fan-in), as the trainer initialises).
 */
export function buildTinyMnistModel(
  options: { seed?: number; metadata?: Record<string, string | undefined> } = {},
): TinyModel {
  const rng = createRng(options.seed ?? 7);
  const uniform = (n: number, fanIn: number) =>
    Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) / Math.sqrt(fanIn));
  const convW = uniform(FILTERS * 9, 9);
  const convB = uniform(FILTERS, 9);
  const denseW = uniform(CLASSES * FEATURES, FEATURES); // [10, 676], used transposed
  const denseB = uniform(CLASSES, FEATURES);

  const g = new GraphBuilder('tiny_mnist');
  const x = g.input('input', TensorDataType.FLOAT, ['N', 1, 28, 28]);
  const w = g.initializer('conv.weight', TensorDataType.FLOAT, [FILTERS, 1, 3, 3], convW);
  const b = g.initializer('conv.bias', TensorDataType.FLOAT, [FILTERS], convB);
  const [conv] = g.node('Conv', [x, w, b], { attributes: [attr.ints('kernel_shape', [3, 3])] });
  const [relu] = g.node('Relu', [conv]);
  const [pool] = g.node('MaxPool', [relu], {
    attributes: [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])],
  });
  const [flat] = g.node('Flatten', [pool], { attributes: [attr.int('axis', 1)] });
  const dw = g.initializer('dense.weight', TensorDataType.FLOAT, [CLASSES, FEATURES], denseW);
  const db = g.initializer('dense.bias', TensorDataType.FLOAT, [CLASSES], denseB);
  const [logits] = g.node('Gemm', [flat, dw, db], { attributes: [attr.int('transB', 1)] });
  g.node('LogSoftmax', [logits], { outputs: ['log_probs'], attributes: [attr.int('axis', 1)] });
  g.output('log_probs', TensorDataType.FLOAT, ['N', CLASSES]);
  const model = createModel({
    graph: g.build(),
    opset: 17,
    producerName: 'onnxpipe-server-tests',
    producerVersion: '0.1.0',
    metadata: mnistMetadata(options.metadata),
  });

  return {
    bytes: encodeModel(model),
    reference(input, batch) {
      const out = new Float64Array(batch * CLASSES);
      for (let n = 0; n < batch; n++) {
        const image = input.subarray(n * 784, (n + 1) * 784);
        const features = new Float64Array(FEATURES);
        for (let f = 0; f < FILTERS; f++) {
          const at = (y: number, x: number): number => {
            let acc = convB[f];
            for (let ky = 0; ky < 3; ky++)
              for (let kx = 0; kx < 3; kx++) acc += image[(y + ky) * 28 + x + kx] * convW[f * 9 + ky * 3 + kx];
            return Math.max(0, acc);
          };
          for (let py = 0; py < POOLED; py++) {
            for (let px = 0; px < POOLED; px++) {
              features[f * 169 + py * POOLED + px] = Math.max(
                at(2 * py, 2 * px),
                at(2 * py, 2 * px + 1),
                at(2 * py + 1, 2 * px),
                at(2 * py + 1, 2 * px + 1),
              );
            }
          }
        }
        const logits = Array.from({ length: CLASSES }, (_, j) => {
          let acc = denseB[j];
          for (let k = 0; k < FEATURES; k++) acc += features[k] * denseW[j * FEATURES + k];
          return acc;
        });
        const max = Math.max(...logits);
        const logSum = max + Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0));
        logits.forEach((v, j) => (out[n * CLASSES + j] = v - logSum));
      }
      return out;
    },
  };
}

/** One model version to put in a test repository. */
export interface RepositoryModel {
  readonly name?: string;
  readonly version?: number;
  readonly bytes: Uint8Array;
  /** Record the file's sha256 in manifest.json (as the exporter does). @defaultValue true */
  readonly manifest?: boolean;
  /** The sha256 to record instead of the file's own (a manifest that does not match). */
  readonly manifestSha256?: string;
}

/** A temporary model repository; `remove()` deletes it. */
export interface TestRepository {
  readonly dir: string;
  remove(): Promise<void>;
}

/**
 * Writes one model version into the repository `dir` as the exporter does (model.onnx,
 * config.pbtxt, manifest.json), replacing what was there; returns the path of model.onnx.
 */
export async function writeModelVersion(dir: string, entry: RepositoryModel): Promise<string> {
  const name = entry.name ?? 'mnist';
  const version = entry.version ?? 1;
  const path = join(dir, name, String(version), 'model.onnx');
  await mkdir(join(dir, name, String(version)), { recursive: true });
  await writeFile(path, entry.bytes);
  await writeFile(
    join(dir, name, 'config.pbtxt'),
    `name: "${name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 64\n`,
  );
  if (entry.manifest ?? true) {
    const sha256 = entry.manifestSha256 ?? createHash('sha256').update(entry.bytes).digest('hex');
    const manifest = { name, onnx: { file: `${version}/model.onnx`, sha256, bytes: entry.bytes.byteLength } };
    await writeFile(join(dir, name, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  return path;
}

/** Writes `<dir>/<name>/<version>/model.onnx`, config.pbtxt and manifest.json into a new temp dir. */
export async function writeTestRepository(models: readonly RepositoryModel[]): Promise<TestRepository> {
  const dir = await mkdtemp(join(tmpdir(), 'onnxpipe-server-test-'));
  for (const entry of models) await writeModelVersion(dir, entry);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
