// The draw-a-digit page the server hosts at `/`: the SDK runs the served model in the page
// (onnxruntime-web: wasm, or WebGPU when chosen) or calls the server's POST /predict, and the page shows the
// answer, the ten probabilities, where it ran and how long it took. No framework: a canvas,
// a few elements, the SDK.
//
// Photos (upload, or the camera on phones) are read upright by their EXIF orientation and scaled
// down in the page before preprocessing (the SDK's `maxImageSide`); beside the answer the page
// shows the 28×28 image the model was given, and on the pad the box where the digit was found.
//
// The pen's width (thin, medium, thick) applies to the strokes drawn next.
//
// Query parameters: `model` (default mnist), `version` (default: the highest the server has
// loaded, as POST /predict; e.g. `version=1` to compare with the first model), `mode=local|remote`,
// `device=auto|webgpu|wasm`.
// Tests read the page's state from `data-*` attributes on <main>: `state` (loading, ready,
// busy, error), `results` (how many answers were shown), `label`, `mode`, `provider`, `variant`
// (the model file in the page: fp32, int8, ...), `method`
// (how the digit was found: clean or photo), `box` (x,y,width,height in the picture, or empty).
import {
  createClassifier,
  createRemoteClassifier,
  ORT_FILES_DIR,
  PREDICT_DEFAULTS,
  type Device,
  type DigitClassifier,
  type DigitInput,
  type PredictResult,
} from '@onnxpipe/web';
import { createDrawingPad, type PenWidth } from './lib/drawing-pad.js';
import { createProbabilityBars, type ProbabilityBars } from './lib/probability-bars.js';

type Mode = 'local' | 'remote';

/** While drawing, at most one prediction this often: fast enough to feel live, slow enough not to queue up. */
const DRAW_THROTTLE_MS = 120;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $<HTMLElement>('demo');
const canvas = $<HTMLCanvasElement>('pad');
const elements = {
  prediction: $<HTMLOutputElement>('prediction'),
  confidence: $<HTMLElement>('confidence'),
  provider: $<HTMLElement>('provider'),
  latency: $<HTMLElement>('latency'),
  model: $<HTMLElement>('model'),
  fallback: $<HTMLElement>('fallback'),
  status: $<HTMLElement>('status'),
  device: $<HTMLSelectElement>('device'),
  pen: $<HTMLSelectElement>('pen'),
  upload: $<HTMLInputElement>('upload'),
  camera: $<HTMLInputElement>('camera'),
  seenFigure: $<HTMLElement>('seen-figure'),
  seen: $<HTMLImageElement>('seen'),
  seenCaption: $<HTMLElement>('seen-caption'),
};

const params = new URLSearchParams(location.search);
const modelName = params.get('model') ?? 'mnist';
const versionParam = params.get('version');
let mode: Mode = params.get('mode') === 'remote' ? 'remote' : 'local';
const deviceParam = params.get('device');
if (deviceParam === 'webgpu' || deviceParam === 'wasm' || deviceParam === 'auto') elements.device.value = deviceParam;
$<HTMLInputElement>(`mode-${mode}`).checked = true;
elements.device.disabled = mode === 'remote';

let modelUrl = '';
let modelVersion = '';
let bars: ProbabilityBars | undefined;
/** What the next prediction classifies: the pad, or the uploaded file as it is. */
let input: DigitInput | undefined;
/** Where the uploaded picture is drawn on the pad (to outline the box found), else undefined. */
let shown: { x: number; y: number; scale: number } | undefined;
/** Bumped by clear(): an answer for an older drawing is dropped. */
let generation = 0;

// One classifier per mode (and per device for the local one), created on first use.
let local: { device: Device; classifier: Promise<DigitClassifier> } | undefined;
let remote: Promise<DigitClassifier> | undefined;

function classifier(): Promise<DigitClassifier> {
  if (mode === 'remote') {
    remote ??= createRemoteClassifier(location.origin, { model: modelName, version: modelVersion });
    return remote;
  }
  const device = elements.device.value as Device;
  if (local?.device !== device) {
    const previous = local?.classifier;
    local = {
      device,
      classifier: createClassifier(modelUrl, {
        device,
        wasmPaths: new URL(ORT_FILES_DIR, location.href).href,
        modelName,
        modelVersion,
      }),
    };
    // A failed creation is not cached: choosing the device again retries.
    const created = local;
    created.classifier.catch(() => {
      if (local === created) local = undefined;
    });
    void previous?.then((c) => c.dispose()).catch(() => undefined);
  }
  return local.classifier;
}

function setState(state: 'loading' | 'ready' | 'busy' | 'error', status = '') {
  main.dataset.state = state;
  elements.status.textContent = status;
}

function showError(error: unknown) {
  const { code, message } = error as { code?: string; message?: string };
  setState('error', `${code ? `${code}: ` : ''}${message ?? String(error)}`);
}

function render(result: PredictResult, classifierInUse: DigitClassifier, ms: number) {
  const [prediction] = result.predictions;
  const where = classifierInUse.mode === 'local' ? 'in this browser' : 'on the server';
  if (prediction.empty) {
    elements.prediction.textContent = '–';
    elements.confidence.textContent = 'no ink yet';
    bars?.reset();
  } else {
    elements.prediction.textContent = prediction.label;
    elements.confidence.textContent = `${(prediction.confidence * 100).toFixed(1)} % sure`;
    bars?.update(prediction.probabilities);
  }
  showSeen(prediction.debug);
  elements.provider.textContent = `${result.executionProvider} (${where})`;
  const inference = result.timings ? `; inference ${result.timings.inferenceMs.toFixed(1)} ms` : '';
  elements.latency.textContent = `${ms.toFixed(1)} ms${inference}`;
  elements.model.textContent = `${result.model.name} v${result.model.version}${classifierInUse.variant === undefined ? '' : ` (${classifierInUse.variant})`}`;
  const { fallback } = classifierInUse;
  elements.fallback.hidden = fallback === undefined;
  elements.fallback.textContent = fallback
    ? `Asked for ${fallback.requested}, running on ${fallback.used}: ${fallback.reason}`
    : '';
  Object.assign(main.dataset, {
    label: prediction.empty ? '' : prediction.label,
    mode: classifierInUse.mode,
    provider: result.executionProvider,
    variant: classifierInUse.variant ?? '',
    results: String(Number(main.dataset.results) + 1),
  });
}

/** The 28×28 image the model saw beside the answer; for a picture, the box found, outlined on the pad. */
function showSeen(debug: PredictResult['predictions'][number]['debug']) {
  elements.seenFigure.hidden = debug === undefined;
  if (debug === undefined) return;
  elements.seen.src = debug.image;
  const how = debug.method === 'photo' ? 'found in a photo' : 'as drawn';
  elements.seenCaption.textContent = `what the model saw (${how})`;
  main.dataset.method = debug.method;
  main.dataset.box = debug.box === null ? '' : `${debug.box.x},${debug.box.y},${debug.box.width},${debug.box.height}`;
  if (shown !== undefined && debug.box !== null)
    pad.outline(
      shown.x + debug.box.x * shown.scale,
      shown.y + debug.box.y * shown.scale,
      debug.box.width * shown.scale,
      debug.box.height * shown.scale,
    );
}

function resetAnswer() {
  elements.prediction.textContent = '–';
  elements.confidence.textContent = '';
  bars?.reset();
  main.dataset.label = '';
  main.dataset.method = '';
  main.dataset.box = '';
  elements.seenFigure.hidden = true;
}

// ---- predicting: one at a time; a request made meanwhile runs once the current one ends ------

let running = false;
let again = false;
let lastStart = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

async function predictNow(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  if (input === undefined) return;
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    do {
      again = false;
      lastStart = performance.now();
      const forGeneration = generation;
      const current = input;
      if (current === undefined) break;
      setState('busy');
      try {
        const inUse = await classifier();
        const started = performance.now();
        const result = await inUse.predict(current, { topk: 3, debug: true });
        const ms = performance.now() - started;
        if (forGeneration === generation) render(result, inUse, ms);
        setState('ready');
      } catch (error) {
        showError(error);
      }
    } while (again);
  } finally {
    running = false;
  }
}

/** While drawing: at most one prediction per DRAW_THROTTLE_MS. */
function predictSoon() {
  if (timer !== undefined || running) {
    again = running || again;
    return;
  }
  const wait = Math.max(0, lastStart + DRAW_THROTTLE_MS - performance.now());
  timer = setTimeout(() => void predictNow(), wait);
}

// ---- wiring ------------------------------------------------------------------------------

const pad = createDrawingPad(canvas, {
  onDraw() {
    input = canvas;
    shown = undefined;
    predictSoon();
  },
  onStrokeEnd() {
    input = canvas;
    void predictNow();
  },
});

// The browser may restore the last choice on reload: the pad follows the control.
pad.pen = elements.pen.value as PenWidth;
elements.pen.addEventListener('change', () => {
  pad.pen = elements.pen.value as PenWidth;
});

$<HTMLButtonElement>('clear').addEventListener('click', () => {
  generation++;
  pad.clear();
  input = undefined;
  shown = undefined;
  elements.upload.value = '';
  elements.camera.value = '';
  resetAnswer();
});

async function usePicture(file: File) {
  generation++;
  shown = undefined;
  try {
    // Upright by its EXIF orientation, as the SDK reads it.
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const placed = pad.show(bitmap);
    // The SDK scales a photo down to maxImageSide before preprocessing; the box it reports is in
    // those pixels.
    const read = Math.max(
      1,
      Math.round(bitmap.width * Math.min(1, PREDICT_DEFAULTS.maxImageSide / Math.max(bitmap.width, bitmap.height))),
    );
    shown = { x: placed.x, y: placed.y, scale: (placed.scale * bitmap.width) / read };
    bitmap.close();
  } catch {
    // Not an image the browser can show: the classifier will say what is wrong with it.
  }
  // The file itself, not the pad: the SDK reads it at up to maxImageSide pixels.
  input = file;
  void predictNow();
}

for (const picker of [elements.upload, elements.camera]) {
  picker.addEventListener('change', () => {
    const file = picker.files?.[0];
    if (file !== undefined) void usePicture(file);
  });
}

async function switchTo(next: Mode) {
  mode = next;
  elements.device.disabled = mode === 'remote';
  setState('loading', mode === 'local' ? 'Loading the model into the page…' : '');
  try {
    await classifier();
    setState('ready');
    if (input !== undefined) await predictNow();
  } catch (error) {
    showError(error);
  }
}

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="mode"]')) {
  radio.addEventListener('change', () => radio.checked && void switchTo(radio.value as Mode));
}
elements.device.addEventListener('change', () => void switchTo('local'));

/**
 * The served model: its highest loaded version, the file a browser should fetch (the exporter's
 * smallest variant within 0.05 points of model.onnx, `web_model_file`), and its labels for the bars.
 */
async function start() {
  setState('loading', 'Loading the model…');
  try {
    const versionPath = versionParam === null ? '' : `/versions/${encodeURIComponent(versionParam)}`;
    const response = await fetch(`/v2/models/${encodeURIComponent(modelName)}${versionPath}`);
    const metadata = (await response.json()) as {
      versions?: string[];
      parameters?: { labels?: string; web_model_file?: string };
      error?: string;
    };
    if (!response.ok || metadata.versions === undefined)
      throw new Error(`model ${modelName}: ${metadata.error ?? response.statusText}`);
    modelVersion = metadata.versions.at(-1)!;
    const file = metadata.parameters?.web_model_file ?? 'model.onnx';
    modelUrl = `/models/${encodeURIComponent(modelName)}/versions/${modelVersion}/${encodeURIComponent(file)}`;
    const labels = JSON.parse(metadata.parameters?.labels ?? '[]') as string[];
    bars = createProbabilityBars($<HTMLOListElement>('probabilities'), labels);
    elements.model.textContent = `${modelName} v${modelVersion}`;
  } catch (error) {
    showError(error);
    return;
  }
  await switchTo(mode);
}

void start();
