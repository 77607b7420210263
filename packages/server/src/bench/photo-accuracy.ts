import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { preprocessDigit, toGrayscale, toProbabilities, type PreprocessOptions, type RawImage } from '@onnxpipe/core';
import { createRng, deriveSeed } from '@onnxpipe/core';
import {
  isPhotoCondition,
  PHOTO_CONDITIONS,
  photoCondition,
  renderPhoto,
  type PhotoCondition,
} from '@onnxpipe/core/testing';
import * as ort from 'onnxruntime-node';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { decodeImage } from '../input/decode-image.js';
import { loadModel, type LoadedModel } from '../models/load-model.js';
import { scanModelRepository } from '../models/model-repository.js';
import type { PhotoFile } from '../testing/photo-images.js';
import {
  accuracy,
  devSetDigits,
  mnistDigits,
  originalFiles,
  photoFiles,
  predictOverHttp,
  type SuiteDigits,
} from '../testing/photo-suite.js';

/**
 * `npm run bench:photos`: the photo-like suite, condition by condition — real handwriting (the
 * pen-written dev set, MNIST test digits) photographed by core's renderer and saved as PNG or
 * JPEG — through POST /predict of the real server on loopback (after: today's preprocessing)
 * and, in this process with the same model, through the clean path alone (before: the
 * preprocessing the server had until the photo path, bit for bit). Then preprocessing times.
 * Prints the tables as Markdown for docs/benchmarks.md.
 */
const USAGE = `Usage: npm run bench:photos -- [flags]

  --model-repository <dir>  repository to serve (default: models; its mnist model)
  --version <n>             model version to measure (default: 1, the shipped model the photo targets are set for)
  --digits <n>              dev-set digits, spread over the set (default: 600; 0 to skip)
  --mnist <n>               MNIST test digits (default: 300; 0 to skip)
  --conditions <list>       photo conditions, comma-separated (default: all)
  --speed-seconds <s>       seconds per preprocessing timing (default: 3; 0 to skip)
`;

const { values } = parseArgs({
  options: {
    'model-repository': { type: 'string', default: 'models' },
    version: { type: 'string', default: '1' },
    digits: { type: 'string', default: '600' },
    mnist: { type: 'string', default: '300' },
    conditions: { type: 'string' },
    'speed-seconds': { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const repository = resolve(fileURLToPath(new URL('../../../../', import.meta.url)), values['model-repository']);
const conditions =
  values.conditions === undefined
    ? PHOTO_CONDITIONS
    : values.conditions.split(',').map((name) => photoCondition(name.trim()));
const log = {
  level: 'warn',
  warn: () => undefined,
  error: (o: unknown, m?: string) => process.stderr.write(`error: ${m ?? JSON.stringify(o)}\n`),
};

/** In-process classification with the clean path: the server's preprocessing before the photo path. */
async function classifyBefore(model: LoadedModel, files: readonly PhotoFile[]): Promise<number[]> {
  const { metadata, session, inputName, outputName } = model;
  const options: PreprocessOptions = {
    normalization: metadata.normalization,
    outputSize: metadata.height,
    method: 'clean',
  };
  const labels: number[] = [];
  const size = metadata.height * metadata.width;
  for (let start = 0; start < files.length; start += 64) {
    const batch = files.slice(start, start + 64);
    const data = new Float32Array(batch.length * size);
    for (const [i, file] of batch.entries()) {
      data.set(
        preprocessDigit(await decodeImage(file.bytes, `file ${i}`, 1 << 30, { grayscale: true }), options).input,
        i * size,
      );
    }
    const output = (
      await session.run({
        [inputName]: new ort.Tensor('float32', data, [batch.length, 1, metadata.height, metadata.width]),
      })
    )[outputName].data as Float32Array;
    const classes = metadata.labels.length;
    for (let i = 0; i < batch.length; i++) {
      const p = toProbabilities(output.subarray(i * classes, (i + 1) * classes), metadata.output);
      labels.push(p.indexOf(Math.max(...p)));
    }
  }
  return labels;
}

/** A request of 64 photos on a busy shared machine may take seconds: this measures accuracy, not latency. */
const BENCH_TIMEOUT_MS = 300_000;

const percent = (a: number) => `${(a * 100).toFixed(1)} %`;

interface Row {
  readonly name: string;
  readonly description: string;
  readonly cells: string[];
}

async function measureSet(
  digits: SuiteDigits,
  origin: string,
  query: string,
  limits: { maxItemsPerRequest: number; maxBodyBytes: number },
  model: LoadedModel,
): Promise<{ rows: Row[]; clean: number; pooled: number }> {
  const rows: Row[] = [];
  const original = await originalFiles(digits);
  const clean = accuracy((await predictOverHttp(origin, original, limits, query)).labels, digits.labels);
  rows.push({
    name: 'clean images',
    description: `the ${digits.name} images as they are`,
    cells: [percent(accuracy(await classifyBefore(model, original), digits.labels)), percent(clean)],
  });
  let correct = 0;
  let photos = 0;
  for (const condition of conditions) {
    const files = await photoFiles(digits, condition);
    const after = await predictOverHttp(origin, files, limits, query);
    const before = await classifyBefore(model, files);
    const a = accuracy(after.labels, digits.labels);
    if (isPhotoCondition(condition)) {
      correct += a * files.length;
      photos += files.length;
    }
    rows.push({
      name: condition.name,
      description: condition.description,
      cells: [
        percent(accuracy(before, digits.labels)),
        `${percent(a)}${after.empty > 0 ? ` (${after.empty} empty)` : ''}`,
      ],
    });
    process.stderr.write(`${digits.name} ${condition.name}: ${rows.at(-1)!.cells.join(' → ')}\n`);
  }
  return { rows, clean, pooled: photos === 0 ? Number.NaN : correct / photos };
}

/**
 * CPU microseconds per call of `run` over `inputs` (this process's user + system time, so that
 * other work on a shared machine does not count): the median and the least of rounds of ~50 ms
 * within `seconds`.
 */
function timePerCall(
  inputs: readonly RawImage[],
  run: (image: RawImage) => void,
  seconds: number,
): { median: number; min: number } {
  for (const image of inputs) run(image); // warm-up
  const rounds: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline || rounds.length < 5) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    let calls = 0;
    while (performance.now() - started < 50) {
      for (const image of inputs) {
        run(image);
        calls++;
      }
    }
    const used = process.cpuUsage(cpu);
    rounds.push((used.user + used.system) / calls);
  }
  rounds.sort((a, b) => a - b);
  return { median: rounds[Math.floor(rounds.length / 2)], min: rounds[0] };
}

function speedTable(digits: SuiteDigits | undefined, mnist: SuiteDigits | undefined, seconds: number): string[] {
  const normalization = { mean: 0.1307, std: 0.3081 };
  const inks = digits?.inks.slice(0, 20) ?? mnist?.inks.slice(0, 20) ?? [];
  const render = (condition: PhotoCondition) =>
    inks.map((ink, i) => {
      const rng = createRng(deriveSeed(15, i));
      return renderPhoto(ink, condition.sample(ink, rng).scene, rng);
    });
  const photos = render(photoCondition('photo'));
  const plain = render(photoCondition('plain'));
  const gray = (images: RawImage[]) =>
    images.map((image) => ({
      width: image.width,
      height: image.height,
      channels: 1 as const,
      data: toGrayscale(image),
    }));
  const rgba = (images: RawImage[]) =>
    images.map((image) => {
      const data = new Uint8Array(image.width * image.height * 4);
      for (let p = 0; p < image.width * image.height; p++)
        data.set([image.data[p * 3], image.data[p * 3 + 1], image.data[p * 3 + 2], 255], p * 4);
      return { width: image.width, height: image.height, channels: 4 as const, data };
    });
  const mnistImages = (mnist?.inks ?? [])
    .slice(0, 50)
    .map((ink) => ({ width: 28, height: 28, channels: 1 as const, data: ink.data }));
  const doubled = mnistImages.map((image) => {
    const data = new Uint8Array(56 * 56);
    for (let y = 0; y < 56; y++) for (let x = 0; x < 56; x++) data[y * 56 + x] = image.data[(y >> 1) * 28 + (x >> 1)];
    return { width: 56, height: 56, channels: 1 as const, data };
  });
  const cases: [string, RawImage[], PreprocessOptions['method']][] = [
    ['256×256 photo, gray (PNG)', gray(photos), 'auto'],
    ['256×256 photo, RGB (JPEG on the server)', photos, 'auto'],
    ['256×256 photo, RGBA (canvas in the page)', rgba(photos), 'auto'],
    ['256×256 photo, RGB, clean path (before)', photos, 'clean'],
    ['256×256 plain paper, RGB (clean path)', plain, 'auto'],
    ['28×28 MNIST digit (clean path)', mnistImages, 'auto'],
    ['56×56 MNIST digit ×2 (clean path)', doubled, 'auto'],
  ];
  const lines = ['| image | path | CPU µs per image (median) | least |', '| --- | --- | ---: | ---: |'];
  for (const [name, images, method] of cases) {
    if (images.length === 0) continue;
    const path = preprocessDigit(images[0], { normalization, method }).method;
    const { median, min } = timePerCall(images, (image) => preprocessDigit(image, { normalization, method }), seconds);
    lines.push(`| ${name} | ${path} | ${median.toFixed(1)} | ${min.toFixed(1)} |`);
    process.stderr.write(`${name}: ${median.toFixed(1)} µs of CPU\n`);
  }
  return lines;
}

async function main(): Promise<void> {
  const entry = (await scanModelRepository(repository, 'all', log as never)).find(
    (e) => e.name === 'mnist' && String(e.version) === values.version,
  );
  if (entry === undefined)
    throw new Error(`no ${repository}/mnist/${values.version}/model.onnx: train and export first, or pass --version`);
  const model = await loadModel(entry, 'cpu');
  const app = await buildApp({
    config: loadConfig({
      env: {},
      overrides: {
        modelRepository: repository,
        device: 'cpu',
        logLevel: 'error',
        webRoot: 'none',
        modelVersions: 'all',
        requestTimeoutMs: BENCH_TIMEOUT_MS,
      },
    }),
  });
  const origin = `${await app.listen({ host: '127.0.0.1', port: 0 })}`;
  const query = `?model=mnist&version=${entry.version}`;
  const sets = [devSetDigits(Number(values.digits)), mnistDigits(Number(values.mnist))].filter(
    (s): s is SuiteDigits => s !== undefined && s.inks.length > 0,
  );
  const out: string[] = [];
  const [load1] = loadavg();
  out.push(
    `${new Date().toISOString().slice(0, 16).replace('T', ', ')} UTC, ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${load1.toFixed(1)}; model ${entry.name} version ${entry.version}.`,
    '',
  );
  try {
    const results = [];
    for (const digits of sets)
      results.push({ digits, ...(await measureSet(digits, origin, query, app.config, model)) });
    if (results.length > 0) {
      out.push(
        `| condition | ${results.map((r) => `${r.digits.name} (${r.digits.inks.length}): before | after`).join(' | ')} |`,
      );
      out.push(`| --- | ${results.map(() => '---: | ---:').join(' | ')} |`);
      for (let i = 0; i < results[0].rows.length; i++) {
        const { name, description } = results[0].rows[i];
        out.push(
          `| ${name === 'clean images' ? name : `${description} (\`${name}\`)`} | ${results.map((r) => r.rows[i].cells.join(' | ')).join(' | ')} |`,
        );
      }
      out.push(
        '',
        ...results.map(
          (r) =>
            `${r.digits.name}: all photo conditions together (all but \`plain\` and the \`scan-\` rows) ${percent(r.pooled)} after, against ${percent(r.clean)} for the same digits as clean images (${((r.pooled - r.clean) * 100).toFixed(2)} points).`,
        ),
      );
    }
  } finally {
    await app.close();
    await model.session.release();
  }
  const seconds = Number(values['speed-seconds']);
  if (seconds > 0)
    out.push(
      '',
      ...speedTable(
        sets.find((s) => s.name === 'dev set'),
        sets.find((s) => s.name === 'MNIST'),
        seconds,
      ),
    );
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
