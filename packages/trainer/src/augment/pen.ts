/** A point of a stroke, in pixels of the image drawn into. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * An anti-aliased line of half-width `r` with round caps into a `size × size` image (light ink on
 * black), combined with what is there by max, as a pen draws over its own strokes.
 */
export function drawLine(
  image: Uint8Array,
  size: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  r: number,
): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const lengthSquared = dx * dx + dy * dy || 1;
  const minX = Math.max(0, Math.floor(Math.min(x0, x1) - r - 1));
  const maxX = Math.min(size - 1, Math.ceil(Math.max(x0, x1) + r + 1));
  const minY = Math.max(0, Math.floor(Math.min(y0, y1) - r - 1));
  const maxY = Math.min(size - 1, Math.ceil(Math.max(y0, y1) + r + 1));
  for (let y = minY; y <= maxY; y++) {
    for (let x = minX; x <= maxX; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / lengthSquared));
      const distance = Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
      const coverage = Math.max(0, Math.min(1, r + 0.5 - distance));
      const value = Math.round(255 * coverage);
      const i = y * size + x;
      if (value > image[i]) image[i] = value;
    }
  }
}

/** Segments per span of a curve: short enough that a 20-pixel digit's curves look round. */
const SEGMENTS_PER_SPAN = 6;

/**
 * A smooth pen stroke through `points` (a Catmull–Rom spline: it passes through every point, so a
 * template reads as the path a writer's pen takes), drawn as short lines of half-width `r`.
 */
export function drawCurve(image: Uint8Array, size: number, points: readonly Point[], r: number): void {
  if (points.length === 1) {
    drawLine(image, size, points[0].x, points[0].y, points[0].x, points[0].y, r);
    return;
  }
  let previous = points[0];
  for (let i = 0; i + 1 < points.length; i++) {
    const p0 = points[Math.max(0, i - 1)];
    const p1 = points[i];
    const p2 = points[i + 1];
    const p3 = points[Math.min(points.length - 1, i + 2)];
    for (let s = 1; s <= SEGMENTS_PER_SPAN; s++) {
      const t = s / SEGMENTS_PER_SPAN;
      const next = catmullRom(p0, p1, p2, p3, t);
      drawLine(image, size, previous.x, previous.y, next.x, next.y, r);
      previous = next;
    }
  }
}

function catmullRom(p0: Point, p1: Point, p2: Point, p3: Point, t: number): Point {
  const t2 = t * t;
  const t3 = t2 * t;
  const blend = (a: number, b: number, c: number, d: number) =>
    0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (3 * b - a - 3 * c + d) * t3);
  return { x: blend(p0.x, p1.x, p2.x, p3.x), y: blend(p0.y, p1.y, p2.y, p3.y) };
}
