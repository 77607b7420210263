import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../rng.js';
import { connectedComponents } from './connected-components.js';

/** Independent labelling: union–find over 8-neighbours; returns each ink pixel's root. */
function unionFindRoots(plane: Int32Array, width: number, height: number, threshold: number): Int32Array {
  const parent = Int32Array.from({ length: width * height }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const ink = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && plane[y * width + x] > threshold;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!ink(x, y)) continue;
      for (const [dx, dy] of [
        [-1, -1],
        [0, -1],
        [1, -1],
        [-1, 0],
      ]) {
        if (ink(x + dx, y + dy)) parent[find(y * width + x)] = find((y + dy) * width + x + dx);
      }
    }
  }
  return Int32Array.from({ length: width * height }, (_, i) => (ink(i % width, Math.floor(i / width)) ? find(i) : -1));
}

describe('connectedComponents (photo path, step 4)', () => {
  it('groups exactly as an independent union–find over 8-neighbours, on random planes of every density', () => {
    const rng = createRng(8);
    for (let n = 0; n < 40; n++) {
      const [width, height] = [1 + rng.nextInt(60), 1 + rng.nextInt(60)];
      const density = rng.next();
      const plane = Int32Array.from({ length: width * height }, () =>
        Math.floor(rng.next() < density ? 100 + rng.next() * 100 : rng.next() * 50),
      );
      const threshold = 60;
      const { labels, list } = connectedComponents(plane, width, height, threshold);
      const roots = unionFindRoots(plane, width, height, threshold);
      // Same partition: label ↔ root is a bijection.
      const rootOf = new Map<number, number>();
      const labelOf = new Map<number, number>();
      for (let i = 0; i < labels.length; i++) {
        assert.equal(labels[i] === 0, roots[i] === -1, `pixel ${i}: ink in one labelling only`);
        if (labels[i] === 0) continue;
        assert.equal(rootOf.get(labels[i]) ?? roots[i], roots[i]);
        assert.equal(labelOf.get(roots[i]) ?? labels[i], labels[i]);
        rootOf.set(labels[i], roots[i]);
        labelOf.set(roots[i], labels[i]);
      }
      assert.equal(list.length, rootOf.size);
      // Statistics from the labels, computed here.
      for (const c of list) {
        let [area, mass, x0, y0, x1, y1] = [0, 0, width, height, -1, -1];
        const sides = [0, 0, 0, 0];
        labels.forEach((label, i) => {
          if (label !== c.id) return;
          const [x, y] = [i % width, Math.floor(i / width)];
          area++;
          mass += plane[i];
          [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
          [x === 0, x === width - 1, y === 0, y === height - 1].forEach((on, side) => (sides[side] += on ? 1 : 0));
        });
        assert.deepEqual([c.area, c.x0, c.y0, c.x1, c.y1], [area, x0, y0, x1, y1]);
        assert.ok(Math.abs(c.mass - mass) <= 1e-6 * mass);
        assert.equal(c.touchesBorder, x0 === 0 || y0 === 0 || x1 === width - 1 || y1 === height - 1);
        assert.deepEqual([c.columnContact, c.rowContact], [Math.max(sides[0], sides[1]), Math.max(sides[2], sides[3])]);
      }
    }
  });

  it('a one-pixel diagonal stroke is one component; numbering follows the raster order', () => {
    const plane = new Int32Array(10 * 10);
    for (let i = 0; i < 8; i++) plane[(i + 1) * 10 + i + 1] = 200;
    plane[2 * 10 + 8] = 200; // a speck, first met in row 2 after the stroke's start in row 1
    const { list } = connectedComponents(plane, 10, 10, 100);
    assert.deepEqual(
      list.map((c) => [c.id, c.area, c.x0, c.y0, c.x1, c.y1]),
      [
        [1, 8, 1, 1, 8, 8],
        [2, 1, 8, 2, 8, 2],
      ],
    );
  });
});
