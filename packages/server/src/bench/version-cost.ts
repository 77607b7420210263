import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MNIST_NORMALIZATION, preprocessDigit } from '@onnxpipe/core';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import * as ort from 'onnxruntime-node';
import { loadModel } from '../models/load-model.js';
import { scanModelRepository } from '../models/model-repository.js';
import { measureSessionThroughput } from './in-process-throughput.js';

/**
 * `npm run bench:versions`: what each served version of a model costs per image in
 * onnxruntime-node, in this process, loaded as the server loads it (CPU provider, full graph
 * optimisation) — batch 1 and batch 64 of a real MNIST test digit, at one intra-op thread (the
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
// One real digit, repeated to the batch (as bench:serve's in-process ceiling feeds it): a CNN's
// time does not depend on the pixel values.
const [digit] = readMnistTestDigits(mnistDir, 1).images;
const input = preprocessDigit(
  { width: 28, height: 28, channels: 1, data: digit },
  { normalization: MNIST_NORMALIZATION, skip: true },
).input;

const rows: string[] = [];
for (const threads of THREADS) {
  const models = await Promise.all(entries.map((entry) => loadModel(entry, 'cpu', { intraOpThreads: threads })));
  for (const batch of BATCH_SIZES) {
    const bounds = { seconds: Number(values.seconds), maxRuns: Number.POSITIVE_INFINITY, warmupRuns: 20 };
    const samples = models.map(() => [] as number[]);
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const [i, model] of models.entries()) {
        const [measured] = await measureSessionThroughput(model, input, [batch], bounds);
        samples[i].push(measured.msPerRun / batch);
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
