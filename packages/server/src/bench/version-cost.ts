import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MNIST_NORMALIZATION, preprocessDigit } from '@onnxpipe/core';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import * as ort from 'onnxruntime-node';
import { loadModel, type LoadedModel } from '../models/load-model.js';
import { scanModelRepository } from '../models/model-repository.js';

/**
 * `npm run bench:versions`: what each served version of a model costs per image in
 * onnxruntime-node, in this process, loaded as the server loads it (CPU provider, full graph
 * optimisation) — batch 1 and batch 64 of real MNIST test digits, at one intra-op thread (the
 * server's worker default) and at onnxruntime's default (one per core). The versions run in
 * alternating rounds so that a busy machine slows each alike; the figure is the median of the
 * rounds, and the ratio is against the first version listed (the serving cost bound of a newer
 * version is a ratio to version 1). Prints a Markdown table for docs/benchmarks.md.
 *
 *   npm run bench:versions -- [--model-repository models] [--model mnist] [--rounds 7] [--seconds 1]
 */
const { values } = parseArgs({
  options: {
    'model-repository': { type: 'string', default: 'models' },
    model: { type: 'string', default: 'mnist' },
    rounds: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '1' },
  },
});

const BATCH_SIZES = [1, 64] as const;
const THREADS = [1, 0] as const;

const silent = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {} };
const repository = resolve(values['model-repository']!);
const entries = (await scanModelRepository(repository, 'all', silent as never, values.model)).sort(
  (a, b) => Number(a.version) - Number(b.version),
);
if (entries.length === 0) throw new Error(`no versions of ${values.model} in ${repository}: train and export first`);
const mnistDir = mnistTestDataDir();
if (mnistDir === undefined) throw new Error('bench:versions needs the MNIST test files ($ONNXPIPE_DATA_DIR)');
const digits = readMnistTestDigits(mnistDir, 64).images;

/** Milliseconds per image of `runs` back-to-back runs of `feeds`, bounded by `seconds`. */
async function timeRuns(model: LoadedModel, feeds: Record<string, ort.Tensor>, seconds: number): Promise<number> {
  const started = performance.now();
  let runs = 0;
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    await model.session.run(feeds);
    runs++;
    elapsed = performance.now() - started;
  }
  return elapsed / runs;
}

function feedsFor(model: LoadedModel, batch: number): Record<string, ort.Tensor> {
  const { height, width, inputLayout } = model.metadata;
  const data = new Float32Array(batch * height * width);
  for (let i = 0; i < batch; i++) {
    const image = { width: 28, height: 28, channels: 1 as const, data: digits[i % digits.length] };
    data.set(preprocessDigit(image, { normalization: MNIST_NORMALIZATION, skip: true }).input, i * height * width);
  }
  const dims = inputLayout === 'NCHW' ? [batch, 1, height, width] : [batch, height, width, 1];
  return { [model.inputName]: new ort.Tensor('float32', data, dims) };
}

const rows: string[] = [];
for (const threads of THREADS) {
  const models = await Promise.all(entries.map((entry) => loadModel(entry, 'cpu', { intraOpThreads: threads })));
  for (const batch of BATCH_SIZES) {
    const feeds = models.map((model) => feedsFor(model, batch));
    for (const [i, model] of models.entries()) for (let w = 0; w < 20; w++) await model.session.run(feeds[i]);
    const samples = models.map(() => [] as number[]);
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const [i, model] of models.entries()) {
        samples[i].push((await timeRuns(model, feeds[i], Number(values.seconds))) / batch);
      }
    }
    const medians = samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]);
    for (const [i, entry] of entries.entries()) {
      const ratio = i === 0 ? '1' : (medians[i] / medians[0]).toFixed(2);
      const label = threads === 0 ? 'default (one per core)' : String(threads);
      rows.push(`| ${entry.version} | ${label} | ${batch} | ${(medians[i] * 1000).toFixed(1)} µs | ${ratio}× |`);
      process.stderr.write(
        `version ${entry.version}, threads ${label}, batch ${batch}: ${(medians[i] * 1000).toFixed(1)} µs per image\n`,
      );
    }
  }
  await Promise.all(models.map((model) => model.session.release()));
}

process.stdout.write(
  `\n${values.model}: onnxruntime-node ${ort.env.versions.common}, CPU provider, median of ${values.rounds} alternating rounds of ${values.seconds} s\n\n` +
    '| version | intra-op threads | batch | time per image | vs version ' +
    `${entries[0].version} |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
);
