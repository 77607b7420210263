import type { BrowserContext, Page } from 'playwright-core';

// Driving the demo page (packages/web/demo) as a person would: real mouse events on the canvas,
// the file input, the mode radios. The page reports its state in data-* attributes on <main>
// (state, results, label, mode, provider), which is what these helpers wait on.

/** A stroke as points in the pad's own unit square: (0, 0) top left, (1, 1) bottom right. */
export type Stroke = readonly (readonly [number, number])[];

/** Digits drawn as a person would, roughly centred: one or more strokes each. */
export const DIGIT_STROKES: Readonly<Record<string, readonly Stroke[]>> = {
  // A slightly slanted vertical bar.
  '1': [
    [
      [0.52, 0.18],
      [0.5, 0.5],
      [0.48, 0.82],
    ],
  ],
  // A bar across the top, then down and to the left.
  '7': [
    [
      [0.28, 0.22],
      [0.72, 0.22],
      [0.62, 0.42],
      [0.52, 0.62],
      [0.44, 0.82],
    ],
  ],
  // An ellipse, closed.
  '0': [
    Array.from({ length: 33 }, (_, i) => {
      const t = (i / 32) * 2 * Math.PI - Math.PI / 2;
      return [0.5 + 0.2 * Math.cos(t), 0.5 + 0.3 * Math.sin(t)] as const;
    }),
  ],
};

/** Opens the demo and waits until its model is loaded (`state` ready). */
export async function openDemo(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('main[data-state="ready"]', { timeout: 60_000 });
}

/** The number of answers the page has shown so far. */
export async function resultCount(page: Page): Promise<number> {
  return Number(await page.getAttribute('main', 'data-results'));
}

/** Waits until the page shows an answer after the `before`-th and is idle again. */
export async function waitForResult(page: Page, before: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const main = document.querySelector('main')!;
      return Number(main.dataset.results) > n && main.dataset.state === 'ready';
    },
    before,
    { timeout: 60_000 },
  );
}

/** Draws `strokes` on the pad with mouse events (down, moves in small steps, up). */
export async function drawStrokes(page: Page, strokes: readonly Stroke[]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: readonly [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  for (const stroke of strokes) {
    const [first, ...rest] = stroke.map(at);
    await page.mouse.move(...first);
    await page.mouse.down();
    for (const point of rest) await page.mouse.move(...point, { steps: 6 });
    await page.mouse.up();
  }
}

/**
 * Draws `strokes` with a finger: Chromium's own touch input (DevTools protocol), which the page
 * receives as pointer events of type `touch` — as on a phone, where a page without
 * `touch-action: none` would scroll instead.
 */
export async function drawStrokesByTouch(
  context: BrowserContext,
  page: Page,
  strokes: readonly Stroke[],
): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const cdp = await context.newCDPSession(page);
  try {
    for (const stroke of strokes) {
      const points = stroke.map(([x, y]) => ({ x: box.x + x * box.width, y: box.y + y * box.height }));
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [points[0]] });
      for (let i = 1; i < points.length; i++) {
        // In small steps, as a finger reports them.
        for (let step = 1; step <= 4; step++) {
          const t = step / 4;
          const x = points[i - 1].x + (points[i].x - points[i - 1].x) * t;
          const y = points[i - 1].y + (points[i].y - points[i - 1].y) * t;
          await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
        }
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    }
  } finally {
    await cdp.detach();
  }
}

/** What the page shows: the label, the ten probabilities, the provider and latency texts. */
export async function readAnswer(page: Page): Promise<{
  label: string;
  probabilities: number[];
  provider: string;
  latency: string;
  mode: string;
  variant: string;
}> {
  return page.evaluate(() => {
    const main = document.querySelector('main')!;
    const probabilities = [...document.querySelectorAll<HTMLLIElement>('#probabilities li')].map((li) =>
      Number(li.dataset.probability),
    );
    return {
      label: document.getElementById('prediction')!.textContent!.trim(),
      probabilities,
      provider: document.getElementById('provider')!.textContent!.trim(),
      latency: document.getElementById('latency')!.textContent!.trim(),
      mode: main.dataset.mode ?? '',
      // The model file running in the page (fp32, int8, ...); empty in remote mode.
      variant: main.dataset.variant ?? '',
    };
  });
}

/** Clears the pad and the answer. */
export async function clearPad(page: Page): Promise<void> {
  await page.click('#clear');
  await page.waitForFunction(() => document.getElementById('prediction')!.textContent === '–');
}
