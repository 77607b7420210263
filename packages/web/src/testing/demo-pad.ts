import type { CDPSession, Page } from 'playwright-core';
import type { PadPen, PadStroke } from './canvas-conditions.js';

// Drawing on the demo page's pad (packages/web/demo) as a person does: the pen chosen in its
// control, strokes drawn with real mouse events (Chromium's input pipeline: pointerdown, moves,
// pointerup), the answer read from what the page shows. The page reports its state in data-*
// attributes on <main> (state, results, label, mode, provider, method), which is what these wait on.

/** What the page shows after a drawing. */
export interface PadAnswer {
  /** The label the page shows in big type ('' for its '–': no ink). */
  readonly label: string;
  /** The ten bars' probabilities. */
  readonly probabilities: readonly number[];
  /** `local` (in the page) or `remote` (the server). */
  readonly mode: string;
  /** The provider line (`wasm (in this browser)`, `cpu (on the server)`). */
  readonly provider: string;
  /** How the page found the digit (`clean` for drawings). */
  readonly method: string;
  /** The 28×28 image the model was given, shown beside the answer: a PNG data URL ('' when hidden). */
  readonly seen: string;
  /** The model line (`mnist v2 (int8)`: name, version, the file the page runs). */
  readonly model: string;
}

export interface OpenDemoOptions {
  /** The model version to ask for (`?version=`); the page's default is the highest loaded. */
  readonly version?: string;
  /** @defaultValue `'local'` */
  readonly mode?: 'local' | 'remote';
  /** Longest wait for the model to load. @defaultValue 120000 */
  readonly timeoutMs?: number;
}

/**
 * Opens the demo at `origin` and waits until its model is loaded; returns the model line it shows
 * (`mnist v2 (int8)`).
 */
export async function openDemoPad(page: Page, origin: string, options: OpenDemoOptions = {}): Promise<string> {
  const query = new URLSearchParams();
  if (options.version !== undefined) query.set('version', options.version);
  if (options.mode !== undefined) query.set('mode', options.mode);
  await page.goto(`${origin}/${query.size > 0 ? `?${query}` : ''}`);
  await page.waitForSelector('main[data-state="ready"]', { timeout: options.timeoutMs ?? 120_000 });
  return (await page.locator('#model').innerText()).trim();
}

/** Chooses the pen for the strokes drawn next, with the page's control. */
export async function choosePen(page: Page, pen: PadPen): Promise<void> {
  await page.selectOption('#pen', pen);
}

/**
 * Largest distance, in CSS pixels, between two pointer events of a stroke: a mouse drawing at
 * ~1,000 px/s reports about this often at 60 Hz. The pad draws straight segments between events.
 */
const MAX_STEP_PX = 16;

/** A page's DevTools session, kept while the page shows the same document. */
const sessions = new WeakMap<Page, { url: string; cdp: CDPSession }>();

async function padSession(page: Page): Promise<CDPSession> {
  const known = sessions.get(page);
  if (known !== undefined && known.url === page.url()) return known.cdp;
  await known?.cdp.detach().catch(() => undefined);
  const cdp = await page.context().newCDPSession(page);
  // Which answer is the one for the whole drawing: the page's answer count at each pointerup on
  // the pad, recorded before the pad's own handler runs (capture phase on the window).
  await page.evaluate(() => {
    const state = { ups: 0, resultsAtUp: 0 };
    Object.assign(globalThis, { __padDrawing: state });
    addEventListener(
      'pointerup',
      (event) => {
        if ((event.target as Element | null)?.id !== 'pad') return;
        state.ups++;
        state.resultsAtUp = Number(document.querySelector('main')!.dataset.results);
      },
      { capture: true },
    );
  });
  sessions.set(page, { url: page.url(), cdp });
  return cdp;
}

/**
 * Clears the pad (a click on Clear), draws `strokes` (in the pad's unit square) with the mouse
 * and returns the answer the page shows for the whole drawing. The events go through Chromium's
 * input pipeline as a real mouse's do (DevTools `Input.dispatchMouseEvent`, what `page.mouse`
 * sends), queued back to back rather than one round trip each: a drawing costs a few
 * milliseconds of the test's time, not one per event.
 */
export async function drawOnPad(page: Page, strokes: readonly PadStroke[], timeoutMs = 60_000): Promise<PadAnswer> {
  const cdp = await padSession(page);
  // Where the pad and the Clear button are now, in the viewport's pixels (the page may have scrolled).
  // (No helper functions inside page callbacks: tsx would wrap them in a __name the page lacks.)
  const { ups, pad, clear } = await page.evaluate(() => {
    const [pad, clear] = ['pad', 'clear'].map((id) => document.getElementById(id)!.getBoundingClientRect());
    return {
      ups: (globalThis as unknown as { __padDrawing: { ups: number } }).__padDrawing.ups,
      pad: { x: pad.x, y: pad.y, width: pad.width, height: pad.height },
      clear: { x: clear.x, y: clear.y, width: clear.width, height: clear.height },
    };
  });
  if (pad.width === 0 || clear.width === 0) throw new Error('the demo pad (#pad) or its Clear button is not visible');
  const [clearX, clearY] = [clear.x + clear.width / 2, clear.y + clear.height / 2];
  type MouseEvent = {
    type: 'mousePressed' | 'mouseMoved' | 'mouseReleased';
    x: number;
    y: number;
    button: 'left' | 'none';
    buttons: number;
    clickCount?: number;
  };
  const events: MouseEvent[] = [
    { type: 'mouseMoved', x: clearX, y: clearY, button: 'none', buttons: 0 },
    { type: 'mousePressed', x: clearX, y: clearY, button: 'left', buttons: 1, clickCount: 1 },
    { type: 'mouseReleased', x: clearX, y: clearY, button: 'left', buttons: 0, clickCount: 1 },
  ];
  const drawn = strokes.filter((stroke) => stroke.length > 0);
  for (const stroke of drawn) {
    const points = stroke.map(([x, y]) => [pad.x + x * pad.width, pad.y + y * pad.height] as const);
    const [x0, y0] = points[0];
    events.push(
      { type: 'mouseMoved', x: x0, y: y0, button: 'none', buttons: 0 },
      { type: 'mousePressed', x: x0, y: y0, button: 'left', buttons: 1, clickCount: 1 },
    );
    for (let i = 1; i < points.length; i++) {
      const [[xa, ya], [xb, yb]] = [points[i - 1], points[i]];
      const steps = Math.max(1, Math.ceil(Math.hypot(xb - xa, yb - ya) / MAX_STEP_PX));
      for (let k = 1; k <= steps; k++)
        events.push({
          type: 'mouseMoved',
          x: xa + ((xb - xa) * k) / steps,
          y: ya + ((yb - ya) * k) / steps,
          button: 'left',
          buttons: 1,
        });
    }
    const [xn, yn] = points.at(-1)!;
    events.push({ type: 'mouseReleased', x: xn, y: yn, button: 'left', buttons: 0, clickCount: 1 });
  }
  // One session delivers its messages in order.
  await Promise.all(events.map((event) => cdp.send('Input.dispatchMouseEvent', event)));
  return waitForAnswer(page, { ups: ups + drawn.length }, timeoutMs);
}

/**
 * Switches between in-page and server inference with the page's radio; the page classifies what is
 * on the pad again.
 */
export async function switchDemoMode(page: Page, mode: 'local' | 'remote', timeoutMs = 60_000): Promise<PadAnswer> {
  const results = Number(await page.getAttribute('main', 'data-results'));
  await page.check(`#mode-${mode}`);
  return waitForAnswer(page, { results }, timeoutMs);
}

/**
 * Waits until the page shows a new answer and is idle, and returns it; fails with the page's
 * status line if it shows an error. A new answer: after the `results`-th, or, for a drawing,
 * after the last of `ups` pointerups in all (so not one for a part of the drawing).
 */
async function waitForAnswer(
  page: Page,
  after: { ups: number } | { results: number },
  timeoutMs: number,
): Promise<PadAnswer> {
  const handle = await page.waitForFunction(
    ({ ups, results }) => {
      const main = document.querySelector('main')!;
      if (main.dataset.state === 'error') return { error: document.getElementById('status')!.textContent || 'error' };
      let shown = results ?? 0;
      if (ups !== undefined) {
        const drawing = (globalThis as unknown as { __padDrawing: { ups: number; resultsAtUp: number } }).__padDrawing;
        if (drawing.ups < ups) return false;
        shown = drawing.resultsAtUp;
      }
      if (!(Number(main.dataset.results) > shown && main.dataset.state === 'ready')) return false;
      const seenFigure = document.getElementById('seen-figure')!;
      const shownLabel = document.getElementById('prediction')!.textContent!.trim();
      return {
        label: shownLabel === '–' ? '' : shownLabel,
        probabilities: [...document.querySelectorAll<HTMLLIElement>('#probabilities li')].map((li) =>
          Number(li.dataset.probability),
        ),
        mode: main.dataset.mode ?? '',
        provider: document.getElementById('provider')!.textContent!.trim(),
        method: main.dataset.method ?? '',
        seen: seenFigure.hidden ? '' : (document.getElementById('seen') as HTMLImageElement).src,
        model: document.getElementById('model')!.textContent!.trim(),
      };
    },
    { ups: 'ups' in after ? after.ups : undefined, results: 'results' in after ? after.results : undefined },
    { timeout: timeoutMs },
  );
  const value = (await handle.jsonValue()) as PadAnswer | { error: string };
  await handle.dispose();
  if ('error' in value) throw new Error(`the demo page shows an error: ${value.error}`);
  return value;
}
