import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centerOfMass, createRng, MNIST_NORMALIZATION, preprocessDigit } from '@onnxpipe/core';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { augmentDigit, type AugmentationSettings } from './augment-digit.js';
import { addStyleStrokes } from './style-strokes.js';

const dir = mnistTestDataDir();
const skip = dir === undefined ? 'no MNIST test files (ONNXPIPE_DATA_DIR)' : undefined;
const settings = resolveRecipe('robust').augmentation!;
const withoutErasing = { ...settings, erase: 0 };
const none: AugmentationSettings = {
  ...settings,
  clean: 0,
  rotationDegrees: 0,
  shear: 0,
  aspect: 0,
  elastic: 0,
  scale: [2, 2],
  thinner: 0,
  thicker: 0,
  binarize: 0,
  blur: 0,
  styles: 0,
  strokeDigits: 0,
  erase: 0,
};

const inkBox = (pixels: Uint8Array) => {
  let [left, top, right, bottom] = [28, 28, -1, -1];
  pixels.forEach((v, i) => {
    if (v <= 32) return;
    const [x, y] = [i % 28, Math.floor(i / 28)];
    [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
  });
  return { width: right - left + 1, height: bottom - top + 1 };
};

test('augmentation is deterministic per seed, varies between seeds, and yields MNIST-format digits', { skip }, () => {
  const { images, labels } = readMnistTestDigits(dir!, 200);
  let changed = 0;
  images.forEach((image, i) => {
    const a = augmentDigit(image, labels[i], withoutErasing, createRng(i));
    const b = augmentDigit(image, labels[i], withoutErasing, createRng(i));
    assert.deepEqual(a, b, `digit ${i}: same seed, same rendering`);
    assert.equal(a.length, 784);
    if (!a.every((v, k) => v === image[k])) changed++;
    // What the serving preprocessing makes: ink fitted into 20×20 (±1 for rounding), centred by mass.
    const box = inkBox(a);
    assert.ok(Math.max(box.width, box.height) <= 21, `digit ${i}: ink box ${box.width}×${box.height}`);
    const centre = centerOfMass(a, 28, 28)!;
    assert.ok(
      Math.abs(centre.x - 14) <= 1.5 && Math.abs(centre.y - 14) <= 1.5,
      `digit ${i}: centre of mass ${centre.x}, ${centre.y}`,
    );
  });
  // clean = 0.15: about 85 % are changed. (Erasing, off here, moves the centre of mass.)
  assert.ok(changed >= 150 && changed <= 190, `${changed}/200 digits changed`);
  const other = augmentDigit(images[0], labels[0], settings, createRng(12345));
  assert.notDeepEqual(other, augmentDigit(images[0], labels[0], settings, createRng(0)));
});

test('with every variation off, a digit comes back as the serving preprocessing places it', { skip }, () => {
  const { images, labels } = readMnistTestDigits(dir!, 100);
  const differences = images.map((image, i) => {
    const served = preprocessDigit(
      { width: 28, height: 28, channels: 1, data: image },
      { normalization: MNIST_NORMALIZATION },
    ).pixels;
    const out = augmentDigit(image, labels[i], none, createRng(i));
    return out.reduce((sum, v, k) => sum + Math.abs(v - served[k]), 0) / 784;
  });
  // Rendering at 2× (bilinear) and averaging back down softens edges by about a pixel's worth
  // (mean |Δ| ~10 gray levels); a flipped, shifted or rescaled digit would differ by 40 and more.
  differences.sort((a, b) => a - b);
  assert.ok(differences[49] < 12, `median mean |Δ| ${differences[49]}`);
  assert.ok(differences[99] < 25, `largest mean |Δ| ${differences[99]}`);
  assert.deepEqual(augmentDigit(images[0], labels[0], { ...none, clean: 1 }, createRng(1)), images[0]);
});

test('style strokes add a flag to 1s, a bar to 7s, a foot to 9s, and leave other digits alone', { skip }, () => {
  const { images, labels } = readMnistTestDigits(dir!, 300);
  const ink = (pixels: Uint8Array) => pixels.reduce((a, b) => a + b, 0);
  for (const digit of [1, 7, 9, 3]) {
    const i = labels.indexOf(digit);
    const copy = images[i].slice();
    addStyleStrokes(copy, 28, digit, createRng(3));
    if (digit === 3) assert.deepEqual(copy, images[i]);
    else assert.ok(ink(copy) > ink(images[i]) * 1.1, `digit ${digit}: the stroke added ink`);
    if (digit === 1) assert.ok(inkBox(copy).width > inkBox(images[i]).width + 2, 'the flag widens a 1');
  }
});
