import type { RawImage } from '../preprocess/raw-image.js';
import type { Rng } from '../rng.js';

// Photo-like renderings of digits for tests and benchmarks: a digit's ink laid on paper and
// "photographed" — uneven light, a shadow, sensor noise, camera blur, rotation, framing in a
// larger picture, coloured ink, ruled lines, a paper edge, specks. Isomorphic and seeded, so the
// server's tests (in Node) and the browser's tests (in Chromium) can render the same photos;
// JPEG compression is left to the caller (sharp in Node, a canvas in the page).

/** A digit's ink: `data[y·width + x]` is the ink coverage, 0 (paper) to 255 (full ink). */
export interface InkImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [number, number, number];

/** How one photo is made. Lengths in pixels of the photo, levels in 0–255 gray levels. */
export interface PhotoScene {
  /** Size of the photo. */
  readonly width: number;
  readonly height: number;
  /** Long side of the ink image once placed (the ink image is scaled to it, aspect kept). */
  readonly digitSize: number;
  /** Where the ink image's centre lands, in pixels. */
  readonly centerX: number;
  readonly centerY: number;
  /** Clockwise rotation of the digit, degrees. */
  readonly rotation: number;
  readonly paper: Rgb;
  readonly ink: Rgb;
  /** Linear change of illumination across the photo: ± this many gray levels of the paper at the two far corners. */
  readonly gradient: number;
  /** Direction in which the light falls off, degrees (0: darker towards the right). */
  readonly gradientAngle: number;
  /**
   * A shadow over part of the photo: the light there is multiplied by `1 − depth`, with a soft
   * edge of `softness` px. The shadowed half-plane lies beyond a line through (`x`, `y`) at `angle`.
   */
  readonly shadow?: {
    readonly depth: number;
    readonly x: number;
    readonly y: number;
    readonly angle: number;
    readonly softness: number;
  };
  /** Gaussian camera blur, σ in px (0: none). */
  readonly blur: number;
  /** Gaussian sensor noise, σ in gray levels, added to all three channels alike (0: none). */
  readonly noise: number;
  /** Ruled lines across the paper: spacing, stroke width (px) and colour. */
  readonly ruled?: { readonly spacing: number; readonly width: number; readonly color: Rgb; readonly offset: number };
  /** The paper ends `inset` px before the photo's edge on `side`, showing a table of `color`. */
  readonly edge?: { readonly side: 'left' | 'right' | 'top' | 'bottom'; readonly inset: number; readonly color: Rgb };
  /** Dark specks on the paper (dust, pencil dots): centre and radius in px. */
  readonly specks?: readonly { readonly x: number; readonly y: number; readonly radius: number }[];
}

/** The ink image as 0–1 floats with a one-pixel border of paper, for branch-free bilinear reads. */
function paddedCoverage(ink: InkImage): { plane: Float64Array; stride: number } {
  const stride = ink.width + 2;
  const plane = new Float64Array(stride * (ink.height + 2));
  for (let y = 0; y < ink.height; y++) {
    for (let x = 0; x < ink.width; x++) plane[(y + 1) * stride + x + 1] = ink.data[y * ink.width + x] / 255;
  }
  return { plane, stride };
}

function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(sigma * 3));
  const kernel = new Float64Array(radius * 2 + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return kernel.map((k) => k / sum);
}

/** Separable Gaussian blur of one float plane, edges clamped. */
function blurPlane(plane: Float64Array, width: number, height: number, sigma: number): Float64Array {
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) / 2;
  const rows = new Float64Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++)
        sum += kernel[k + radius] * plane[y * width + Math.min(width - 1, Math.max(0, x + k))];
      rows[y * width + x] = sum;
    }
  }
  const out = new Float64Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++)
        sum += kernel[k + radius] * rows[Math.min(height - 1, Math.max(0, y + k)) * width + x];
      out[y * width + x] = sum;
    }
  }
  return out;
}

/** A standard normal variate (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) is never taken
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

const smoothstep = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

/**
 * Renders `ink` as a photo of `scene` (3-channel RGB). `rng` draws the sensor noise only, so a
 * scene without noise renders identically whatever the generator.
 *
 * @example
 * ```ts
 * const photo = renderPhoto(ink, sceneFor(PHOTO_CONDITIONS.noise6, ink, createRng(1)), createRng(2));
 * ```
 */
export function renderPhoto(ink: InkImage, scene: PhotoScene, rng: Rng): RawImage {
  const { width, height } = scene;
  const scale = scene.digitSize / Math.max(ink.width, ink.height);
  const cos = Math.cos((scene.rotation * Math.PI) / 180);
  const sin = Math.sin((scene.rotation * Math.PI) / 180);
  const gx = Math.cos((scene.gradientAngle * Math.PI) / 180);
  const gy = Math.sin((scene.gradientAngle * Math.PI) / 180);
  // The gradient's extremes are the two corners farthest along its direction.
  const reach = (Math.abs(gx) * width + Math.abs(gy) * height) / 2;
  const paperLuma = 0.299 * scene.paper[0] + 0.587 * scene.paper[1] + 0.114 * scene.paper[2];
  // Supersampling when the ink image is shrunk keeps thin strokes from aliasing away.
  const samples = scale < 1 ? 3 : 1;
  const planes = [new Float64Array(width * height), new Float64Array(width * height), new Float64Array(width * height)];
  const { plane: inkPlane, stride } = paddedCoverage(ink);
  // Bilinear coverage (0–1) at a fractional position of the ink image; 0 outside.
  const coverage = (u: number, v: number): number => {
    const x = u + 0.5; // + 1 for the border, − ½ for pixel centres
    const y = v + 0.5;
    if (!(x > 0 && y > 0 && x < ink.width + 1 && y < ink.height + 1)) return 0;
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    const i = y0 * stride + x0;
    const top = inkPlane[i] * (1 - fx) + inkPlane[i + 1] * fx;
    const bottom = inkPlane[i + stride] * (1 - fx) + inkPlane[i + stride + 1] * fx;
    return top * (1 - fy) + bottom * fy;
  };
  const shadow = scene.shadow;
  const sx = shadow === undefined ? 0 : Math.cos((shadow.angle * Math.PI) / 180);
  const sy = shadow === undefined ? 0 : Math.sin((shadow.angle * Math.PI) / 180);

  const specks = scene.specks ?? [];
  const reachSquared = ((Math.hypot(ink.width, ink.height) / 2) * scale + 2) ** 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      let c = 0;
      // Outside the circle around the rotated ink image there is no ink to sample.
      const far = (px - scene.centerX) ** 2 + (py - scene.centerY) ** 2 > reachSquared;
      for (let j = 0; j < (far ? 0 : samples); j++) {
        for (let i = 0; i < samples; i++) {
          const dx = x + (i + 0.5) / samples - scene.centerX;
          const dy = y + (j + 0.5) / samples - scene.centerY;
          // Inverse rotation, then into the ink image's pixels.
          const u = (cos * dx + sin * dy) / scale + ink.width / 2;
          const v = (-sin * dx + cos * dy) / scale + ink.height / 2;
          c += coverage(u, v);
        }
      }
      c /= samples * samples;

      let color: Rgb = scene.paper;
      const edge = scene.edge;
      const offTable =
        edge === undefined ||
        (edge.side === 'left'
          ? px >= edge.inset
          : edge.side === 'right'
            ? px <= width - edge.inset
            : edge.side === 'top'
              ? py >= edge.inset
              : py <= height - edge.inset);
      if (!offTable) color = edge!.color;
      let r = color[0];
      let g = color[1];
      let b = color[2];
      if (offTable) {
        const ruled = scene.ruled;
        if (ruled !== undefined) {
          const phase = (((py - ruled.offset) % ruled.spacing) + ruled.spacing) % ruled.spacing;
          const distance = Math.min(phase, ruled.spacing - phase);
          const line = smoothstep(ruled.width / 2 + 0.5 - distance);
          r += (ruled.color[0] - r) * line;
          g += (ruled.color[1] - g) * line;
          b += (ruled.color[2] - b) * line;
        }
        for (const speck of specks) {
          if (Math.abs(px - speck.x) > speck.radius + 1 || Math.abs(py - speck.y) > speck.radius + 1) continue;
          const dot = smoothstep(speck.radius + 0.5 - Math.hypot(px - speck.x, py - speck.y));
          r += (scene.ink[0] - r) * dot;
          g += (scene.ink[1] - g) * dot;
          b += (scene.ink[2] - b) * dot;
        }
        r += (scene.ink[0] - r) * c;
        g += (scene.ink[1] - g) * c;
        b += (scene.ink[2] - b) * c;
      }

      let light = 1 + ((scene.gradient / paperLuma) * -(gx * (px - width / 2) + gy * (py - height / 2))) / reach;
      if (shadow !== undefined) {
        const beyond = sx * (px - shadow.x) + sy * (py - shadow.y);
        light *= 1 - shadow.depth * smoothstep(0.5 + beyond / Math.max(1e-9, shadow.softness));
      }
      const p = y * width + x;
      planes[0][p] = r * light;
      planes[1][p] = g * light;
      planes[2][p] = b * light;
    }
  }

  const blurred = scene.blur > 0 ? planes.map((plane) => blurPlane(plane, width, height, scene.blur)) : planes;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const n = scene.noise > 0 ? gaussian(rng) * scene.noise : 0;
    for (let ch = 0; ch < 3; ch++) {
      const v = Math.round(blurred[ch][p] + n);
      data[p * 3 + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width, height, channels: 3, data };
}

/**
 * Where a scene puts the digit's ink: the box (exclusive ends) of the pixels that a quarter or
 * more of ink covers, from the same scene rendered without any effect (white paper, black ink).
 */
export function inkBoxInPhoto(ink: InkImage, scene: PhotoScene): { x0: number; y0: number; x1: number; y1: number } {
  const bare = renderPhoto(
    ink,
    {
      ...scene,
      gradient: 0,
      blur: 0,
      noise: 0,
      shadow: undefined,
      ruled: undefined,
      edge: undefined,
      specks: undefined,
      paper: [255, 255, 255],
      ink: [0, 0, 0],
    },
    { next: () => 0, nextUint32: () => 0, nextInt: () => 0 },
  );
  let [x0, y0, x1, y1] = [bare.width, bare.height, 0, 0];
  for (let p = 0; p < bare.width * bare.height; p++) {
    if (bare.data[p * 3] > 255 - 64) continue;
    const [x, y] = [p % bare.width, Math.floor(p / bare.width)];
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
  }
  return { x0, y0, x1, y1 };
}
