import type { Rng } from '@onnxpipe/core';
import { drawLine } from './pen.js';

/**
 * Writing conventions MNIST (American writers) barely has, drawn onto its digits: many people
 * write a 1 with a long up-stroke (a flag) and sometimes a base, a 7 with a bar across the stem,
 * a 9 with a foot. Without them a model reads such 1s as 7 or 4, such 7s and 9s as 2 — the most
 * frequent errors on real handwriting outside MNIST (issue 10). Strokes are anti-aliased lines as wide as the
 * digit's own strokes, drawn into the 28×28 source image (light ink on black) in place.
 */
export function addStyleStrokes(image: Uint8Array, size: number, label: number, random: Rng): void {
  if (label !== 1 && label !== 7 && label !== 9) return;
  const box = inkBox(image, size);
  if (box === undefined) return;
  const height = box.bottom - box.top + 1;
  const halfWidth = Math.min(2, Math.max(0.8, strokeWidth(image, box, label) / 2));
  if (label === 9) {
    const bottom = bottomPoint(image, size, box.bottom);
    const half = height * (0.12 + 0.12 * random.next());
    const offset = (random.next() - 0.5) * half;
    drawLine(image, size, bottom.x - half + offset, bottom.y, bottom.x + half + offset, bottom.y, halfWidth);
    return;
  }
  if (label === 1) {
    const top = topPoint(image, size, box.top);
    // The flag goes down and to the left, 20–50° below the horizontal.
    const angle = ((20 + 30 * random.next()) * Math.PI) / 180;
    const length = height * (0.25 + 0.25 * random.next());
    drawLine(image, size, top.x, top.y, top.x - length * Math.cos(angle), top.y + length * Math.sin(angle), halfWidth);
    if (random.next() < 0.3) {
      const bottom = bottomPoint(image, size, box.bottom);
      const half = height * (0.12 + 0.12 * random.next());
      drawLine(image, size, bottom.x - half, bottom.y, bottom.x + half, bottom.y, halfWidth);
    }
    return;
  }
  // The bar crosses the stem about halfway down, a little tilted.
  const row = Math.round(box.top + height * (0.45 + 0.15 * random.next()));
  const centre = rowCentre(image, size, Math.min(size - 1, row));
  if (centre === undefined) return;
  const width = box.right - box.left + 1;
  const half = (width * (0.35 + 0.25 * random.next())) / 2;
  const tilt = Math.tan(((random.next() - 0.5) * 16 * Math.PI) / 180) * half;
  drawLine(image, size, centre - half, row + tilt, centre + half, row - tilt, halfWidth);
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

const INK = 128;

function inkBox(image: Uint8Array, size: number): Box | undefined {
  let left = size;
  let top = size;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (image[y * size + x] <= INK) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? undefined : { left, top, right, bottom };
}

/**
 * Ink area over the length of the strokes: a 1 is about as long as it is high, a 7 as its height
 * plus its width, a 9 as twice its height.
 */
function strokeWidth(image: Uint8Array, box: Box, label: number): number {
  let area = 0;
  for (const value of image) area += value / 255;
  const height = box.bottom - box.top + 1;
  return area / (label === 1 ? height : label === 7 ? height + box.right - box.left + 1 : 2 * height);
}

function rowCentre(image: Uint8Array, size: number, row: number): number | undefined {
  let sum = 0;
  let weight = 0;
  for (let x = 0; x < size; x++) {
    const v = image[row * size + x];
    if (v > INK) {
      sum += v * (x + 0.5);
      weight += v;
    }
  }
  return weight === 0 ? undefined : sum / weight;
}

function topPoint(image: Uint8Array, size: number, top: number): { x: number; y: number } {
  return { x: rowCentre(image, size, top) ?? size / 2, y: top + 0.5 };
}

function bottomPoint(image: Uint8Array, size: number, bottom: number): { x: number; y: number } {
  return { x: rowCentre(image, size, bottom) ?? size / 2, y: bottom + 0.5 };
}
