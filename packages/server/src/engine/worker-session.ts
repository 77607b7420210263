import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ExecutionProvider } from '../models/execution-provider.js';
import type { LoadedModel } from '../models/load-model.js';

// The main thread's side of a session worker (session-thread.ts): one worker per model
// version, started after the main thread has checked and warmed up the model, so that every
// load problem is still reported by loadModel with the file's name.
//
// Batch results come back on a port of their own, which the main thread can also read
// synchronously (poll). Otherwise a finished batch is noticed only when the event loop gets to
// the port's message event, and under load that loop is busy: one poll phase may hand it dozens
// of requests, each decoded and preprocessed on the spot, and the worker idles until they are
// done, although the next batch is already queued. Polling as each request is queued hands the
// worker its next batch within one request's work.

/** What a session worker starts from. */
export interface SessionWorkerData {
  /** Where run results and errors go (the other end is the main thread's {@link WorkerSession}). */
  readonly results: MessagePort;
  readonly path: string;
  readonly sha256: string;
  readonly provider: ExecutionProvider;
  readonly intraOpThreads: number;
  readonly inputName: string;
  readonly outputName: string;
  readonly warmupDims: readonly number[];
}

export type SessionWorkerRequest =
  | { readonly type: 'run'; readonly id: number; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'release' };

/** Messages on the worker's own port (its life). */
export type SessionWorkerReply =
  { readonly type: 'ready' } | { readonly type: 'failed'; readonly message: string } | { readonly type: 'released' };

/** Messages on the results port (one per run). */
export type SessionRunReply =
  | { readonly type: 'result'; readonly id: number; readonly output: Float32Array }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

interface Pending {
  resolve(output: Float32Array): void;
  reject(error: Error): void;
}

function spawn(workerData: SessionWorkerData): Worker {
  const transferList = [workerData.results];
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./session-thread.js', import.meta.url), { workerData, transferList });
  // Run from source (tests, `npm start` through tsx): the worker needs the TypeScript loader too.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const script = JSON.stringify(new URL('./session-thread.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((api) => { api.register(); return import(${script}); });`, {
    eval: true,
    workerData,
    transferList,
  });
}

/**
 * A model version's InferenceSession, owned by a worker thread so that `session.run` does not
 * block the event loop. {@link run} transfers the batch's buffer to the worker (the caller must
 * not use it afterwards) and gets the output's buffer back the same way.
 */
export class WorkerSession {
  readonly #worker: Worker;
  readonly #results: MessagePort;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: Error | undefined;
  #terminated: Promise<void> | undefined;

  private constructor(worker: Worker, results: MessagePort) {
    this.#worker = worker;
    this.#results = results;
    results.on('message', (reply: SessionRunReply) => this.#receive(reply));
    // The worker keeps the process alive while it runs; this port never should on its own.
    results.unref();
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => this.#fail(new Error(`the inference worker exited with code ${code}`)));
  }

  /**
   * Starts a worker that opens `model` on `provider` and warms it up.
   *
   * @throws Error with onnxruntime's message when the worker cannot open or run the model
   */
  static async start(model: LoadedModel, provider: ExecutionProvider, intraOpThreads: number): Promise<WorkerSession> {
    const { metadata } = model;
    const channel = new MessageChannel();
    const worker = spawn({
      results: channel.port2,
      path: model.path,
      sha256: model.sha256,
      provider,
      intraOpThreads,
      inputName: model.inputName,
      outputName: model.outputName,
      warmupDims:
        metadata.inputLayout === 'NCHW'
          ? [1, 1, metadata.height, metadata.width]
          : [1, metadata.height, metadata.width, 1],
    });
    // Listeners are removed one by one: removeAllListeners would also drop the ones through
    // which the worker keeps its message port referenced.
    let onError!: (error: Error) => void;
    let onExit!: (code: number) => void;
    let onMessage!: (reply: SessionWorkerReply) => void;
    try {
      await new Promise<void>((resolve, reject) => {
        onError = reject;
        onExit = (code) => reject(new Error(`the inference worker exited with code ${code} while starting`));
        onMessage = (reply) => {
          if (reply.type === 'ready') resolve();
          else
            reject(
              new Error(
                reply.type === 'failed' ? reply.message : `unexpected ${reply.type} from a starting inference worker`,
              ),
            );
        };
        worker.on('error', onError).on('exit', onExit).on('message', onMessage);
      });
    } catch (error) {
      channel.port1.close();
      await worker.terminate();
      throw error;
    } finally {
      worker.off('error', onError).off('exit', onExit).off('message', onMessage);
    }
    return new WorkerSession(worker, channel.port1);
  }

  /**
   * Takes the results of finished runs now, without waiting for the event loop to deliver them
   * (see the note at the top): their promises settle at the next microtask checkpoint. Cheap
   * when there is nothing: call it whenever the main thread is between two pieces of work.
   */
  poll(): void {
    if (this.#pending.size === 0) return;
    for (
      let received = receiveMessageOnPort(this.#results);
      received !== undefined;
      received = receiveMessageOnPort(this.#results)
    ) {
      this.#receive(received.message as SessionRunReply);
    }
  }

  /** Runs one batch; `data`'s buffer is transferred (detached here). */
  run(data: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: SessionWorkerRequest = { type: 'run', id, data, dims };
      this.#worker.postMessage(request, [data.buffer as ArrayBuffer]);
    });
  }

  /** Releases the session and ends the thread; runs still pending fail. */
  terminate(): Promise<void> {
    this.#terminated ??= (async () => {
      if (this.#failure === undefined) {
        const released = new Promise<void>((resolve) => {
          const onReply = (reply: SessionWorkerReply) => reply.type === 'released' && resolve();
          this.#worker.on('message', onReply);
          this.#worker.once('exit', () => resolve());
        });
        this.#worker.postMessage({ type: 'release' } satisfies SessionWorkerRequest);
        await released;
      }
      this.#fail(new Error('the inference worker was terminated'));
      this.#results.close();
      await this.#worker.terminate();
    })();
    return this.#terminated;
  }

  #receive(reply: SessionRunReply): void {
    const pending = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if (reply.type === 'result') pending?.resolve(reply.output);
    else pending?.reject(new Error(reply.message));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }
}
