import type { Rng } from '../rng.js';
import type { InkImage, PhotoScene, Rgb } from './photo-like.js';

// The photo conditions the photo-like test suites and `bench:photos` measure, one factor at a
// time and all together. The severities are what phone photos of a digit on paper show: sensor
// noise of a few gray levels, light falling off by tens of levels across the sheet, a soft
// shadow, a little motion or focus blur, a slanted sheet, pens of several colours, the digit small
// and off-centre in the picture, the table beyond the paper's edge, ruled paper, dust.

/** One photo to render: its scene, and the JPEG quality to save it at (none: lossless). */
export interface PhotoSample {
  readonly scene: PhotoScene;
  readonly jpegQuality?: number;
}

/** A named way of photographing digits. */
export interface PhotoCondition {
  readonly name: string;
  /** What the table in docs/benchmarks.md says about it. */
  readonly description: string;
  /** The photo of `ink`; random choices (directions, colours, positions) come from `rng`. */
  sample(ink: InkImage, rng: Rng): PhotoSample;
}

/** Side of every photo. */
export const PHOTO_SIZE = 256;
/** Long side of the digit's ink in a centred photo (px): the UJI set's 96-px box in a 128-px canvas, doubled frame. */
export const INK_SIZE = 96;

const PAPER: Rgb = [228, 224, 214];
const BLACK_PEN: Rgb = [60, 60, 75];
const PENS: readonly Rgb[] = [
  [25, 45, 150], // blue ballpoint
  [170, 30, 35], // red
  [20, 110, 50], // green
  [90, 40, 130], // purple
  [60, 60, 70], // pencil-gray
];

const between = (rng: Rng, low: number, high: number) => low + (high - low) * rng.next();
const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.nextInt(items.length)];

/** Bounding box of the ink (coverage > 0) of an ink image: its long side in source pixels. */
function inkLongSide(ink: InkImage): number {
  let [x0, y0, x1, y1] = [ink.width, ink.height, -1, -1];
  for (let y = 0; y < ink.height; y++) {
    for (let x = 0; x < ink.width; x++) {
      if (ink.data[y * ink.width + x] === 0) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? Math.max(ink.width, ink.height) : Math.max(x1 - x0 + 1, y1 - y0 + 1);
}

/** A centred, plain photo of `ink` with its ink's long side `inkSize` px; `changes` on top. */
function baseScene(ink: InkImage, inkSize: number, changes: Partial<PhotoScene> = {}): PhotoScene {
  const digitSize = (Math.max(ink.width, ink.height) * inkSize) / inkLongSide(ink);
  return {
    width: PHOTO_SIZE,
    height: PHOTO_SIZE,
    digitSize,
    centerX: PHOTO_SIZE / 2,
    centerY: PHOTO_SIZE / 2,
    rotation: 0,
    paper: PAPER,
    ink: BLACK_PEN,
    gradient: 0,
    gradientAngle: 0,
    blur: 0,
    noise: 0,
    ...changes,
  };
}

function condition(
  name: string,
  description: string,
  sample: (ink: InkImage, rng: Rng) => PhotoSample,
): PhotoCondition {
  return { name, description, sample };
}

/** A soft shadow across a random part of the photo (never over more than about half). */
function randomShadow(rng: Rng, depth: number): NonNullable<PhotoScene['shadow']> {
  const angle = between(rng, 0, 360);
  // The line passes 25–45 % of the way in from the edge the shadow comes from.
  const along = between(rng, 0.05, 0.3) * PHOTO_SIZE;
  const rad = (angle * Math.PI) / 180;
  return {
    depth,
    x: PHOTO_SIZE / 2 + Math.cos(rad) * along,
    y: PHOTO_SIZE / 2 + Math.sin(rad) * along,
    angle,
    softness: between(rng, 12, 40),
  };
}

function ruledLines(rng: Rng): NonNullable<PhotoScene['ruled']> {
  return { spacing: between(rng, 24, 32), width: 1.5, color: [150, 180, 225], offset: between(rng, 0, 32) };
}

function specks(rng: Rng): NonNullable<PhotoScene['specks']> {
  return Array.from({ length: 4 + rng.nextInt(7) }, () => ({
    x: between(rng, 4, PHOTO_SIZE - 4),
    y: between(rng, 4, PHOTO_SIZE - 4),
    radius: between(rng, 0.7, 2),
  }));
}

/** Everything at once, each at a random strength: the closest to a real photo. */
function photo(ink: InkImage, rng: Rng): PhotoSample {
  const inkSize = between(rng, 64, 120);
  const margin = inkSize * 0.75;
  return {
    scene: baseScene(ink, inkSize, {
      centerX: between(rng, margin, PHOTO_SIZE - margin),
      centerY: between(rng, margin, PHOTO_SIZE - margin),
      rotation: between(rng, -10, 10),
      paper: [between(rng, 215, 245), between(rng, 212, 240), between(rng, 200, 232)],
      ink: rng.next() < 0.5 ? BLACK_PEN : pick(rng, PENS),
      gradient: between(rng, 5, 30),
      gradientAngle: between(rng, 0, 360),
      blur: between(rng, 0, 1.2),
      noise: between(rng, 2, 8),
      ...(rng.next() < 0.3 ? { shadow: randomShadow(rng, between(rng, 0.15, 0.35)) } : {}),
    }),
    jpegQuality: Math.round(between(rng, 60, 92)),
  };
}

/**
 * The conditions, clean first. Each sample is centred with its ink's long side {@link INK_SIZE}
 * px on off-white paper in dark ink unless the condition says otherwise.
 */
export const PHOTO_CONDITIONS: readonly PhotoCondition[] = [
  condition('plain', 'plain paper, lossless', (ink) => ({ scene: baseScene(ink, INK_SIZE) })),
  condition('jpeg-75', 'JPEG quality 75', (ink) => ({ scene: baseScene(ink, INK_SIZE), jpegQuality: 75 })),
  condition('jpeg-40', 'JPEG quality 40', (ink) => ({ scene: baseScene(ink, INK_SIZE), jpegQuality: 40 })),
  condition('gradient-17', 'lighting gradient (±17 gray levels across the image)', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { gradient: 17, gradientAngle: between(rng, 0, 360) }),
  })),
  condition('gradient-50', 'strong lighting gradient (±50 gray levels)', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { gradient: 50, gradientAngle: between(rng, 0, 360) }),
  })),
  condition('shadow', 'soft shadow over part of the sheet (light × 0.6)', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { shadow: randomShadow(rng, 0.4) }),
  })),
  condition('noise-3', 'paper noise, σ = 3 gray levels', (ink) => ({ scene: baseScene(ink, INK_SIZE, { noise: 3 }) })),
  condition('noise-6', 'paper noise, σ = 6 gray levels', (ink) => ({ scene: baseScene(ink, INK_SIZE, { noise: 6 }) })),
  condition('noise-12', 'paper noise, σ = 12 gray levels', (ink) => ({
    scene: baseScene(ink, INK_SIZE, { noise: 12 }),
  })),
  condition('gradient-noise-jpeg', 'gradient ±17 + noise σ = 6 + JPEG 75', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { gradient: 17, gradientAngle: between(rng, 0, 360), noise: 6 }),
    jpegQuality: 75,
  })),
  condition('blur-1.5', 'camera blur, σ = 1.5 px', (ink) => ({ scene: baseScene(ink, INK_SIZE, { blur: 1.5 }) })),
  condition('rotation-15', 'rotated ±15°', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { rotation: rng.next() < 0.5 ? -15 : 15 }),
  })),
  condition('coloured-ink', 'blue, red, green, purple or pencil-gray ink', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { ink: pick(rng, PENS) }),
  })),
  condition('framing', 'small (ink 48–72 px) and off-centre in the picture', (ink, rng) => {
    const inkSize = between(rng, 48, 72);
    const margin = inkSize * 0.75;
    return {
      scene: baseScene(ink, inkSize, {
        centerX: between(rng, margin, PHOTO_SIZE - margin),
        centerY: between(rng, margin, PHOTO_SIZE - margin),
      }),
    };
  }),
  condition('tight', 'framed tightly: 0–4 px from the top and bottom edges, noise σ = 4', (ink, rng) => ({
    scene: baseScene(ink, PHOTO_SIZE - between(rng, 0, 8), { noise: 4, centerX: between(rng, 0.4, 0.6) * PHOTO_SIZE }),
  })),
  condition('paper-edge', "the table beyond the paper's edge along one side", (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, {
      edge: {
        side: pick(rng, ['left', 'right', 'top', 'bottom'] as const),
        inset: between(rng, 12, 40),
        color: [between(rng, 60, 120), between(rng, 45, 90), between(rng, 30, 60)],
      },
    }),
  })),
  condition('ruled', 'ruled paper (light blue lines every 24–32 px), photographed (noise σ = 3)', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { noise: 3, ruled: ruledLines(rng) }),
  })),
  condition(
    'specks',
    'dust and pencil dots (4–10 specks, radius 0.7–2 px), photographed (noise σ = 3)',
    (ink, rng) => ({
      scene: baseScene(ink, INK_SIZE, { noise: 3, specks: specks(rng) }),
    }),
  ),
  // The same on a noise-free scan: paper of one exact value takes the clean path (as before the
  // photo path existed), where lines and dust widen the box. Listed to show it, not a photo.
  condition('scan-ruled', 'ruled paper, scanned without noise (the clean path)', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { ruled: ruledLines(rng) }),
  })),
  condition('scan-specks', 'dust and pencil dots, scanned without noise (the clean path)', (ink, rng) => ({
    scene: baseScene(ink, INK_SIZE, { specks: specks(rng) }),
  })),
  condition(
    'photo',
    'all together at random strengths (noise σ 2–8, gradient ±5–30, blur ≤ 1.2 px, ±10°, coloured ink, off-centre, 30 % shadowed, JPEG 60–92)',
    photo,
  ),
];

/** Whether a condition is a photo (noise, light, framing): all but plain paper and the noise-free scans. */
export function isPhotoCondition(condition: PhotoCondition): boolean {
  return condition.name !== 'plain' && !condition.name.startsWith('scan-');
}

/** The condition named `name`. */
export function photoCondition(name: string): PhotoCondition {
  const found = PHOTO_CONDITIONS.find((c) => c.name === name);
  if (found === undefined)
    throw new Error(
      `no photo condition ${JSON.stringify(name)}; known: ${PHOTO_CONDITIONS.map((c) => c.name).join(', ')}`,
    );
  return found;
}
