/**
 * Photo path, step 5: which components are the digit. A photo holds the digit's strokes (one
 * piece, or a few when the pen lifted or the ink is faint) and things that are not the digit:
 * specks of dust, the table beyond the paper's edge, ruled lines, the rim of a shadow. The
 * rules, in order:
 *
 * 1. Edges: a thin component that runs along a side of the picture, touching it, over (nearly)
 *    the whole side is the table beyond the paper's edge, never the digit. (A digit framed
 *    tightly spans the picture across, touching two opposite sides with its ends, not along.)
 * 2. Main: the component with the most ink (foreground mass), where the ink of components that
 *    touch the border counts `borderWeight` times only: things cut off by the frame (other
 *    writing, the rim of a shadow, a corner of the table) rarely are the digit, but a digit
 *    framed tightly, touching the edge, still is when nothing inside holds comparable ink.
 * 3. Parts: other components join when they are not specks (at least `minComponentShare` of the
 *    main component's area) and near the digit (a gap of at most `maxComponentGap` × the main
 *    component's long side from the box of the parts so far), repeatedly until none joins.
 *    When the main component lies inside, border-touching ones never join.
 */

import type { Component } from './connected-components.js';

/** Settings of {@link selectDigit} (see photo-settings.ts). */
export interface SelectionSettings {
  readonly minComponentShare: number;
  readonly maxComponentGap: number;
  readonly edgeSpan: number;
  readonly edgeThickness: number;
  readonly borderWeight: number;
}

/** The digit: its components' ids and their joint box (inclusive, working-plane pixels). */
export interface DigitSelection {
  readonly ids: ReadonlySet<number>;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Rule 1: a thin component along a whole side, touching it. */
export function isEdge(c: Component, width: number, height: number, s: SelectionSettings): boolean {
  const w = c.x1 - c.x0 + 1;
  const h = c.y1 - c.y0 + 1;
  const alongTopOrBottom = (c.y0 === 0 || c.y1 === height - 1) && w >= s.edgeSpan * width && h <= s.edgeThickness * height;
  const alongLeftOrRight = (c.x0 === 0 || c.x1 === width - 1) && h >= s.edgeSpan * height && w <= s.edgeThickness * width;
  return alongTopOrBottom || alongLeftOrRight;
}

/**
 * Picks the digit's components from `components` of a `width × height` plane; `undefined` when
 * there is nothing but edges.
 *
 * @example
 * ```ts
 * const digit = selectDigit(list, w, h, PHOTO_SETTINGS);
 * if (digit !== undefined) crop(digit.x0, digit.y0, digit.x1, digit.y1);
 * ```
 */
export function selectDigit(components: readonly Component[], width: number, height: number, s: SelectionSettings): DigitSelection | undefined {
  const notEdges = components.filter((c) => !isEdge(c, width, height, s));
  if (notEdges.length === 0) return undefined;
  const weight = (c: Component) => (c.touchesBorder ? c.mass * s.borderWeight : c.mass);
  let main = notEdges[0];
  for (const c of notEdges) if (weight(c) > weight(main)) main = c;
  const candidates = main.touchesBorder ? notEdges : notEdges.filter((c) => !c.touchesBorder);

  const ids = new Set([main.id]);
  let { x0, y0, x1, y1 } = main;
  const reach = s.maxComponentGap * Math.max(main.x1 - main.x0 + 1, main.y1 - main.y0 + 1);
  const minArea = s.minComponentShare * main.area;
  for (let joined = true; joined; ) {
    joined = false;
    for (const c of candidates) {
      if (ids.has(c.id) || c.area < minArea) continue;
      const gap = Math.max(c.x0 - x1, x0 - c.x1, c.y0 - y1, y0 - c.y1, 0);
      if (gap > reach) continue;
      ids.add(c.id);
      x0 = Math.min(x0, c.x0);
      y0 = Math.min(y0, c.y0);
      x1 = Math.max(x1, c.x1);
      y1 = Math.max(y1, c.y1);
      joined = true;
    }
  }
  return { ids, x0, y0, x1, y1 };
}
