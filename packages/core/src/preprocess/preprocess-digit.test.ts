import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MNIST_NORMALIZATION, normalizePixels } from '../normalization.js';
import { createRng } from '../rng.js';
import { PREPROCESS_DEFAULTS, preprocessDigit } from './preprocess-digit.js';
import { PHOTO_SETTINGS } from './photo/photo-settings.js';
import type { RawImage } from './raw-image.js';

const options = { normalization: MNIST_NORMALIZATION };

/** A gray canvas with rectangles `[x, y, width, height, gray]` painted on it. */
function canvas(
  width: number,
  height: number,
  background: number,
  rects: [number, number, number, number, number][],
): RawImage {
  const data = new Uint8Array(width * height).fill(background);
  for (const [x0, y0, w, h, gray] of rects) {
    for (let y = y0; y < y0 + h; y++) data.fill(gray, y * width + x0, y * width + x0 + w);
  }
  return { width, height, channels: 1, data };
}

/** An asymmetric "7"-like glyph: a bar on top and a stem on the right, at (x, y). */
function seven(x: number, y: number, ink: number): [number, number, number, number, number][] {
  return [
    [x, y, 30, 8, ink],
    [x + 22, y + 8, 8, 40, ink],
  ];
}

/** Inclusive bounds of the pixels above 0, as [width, height]. */
function inkSize(pixels: Uint8Array, side = 28): [number, number] {
  let [x0, y0, x1, y1] = [side, side, -1, -1];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (pixels[y * side + x] === 0) continue;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return [x1 - x0 + 1, y1 - y0 + 1];
}

// Written out here rather than imported, so the placement is checked by independent code.
function comOf(pixels: Uint8Array, side = 28): { x: number; y: number } {
  let [total, sx, sy] = [0, 0, 0];
  pixels.forEach((v, i) => {
    total += v;
    sx += v * (i % side);
    sy += v * Math.floor(i / side);
  });
  return { x: sx / total, y: sy / total };
}

function toRgba(image: RawImage, alphaOf: (gray: number) => [number, number]): RawImage {
  const data = new Uint8Array(image.width * image.height * 4);
  image.data.forEach((gray, i) => {
    const [rgb, alpha] = alphaOf(gray);
    data.set([rgb, rgb, rgb, alpha], i * 4);
  });
  return { width: image.width, height: image.height, channels: 4, data };
}

describe('preprocessDigit: background and polarity', () => {
  const cases: [string, number, number, boolean][] = [
    ['dark ink on white', 255, 0, true],
    ['white ink on black', 0, 255, false],
    ['pencil on mid-gray paper', 110, 30, true],
    ['chalk on a dark-gray board', 60, 200, false],
  ];
  for (const [name, background, ink, inverted] of cases) {
    it(`${name}: inverted ${inverted}, ink light on black at full contrast`, () => {
      const result = preprocessDigit(canvas(64, 64, background, seven(12, 6, ink)), options);
      assert.equal(result.inverted, inverted);
      assert.equal(result.empty, false);
      assert.equal(result.pixels[0], 0, 'corner is background');
      assert.equal(Math.max(...result.pixels), 255, 'ink is stretched to 255');
    });
  }

  it('the same glyph gives the same pixels whatever its tones', () => {
    const outputs = cases.map(([, bg, ink]) => preprocessDigit(canvas(64, 64, bg, seven(12, 6, ink)), options).pixels);
    for (const pixels of outputs.slice(1)) assert.deepEqual(pixels, outputs[0]);
  });

  it('decides the background from the border even when strokes touch an edge', () => {
    // A box outline around the whole image: a quarter of the border is ink.
    const image = canvas(80, 80, 255, [
      [0, 0, 20, 80, 0],
      [20, 0, 20, 6, 0],
    ]);
    assert.equal(preprocessDigit(image, options).inverted, true);
  });
});

describe('preprocessDigit: transparency', () => {
  const drawing = canvas(90, 90, 255, seven(20, 15, 0)); // dark on white, opaque
  const expected = preprocessDigit(drawing, options).pixels;

  it('black strokes on a transparent canvas come out as light ink on black', () => {
    for (const clear of [0, 255]) {
      // Canvases clear to rgba(0,0,0,0); editors often export rgba(255,255,255,0).
      const image = toRgba(drawing, (g) => (g === 255 ? [clear, 0] : [0, 255]));
      const result = preprocessDigit(image, options);
      assert.deepEqual(result.pixels, expected);
      assert.equal(result.inverted, true);
    }
  });

  it('white strokes on a transparent canvas come out as light ink on black', () => {
    for (const clear of [0, 255]) {
      const image = toRgba(drawing, (g) => (g === 255 ? [clear, 0] : [255, 255]));
      const result = preprocessDigit(image, options);
      assert.deepEqual(result.pixels, expected);
      assert.equal(result.inverted, false);
    }
  });

  it('partly transparent stroke edges become gray ink, as anti-aliasing intends', () => {
    const soft = canvas(90, 90, 0, [...seven(20, 15, 255), [19, 15, 1, 8, 128]]);
    const image = toRgba(soft, (a) => [0, a]); // black paint, coverage in alpha
    const result = preprocessDigit(image, options);
    assert.equal(result.empty, false);
    assert.ok(result.pixels.some((v) => v > 0 && v < 255));
  });

  it('a fully transparent canvas is empty', () => {
    const image = toRgba(canvas(40, 40, 0, []), () => [0, 0]);
    assert.equal(preprocessDigit(image, options).empty, true);
  });
});

describe('preprocessDigit: crop, fit and placement', () => {
  it('keeps the aspect ratio: a tall thin "1" is fitted to height 20 and stays thin', () => {
    const result = preprocessDigit(canvas(100, 120, 255, [[45, 10, 8, 80, 0]]), options);
    const [width, height] = inkSize(result.pixels);
    assert.equal(height, PREPROCESS_DEFAULTS.fitSize);
    assert.equal(width, 2); // 8 × 20/80
  });

  it('fits a wide stroke to width 20', () => {
    const result = preprocessDigit(canvas(120, 100, 255, [[10, 45, 80, 8, 0]]), options);
    assert.deepEqual(inkSize(result.pixels), [20, 2]);
  });

  it('honours fitSize and outputSize', () => {
    const image = canvas(100, 120, 255, seven(30, 30, 0));
    const result = preprocessDigit(image, { ...options, fitSize: 24, outputSize: 32 });
    assert.equal(result.pixels.length, 32 * 32);
    assert.equal(result.input.length, 32 * 32);
    assert.equal(Math.max(...inkSize(result.pixels, 32)), 24);
  });

  it('puts the centre of mass within half a pixel of (14, 14)', () => {
    // The glyph's own centre of mass is far right of its box's centre.
    for (const [x, y] of [
      [0, 0],
      [150, 0],
      [37, 91],
      [150, 150],
    ]) {
      const result = preprocessDigit(canvas(180, 200, 255, seven(x, y, 0)), options);
      const com = comOf(result.pixels);
      assert.ok(Math.abs(com.x - 14) <= 0.5 && Math.abs(com.y - 14) <= 0.5, JSON.stringify(com));
    }
  });

  it('is translation-invariant: where the digit sits on the canvas does not matter', () => {
    const a = preprocessDigit(canvas(180, 200, 255, seven(3, 4, 0)), options);
    const b = preprocessDigit(canvas(180, 200, 255, seven(141, 97, 0)), options);
    assert.deepEqual(a.pixels, b.pixels);
  });

  it('averages areas: 1-pixel lines shrunk 5× become 1-pixel lines of 255 / 5', () => {
    // A 100 × 100 box of three 1-px lines: each covers a fifth of one output column.
    const image = canvas(120, 110, 0, [
      [10, 5, 1, 100, 255],
      [62, 5, 1, 100, 255],
      [109, 5, 1, 100, 255],
    ]);
    const { pixels } = preprocessDigit(image, options);
    const values = [...pixels].filter((v) => v > 0);
    assert.equal(values.length, 3 * 20);
    assert.ok(
      values.every((v) => v === 51),
      `ink values: ${[...new Set(values)].join(', ')}`,
    );
  });
});

describe('preprocessDigit: empty images', () => {
  const background = normalizePixels(Uint8Array.of(0), MNIST_NORMALIZATION)[0];
  const blank: [string, RawImage][] = [
    ['white', canvas(50, 40, 255, [])],
    ['black', canvas(50, 40, 0, [])],
    ['uniform gray', canvas(50, 40, 128, [])],
    ['paper with faint texture', canvas(50, 40, 200, [[10, 10, 5, 5, 180]])],
    ['a single pixel', canvas(1, 1, 77, [])],
  ];
  for (const [name, image] of blank) {
    it(`${name}: empty, all-background input, no NaN`, () => {
      const result = preprocessDigit(image, options);
      assert.equal(result.empty, true);
      assert.deepEqual(result.pixels, new Uint8Array(784));
      assert.equal(result.input.length, 784);
      for (const v of result.input) assert.equal(v, background);
    });
  }

  it('a single dot of ink is not empty: like any box, it is scaled up to the fit box', () => {
    const result = preprocessDigit(canvas(50, 40, 255, [[3, 3, 1, 1, 0]]), options);
    assert.equal(result.empty, false);
    assert.deepEqual(inkSize(result.pixels), [20, 20]);
    // A 20 × 20 square has its centre between pixels; exact halves round up.
    assert.deepEqual(comOf(result.pixels), { x: 14.5, y: 14.5 });
  });
});

describe('preprocessDigit: skip mode', () => {
  const rng = createRng(7);
  const mnistLike = Uint8Array.from({ length: 784 }, () => rng.nextInt(256));

  it('only normalises a 28×28 image', () => {
    const result = preprocessDigit(
      { width: 28, height: 28, channels: 1, data: mnistLike },
      {
        ...options,
        skip: true,
      },
    );
    assert.deepEqual(result.pixels, mnistLike);
    assert.notEqual(result.pixels, mnistLike, 'a copy, not the caller buffer');
    assert.deepEqual(result.input, normalizePixels(mnistLike, MNIST_NORMALIZATION));
    assert.equal(result.inverted, false);
    assert.equal(result.empty, false);
  });

  it('reports an all-black image as empty', () => {
    const image = canvas(28, 28, 0, []);
    assert.equal(preprocessDigit(image, { ...options, skip: true }).empty, true);
  });

  it('rejects other sizes with a coded error naming both sizes', () => {
    const run = () => preprocessDigit(canvas(27, 28, 0, []), { ...options, skip: true });
    assert.throws(run, (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ONNXPIPE_CORE_BAD_IMAGE');
      assert.match(err.message, /28×28.*27×28/);
      return true;
    });
  });
});

describe('preprocessDigit: normalisation and determinism', () => {
  it('normalises with the statistics it is given', () => {
    const normalization = { mean: 0.5, std: 0.5 };
    const result = preprocessDigit(canvas(60, 60, 255, seven(5, 5, 0)), { normalization });
    result.pixels.forEach((p, i) => {
      assert.ok(Math.abs(result.input[i] - (p / 255 - 0.5) / 0.5) <= 1e-6);
    });
  });

  it('gives bit-identical results for the same input', () => {
    const rng = createRng(2024);
    const width = 173;
    const height = 131;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < data.length; i++) data[i] = rng.nextInt(256);
    const image: RawImage = { width, height, channels: 4, data };
    const a = preprocessDigit(image, options);
    const b = preprocessDigit({ ...image, data: data.slice() }, options);
    assert.deepEqual(a, b);
    assert.deepEqual(new Uint8Array(a.input.buffer), new Uint8Array(b.input.buffer));
  });
});

describe('preprocessDigit: the clean and photo paths', () => {
  /** A "7" on paper of `paper` with Gaussian-ish noise of ± `noise` levels (seeded), 128×128. */
  function paper(noise: number, seed = 1): RawImage {
    const rng = createRng(seed);
    const image = canvas(128, 128, 200, seven(40, 30, 40));
    const data = image.data.map((v) =>
      Math.max(0, Math.min(255, v + Math.round((rng.next() + rng.next() + rng.next() - 1.5) * 2 * noise))),
    );
    return { ...image, data };
  }

  it("'auto' keeps the clean path for paper of one value, and says so with the box it cropped", () => {
    const result = preprocessDigit(canvas(128, 128, 200, seven(40, 30, 40)), options);
    assert.equal(result.method, 'clean');
    assert.deepEqual(result.box, { x0: 40, y0: 30, x1: 70, y1: 78 });
    const forced = preprocessDigit(canvas(128, 128, 200, seven(40, 30, 40)), { ...options, method: 'clean' });
    assert.deepEqual(forced, result);
  });

  it("'auto' takes the photo path when the paper is noisy; the box still frames the glyph", () => {
    const result = preprocessDigit(paper(8), options);
    assert.equal(result.method, 'photo');
    assert.equal(result.empty, false);
    const box = result.box!;
    // The glyph spans x 40–70, y 30–78; the working plane is 128 px here (factor 1), grown by 1 px.
    for (const [found, expected] of [
      [box.x0, 40],
      [box.y0, 30],
      [box.x1, 70],
      [box.y1, 78],
    ])
      assert.ok(Math.abs(found - expected) <= 2, JSON.stringify(box));
    // The same glyph on clean paper gives a close 28×28 image: the photo path's 3×3 smoothing
    // softens this glyph's razor-sharp edges (a photo's are soft anyway), so not the same one —
    // but well under the 20+ levels that separate different digits (mnist-round-trip.test.ts).
    const clean = preprocessDigit(canvas(128, 128, 200, seven(40, 30, 40)), options).pixels;
    const meanAbs = result.pixels.reduce((sum, v, i) => sum + Math.abs(v - clean[i]), 0) / 784;
    assert.ok(meanAbs <= 16, `mean |Δ| ${meanAbs}`);
  });

  it("'photo' on a clean image and 'clean' on a noisy one are taken as asked; blank noisy paper is empty", () => {
    assert.equal(
      preprocessDigit(canvas(128, 128, 200, seven(40, 30, 40)), { ...options, method: 'photo' }).method,
      'photo',
    );
    assert.equal(preprocessDigit(paper(8), { ...options, method: 'clean' }).method, 'clean');
    const rng = createRng(4);
    const blank = {
      width: 128,
      height: 128,
      channels: 1 as const,
      data: Uint8Array.from({ length: 128 * 128 }, () => 200 + rng.nextInt(17) - 8),
    };
    const result = preprocessDigit(blank, options);
    assert.deepEqual([result.method, result.empty, result.box], ['photo', true, undefined]);
    assert.ok(result.pixels.every((v) => v === 0));
  });

  it(`images under ${PHOTO_SETTINGS.minPhotoSide} px a side always take the clean path`, () => {
    const rng = createRng(5);
    const side = PHOTO_SETTINGS.minPhotoSide;
    const noise = (width: number, height: number) => ({
      width,
      height,
      channels: 1 as const,
      data: Uint8Array.from({ length: width * height }, () => rng.nextInt(256)),
    });
    assert.equal(preprocessDigit(noise(side - 1, 3 * side), options).method, 'clean');
    assert.equal(preprocessDigit(noise(3 * side, side - 1), options).method, 'clean');
    assert.equal(preprocessDigit(noise(side, side), options).method, 'photo');
  });

  it('rejects an unknown method with a coded error listing the valid ones', () => {
    assert.throws(
      () => preprocessDigit(canvas(28, 28, 0, []), { ...options, method: 'fast' as 'auto' }),
      (error: { code?: string; message?: string }) =>
        error.code === 'ONNXPIPE_CORE_INVALID_ARGUMENT' &&
        error.message === `'method' must be one of auto, clean, photo; received "fast"`,
    );
  });
});
