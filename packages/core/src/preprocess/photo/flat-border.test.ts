import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../rng.js';
import { gaussian } from '../../testing/photo-like.js';
import type { RawImage } from '../raw-image.js';
import { hasFlatBorder, ringThickness } from './flat-border.js';
import { PHOTO_SETTINGS } from './photo-settings.js';

const { flatBorderSpread: spread, flatBorderShare: share } = PHOTO_SETTINGS;

function gray(width: number, height: number, value: (x: number, y: number) => number): RawImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = Math.max(0, Math.min(255, Math.round(value(x, y))));
  return { width, height, channels: 1, data };
}

describe('hasFlatBorder (the clean check)', () => {
  it('ring thickness is 1/32 of the short side, at least 1', () => {
    assert.equal(ringThickness(28, 28), 1);
    assert.equal(ringThickness(256, 100), 3);
    assert.equal(ringThickness(256, 256), 8);
  });

  it('flat: one paper value, with or without a digit inside, and with strokes over up to a tenth of the ring', () => {
    assert.ok(
      hasFlatBorder(
        gray(64, 64, () => 255),
        spread,
        share,
      ),
    );
    assert.ok(
      hasFlatBorder(
        gray(64, 64, (x, y) => (Math.hypot(x - 32, y - 32) < 20 ? 0 : 205)),
        spread,
        share,
      ),
    );
    // A vertical stroke through the top and bottom edges: 2 × 4 of the ring's 252 pixels.
    assert.ok(
      hasFlatBorder(
        gray(64, 64, (x) => (x >= 30 && x < 34 ? 0 : 255)),
        spread,
        share,
      ),
    );
    // A stroke through the top-left corner: the ring's first pixel is ink, the paper still flat.
    assert.ok(
      hasFlatBorder(
        gray(64, 64, (x, y) => (Math.abs(x - y) < 2 ? 0 : 255)),
        spread,
        share,
      ),
    );
    // MNIST's own polarity: light ink on black.
    assert.ok(
      hasFlatBorder(
        gray(28, 28, (x, y) => (x > 8 && x < 12 && y > 4 && y < 24 ? 255 : 0)),
        spread,
        share,
      ),
    );
  });

  it('not flat: sensor noise of σ = 1, a lighting gradient, a shadow or a table edge over part of the ring', () => {
    const rng = createRng(1);
    assert.equal(
      hasFlatBorder(
        gray(128, 128, () => 220 + gaussian(rng)),
        spread,
        share,
      ),
      false,
    );
    assert.equal(
      hasFlatBorder(
        gray(128, 128, (x) => 210 + (x / 127) * 20),
        spread,
        share,
      ),
      false,
    );
    assert.equal(
      hasFlatBorder(
        gray(128, 128, (x, y) => (x + y < 60 ? 140 : 225)),
        spread,
        share,
      ),
      false,
    );
    assert.equal(
      hasFlatBorder(
        gray(128, 128, (_x, y) => (y > 110 ? 80 : 225)),
        spread,
        share,
      ),
      false,
    );
  });

  it('reads colour through Rec. 601 luma, and treats a transparent ring as a drawing (flat)', () => {
    const rgb = (r: number, g: number, b: number, n: number) =>
      Uint8Array.from({ length: n * 3 }, (_, i) => [r, g, b][i % 3]);
    // Two colours of equal luma (76 = red 255; 76 = gray 76) are one paper value.
    const data = rgb(76, 76, 76, 32 * 32);
    for (let p = 0; p < 32 * 32; p += 2) data.set([255, 0, 0], p * 3);
    assert.ok(hasFlatBorder({ width: 32, height: 32, channels: 3, data }, spread, share));
    const noisy = Uint8Array.from({ length: 32 * 32 * 4 }, (_, i) => (i % 4 === 3 ? 0 : (i * 37) % 256));
    assert.ok(hasFlatBorder({ width: 32, height: 32, channels: 4, data: noisy }, spread, share));
    const opaque = noisy.map((v, i) => (i % 4 === 3 ? 255 : v));
    assert.equal(hasFlatBorder({ width: 32, height: 32, channels: 4, data: opaque }, spread, share), false);
  });
});
