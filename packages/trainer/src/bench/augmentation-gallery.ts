import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRng, deriveSeed } from '@onnxpipe/core';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import { AugmentationScratch, augmentDigit } from '../augment/augment-digit.js';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { encodeGrayscalePng } from '../report/png-encoder.js';

/**
 * `npm run gallery:augmentation -- --out docs/images/augmentation-gallery.png`: what the robust
 * recipe's augmentation makes of MNIST digits — one row per digit (two for 1 and 7, whose
 * writing conventions differ most), the MNIST original first, then `--columns` renderings, drawn
 * dark on white at `--scale`×. The recipe's settings, the trainer's code, seeded.
 */
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'augmentation-gallery.png' },
    columns: { type: 'string', default: '15' },
    scale: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
  },
});
const dir = mnistTestDataDir();
if (dir === undefined) throw new Error('no MNIST test files: set ONNXPIPE_DATA_DIR');
const settings = resolveRecipe('robust').augmentation!;
const { images, labels } = readMnistTestDigits(dir, 1000);
const rows: number[] = [];
for (let digit = 0; digit < 10; digit++) {
  const wanted = digit === 1 || digit === 7 ? 2 : 1;
  for (let i = 0; i < labels.length && rows.filter((r) => labels[r] === digit).length < wanted; i++)
    if (labels[i] === digit) rows.push(i);
}
const columns = Number(values.columns) + 1;
const scale = Number(values.scale);
const cell = 28 * scale + 2 * scale;
const width = columns * cell;
const height = rows.length * cell;
const canvas = new Uint8Array(width * height).fill(255);
const scratch = new AugmentationScratch();
rows.forEach((index, row) => {
  for (let column = 0; column < columns; column++) {
    const random = createRng(deriveSeed(Number(values.seed), index, column));
    const pixels = column === 0 ? images[index] : augmentDigit(images[index], labels[index], settings, random, scratch);
    for (let y = 0; y < 28 * scale; y++) {
      for (let x = 0; x < 28 * scale; x++) {
        const ink = pixels[Math.floor(y / scale) * 28 + Math.floor(x / scale)];
        canvas[(row * cell + scale + y) * width + column * cell + scale + x] = 255 - ink;
      }
    }
  }
});
writeFileSync(values.out!, encodeGrayscalePng(canvas, width, height));
process.stdout.write(`wrote ${values.out} (${rows.length} digits × ${columns - 1} renderings)\n`);
