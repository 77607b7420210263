/**
 * Photo path, step 5: which components are the digit. A photo holds the digit's strokes (one
 * piece, or a few when the pen lifted or the ink is faint) and things that are not the digit:
 * specks of dust, the table beyond the paper's edge, ruled lines, the rim of a shadow. The
 * rules, in order:
 *
 * 1. Attached to the border: a component whose contact with a side of the picture is longer
 *    than `maxBorderContact` × how far it reaches in from that side is the table beyond the
 *    paper's edge, or the corner of a shadow too narrow for the background window — never the
 *    digit. (A digit cut off by the frame touches it with the ends or the outer curve of its
 *    strokes, and reaches far in.)
 * 2. Main: the component with the most ink (foreground mass), where the ink of components that
 *    touch the border counts `borderWeight` times only: things cut off by the frame (other
 *    writing, the rim of a shadow, a corner of the table) rarely are the digit, but a digit
 *    framed tightly, touching the edge, still is when nothing inside holds comparable ink —
 *    if it covers at least `minBorderDigitShare` of the picture, as a digit that reaches the
 *    frame does (pieces of a shadow's rim cover less).
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
  readonly maxBorderContact: number;
  readonly borderWeight: number;
  readonly minBorderDigitShare: number;
}

/** The digit: its components' ids and their joint box (inclusive, working-plane pixels). */
export interface DigitSelection {
  readonly ids: ReadonlySet<number>;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Rule 1: a component lying against the border rather than touching it. */
export function isAttachedToBorder(c: Component, s: SelectionSettings): boolean {
  return (
    c.rowContact > s.maxBorderContact * (c.y1 - c.y0 + 1) || c.columnContact > s.maxBorderContact * (c.x1 - c.x0 + 1)
  );
}

/**
 * Picks the digit's components from `components` of a `width × height` plane; `undefined` when
 * there is nothing but things attached to the border.
 *
 * @example
 * ```ts
 * const digit = selectDigit(list, w, h, PHOTO_SETTINGS);
 * if (digit !== undefined) crop(digit.x0, digit.y0, digit.x1, digit.y1);
 * ```
 */
export function selectDigit(
  components: readonly Component[],
  width: number,
  height: number,
  s: SelectionSettings,
): DigitSelection | undefined {
  const minBorderArea = s.minBorderDigitShare * width * height;
  const detached = components.filter((c) => !isAttachedToBorder(c, s) && (!c.touchesBorder || c.area >= minBorderArea));
  if (detached.length === 0) return undefined;
  const weight = (c: Component) => (c.touchesBorder ? c.mass * s.borderWeight : c.mass);
  let main = detached[0];
  for (const c of detached) if (weight(c) > weight(main)) main = c;
  const candidates = main.touchesBorder ? detached : detached.filter((c) => !c.touchesBorder);

  const ids = new Set([main.id]);
  let { x0, y0, x1, y1 } = main;
  const reach = s.maxComponentGap * Math.max(main.x1 - main.x0 + 1, main.y1 - main.y0 + 1);
  const minArea = s.minComponentShare * main.area;
  for (let joined = true; joined;) {
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
