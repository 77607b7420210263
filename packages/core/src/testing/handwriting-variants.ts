import { toGrayscale } from '../preprocess/grayscale.js';
import type { RawImage } from '../preprocess/raw-image.js';

// Real handwriting reaches the model in more forms than the pen-on-tablet renderings of the
// development set: envelope scans at 16×16, binarised form scans, bitmaps, other pens, slanted
// writing, a small digit somewhere on a page, light ink on a dark screen. Each variant below
// turns one dev-set digit (dark ink on white, 1 channel) into such a form, so that a served
// model's accuracy can be measured per form (`npm run bench:handwriting`, test floors), as
// other people's digits will arrive. Pure functions of the pixels: deterministic, isomorphic.

/** A named form of handwriting and how to make it from a dev-set digit. */
export interface HandwritingVariant {
  readonly name: string;
  /** One line for the table in docs/benchmarks.md. */
  readonly description: string;
  make(image: RawImage): RawImage;
  /** How the client would send it. @defaultValue png */
  readonly encoding?: { readonly format: 'jpeg'; readonly quality: number };
}

/** `image` as one gray channel (the dev set is gray already; other inputs as preprocessing reads them). */
function gray(image: RawImage): RawImage {
  if (image.channels === 1) return image;
  return { width: image.width, height: image.height, channels: 1, data: toGrayscale(image) };
}

/** The box of pixels darker than `level`, widened by `margin` (clamped to the image). */
function darkBox(image: RawImage, level = 128, margin = 0): { x0: number; y0: number; x1: number; y1: number } {
  let [x0, y0, x1, y1] = [image.width, image.height, -1, -1];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[y * image.width + x] >= level) continue;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
    }
  }
  if (x1 < 0) return { x0: 0, y0: 0, x1: image.width, y1: image.height };
  return {
    x0: Math.max(0, x0 - margin),
    y0: Math.max(0, y0 - margin),
    x1: Math.min(image.width, x1 + margin),
    y1: Math.min(image.height, y1 + margin),
  };
}

/**
 * Area-averaged resampling of the window [x0, x1) × [y0, y1) into `width × height`, on a white
 * background where the window leaves the image.
 */
function resampleWindow(
  image: RawImage,
  window: { x0: number; y0: number; x1: number; y1: number },
  width: number,
  height: number,
): RawImage {
  const out = new Uint8Array(width * height);
  const sx = (window.x1 - window.x0) / width;
  const sy = (window.y1 - window.y0) / height;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const ax = window.x0 + u * sx;
      const ay = window.y0 + v * sy;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(ay); y < Math.ceil(ay + sy); y++) {
        const wy = Math.min(y + 1, ay + sy) - Math.max(y, ay);
        for (let x = Math.floor(ax); x < Math.ceil(ax + sx); x++) {
          const wx = Math.min(x + 1, ax + sx) - Math.max(x, ax);
          const inside = x >= 0 && y >= 0 && x < image.width && y < image.height;
          sum += wx * wy * (inside ? image.data[y * image.width + x] : 255);
          area += wx * wy;
        }
      }
      out[v * width + u] = Math.round(sum / area);
    }
  }
  return { width, height, channels: 1, data: out };
}

/** The digit's box (with a little margin), made square around its centre, scaled to `side`. */
function squareThumbnail(image: RawImage, side: number, margin: number): RawImage {
  const box = darkBox(image, 128, margin);
  const size = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  return resampleWindow(
    image,
    { x0: cx - size / 2, y0: cy - size / 2, x1: cx + size / 2, y1: cy + size / 2 },
    side,
    side,
  );
}

function threshold(image: RawImage, level = 128): RawImage {
  return { ...image, data: image.data.map((v) => (v < level ? 0 : 255)) };
}

/** Grayscale erosion of the ink (a max filter on dark-on-white) or dilation (a min filter), radius `r`. */
function pen(image: RawImage, r: number, kind: 'thicker' | 'thinner'): RawImage {
  const { width, height } = image;
  const out = new Uint8Array(width * height);
  const thicker = kind === 'thicker';
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = thicker ? 255 : 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          if (dx * dx + dy * dy > r * r) continue;
          const [xx, yy] = [x + dx, y + dy];
          const v = xx < 0 || yy < 0 || xx >= width || yy >= height ? 255 : image.data[yy * width + xx];
          best = thicker ? Math.min(best, v) : Math.max(best, v);
        }
      }
      out[y * width + x] = best;
    }
  }
  return { width, height, channels: 1, data: out };
}

/** Horizontal shear about the centre (x' = x + k·(y − h/2)), bilinear, on a canvas wide enough. */
function slant(image: RawImage, k: number): RawImage {
  const extra = Math.ceil(Math.abs(k) * image.height);
  const width = image.width + extra;
  const { height } = image;
  const out = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < height; y++) {
    const shift = k * (y + 0.5 - height / 2) + extra / 2;
    for (let x = 0; x < width; x++) {
      const sx = x - shift;
      const x0 = Math.floor(sx);
      const f = sx - x0;
      const left = x0 < 0 || x0 >= image.width ? 255 : image.data[y * image.width + x0];
      const right = x0 + 1 < 0 || x0 + 1 >= image.width ? 255 : image.data[y * image.width + x0 + 1];
      out[y * width + x] = Math.round((1 - f) * left + f * right);
    }
  }
  return { width, height, channels: 1, data: out };
}

/** The digit at `side` px placed at (x, y) on a white `width × height` page. */
function onPage(image: RawImage, side: number, width: number, height: number, x: number, y: number): RawImage {
  const digit = squareThumbnail(image, side, 2);
  const out = new Uint8Array(width * height).fill(255);
  for (let v = 0; v < side; v++) out.set(digit.data.subarray(v * side, (v + 1) * side), (y + v) * width + x);
  return { width, height, channels: 1, data: out };
}

export const HANDWRITING_VARIANTS: readonly HandwritingVariant[] = [
  {
    name: 'as drawn',
    description: 'the dev set as it is: 128×128, pen strokes 1/12 of the height, anti-aliased',
    make: gray,
  },
  {
    name: 'envelope 16×16',
    description: 'scaled down into 16×16 gray, as USPS envelope scans',
    make: (i) => squareThumbnail(gray(i), 16, 1),
  },
  {
    name: 'binary 16×16',
    description: '16×16 and thresholded to black and white, as binarised form scans',
    make: (i) => threshold(squareThumbnail(gray(i), 16, 1)),
  },
  {
    name: 'bitmap 32×32',
    description: '32×32 black-and-white bitmap, as digitised forms',
    make: (i) => threshold(squareThumbnail(gray(i), 32, 1)),
  },
  { name: 'thick pen', description: 'strokes ~2× wider (a felt pen)', make: (i) => pen(gray(i), 4, 'thicker') },
  { name: 'thin pen', description: 'strokes ~half as wide (a fine pen)', make: (i) => pen(gray(i), 2, 'thinner') },
  { name: 'slanted right', description: 'sheared 17° to the right', make: (i) => slant(gray(i), -0.3) },
  { name: 'slanted left', description: 'sheared 17° to the left', make: (i) => slant(gray(i), 0.3) },
  {
    name: 'small on a page',
    description: '40 px tall, off-centre on a white 320×240 page',
    make: (i) => onPage(gray(i), 40, 320, 240, 210, 30),
  },
  {
    name: 'light on dark',
    description: 'white ink on black (a dark-mode canvas)',
    make: (i) => {
      const g = gray(i);
      return { ...g, data: g.data.map((v) => 255 - v) };
    },
  },
  {
    name: 'JPEG q50',
    description: 'saved as JPEG at quality 50',
    make: gray,
    encoding: { format: 'jpeg', quality: 50 },
  },
];
