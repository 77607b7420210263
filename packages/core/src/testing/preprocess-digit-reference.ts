import { normalizePixels, type Normalization } from '../normalization.js';
import { toGrayscale } from '../preprocess/grayscale.js';
import type { RawImage } from '../preprocess/raw-image.js';

// The straightforward preprocessing that `preprocessDigit` was first written as (one pass and
// one intermediate array per step, as its TSDoc lists them), kept verbatim for tests only: the
// optimised implementation must give bit-identical results on every image. Valid inputs only;
// validation is not duplicated here. Step 1 is the live `toGrayscale`, which the optimisation
// left as it was (and which has tests of its own); every later step is the original code.

/** What {@link preprocessDigitReference} needs: `preprocessDigit`'s options, all resolved. */
export interface ReferenceOptions {
  readonly normalization: Normalization;
  readonly skip: boolean;
  readonly fitSize: number;
  readonly outputSize: number;
  readonly inkThreshold: number;
}

/** The reference's result, field for field `preprocessDigit`'s. */
export interface ReferenceResult {
  readonly input: Float32Array;
  readonly pixels: Uint8Array;
  readonly inverted: boolean;
  readonly empty: boolean;
}

function histogram(gray: Uint8Array): Uint32Array {
  const counts = new Uint32Array(256);
  for (let i = 0; i < gray.length; i++) counts[gray[i]]++;
  return counts;
}

function borderHistogram(gray: Uint8Array, width: number, height: number): Uint32Array {
  const thickness = Math.max(1, Math.floor(Math.min(width, height) / 32));
  const counts = new Uint32Array(256);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y < thickness || y >= height - thickness) {
      for (let x = 0; x < width; x++) counts[gray[row + x]]++;
    } else {
      for (let x = 0; x < Math.min(thickness, width); x++) counts[gray[row + x]]++;
      for (let x = Math.max(thickness, width - thickness); x < width; x++) counts[gray[row + x]]++;
    }
  }
  return counts;
}

function histogramMedian(counts: Uint32Array): number {
  let total = 0;
  for (let v = 0; v < 256; v++) total += counts[v];
  const half = Math.ceil(total / 2);
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += counts[v];
    if (seen >= half) return v;
  }
  return 255;
}

function analyzeInk(gray: Uint8Array, width: number, height: number, inkThreshold: number) {
  const counts = histogram(gray);
  let min = 0;
  while (counts[min] === 0) min++;
  let max = 255;
  while (counts[max] === 0) max--;
  const background = histogramMedian(borderHistogram(gray, width, height));
  const darkContrast = background - min;
  const lightContrast = max - background;
  const inverted = darkContrast > lightContrast || (darkContrast === lightContrast && background > 127);
  const contrast = inverted ? darkContrast : lightContrast;
  const table = new Float64Array(256);
  const isInk = new Uint8Array(256);
  const empty = contrast <= inkThreshold;
  if (!empty) {
    const inkBackground = inverted ? 255 - background : background;
    for (let v = 0; v < 256; v++) {
      const ink = inverted ? 255 - v : v;
      const level = ((ink - inkBackground) * 255) / contrast;
      table[v] = level <= 0 ? 0 : level >= 255 ? 255 : level;
      isInk[v] = table[v] > inkThreshold ? 1 : 0;
    }
  }
  return { inverted, table, isInk, empty };
}

function inkBoundingBox(gray: Uint8Array, width: number, height: number, isInk: Uint8Array) {
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (isInk[gray[row + x]] === 0) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return x1 === 0 ? undefined : { x0, y0, x1, y1 };
}

interface AxisWeights {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly offset: Int32Array;
  readonly weights: Float64Array;
}

function areaWeights(inSize: number, outSize: number): AxisWeights {
  const ratio = inSize / outSize;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const offset = new Int32Array(outSize);
  const weights: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const a = i * ratio;
    const b = Math.min(inSize, (i + 1) * ratio);
    const first = Math.floor(a);
    const last = Math.min(inSize, Math.ceil(b));
    start[i] = first;
    offset[i] = weights.length;
    for (let j = first; j < last; j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j);
      weights.push(overlap / ratio);
    }
    count[i] = last - first;
  }
  return { start, count, offset, weights: Float64Array.from(weights) };
}

function linearWeights(inSize: number, outSize: number): AxisWeights {
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const offset = new Int32Array(outSize);
  const weights = new Float64Array(outSize * 2);
  for (let i = 0; i < outSize; i++) {
    const s = Math.min(inSize - 1, Math.max(0, ((i + 0.5) * inSize) / outSize - 0.5));
    const j = Math.floor(s);
    const f = s - j;
    start[i] = j;
    offset[i] = i * 2;
    count[i] = j + 1 < inSize ? 2 : 1;
    weights[i * 2] = count[i] === 2 ? 1 - f : 1;
    weights[i * 2 + 1] = count[i] === 2 ? f : 0;
  }
  return { start, count, offset, weights };
}

function axisWeights(inSize: number, outSize: number): AxisWeights {
  return outSize < inSize ? areaWeights(inSize, outSize) : linearWeights(inSize, outSize);
}

function resizeWindow(
  data: Uint8Array,
  stride: number,
  box: { x0: number; y0: number; x1: number; y1: number },
  table: Float64Array,
  targetWidth: number,
  targetHeight: number,
): Float64Array {
  const { x0, y0 } = box;
  const width = box.x1 - box.x0;
  const height = box.y1 - box.y0;
  const across = axisWeights(width, targetWidth);
  const down = axisWeights(height, targetHeight);
  const rows = new Float64Array(height * targetWidth);
  for (let y = 0; y < height; y++) {
    const rowStart = (y0 + y) * stride + x0;
    const target = y * targetWidth;
    for (let i = 0; i < targetWidth; i++) {
      let sum = 0;
      const first = rowStart + across.start[i];
      const w = across.offset[i];
      for (let k = 0; k < across.count[i]; k++) {
        sum += across.weights[w + k] * table[data[first + k]];
      }
      rows[target + i] = sum;
    }
  }
  const out = new Float64Array(targetWidth * targetHeight);
  for (let j = 0; j < targetHeight; j++) {
    const first = down.start[j];
    const w = down.offset[j];
    const target = j * targetWidth;
    for (let k = 0; k < down.count[j]; k++) {
      const weight = down.weights[w + k];
      const row = (first + k) * targetWidth;
      for (let i = 0; i < targetWidth; i++) out[target + i] += weight * rows[row + i];
    }
  }
  return out;
}

function placeAtCenterOfMass(plane: Float64Array, width: number, height: number, size: number): Float64Array {
  const values = new Float64Array(size * size);
  let total = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = plane[y * width + x];
      total += v;
      sumX += v * x;
      sumY += v * y;
    }
  }
  const target = size / 2;
  const offsetX = Math.round(target - (total > 0 ? sumX / total : (width - 1) / 2));
  const offsetY = Math.round(target - (total > 0 ? sumY / total : (height - 1) / 2));
  for (let y = 0; y < height; y++) {
    const ty = y + offsetY;
    if (ty < 0 || ty >= size) continue;
    for (let x = 0; x < width; x++) {
      const tx = x + offsetX;
      if (tx < 0 || tx >= size) continue;
      values[ty * size + tx] = plane[y * width + x];
    }
  }
  return values;
}

function result(pixels: Uint8Array, o: ReferenceOptions, inverted: boolean, empty: boolean): ReferenceResult {
  return { input: normalizePixels(pixels, o.normalization), pixels, inverted, empty };
}

/** `preprocessDigit` as first written: a valid image and resolved options in, the same result out. */
export function preprocessDigitReference(image: RawImage, o: ReferenceOptions): ReferenceResult {
  if (o.skip) {
    const pixels = toGrayscale(image);
    return result(pixels, o, false, !pixels.some((v) => v > o.inkThreshold));
  }
  const { width, height } = image;
  const gray = toGrayscale(image);
  const levels = analyzeInk(gray, width, height, o.inkThreshold);
  const box = levels.empty ? undefined : inkBoundingBox(gray, width, height, levels.isInk);
  if (box === undefined) return result(new Uint8Array(o.outputSize ** 2), o, levels.inverted, true);
  const boxWidth = box.x1 - box.x0;
  const boxHeight = box.y1 - box.y0;
  const scale = o.fitSize / Math.max(boxWidth, boxHeight);
  const fitWidth = Math.min(o.fitSize, Math.max(1, Math.round(boxWidth * scale)));
  const fitHeight = Math.min(o.fitSize, Math.max(1, Math.round(boxHeight * scale)));
  const fitted = resizeWindow(gray, width, box, levels.table, fitWidth, fitHeight);
  const values = placeAtCenterOfMass(fitted, fitWidth, fitHeight, o.outputSize);
  const pixels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) pixels[i] = Math.round(values[i]);
  return result(pixels, o, levels.inverted, false);
}
