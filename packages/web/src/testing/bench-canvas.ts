import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { devSetDir, readDigitFolder } from '@onnxpipe/data';
import { buildOnce, MODEL_REPOSITORY } from './browser-harness.js';
import { CANVAS_CONDITIONS, placeOnPad, type CanvasCondition } from './canvas-conditions.js';
import { chromiumUnavailableReason, launchChromium } from './chromium.js';
import { choosePen, drawOnPad, openDemoPad, switchDemoMode, type PadAnswer } from './demo-pad.js';
import { startDemoServer } from './demo-server.js';
import { recoverStrokes, type Polyline } from './stroke-paths.js';

// npm run bench:canvas: people's digits drawn on the demo page's pad in headless Chromium, as a
// user draws them (mouse events, the page's pen control), for every model version the server
// serves (the page's ?version=), under each of CANVAS_CONDITIONS (sizes, slants, pens), each
// drawing classified by the page in the browser (wasm, the model file the server names for
// browsers) and then on the server (the page's radio; the server gets the page's 28×28 pixels).
// The digits are the dev set's (uji-pen-digits), their strokes recovered from the PNGs.
// Prints a Markdown table of accuracy (docs/benchmarks.md), the frequent confusions of the
// highest version, and where the two modes disagreed.
//
// Usage: npm run bench:canvas -- [--digits 200] [--versions 1,2] [--conditions 0,3,6]
//        [--errors errors.html] [--json]

const { values: args } = parseArgs({
  options: {
    digits: { type: 'string', default: '200' },
    versions: { type: 'string' },
    conditions: { type: 'string' },
    errors: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const progress = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
  else process.stderr.write(`${line}\n`);
};

const unavailable = chromiumUnavailableReason();
const devDir = devSetDir();
if (unavailable !== undefined || devDir === undefined) {
  process.stderr.write(
    `bench:canvas needs Chromium and the dev set: ${unavailable ?? 'no dev set (ONNXPIPE_DEV_SET_DIR or ../shared/datasets/uji-pen-digits)'}\n`,
  );
  process.exit(1);
}

const conditions: readonly CanvasCondition[] =
  args.conditions === undefined
    ? CANVAS_CONDITIONS
    : args.conditions.split(',').map((i) => CANVAS_CONDITIONS[Number(i)]);
if (conditions.some((c) => c === undefined))
  throw new Error(`'--conditions' must be indexes 0–${CANVAS_CONDITIONS.length - 1}; received ${args.conditions}`);

interface Digit {
  readonly file: string;
  readonly label: string;
  readonly strokes: readonly Polyline[];
}

// An even spread over the set (sorted by label, then writer): every label, many writers.
const items = readDigitFolder(devDir).items;
const wanted = Math.min(items.length, Math.max(1, Number(args.digits)));
const digits: Digit[] = Array.from({ length: wanted }, (_, i) => items[Math.floor((i * items.length) / wanted)]).map(
  (item) => ({
    file: item.file,
    label: String(item.label),
    strokes: recoverStrokes(item.image).strokes,
  }),
);

interface Cell {
  correct: number;
  total: number;
}
type Mode = 'local' | 'remote';
interface VersionResult {
  readonly version: string;
  /** The model line the page shows (`mnist v2 (int8)`). */
  model: string;
  readonly cells: Map<string, Record<Mode, Cell>>;
  readonly confusions: Map<string, Map<string, number>>;
  disagreements: number;
  readonly errors: { condition: string; mode: Mode; file: string; label: string; answer: string; seen: string }[];
}

const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(', ');
const started = performance.now();
progress('building the browser bundle');
const { outdir } = await buildOnce();
const server = await startDemoServer({ webRoot: outdir, modelRepository: MODEL_REPOSITORY });
const browser = await launchChromium();
const results: VersionResult[] = [];
let browserVersion = '';
try {
  browserVersion = browser.context.browser()?.version() ?? '';
  const metadata = (await (await fetch(`${server.origin}/v2/models/mnist`)).json()) as { versions: string[] };
  const versions = args.versions?.split(',') ?? metadata.versions;
  for (const version of versions) {
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await openDemoPad(page, server.origin, { version });
    const result: VersionResult = {
      version,
      model: '',
      cells: new Map(),
      confusions: new Map(),
      disagreements: 0,
      errors: [],
    };
    results.push(result);
    // Each digit is drawn once, read in the mode the page is in, then in the other (the radio
    // makes the page classify the pad again): the modes take turns at going first.
    let mode: Mode = 'local';
    for (const condition of conditions) {
      await choosePen(page, condition.pen);
      const cell: Record<Mode, Cell> = { local: { correct: 0, total: 0 }, remote: { correct: 0, total: 0 } };
      result.cells.set(condition.name, cell);
      const confusions = new Map<string, number>();
      result.confusions.set(condition.name, confusions);
      for (const [i, digit] of digits.entries()) {
        if (process.stderr.isTTY || i === 0)
          progress(`version ${version}, ${condition.name}: ${i + 1}/${digits.length}`);
        const first = await drawOnPad(page, placeOnPad(digit.strokes, condition));
        const other: Mode = mode === 'local' ? 'remote' : 'local';
        const second = await switchDemoMode(page, other);
        const answers: Record<Mode, PadAnswer> =
          mode === 'local' ? { local: first, remote: second } : { local: second, remote: first };
        mode = other;
        if (answers.local.label !== answers.remote.label) result.disagreements++;
        for (const m of ['local', 'remote'] as const) {
          const answer = answers[m];
          cell[m].total++;
          if (answer.label === digit.label) cell[m].correct++;
          else
            result.errors.push({
              condition: condition.name,
              mode: m,
              file: digit.file,
              label: digit.label,
              answer: answer.label,
              seen: answer.seen,
            });
        }
        if (answers.local.label !== digit.label) {
          const key = `${digit.label}→${answers.local.label || '–'}`;
          confusions.set(key, (confusions.get(key) ?? 0) + 1);
        }
        result.model ||= answers.local.model;
      }
    }
    if (pageErrors.length > 0) throw new Error(`the demo page reported errors: ${pageErrors.join('; ')}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
if (process.stderr.isTTY) process.stderr.write('\n');

const minutes = (performance.now() - started) / 60_000;
const loadAtEnd = loadavg()
  .map((l) => l.toFixed(1))
  .join(', ');
const percent = (cell: Cell) => `${((100 * cell.correct) / cell.total).toFixed(1)} %`;

if (args.errors !== undefined) writeErrorGallery(args.errors, results);

if (args.json) {
  for (const result of results) {
    for (const [condition, cell] of result.cells) {
      process.stdout.write(
        `${JSON.stringify({ version: result.version, model: result.model, condition, local: cell.local, remote: cell.remote })}\n`,
      );
    }
  }
} else {
  const out: string[] = [
    `bench:canvas — ${digits.length} dev-set digits (uji-pen-digits, strokes recovered from the PNGs) drawn with mouse events on the demo's pad in headless Chromium ${browserVersion}; ` +
      `${cpus().length} CPU cores; load average ${loadAtStart} at the start, ${loadAtEnd} at the end; ${minutes.toFixed(1)} min`,
    '',
    `| condition | ${results.map((r) => `v${r.version} in the page (${r.model.match(/\((\w+)\)/)?.[1] ?? 'wasm'}) | v${r.version} on the server`).join(' | ')} |`,
    `| --- | ${results.map(() => '--- | ---').join(' | ')} |`,
    ...conditions.map(
      (c) =>
        `| ${c.name} | ${results.map((r) => `${percent(r.cells.get(c.name)!.local)} | ${percent(r.cells.get(c.name)!.remote)}`).join(' | ')} |`,
    ),
    '',
    ...results.map(
      (r) =>
        `version ${r.version}: the page and the server disagreed on ${r.disagreements} of ${digits.length * conditions.length} drawings`,
    ),
  ];
  const last = results.at(-1);
  if (last !== undefined) {
    out.push('', `Most frequent confusions of version ${last.version} in the page (true→read: count):`, '');
    for (const c of conditions) {
      const top = [...last.confusions.get(c.name)!].sort((a, b) => b[1] - a[1]).slice(0, 5);
      out.push(`- ${c.name}: ${top.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * A self-contained HTML page of every misread drawing: the 28×28 image the model was given, the
 * truth and the answer.
 */
function writeErrorGallery(file: string, all: readonly VersionResult[]): void {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const sections = all.flatMap((r) =>
    [...r.cells.keys()].map((condition) => {
      const errors = r.errors.filter((e) => e.condition === condition && e.mode === 'local');
      const figures = errors.map(
        (e) =>
          `<figure><img src="${e.seen}" width="56" height="56" alt=""><figcaption>${escape(e.file)}<br>${e.label}→${e.answer || '–'}</figcaption></figure>`,
      );
      return `<h2>v${r.version}, ${escape(condition)}: ${errors.length} misread in the page</h2><div>${figures.join('')}</div>`;
    }),
  );
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><title>bench:canvas errors</title><style>body{font:14px system-ui}figure{display:inline-block;margin:4px;text-align:center}img{image-rendering:pixelated;background:#000}</style><h1>Drawn digits the page misread</h1>${sections.join('')}`,
  );
  progress(`wrote ${file}`);
}
