import {
  ONNXPIPE_SERVER_MODEL_NOT_READY,
  ONNXPIPE_SERVER_QUEUE_FULL,
  ONNXPIPE_SERVER_REQUEST_TIMEOUT,
} from '../errors.js';

// Dynamic batching in the manner of Triton's dynamic batcher with one model instance: items
// from concurrent requests wait in one queue and only one batch runs at a time, so items that
// arrive while a batch runs gather into the next one. A batch leaves at once when it is full
// (maxBatchSize). Otherwise, by default ('adaptive'), an idle engine does not wait for company
// on a timer: it runs what is queued at the end of the current event-loop turn (setImmediate),
// so requests that arrived together share a run, a lone request is not delayed, and batches
// grow with the load by themselves; maxQueueDelayMs then only bounds that wait (0: not even the
// loop turn). With 'delay', Triton's rule: a batch leaves when its oldest item has waited
// maxQueueDelayMs (timers are at least 1 ms: this costs latency at low load). Batching pays on
// every device: one session.run of N items costs far less than N runs of one.

/** Runs one batch: returns one output per input, in order. */
export type BatchRunner<I, O> = (inputs: readonly I[]) => Promise<O[]>;

/** Limits of a {@link DynamicBatcher}. */
export interface BatcherOptions {
  /** Most items per run. */
  readonly maxBatchSize: number;
  /**
   * Longest the oldest waiting item waits for company while the engine is idle (`adaptive`
   * scheduling waits one event-loop turn at most, and with 0 not even that).
   */
  readonly maxQueueDelayMs: number;
  /** Most items waiting (not counting the running batch); a submit that does not fit is refused. */
  readonly maxQueueLength: number;
  /**
   * When an idle engine runs a batch that is not full: at the end of the event-loop turn
   * (`adaptive`), or once the oldest item has waited `maxQueueDelayMs` (`delay`).
   * @defaultValue 'adaptive'
   */
  readonly scheduling?: BatchScheduling;
}

/** See {@link BatcherOptions.scheduling}. */
export const BATCH_SCHEDULING = ['adaptive', 'delay'] as const;
export type BatchScheduling = (typeof BATCH_SCHEDULING)[number];

/** One item's output and how it was served. */
export interface BatchedResult<O> {
  readonly output: O;
  /** Items in the run that computed it. */
  readonly batchSize: number;
  /** Time from submit until its run started. */
  readonly queueMs: number;
  /** Duration of its run. */
  readonly runMs: number;
}

/** What one run did, for an observer (the /metrics histograms). */
export interface RunInfo {
  /** Items in the run. */
  readonly batchSize: number;
  /** Duration of the run. */
  readonly runMs: number;
  /** For each item, the time from its submit until the run started. */
  readonly queueMs: readonly number[];
  /** The runner threw. */
  readonly failed: boolean;
}

/** Called after every run. */
export type RunObserver = (info: RunInfo) => void;

/** Counters, for tests and /metrics. */
export interface BatcherStats {
  /** Batches run (session.run calls). */
  readonly runs: number;
  /** Items run. */
  readonly items: number;
  readonly largestBatch: number;
  /** Items waiting now. */
  readonly queueLength: number;
  /** Submits refused because the queue was full. */
  readonly rejected: number;
  /** Submits that timed out. */
  readonly timedOut: number;
}

interface Pending<I, O> {
  readonly input: I;
  readonly enqueuedAt: number;
  readonly request: PendingRequest<O>;
  readonly index: number;
}

interface PendingRequest<O> {
  readonly results: (BatchedResult<O> | undefined)[];
  remaining: number;
  settled: boolean;
  timer?: NodeJS.Timeout;
  resolve(results: BatchedResult<O>[]): void;
  reject(error: unknown): void;
}

/** Per-submit options. */
export interface SubmitOptions {
  /** `performance.now()` time after which the submit fails with `ONNXPIPE_SERVER_REQUEST_TIMEOUT`. */
  readonly deadline?: number;
}

/**
 * Gathers items from concurrent callers into batches for `run`.
 *
 * @example
 * ```ts
 * const batcher = new DynamicBatcher(async (xs) => xs.map((x) => x * 2), {
 *   maxBatchSize: 64, maxQueueDelayMs: 2, maxQueueLength: 1024,
 * });
 * const [a, b] = await Promise.all([batcher.submit([1]), batcher.submit([2])]); // one run
 * ```
 */
export class DynamicBatcher<I, O> {
  readonly #run: BatchRunner<I, O>;
  readonly #observe: RunObserver | undefined;
  #options: BatcherOptions;
  readonly #queue: Pending<I, O>[] = [];
  #flush: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #stats = { runs: 0, items: 0, largestBatch: 0, rejected: 0, timedOut: 0 };

  constructor(run: BatchRunner<I, O>, options: BatcherOptions, observe?: RunObserver) {
    this.#run = run;
    this.#observe = observe;
    this.#options = { ...options };
  }

  get stats(): BatcherStats {
    return { ...this.#stats, queueLength: this.#queue.length };
  }

  /**
   * Queues `inputs` (all of them or none) and resolves with their results in order once every
   * one has run; they may be spread over several batches.
   *
   * @throws `ONNXPIPE_SERVER_QUEUE_FULL` when the queue has no room for all of them
   * @throws `ONNXPIPE_SERVER_REQUEST_TIMEOUT` when `deadline` passes first
   * @throws `ONNXPIPE_SERVER_MODEL_NOT_READY` after {@link close}
   */
  submit(inputs: readonly I[], options: SubmitOptions = {}): Promise<BatchedResult<O>[]> {
    if (this.#closed) {
      return Promise.reject(new ONNXPIPE_SERVER_MODEL_NOT_READY('the model is shutting down and takes no new work'));
    }
    if (inputs.length === 0) return Promise.resolve([]);
    const free = this.#options.maxQueueLength - this.#queue.length;
    if (inputs.length > free) {
      this.#stats.rejected++;
      return Promise.reject(
        new ONNXPIPE_SERVER_QUEUE_FULL(
          `the model's queue is full (${this.#queue.length} of 'maxQueueLength' ${this.#options.maxQueueLength} items waiting); this request needs room for ${inputs.length}; retry later`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const request: PendingRequest<O> = {
        results: new Array(inputs.length),
        remaining: inputs.length,
        settled: false,
        resolve,
        reject,
      };
      const now = performance.now();
      inputs.forEach((input, index) => this.#queue.push({ input, enqueuedAt: now, request, index }));
      if (options.deadline !== undefined) {
        request.timer = setTimeout(() => this.#expire(request), Math.max(0, options.deadline - now));
      }
      this.#schedule();
    });
  }

  /**
   * Takes no new work, runs everything queued without waiting for company, and resolves when
   * the last batch has finished.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#options = { ...this.#options, maxQueueDelayMs: 0 };
    this.#schedule();
    while (this.#running !== undefined || this.#queue.length > 0) {
      await (this.#running ?? new Promise((r) => setImmediate(r)));
    }
  }

  #expire(request: PendingRequest<O>): void {
    if (request.settled) return;
    // Items not yet running leave the queue; results of running ones are dropped on arrival.
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      if (this.#queue[i].request === request) this.#queue.splice(i, 1);
    }
    this.#stats.timedOut++;
    this.#settle(
      request,
      undefined,
      new ONNXPIPE_SERVER_REQUEST_TIMEOUT(
        `no result within 'requestTimeoutMs' (the server is overloaded); retry later`,
      ),
    );
  }

  #settle(request: PendingRequest<O>, results: BatchedResult<O>[] | undefined, error?: unknown): void {
    if (request.settled) return;
    request.settled = true;
    clearTimeout(request.timer);
    if (results !== undefined) request.resolve(results);
    else request.reject(error);
  }

  #schedule(): void {
    if (this.#running !== undefined || this.#queue.length === 0) return;
    const { maxBatchSize, maxQueueDelayMs, scheduling = 'adaptive' } = this.#options;
    const waited = performance.now() - this.#queue[0].enqueuedAt;
    if (this.#queue.length >= maxBatchSize || waited >= maxQueueDelayMs) {
      this.#start();
    } else if (scheduling === 'adaptive') {
      // Requests whose bytes arrived in the same poll phase are decoded and queued before
      // setImmediate callbacks run, so they share this run.
      this.#flush ??= setImmediate(() => {
        this.#flush = undefined;
        if (this.#running === undefined && this.#queue.length > 0) this.#start();
      });
    } else {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, maxQueueDelayMs - waited);
    }
  }

  #start(): void {
    clearImmediate(this.#flush);
    clearTimeout(this.#timer);
    this.#flush = undefined;
    this.#timer = undefined;
    this.#running = this.#runBatch();
  }

  async #runBatch(): Promise<void> {
    const batch = this.#queue.splice(0, this.#options.maxBatchSize);
    const started = performance.now();
    try {
      let outputs: O[] | undefined;
      let failure: unknown;
      try {
        outputs = await this.#run(batch.map((p) => p.input));
        if (outputs.length !== batch.length) {
          throw new Error(`batch runner returned ${outputs.length} outputs for ${batch.length} inputs`);
        }
      } catch (error) {
        failure = error;
      }
      const runMs = performance.now() - started;
      this.#stats.runs++;
      this.#stats.items += batch.length;
      this.#stats.largestBatch = Math.max(this.#stats.largestBatch, batch.length);
      batch.forEach((pending, i) => {
        const { request } = pending;
        if (request.settled) return;
        if (outputs === undefined) return this.#settle(request, undefined, failure);
        request.results[pending.index] = {
          output: outputs[i],
          batchSize: batch.length,
          queueMs: started - pending.enqueuedAt,
          runMs,
        };
        if (--request.remaining === 0) this.#settle(request, request.results as BatchedResult<O>[]);
      });
      // After the callers are answered; metrics must never fail a batch or the server.
      try {
        this.#observe?.({
          batchSize: batch.length,
          runMs,
          queueMs: batch.map((p) => started - p.enqueuedAt),
          failed: outputs === undefined,
        });
      } catch {
        // ignored on purpose (see above)
      }
    } finally {
      this.#running = undefined;
      this.#schedule();
    }
  }
}
