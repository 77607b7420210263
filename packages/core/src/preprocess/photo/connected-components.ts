/**
 * Photo path, step 4: the ink pixels grouped into connected components (8-connected, so a
 * diagonal stroke one pixel wide stays one piece), with what the digit selection needs to know
 * about each.
 */

/** One connected group of ink pixels. Boxes are inclusive: columns `x0..x1`, rows `y0..y1`. */
export interface Component {
  /** Label of its pixels in {@link Components.labels}: 1, 2, ... */
  readonly id: number;
  readonly area: number;
  /** Sum of the plane's values over its pixels: how much ink it holds. */
  readonly mass: number;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** It has a pixel in the plane's first or last row or column. */
  readonly touchesBorder: boolean;
  /** Its pixels in the plane's first or last row, whichever holds more. */
  readonly rowContact: number;
  /** Its pixels in the plane's first or last column, whichever holds more. */
  readonly columnContact: number;
}

/** Every component of a plane, and each pixel's label (0: not ink). */
export interface Components {
  /** `width × height` labels; the array is reused by the next call: read it before then. */
  readonly labels: Int32Array;
  readonly list: readonly Component[];
}

// The flood fill's stack (at most one entry per pixel) and the labels, reused.
let stack = new Int32Array(0);
let labelScratch = new Int32Array(0);

/**
 * Labels the pixels of `plane` (`width × height`) above `threshold` by flood fill.
 * Components are numbered in raster order of their first pixel, so the result is deterministic.
 *
 * @example
 * ```ts
 * const { labels, list } = connectedComponents(foreground, w, h, stats.threshold);
 * const largest = list.reduce((a, b) => (b.mass > a.mass ? b : a));
 * ```
 */
export function connectedComponents(plane: Int32Array, width: number, height: number, threshold: number): Components {
  const size = width * height;
  if (stack.length < size) {
    stack = new Int32Array(size);
    labelScratch = new Int32Array(size);
  }
  const labels = labelScratch.subarray(0, size);
  labels.fill(0);
  const list: Component[] = [];
  for (let start = 0; start < size; start++) {
    if (labels[start] !== 0 || !(plane[start] > threshold)) continue;
    const id = list.length + 1;
    let area = 0;
    let mass = 0;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let [left, right, up, down] = [0, 0, 0, 0];
    let top = 0;
    stack[top++] = start;
    labels[start] = id;
    while (top > 0) {
      const p = stack[--top];
      const y = (p / width) | 0;
      const x = p - y * width;
      area++;
      mass += plane[p];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (x === 0) left++;
      if (x === width - 1) right++;
      if (y === 0) up++;
      if (y === height - 1) down++;
      const yFrom = y > 0 ? y - 1 : y;
      const yTo = y < height - 1 ? y + 1 : y;
      const xFrom = x > 0 ? x - 1 : x;
      const xTo = x < width - 1 ? x + 1 : x;
      for (let ny = yFrom; ny <= yTo; ny++) {
        for (let nx = xFrom; nx <= xTo; nx++) {
          const q = ny * width + nx;
          if (labels[q] === 0 && plane[q] > threshold) {
            labels[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    const rowContact = Math.max(up, down);
    const columnContact = Math.max(left, right);
    list.push({
      id,
      area,
      mass,
      x0,
      y0,
      x1,
      y1,
      touchesBorder: rowContact + columnContact > 0,
      rowContact,
      columnContact,
    });
  }
  return { labels, list };
}
