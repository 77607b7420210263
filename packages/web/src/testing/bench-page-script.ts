// The in-page half of bench:web, as plain JavaScript added to the harness page (page.evaluate
// callbacks written in TypeScript get helpers that do not exist in the page). It builds the
// benchmark's inputs from MNIST bytes exactly as bench-inputs.ts does in Node, and times
// predict() calls with performance.now().

/** Source of `window.bench`. */
export const BENCH_PAGE_SCRIPT = `
window.bench = {
  inputs: [],
  classifier: undefined,
  async setup({ url, device, images, scale, maxBatch }) {
    const side = 28 * scale;
    this.inputs = images.map((bytes) => {
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
    const started = performance.now();
    this.classifier = await window.onnxpipe.createClassifier(url, { device, maxBatch });
    const createMs = performance.now() - started;
    return { createMs, executionProvider: this.classifier.executionProvider, fallback: this.classifier.fallback ?? null, userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated === true };
  },
  async latency({ count, budgetMs, warmup }) {
    const n = this.inputs.length;
    for (let i = 0; i < warmup; i++) await this.classifier.predict(this.inputs[i % n]);
    const durations = [];
    const end = performance.now() + budgetMs;
    for (let i = 0; i < count && (i === 0 || performance.now() < end); i++) {
      const t = performance.now();
      await this.classifier.predict(this.inputs[i % n]);
      durations.push(performance.now() - t);
    }
    return durations;
  },
  async throughput({ batch, count, budgetMs }) {
    const n = this.inputs.length;
    const slice = (start) => Array.from({ length: batch }, (_, i) => this.inputs[(start + i) % n]);
    await this.classifier.predict(slice(0));
    let images = 0;
    const started = performance.now();
    const end = started + budgetMs;
    while (images < count && (images === 0 || performance.now() < end)) {
      await this.classifier.predict(slice(images));
      images += batch;
    }
    return { images, ms: performance.now() - started };
  },
  async dispose() {
    await this.classifier?.dispose();
  },
};
`;
