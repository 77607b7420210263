import { strokeBounds, type Polyline } from './stroke-paths.js';

// How a recovered digit is drawn again on the demo's pad: how large, how slanted, where, and with
// which of the pad's pens — the ways people's digits on a canvas differ from the dev set's
// renderings. Used by the canvas accuracy test and `npm run bench:canvas`.

/** The demo pad's pen widths (packages/web/demo/lib/drawing-pad.ts, the `#pen` control's values). */
export type PadPen = 'thin' | 'medium' | 'thick';

/** One way of drawing the digits. */
export interface CanvasCondition {
  readonly name: string;
  /** The digit's height (its centre lines') as a fraction of the pad's side; wide digits are fitted by their width. */
  readonly size: number;
  /** Shear in degrees: positive leans the top to the right (forward slant), negative back. */
  readonly slant: number;
  readonly pen: PadPen;
  /** Where the digit's centre goes, in the pad's unit square. @defaultValue `[0.5, 0.5]` */
  readonly centre?: readonly [number, number];
}

/** A stroke in the pad's unit square: (0, 0) top left, (1, 1) bottom right. */
export type PadStroke = readonly (readonly [number, number])[];

/** The thickest pen's half width, and a little more: no digit is drawn closer to the pad's edge. */
const EDGE_MARGIN = 0.07;

/** The conditions of `npm run bench:canvas`: one change from the baseline at a time, then some together. */
export const CANVAS_CONDITIONS: readonly CanvasCondition[] = Object.freeze([
  { name: 'baseline: medium size, upright, medium pen', size: 0.6, slant: 0, pen: 'medium' },
  { name: 'small (30 %)', size: 0.3, slant: 0, pen: 'medium' },
  { name: 'large (85 %)', size: 0.85, slant: 0, pen: 'medium' },
  { name: 'slanted forward 18°', size: 0.6, slant: 18, pen: 'medium' },
  { name: 'slanted back 18°', size: 0.6, slant: -18, pen: 'medium' },
  { name: 'thin pen', size: 0.6, slant: 0, pen: 'thin' },
  { name: 'thick pen', size: 0.6, slant: 0, pen: 'thick' },
  { name: 'small, thick pen', size: 0.3, slant: 0, pen: 'thick' },
  { name: 'large, thin pen', size: 0.85, slant: 0, pen: 'thin' },
  { name: 'small, thin pen, forward 18°, top left', size: 0.3, slant: 18, pen: 'thin', centre: [0.3, 0.3] },
  { name: 'large, thick pen, back 15°', size: 0.85, slant: -15, pen: 'thick' },
] satisfies CanvasCondition[]);

/**
 * Places recovered strokes (in their picture's pixels) on the pad as `condition` says: scaled to
 * its size, sheared about the digit's middle, moved to its centre — and moved or shrunk back
 * inside the pad if the slant pushed it over an edge.
 *
 * @example
 * ```ts
 * const { strokes } = recoverStrokes(item.image);
 * await drawOnPad(page, placeOnPad(strokes, CANVAS_CONDITIONS[0]));
 * ```
 */
export function placeOnPad(strokes: readonly Polyline[], condition: CanvasCondition): PadStroke[] {
  const box = strokeBounds(strokes);
  const scale = condition.size / Math.max(box.height, box.width, 1e-6);
  const middleY = box.y + box.height / 2;
  const shear = Math.tan((condition.slant * Math.PI) / 180);
  const placed = strokes.map((stroke) =>
    stroke.map(([x, y]): [number, number] => {
      const dy = (y - middleY) * scale;
      return [(x - box.x - box.width / 2) * scale - shear * dy, dy];
    }),
  );
  // Fit inside the pad (a wide digit slanted), then put its box's centre where asked, clamped.
  const bounds = strokeBounds(placed);
  const room = 1 - 2 * EDGE_MARGIN;
  const fit = Math.min(1, room / Math.max(bounds.width, 1e-6), room / Math.max(bounds.height, 1e-6));
  const [cx, cy] = condition.centre ?? [0.5, 0.5];
  const half = [(bounds.width * fit) / 2, (bounds.height * fit) / 2];
  const tx = Math.min(1 - EDGE_MARGIN - half[0], Math.max(EDGE_MARGIN + half[0], cx));
  const ty = Math.min(1 - EDGE_MARGIN - half[1], Math.max(EDGE_MARGIN + half[1], cy));
  const mx = bounds.x + bounds.width / 2;
  const my = bounds.y + bounds.height / 2;
  return placed.map((stroke) => stroke.map(([x, y]) => [tx + (x - mx) * fit, ty + (y - my) * fit] as const));
}
