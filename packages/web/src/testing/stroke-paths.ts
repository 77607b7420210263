import { countInk, inkLevels, inkMask, thin, type InkImage, type Mask } from './ink-skeleton.js';
import { distanceToSegment, traceSkeleton, type Point, type Polyline } from './trace-skeleton.js';

// Pen paths from pictures of pen strokes. The real-handwriting dev set (uji-pen-digits) holds
// renderings of people's strokes, not the strokes; to draw those digits again — on the demo's
// pad, with another pen, slant or size — the paths are recovered: threshold, thin to a 1-pixel
// skeleton, trace the skeleton into ordered strokes, simplify lightly. Test support only: nothing
// in production needs it.

export type { InkImage, Mask } from './ink-skeleton.js';
export type { Point, Polyline } from './trace-skeleton.js';

/** Strokes recovered from one image, in its pixel coordinates. */
export interface RecoveredStrokes {
  readonly strokes: readonly Polyline[];
  /** The pen's width in pixels, estimated from the ink (twice the median depth of the centre lines). */
  readonly penWidth: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Recovers pen strokes from a picture of a handwritten digit (dark on light or light on dark).
 *
 * @example
 * ```ts
 * const { items } = readDigitFolder(devSetDir()!);
 * const { strokes, penWidth } = recoverStrokes(items[0].image);
 * renderStrokes(strokes, 128, 128, penWidth); // ≈ the ink of items[0]
 * ```
 */
export function recoverStrokes(image: InkImage): RecoveredStrokes {
  const ink = inkMask(image);
  const skeleton = thin(ink);
  const penWidth = estimatePenWidth(ink, skeleton);
  const weights = { width: image.width, height: image.height, data: inkLevels(image) };
  const strokes = traceSkeleton(skeleton, {
    spurLength: 0.8 * penWidth + 1,
    mergeLength: 0.6 * penWidth + 1,
    centre: (point) => centreOnInk(weights, point, penWidth / 2 + 0.5),
  });
  return { strokes, penWidth, width: image.width, height: image.height };
}

/** Mean shift: the ink's centroid within `radius` of `point`, three times over. */
function centreOnInk(ink: { width: number; height: number; data: Float32Array }, point: Point, radius: number): Point {
  let [px, py] = point;
  for (let step = 0; step < 3; step++) {
    let sw = 0;
    let sx = 0;
    let sy = 0;
    for (let y = Math.max(0, Math.floor(py - radius)); y <= Math.min(ink.height - 1, Math.ceil(py + radius)); y++) {
      for (let x = Math.max(0, Math.floor(px - radius)); x <= Math.min(ink.width - 1, Math.ceil(px + radius)); x++) {
        const cx = x + 0.5;
        const cy = y + 0.5;
        if ((cx - px) ** 2 + (cy - py) ** 2 > radius * radius) continue;
        const w = ink.data[y * ink.width + x];
        sw += w;
        sx += w * cx;
        sy += w * cy;
      }
    }
    if (sw === 0) break;
    [px, py] = [sx / sw, sy / sw];
  }
  return [px, py];
}

/** Twice the median distance from a skeleton pixel to the background: the stroke's width. */
function estimatePenWidth(ink: Mask, skeleton: Mask): number {
  const depth = distanceToBackground(ink);
  const depths: number[] = [];
  for (let i = 0; i < skeleton.data.length; i++) if (skeleton.data[i] === 1) depths.push(depth[i]);
  if (depths.length === 0) return 1;
  depths.sort((a, b) => a - b);
  // A line w pixels wide has its middle pixel d = w/2 + 0.5 from the background when w is odd
  // (2d − 1) and w/2 on the near side when w is even (2d): 2d − 0.5 is off by half a pixel at most.
  return Math.max(1, 2 * depths[depths.length >> 1] - 0.5);
}

/** Chamfer (1, √2) distance from each ink pixel to the nearest background pixel, in two passes. */
function distanceToBackground(mask: Mask): Float32Array {
  const { width, height, data } = mask;
  const far = width + height;
  const d = new Float32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = data[i] === 1 ? far : 0;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : d[y * width + x]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (d[i] === 0) continue;
      d[i] = Math.min(
        d[i],
        at(x - 1, y) + 1,
        at(x, y - 1) + 1,
        at(x - 1, y - 1) + Math.SQRT2,
        at(x + 1, y - 1) + Math.SQRT2,
      );
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (d[i] === 0) continue;
      d[i] = Math.min(
        d[i],
        at(x + 1, y) + 1,
        at(x, y + 1) + 1,
        at(x + 1, y + 1) + Math.SQRT2,
        at(x - 1, y + 1) + Math.SQRT2,
      );
    }
  }
  return d;
}

/**
 * Draws strokes as round-capped lines `penWidth` wide into a binary mask: a pixel is ink when its
 * centre is within `penWidth / 2` of a stroke. The reference to compare a recovery with.
 */
export function renderStrokes(strokes: readonly Polyline[], width: number, height: number, penWidth: number): Mask {
  const data = new Uint8Array(width * height);
  const radius = penWidth / 2;
  for (const stroke of strokes) {
    const segments: [Point, Point][] =
      stroke.length === 1 ? [[stroke[0], stroke[0]]] : stroke.slice(1).map((p, i) => [stroke[i], p]);
    for (const [a, b] of segments) {
      const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - radius));
      const x1 = Math.min(width - 1, Math.ceil(Math.max(a[0], b[0]) + radius));
      const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - radius));
      const y1 = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1]) + radius));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          if (data[y * width + x] === 0 && distanceToSegment([x + 0.5, y + 0.5], a, b) <= radius)
            data[y * width + x] = 1;
        }
      }
    }
  }
  return { width, height, data };
}

/** How two masks of one size overlap. */
export interface MaskOverlap {
  /** Intersection over union. */
  readonly iou: number;
  /** The share of `reference`'s ink that `candidate` covers. */
  readonly coverage: number;
  /** The share of `candidate`'s ink that lies on `reference`'s. */
  readonly precision: number;
}

export function maskOverlap(candidate: Mask, reference: Mask): MaskOverlap {
  let both = 0;
  for (let i = 0; i < candidate.data.length; i++) both += candidate.data[i] & reference.data[i];
  const a = countInk(candidate);
  const b = countInk(reference);
  return { iou: both / Math.max(1, a + b - both), coverage: both / Math.max(1, b), precision: both / Math.max(1, a) };
}

/** The box around every point of `strokes` (centre lines, not ink). */
export function strokeBounds(strokes: readonly Polyline[]): { x: number; y: number; width: number; height: number } {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export { inkMask };
