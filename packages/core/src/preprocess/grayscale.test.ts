import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alphaMatte, toGrayscale } from './grayscale.js';
import type { RawImage } from './raw-image.js';

const rgba = (...pixels: number[][]): RawImage => ({
  width: pixels.length,
  height: 1,
  channels: 4,
  data: Uint8Array.from(pixels.flat()),
});

describe('toGrayscale', () => {
  it('uses Rec. 601 luma, rounded, for RGB', () => {
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 255],
      [12, 200, 99],
    ];
    const data = Uint8Array.from(colours.flat());
    const image: RawImage = { width: 5, height: 1, channels: 3, data };
    const expected = colours.map(([r, g, b]) => Math.round(0.299 * r + 0.587 * g + 0.114 * b));
    assert.deepEqual([...toGrayscale(image)], expected);
  });

  it('copies 1-channel data into a new array', () => {
    const data = Uint8Array.of(1, 2, 3, 4);
    const gray = toGrayscale({ width: 2, height: 2, channels: 1, data });
    assert.deepEqual(gray, data);
    assert.notEqual(gray, data);
  });

  it('ignores alpha when every pixel is opaque', () => {
    assert.deepEqual([...toGrayscale(rgba([0, 0, 0, 255], [200, 200, 200, 255]))], [0, 200]);
    const data = Uint8Array.of(9, 255, 240, 255);
    const grayAlpha: RawImage = { width: 2, height: 1, channels: 2, data };
    assert.deepEqual([...toGrayscale(grayAlpha)], [9, 240]);
  });

  it('mattes transparency onto white under dark strokes, whatever RGB hides under alpha 0', () => {
    for (const hidden of [0, 255, 77]) {
      const image = rgba([0, 0, 0, 255], [hidden, hidden, hidden, 0], [0, 0, 0, 128]);
      assert.equal(alphaMatte(image), 255);
      // Half-covered black over white: (128·0 + 127·255) / 255 = 127.
      assert.deepEqual([...toGrayscale(image)], [0, 255, 127]);
    }
  });

  it('mattes transparency onto black under light strokes', () => {
    const image = rgba([255, 255, 255, 255], [0, 0, 0, 0], [255, 255, 255, 128]);
    assert.equal(alphaMatte(image), 0);
    assert.deepEqual([...toGrayscale(image)], [255, 0, 128]);
  });

  it('weighs stroke tone by alpha: faint dark haze does not outvote opaque light strokes', () => {
    const image = rgba([250, 250, 250, 255], [250, 250, 250, 255], [0, 0, 0, 20], [0, 0, 0, 20]);
    assert.equal(alphaMatte(image), 0);
  });

  it('treats a fully transparent image as background everywhere', () => {
    assert.deepEqual([...toGrayscale(rgba([9, 9, 9, 0], [200, 0, 0, 0]))], [255, 255]);
  });
});
