import { describeValue, formatChoices, ONNXPIPE_CORE_BAD_IMAGE, ONNXPIPE_CORE_INVALID_ARGUMENT } from '../errors.js';
import { normalizationTable, normalizePixels, type Normalization } from '../normalization.js';
import { inkBoundingBox, type PixelBox } from './bounding-box.js';
import { placeAtCenterOfMass } from './center-of-mass.js';
import { toGrayscale } from './grayscale.js';
import { analyzeInk } from './ink-levels.js';
import { assertRawImage, type RawImage } from './raw-image.js';
import { findDigit } from './photo/find-digit.js';
import { hasFlatBorder } from './photo/flat-border.js';
import { PHOTO_SETTINGS } from './photo/photo-settings.js';
import { resizeWindow, type PlaneWindow } from './resample.js';

/** How the digit is found: see {@link PreprocessOptions.method}. */
export const PREPROCESS_METHODS = ['auto', 'clean', 'photo'] as const;
export type PreprocessMethod = (typeof PREPROCESS_METHODS)[number];

/** How {@link preprocessDigit} turns an image into model input. */
export interface PreprocessOptions {
  /** Pixel statistics of the model's training data: read them from the model's metadata. */
  readonly normalization: Normalization;
  /**
   * The image is already in MNIST format (`outputSize × outputSize`, light ink on black,
   * centred): convert to grayscale and normalise only.
   * @defaultValue `false`
   */
  readonly skip?: boolean;
  /**
   * Side of the box the digit's bounding box is scaled into, keeping its aspect ratio.
   * @defaultValue `20`
   */
  readonly fitSize?: number;
  /** Side of the output image. @defaultValue `28` */
  readonly outputSize?: number;
  /**
   * A pixel counts as ink for the bounding box when its ink intensity (0–255, after inversion
   * and levelling) is above this; an image whose ink contrast is not above it is empty. 32 keeps
   * JPEG noise and paper texture out of the box yet loses nothing of MNIST: on all 10,000 MNIST
   * test digits the box at 32 has the same 20-pixel long side as the box of every non-zero pixel
   * (except 4 digits, at 19).
   * @defaultValue `32`
   */
  readonly inkThreshold?: number;
  /**
   * How the digit is found. `clean`: the paper is one value (canvas drawings, MNIST digits,
   * scans): levels against the border's median, the box of every pixel above `inkThreshold`.
   * `photo`: the paper varies (sensor noise, uneven light, shadows, things around the digit):
   * local background, a threshold per image above the noise, and the connected components that
   * make the digit (see photo/find-digit.ts). `auto` takes `photo` when the border ring is not
   * flat (less than `PHOTO_SETTINGS.flatBorderShare` of it within
   * `PHOTO_SETTINGS.flatBorderSpread` levels of its median) and the image is at least
   * `PHOTO_SETTINGS.minPhotoSide` on each side, else `clean` — so a clean image preprocesses
   * exactly as it did before the photo path existed.
   * @defaultValue `'auto'`
   */
  readonly method?: PreprocessMethod;
}

/** Model input and what it was made from. */
export interface PreprocessResult {
  /** `outputSize²` normalised values, row-major: the data of an NCHW `[1, 1, 28, 28]` tensor. */
  readonly input: Float32Array;
  /** The `outputSize²` grayscale image (0 background, 255 ink) that `input` normalises. */
  readonly pixels: Uint8Array;
  /**
   * `true` when the image had dark ink on a light background and was inverted (for a drawing on
   * a transparent canvas: dark strokes, which are matted onto white first).
   */
  readonly inverted: boolean;
  /** `true` when no ink was found; `pixels` are then all 0 and `input` all background. */
  readonly empty: boolean;
  /** The path taken: `skip` (the `skip` option), `clean` or `photo` (see `method`). */
  readonly method: 'skip' | 'clean' | 'photo';
  /**
   * The box cropped around the digit, in the input image's pixels (exclusive ends); absent when
   * empty or skipped.
   */
  readonly box?: PixelBox;
}

/** Defaults of the optional {@link PreprocessOptions}. */
export const PREPROCESS_DEFAULTS = Object.freeze({
  skip: false,
  fitSize: 20,
  outputSize: 28,
  inkThreshold: 32,
  method: 'auto',
});

/** Largest accepted `outputSize`; models here take 28, but nothing below depends on it. */
const MAX_OUTPUT_SIZE = 1024;

type ResolvedOptions = Required<PreprocessOptions>;

// Scratch for the intermediate steps. preprocessDigit is synchronous and never re-entered, so
// one set serves every call; a typed array costs as much to allocate as a step costs to run.
const inkTable = new Float64Array(256);
/** Largest fitted digit (fitSize²) that goes through the scratch plane: any fitSize up to 64. */
const FITTED_SCRATCH_MAX = 64 * 64;
const fittedScratch = new Float64Array(FITTED_SCRATCH_MAX);

function integerOption(name: string, value: unknown, min: number, max: number, hint = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(
      `'${name}' must be an integer from ${min} to ${max}${hint}; received ${describeValue(value)}`,
    );
  }
  return value;
}

function resolveOptions(options: PreprocessOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null || options.normalization === undefined) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(
      `'normalization' is required: pass the { mean, std } from the model's metadata; received ${describeValue(options)}`,
    );
  }
  normalizationTable(options.normalization); // validates, and warms the shared table
  const skip = options.skip ?? PREPROCESS_DEFAULTS.skip;
  if (typeof skip !== 'boolean') {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(`'skip' must be one of true, false; received ${describeValue(skip)}`);
  }
  const outputSize = integerOption(
    'outputSize',
    options.outputSize ?? PREPROCESS_DEFAULTS.outputSize,
    1,
    MAX_OUTPUT_SIZE,
  );
  const fitSize = integerOption(
    'fitSize',
    options.fitSize ?? PREPROCESS_DEFAULTS.fitSize,
    1,
    outputSize,
    ' (outputSize)',
  );
  const inkThreshold = options.inkThreshold ?? PREPROCESS_DEFAULTS.inkThreshold;
  if (typeof inkThreshold !== 'number' || !(inkThreshold >= 0 && inkThreshold < 255)) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(
      `'inkThreshold' must be a number from 0 up to (not including) 255; received ${describeValue(inkThreshold)}`,
    );
  }
  const method = options.method ?? PREPROCESS_DEFAULTS.method;
  if (!(PREPROCESS_METHODS as readonly unknown[]).includes(method)) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(
      `'method' must be one of ${formatChoices(PREPROCESS_METHODS)}; received ${describeValue(method)}`,
    );
  }
  return { normalization: options.normalization, skip, outputSize, fitSize, inkThreshold, method };
}

function result(
  pixels: Uint8Array,
  o: ResolvedOptions,
  inverted: boolean,
  empty: boolean,
  method: PreprocessResult['method'],
  box?: PixelBox,
): PreprocessResult {
  const input = normalizePixels(pixels, o.normalization);
  return box === undefined
    ? { input, pixels, inverted, empty, method }
    : { input, pixels, inverted, empty, method, box };
}

/** The path `auto` takes for `image`. */
function choosePath(image: RawImage): 'clean' | 'photo' {
  const { width, height } = image;
  if (Math.min(width, height) < PHOTO_SETTINGS.minPhotoSide) return 'clean';
  return hasFlatBorder(image, PHOTO_SETTINGS.flatBorderSpread, PHOTO_SETTINGS.flatBorderShare) ? 'clean' : 'photo';
}

/** Steps 4–6: `plane` (a window of levels) fitted into `fitSize`, centred in `outputSize`. */
function fitAndCenter(crop: PlaneWindow, o: ResolvedOptions): Uint8Array {
  const scale = o.fitSize / Math.max(crop.width, crop.height);
  const fitWidth = Math.min(o.fitSize, Math.max(1, Math.round(crop.width * scale)));
  const fitHeight = Math.min(o.fitSize, Math.max(1, Math.round(crop.height * scale)));
  const fitted = resizeWindow(
    crop,
    fitWidth,
    fitHeight,
    fitWidth * fitHeight <= FITTED_SCRATCH_MAX ? fittedScratch : undefined,
  );
  return placeAtCenterOfMass(fitted, fitWidth, fitHeight, o.outputSize).pixels;
}

/** Bytes read as themselves: the photo path's crop is levelled already. */
const IDENTITY_TABLE = Float64Array.from({ length: 256 }, (_, v) => v);

function photoPath(image: RawImage, o: ResolvedOptions): PreprocessResult {
  const found = findDigit(image, o.inkThreshold, PHOTO_SETTINGS);
  if (found.empty || found.crop === undefined) {
    return result(new Uint8Array(o.outputSize ** 2), o, found.inverted, true, 'photo');
  }
  const { crop } = found;
  const levelled = {
    data: crop.data,
    stride: crop.width,
    x0: 0,
    y0: 0,
    width: crop.width,
    height: crop.height,
    table: IDENTITY_TABLE,
  };
  return result(fitAndCenter(levelled, o), o, found.inverted, false, 'photo', found.box);
}

function normalizeOnly(image: RawImage, o: ResolvedOptions): PreprocessResult {
  const size = o.outputSize;
  if (image.width !== size || image.height !== size) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'skip' requires an image of ${size}×${size} (outputSize); received ${image.width}×${image.height}`,
    );
  }
  const pixels = toGrayscale(image);
  const empty = !pixels.some((v) => v > o.inkThreshold);
  return result(pixels, o, false, empty, 'skip');
}

/**
 * Turns a decoded image or canvas capture into model input the way MNIST was made (LeCun et
 * al.): the same code runs on the server and in the browser, so both feed the model the same
 * bytes.
 *
 * 1. Grayscale (Rec. 601), with transparency composited as background ({@link toGrayscale}).
 * 2. Polarity: the border's median is the background; if the ink is darker, invert, so that ink
 *    is light on black. Levels: background → 0, strongest ink → 255.
 * 3. Crop to the bounding box of the pixels above `inkThreshold`.
 * 4. Scale the box into `fitSize × fitSize` keeping its aspect ratio (its long side becomes
 *    `fitSize`), averaging areas so thin strokes stay gray-levelled as in MNIST.
 * 5. Paste into `outputSize × outputSize`, shifted by whole pixels so that the centre of mass
 *    of the intensities lands at `outputSize / 2` on both axes, (14, 14) for 28 — within ½ px,
 *    as in MNIST.
 * 6. Round to bytes (`pixels`) and normalise each as `(p / 255 − mean) / std` (`input`).
 *
 * That is the clean path, for paper of one value (drawings, MNIST digits, scans). A photo of
 * paper — sensor noise, uneven light, shadows, the digit small in a larger picture — takes the
 * photo path instead (`method`, default `auto`: see {@link PreprocessOptions.method}): steps 2
 * and 3 become a local background estimate, a threshold above the image's noise and the
 * connected components that make the digit (photo/find-digit.ts), and steps 4–6 follow.
 * `method` and `box` in the result say which path ran and where the digit was found.
 *
 * An image without ink (uniform up to `inkThreshold`) gives `empty: true`, all-zero `pixels`
 * and an all-background `input`. Deterministic: equal inputs give bit-identical outputs.
 *
 * @throws `ONNXPIPE_CORE_BAD_IMAGE` for an invalid image, or with `skip` one of the wrong size
 * @throws `ONNXPIPE_CORE_INVALID_ARGUMENT` for invalid options
 *
 * @example
 * ```ts
 * const { input, empty } = preprocessDigit(
 *   { width, height, channels: 4, data: ctx.getImageData(0, 0, width, height).data },
 *   { normalization: metadata.normalization },
 * );
 * if (!empty) await session.run({ input: new Tensor('float32', input, [1, 1, 28, 28]) });
 * ```
 */
export function preprocessDigit(image: RawImage, options: PreprocessOptions): PreprocessResult {
  const o = resolveOptions(options);
  assertRawImage(image);
  if (o.skip) return normalizeOnly(image, o);

  const method = o.method === 'auto' ? choosePath(image) : o.method;
  if (method === 'photo') return photoPath(image, o);

  const { width, height } = image;
  // A 1-channel image is its own gray plane: read in place, never written.
  const gray = image.channels === 1 ? image.data : toGrayscale(image);
  const levels = analyzeInk(gray, width, height, o.inkThreshold, inkTable);
  const box = levels.empty ? undefined : inkBoundingBox(gray, width, height, levels.inkLow, levels.inkHigh);
  if (box === undefined) {
    return result(new Uint8Array(o.outputSize ** 2), o, levels.inverted, true, 'clean');
  }
  const crop = {
    data: gray,
    stride: width,
    x0: box.x0,
    y0: box.y0,
    width: box.x1 - box.x0,
    height: box.y1 - box.y0,
    table: levels.table,
  };
  return result(fitAndCenter(crop, o), o, levels.inverted, false, 'clean', box);
}
