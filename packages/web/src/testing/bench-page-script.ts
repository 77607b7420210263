// The in-page half of bench:web, as plain JavaScript added to the harness page (page.evaluate
// callbacks written in TypeScript get helpers that do not exist in the page). It builds the
// benchmark's inputs from MNIST bytes exactly as bench-inputs.ts does in Node — and, as the
// demo's pad holds them, light digits on a black 280×280 canvas — and times predict() calls
// with performance.now() (5 µs resolution in a cross-origin isolated page).

/** What `window.bench` answers to `latency`. */
export interface LatencySamples {
  /** Whole predict() calls, ms. */
  readonly durations: number[];
  /** The SDK's own split of each call (result.timings), ms. */
  readonly preprocess: number[];
  readonly inference: number[];
}

/** Source of `window.bench`. */
export const BENCH_PAGE_SCRIPT = `
window.bench = {
  inputs: { imagedata: [], pad: [] },
  classifiers: {},
  makeInputs({ images, scale }) {
    const side = 28 * scale;
    this.inputs.imagedata = images.map((bytes) => {
      const data = new Uint8ClampedArray(side * side * 4);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const v = 255 - bytes[Math.floor(y / scale) * 28 + Math.floor(x / scale)];
          const o = (y * side + x) * 4;
          data[o] = v; data[o + 1] = v; data[o + 2] = v; data[o + 3] = 255;
        }
      }
      return new ImageData(data, side, side);
    });
    // The demo's pad: 280×280, white ink on black, read back with willReadFrequently.
    this.inputs.pad = images.slice(0, 16).map((bytes) => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 280, height: 280 });
      const context = canvas.getContext('2d', { willReadFrequently: true });
      const data = new Uint8ClampedArray(28 * 28 * 4);
      for (let i = 0; i < 784; i++) { data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = bytes[i]; data[i * 4 + 3] = 255; }
      const small = Object.assign(document.createElement('canvas'), { width: 28, height: 28 });
      small.getContext('2d').putImageData(new ImageData(data, 28, 28), 0, 0);
      context.imageSmoothingEnabled = true;
      context.drawImage(small, 0, 0, 280, 280);
      return canvas;
    });
    return { userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated === true, cores: navigator.hardwareConcurrency };
  },
  async create({ key, url, device, maxBatch, numThreads }) {
    const started = performance.now();
    const classifier = await window.onnxpipe.createClassifier(url, { device, maxBatch, numThreads });
    this.classifiers[key] = classifier;
    return { createMs: performance.now() - started, executionProvider: classifier.executionProvider, variant: classifier.variant, fallback: classifier.fallback ?? null };
  },
  async latency({ key, input, count, budgetMs, warmup }) {
    const classifier = this.classifiers[key];
    const inputs = this.inputs[input];
    const n = inputs.length;
    for (let i = 0; i < warmup; i++) await classifier.predict(inputs[i % n]);
    const durations = [], preprocess = [], inference = [];
    const end = performance.now() + budgetMs;
    for (let i = 0; i < count && (i === 0 || performance.now() < end); i++) {
      const t = performance.now();
      const { timings } = await classifier.predict(inputs[i % n]);
      durations.push(performance.now() - t);
      preprocess.push(timings.preprocessMs);
      inference.push(timings.inferenceMs);
    }
    return { durations, preprocess, inference };
  },
  async throughput({ key, batch, count, budgetMs }) {
    const classifier = this.classifiers[key];
    const inputs = this.inputs.imagedata;
    const n = inputs.length;
    const slice = (start) => Array.from({ length: batch }, (_, i) => inputs[(start + i) % n]);
    await classifier.predict(slice(0));
    let images = 0;
    const started = performance.now();
    const end = started + budgetMs;
    while (images < count && (images === 0 || performance.now() < end)) {
      await classifier.predict(slice(images));
      images += batch;
    }
    return { images, ms: performance.now() - started };
  },
  // Reading the pad's pixels back, alone: getImageData of 280×280 after a stroke, on a canvas
  // made with willReadFrequently (the demo's, kept in CPU memory) and on a default one.
  readBack({ count }) {
    const out = {};
    for (const [name, options] of [['willReadFrequently', { willReadFrequently: true }], ['default', undefined]]) {
      const canvas = Object.assign(document.createElement('canvas'), { width: 280, height: 280 });
      const context = canvas.getContext('2d', options);
      const durations = [];
      for (let i = 0; i < count; i++) {
        context.fillStyle = i % 2 ? '#000' : '#111';
        context.fillRect(0, 0, 280, 280);
        context.strokeStyle = '#fff';
        context.lineWidth = 21;
        context.beginPath();
        context.moveTo(80 + (i % 7), 60);
        context.lineTo(200, 220 - (i % 5));
        context.stroke();
        const t = performance.now();
        context.getImageData(0, 0, 280, 280);
        durations.push(performance.now() - t);
      }
      out[name] = durations;
    }
    return out;
  },
  async dispose() {
    await Promise.all(Object.values(this.classifiers).map((c) => c.dispose()));
    this.classifiers = {};
  },
};
`;
