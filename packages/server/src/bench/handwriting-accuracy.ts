import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { RawImage } from '@onnxpipe/core';
import { HANDWRITING_VARIANTS, type HandwritingVariant } from '@onnxpipe/core/testing';
import { devSetDir, readDigitFolder } from '@onnxpipe/data';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import { encodeDigit } from '../testing/digit-images.js';
import { startServerProcess } from './server-process.js';

/**
 * `npm run bench:handwriting`: the accuracy a served model gives people's handwriting, through
 * `POST /predict` with default settings on a real server (`npm start`'s process), for every
 * version the repository serves: the MNIST test set as PNGs, and the development set of real
 * pen-written digits (not MNIST) in each of the forms of `HANDWRITING_VARIANTS` — envelope and
 * form scans, bitmaps, other pens, slant, a small digit on a page, light on dark, JPEG. Prints a
 * Markdown table (docs/benchmarks.md).
 *
 *   npm run bench:handwriting -- [--model-repository models] [--mnist 10000] [--concurrency 8]
 */
const { values } = parseArgs({
  options: {
    'model-repository': { type: 'string', default: 'models' },
    model: { type: 'string', default: 'mnist' },
    mnist: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
  },
});

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const devDir = devSetDir();
const mnistDir = mnistTestDataDir();
if (devDir === undefined || mnistDir === undefined) {
  throw new Error(
    'bench:handwriting needs the MNIST test files ($ONNXPIPE_DATA_DIR) and the dev set ($ONNXPIPE_DEV_SET_DIR)',
  );
}

interface Sample {
  readonly body: Buffer;
  readonly type: string;
  readonly label: number;
}

async function encode(image: RawImage, encoding: HandwritingVariant['encoding']): Promise<Sample['body']> {
  const pipeline = sharp(Buffer.from(image.data), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  });
  return encoding?.format === 'jpeg'
    ? pipeline.jpeg({ quality: encoding.quality }).toBuffer()
    : pipeline.png().toBuffer();
}

const dev = readDigitFolder(devDir);
const sets: { name: string; samples: Sample[] }[] = [];
const mnist = readMnistTestDigits(mnistDir, Number(values.mnist));
sets.push({
  name: `MNIST test set (${mnist.images.length.toLocaleString('en-US')}, dark on white PNG)`,
  samples: await Promise.all(
    mnist.images.map(async (pixels, i) => ({
      body: await encodeDigit(pixels, { scale: 2, margin: 4 }),
      type: 'image/png',
      label: mnist.labels[i],
    })),
  ),
});
for (const variant of HANDWRITING_VARIANTS) {
  sets.push({
    name: `dev set: ${variant.name}`,
    samples: await Promise.all(
      dev.items.map(async (item) => ({
        body: await encode(variant.make(item.image), variant.encoding),
        type: variant.encoding?.format === 'jpeg' ? 'image/jpeg' : 'image/png',
        label: item.label,
      })),
    ),
  });
}

const server = await startServerProcess({ root, flags: ['--model-repository', values['model-repository']!] });
try {
  const metadata = (await (await fetch(`${server.url}/v2/models/${values.model}`)).json()) as { versions: string[] };
  const versions = metadata.versions;
  const table: string[][] = [];
  for (const set of sets) {
    const row = [set.name];
    for (const version of versions) {
      const correct = await classifyAll(server.url, version, set.samples, Number(values.concurrency));
      row.push(`${((100 * correct) / set.samples.length).toFixed(2)} %`);
      process.stderr.write(`${set.name}, version ${version}: ${correct}/${set.samples.length}\n`);
    }
    table.push(row);
  }
  process.stdout.write(
    `\n| digits, through POST /predict | ${versions.map((v) => `version ${v}`).join(' | ')} |\n` +
      `| --- | ${versions.map(() => '---').join(' | ')} |\n` +
      table.map((row) => `| ${row.join(' | ')} |`).join('\n') +
      '\n',
  );
} finally {
  await server.stop();
}

/** How many of `samples` version `version` labels right, `concurrency` requests in flight. */
async function classifyAll(
  url: string,
  version: string,
  samples: readonly Sample[],
  concurrency: number,
): Promise<number> {
  let next = 0;
  let correct = 0;
  const worker = async () => {
    while (next < samples.length) {
      const sample = samples[next++];
      const response = await fetch(`${url}/predict?model=${values.model}&version=${version}`, {
        method: 'POST',
        headers: { 'content-type': sample.type },
        body: sample.body,
      });
      const answer = (await response.json()) as { predictions?: { label: string }[]; error?: string };
      if (!response.ok) throw new Error(`POST /predict answered ${response.status}: ${JSON.stringify(answer)}`);
      if (answer.predictions?.[0].label === String(sample.label)) correct++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return correct;
}
