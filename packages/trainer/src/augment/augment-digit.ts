import { MNIST_NORMALIZATION, preprocessDigit, type Rng } from '@onnxpipe/core';
import { drawStrokeDigit } from './stroke-digits.js';
import { addStyleStrokes } from './style-strokes.js';

/**
 * How the robust recipe varies a training digit. Each draw renders the digit anew as people's
 * handwriting differs from MNIST's — slanted, rotated, squeezed, wobbly, thinner or thicker,
 * coarser, hard-edged or blurred, written in other conventions, partly missing — and then passes
 * it through the serving preprocessing (`preprocessDigit`: crop to the ink, fit into 20×20,
 * centre by mass), so the model trains on exactly what the server and the SDK will feed it.
 */
export interface AugmentationSettings {
  /** Probability that a digit is used exactly as MNIST has it. */
  readonly clean: number;
  /** Largest rotation, degrees either way. */
  readonly rotationDegrees: number;
  /** Largest horizontal shear (slant), as tan of the angle, either way. */
  readonly shear: number;
  /** Largest change of the aspect ratio, as ln(width/height scale), either way. */
  readonly aspect: number;
  /** Largest elastic displacement, in source pixels (a smooth random field; 0 turns it off). */
  readonly elastic: number;
  /** Range of the render scale (output pixels per source pixel), drawn log-uniformly: below 1 is a coarse scan. */
  readonly scale: readonly [number, number];
  /** Probability of thinner strokes, and of thicker ones (grayscale erosion / dilation). */
  readonly thinner: number;
  readonly thicker: number;
  /** Probability of a hard threshold (pen tablets without anti-aliasing, binarised scans). */
  readonly binarize: number;
  /** Probability of a slight blur (out-of-focus scans). */
  readonly blur: number;
  /** Probability of drawing another writing convention onto a 1, 7 or 9 ({@link addStyleStrokes}). */
  readonly styles: number;
  /**
   * Probability of replacing the MNIST digit by one drawn from a pen-path template of the same
   * label ({@link drawStrokeDigit}): writing forms MNIST lacks, varied like the rest.
   */
  readonly strokeDigits: number;
  /** Probability of erasing a small patch of the preprocessed digit (broken or faint strokes). */
  readonly erase: number;
}

/** Side of MNIST images. */
const SIZE = 28;
/** Largest canvas a render needs: the digit at the largest scale, rotated and sheared. */
const MAX_CANVAS = 128;

/** Reusable buffers; one set per thread (augmentation is synchronous). */
export class AugmentationScratch {
  readonly source = new Uint8Array(SIZE * SIZE);
  readonly canvas = new Uint8Array(MAX_CANVAS * MAX_CANVAS);
  readonly spare = new Uint8Array(MAX_CANVAS * MAX_CANVAS);
}

/**
 * A randomly varied rendering of the 28×28 MNIST digit `image` (light ink on black), as the
 * 28×28 bytes the model sees. Deterministic for a given `random` state.
 */
export function augmentDigit(
  image: Uint8Array,
  label: number,
  settings: AugmentationSettings,
  random: Rng,
  scratch = new AugmentationScratch(),
): Uint8Array {
  if (random.next() < settings.clean) return image.slice();
  const source = scratch.source;
  if (random.next() < settings.strokeDigits) {
    drawStrokeDigit(source, SIZE, label, random);
  } else {
    source.set(image);
    if (random.next() < settings.styles) addStyleStrokes(source, SIZE, label, random);
  }

  const between = (limit: number) => (random.next() * 2 - 1) * limit;
  const [minScale, maxScale] = settings.scale;
  const scale = minScale * (maxScale / minScale) ** random.next();
  const aspect = Math.exp(between(settings.aspect));
  const transform = affine(
    scale * Math.sqrt(aspect),
    scale / Math.sqrt(aspect),
    between(settings.shear),
    (between(settings.rotationDegrees) * Math.PI) / 180,
  );
  const field = settings.elastic > 0 ? displacementField(settings.elastic, random) : undefined;
  const side = Math.min(MAX_CANVAS, Math.ceil(SIZE * scale * 1.6) + 2);
  render(source, transform, field, scratch.canvas, side);

  let canvas = scratch.canvas;
  let spare = scratch.spare;
  const morph = random.next();
  if (morph < settings.thinner + settings.thicker) {
    // Each pass moves every edge by one canvas pixel, 1/scale source pixels; MNIST strokes are
    // 2–3 source pixels wide, so thin by up to 0.6 of a pixel per side and thicken by up to 0.8.
    const thin = morph < settings.thinner;
    const shift = thin ? 0.25 + 0.35 * random.next() : 0.3 + 0.5 * random.next();
    const passes = Math.round(shift * scale);
    for (let p = 0; p < passes; p++) {
      morphology(canvas, spare, side, thin ? 'erode' : 'dilate');
      [canvas, spare] = [spare, canvas];
    }
  }
  if (random.next() < settings.binarize) {
    const threshold = 64 + random.next() * 128;
    for (let i = 0; i < side * side; i++) canvas[i] = canvas[i] > threshold ? 255 : 0;
  }
  if (random.next() < settings.blur) {
    boxBlur(canvas, spare, side);
    [canvas, spare] = [spare, canvas];
  }
  const { pixels, empty } = preprocessDigit(
    { width: side, height: side, channels: 1, data: canvas.subarray(0, side * side) },
    { normalization: MNIST_NORMALIZATION },
  );
  // Erosion can wipe out a faint digit: then the digit as it is beats an empty image.
  if (empty) return image.slice();
  if (random.next() < settings.erase) erasePatch(pixels, random);
  return pixels;
}

/** [a b; c d] mapping source offsets from the centre to canvas offsets. */
interface Affine {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

/** Scale (sx, sy), then slant x by `shear`·y, then rotate by `angle`. */
function affine(sx: number, sy: number, shear: number, angle: number): Affine {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // M = R · H · S with H = [1 shear; 0 1], S = diag(sx, sy).
  const h00 = sx;
  const h01 = shear * sy;
  const h11 = sy;
  return { a: cos * h00, b: cos * h01 - sin * h11, c: sin * h00, d: sin * h01 + cos * h11 };
}

/** Control points of the elastic field per side: a smooth, low-frequency wobble. */
const FIELD_POINTS = 4;

/** Random displacements on a coarse grid over the source, interpolated bilinearly. */
function displacementField(amplitude: number, random: Rng): Float32Array {
  const field = new Float32Array(FIELD_POINTS * FIELD_POINTS * 2);
  for (let i = 0; i < field.length; i++) field[i] = (random.next() * 2 - 1) * amplitude;
  return field;
}

/** Writes the field's displacement at source point (x, y) into `out`. */
function displace(field: Float32Array, x: number, y: number, out: Float64Array): void {
  const gx = Math.max(0, Math.min(FIELD_POINTS - 1.001, (x / SIZE) * (FIELD_POINTS - 1)));
  const gy = Math.max(0, Math.min(FIELD_POINTS - 1.001, (y / SIZE) * (FIELD_POINTS - 1)));
  const x0 = Math.floor(gx);
  const y0 = Math.floor(gy);
  const fx = gx - x0;
  const fy = gy - y0;
  const i00 = (y0 * FIELD_POINTS + x0) * 2;
  const i01 = i00 + 2;
  const i10 = i00 + FIELD_POINTS * 2;
  const i11 = i10 + 2;
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  out[0] = w00 * field[i00] + w01 * field[i01] + w10 * field[i10] + w11 * field[i11];
  out[1] = w00 * field[i00 + 1] + w01 * field[i01 + 1] + w10 * field[i10 + 1] + w11 * field[i11 + 1];
}

/**
 * Draws the transformed source into a `side × side` canvas by inverse mapping with bilinear
 * sampling, 2×2 samples per pixel where the canvas is coarser than the source (so that a
 * shrunken digit is area-averaged, not aliased).
 */
function render(
  source: Uint8Array,
  m: Affine,
  field: Float32Array | undefined,
  canvas: Uint8Array,
  side: number,
): void {
  const det = m.a * m.d - m.b * m.c;
  const ia = m.d / det;
  const ib = -m.b / det;
  const ic = -m.c / det;
  const id = m.a / det;
  const centre = side / 2;
  const half = SIZE / 2;
  const samples = Math.abs(det) < 1 ? 2 : 1;
  const step = 1 / samples;
  const offset = new Float64Array(2);
  canvas.fill(0, 0, side * side);
  for (let v = 0; v < side; v++) {
    for (let u = 0; u < side; u++) {
      let sum = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const qx = u + (sx + 0.5) * step - centre;
          const qy = v + (sy + 0.5) * step - centre;
          let x = ia * qx + ib * qy + half;
          let y = ic * qx + id * qy + half;
          if (field !== undefined) {
            displace(field, x, y, offset);
            x += offset[0];
            y += offset[1];
          }
          sum += bilinear(source, x - 0.5, y - 0.5);
        }
      }
      canvas[v * side + u] = Math.round(sum / (samples * samples));
    }
  }
}

function bilinear(image: Uint8Array, x: number, y: number): number {
  if (x <= -1 || y <= -1 || x >= SIZE || y >= SIZE) return 0;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const left = x0 >= 0;
  const right = x0 + 1 < SIZE;
  const top = y0 >= 0;
  const bottom = y0 + 1 < SIZE;
  const i = y0 * SIZE + x0;
  const v00 = left && top ? image[i] : 0;
  const v01 = right && top ? image[i + 1] : 0;
  const v10 = left && bottom ? image[i + SIZE] : 0;
  const v11 = right && bottom ? image[i + SIZE + 1] : 0;
  return (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
}

/** 3×3 grayscale erosion (min) or dilation (max). */
function morphology(from: Uint8Array, to: Uint8Array, side: number, kind: 'erode' | 'dilate'): void {
  const erode = kind === 'erode';
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let best = erode ? 255 : 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const value = yy < 0 || xx < 0 || yy >= side || xx >= side ? 0 : from[yy * side + xx];
          best = erode ? Math.min(best, value) : Math.max(best, value);
        }
      }
      to[y * side + x] = best;
    }
  }
}

/** 3×3 box blur. */
function boxBlur(from: Uint8Array, to: Uint8Array, side: number): void {
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= side) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < side) sum += from[yy * side + xx];
        }
      }
      to[y * side + x] = Math.round(sum / 9);
    }
  }
}

/** Blacks out a 2–5 px rectangle centred on a random ink pixel of the 28×28 image. */
function erasePatch(pixels: Uint8Array, random: Rng): void {
  let inkCount = 0;
  for (const value of pixels) if (value > 128) inkCount++;
  if (inkCount === 0) return;
  let pick = random.nextInt(inkCount);
  let centre = 0;
  for (let i = 0; i < pixels.length; i++) {
    if (pixels[i] > 128 && pick-- === 0) {
      centre = i;
      break;
    }
  }
  const w = 2 + random.nextInt(4);
  const h = 2 + random.nextInt(4);
  const x0 = Math.max(0, (centre % SIZE) - (w >> 1));
  const y0 = Math.max(0, Math.floor(centre / SIZE) - (h >> 1));
  for (let y = y0; y < Math.min(SIZE, y0 + h); y++) pixels.fill(0, y * SIZE + x0, y * SIZE + Math.min(SIZE, x0 + w));
}
