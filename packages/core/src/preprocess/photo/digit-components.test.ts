import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Component } from './connected-components.js';
import { isAttachedToBorder, selectDigit } from './digit-components.js';
import { PHOTO_SETTINGS } from './photo-settings.js';

const [W, H] = [128, 128];
let nextId = 1;
/**
 * A component with the given inclusive box; area and mass from a fill ratio and an ink level;
 * its pixels on the border rows and columns `[row, column]`, else as many as its box has there.
 */
function part(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  fill = 0.3,
  level = 150,
  contact?: [number, number],
): Component {
  const area = Math.max(1, Math.round((x1 - x0 + 1) * (y1 - y0 + 1) * fill));
  const [rowContact, columnContact] = contact ?? [
    y0 === 0 || y1 === H - 1 ? x1 - x0 + 1 : 0,
    x0 === 0 || x1 === W - 1 ? y1 - y0 + 1 : 0,
  ];
  return {
    id: nextId++,
    area,
    mass: area * level,
    x0,
    y0,
    x1,
    y1,
    touchesBorder: rowContact + columnContact > 0,
    rowContact,
    columnContact,
  };
}
const select = (parts: Component[]) => selectDigit(parts, W, H, PHOTO_SETTINGS);
const ids = (parts: Component[]) => new Set(parts.map((p) => p.id));

describe('selectDigit (photo path, step 5)', () => {
  it("attached to the border: the table along a side, a shadow's corner; a digit cut off by the frame is not", () => {
    assert.ok(isAttachedToBorder(part(0, 110, 127, 127, 1), PHOTO_SETTINGS), 'the table along the bottom');
    assert.ok(
      isAttachedToBorder(part(0, 0, 61, 30, 0.55, 60, [41, 12]), PHOTO_SETTINGS),
      "a shadow's corner: 41 px along the top, reaching 31 px down",
    );
    assert.equal(
      isAttachedToBorder(part(60, 0, 70, 127, 0.3, 150, [6, 0]), PHOTO_SETTINGS),
      false,
      'a tightly framed 1 touches top and bottom with its ends',
    );
    assert.equal(
      isAttachedToBorder(part(0, 2, 110, 125, 0.2, 150, [0, 38]), PHOTO_SETTINGS),
      false,
      'a large 0 flattened against the left side reaches far in',
    );
    assert.equal(
      isAttachedToBorder(part(0, 40, 127, 41, 1, 60, [0, 2]), PHOTO_SETTINGS),
      false,
      'a ruled line touches the sides with its ends',
    );
    assert.equal(
      select([part(0, 110, 127, 127, 1), part(0, 0, 61, 30, 0.55, 60, [41, 12])]),
      undefined,
      'nothing but such: no digit',
    );
  });

  it('the main component is the one with the most ink; what touches the border counts a quarter', () => {
    const digit = part(40, 40, 80, 90);
    const cutOff = part(0, 10, 30, 60, 0.5, 150, [0, 8]); // more ink than the digit, but cut off by the frame
    assert.deepEqual(select([cutOff, digit])?.ids, ids([digit]));
    const tight = part(50, 0, 75, 127, 0.3, 150, [10, 0]); // the digit itself, framed tightly
    const speck = part(100, 60, 102, 62);
    assert.deepEqual(select([tight, speck])?.ids, ids([tight]));
    const rimPiece = part(113, 47, 127, 57, 0.6, 60, [0, 11]); // 1 % of the picture, against the right side
    assert.equal(select([rimPiece]), undefined, 'a small piece cut off by the frame is not a digit on its own');
  });

  it('broken strokes join; specks and far-away marks do not', () => {
    const stem = part(60, 50, 66, 85, 0.8); // 36 px long: parts may be up to 0.6 × 36 px away
    const bar = part(45, 40, 80, 46, 0.8); // the bar of a 7 written in two strokes, 3 px above
    const speck = part(70, 90, 71, 91, 1); // dust just below: too small
    const far = part(108, 5, 115, 12, 0.6); // another mark, 28 px beyond the digit's box
    const found = select([stem, bar, speck, far]);
    assert.deepEqual(found?.ids, ids([stem, bar]));
    assert.deepEqual([found?.x0, found?.y0, found?.x1, found?.y1], [45, 40, 80, 85]);
  });

  it('when the digit lies inside, nothing that touches the border joins it', () => {
    const digit = part(40, 40, 80, 90);
    const shadowRim = part(0, 85, 50, 95, 0.5, 150, [0, 5]); // near, large, but touching the border
    assert.deepEqual(select([digit, shadowRim])?.ids, ids([digit]));
  });
});
