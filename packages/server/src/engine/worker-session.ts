import { Worker } from 'node:worker_threads';
import type { ExecutionProvider } from '../models/execution-provider.js';
import type { LoadedModel } from '../models/load-model.js';

// The main thread's side of a session worker (session-worker.ts): one worker per model
// version, started after the main thread has checked and warmed up the model, so that every
// load problem is still reported by loadModel with the file's name.

/** What a session worker starts from. */
export interface SessionWorkerData {
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

export type SessionWorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly output: Float32Array }
  | { readonly type: 'error'; readonly id: number; readonly message: string }
  | { readonly type: 'released' };

interface Pending {
  resolve(output: Float32Array): void;
  reject(error: Error): void;
}

function spawn(workerData: SessionWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./session-worker.js', import.meta.url), { workerData });
  // Run from source (tests, `npm start` through tsx): the worker needs the TypeScript loader too.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const script = JSON.stringify(new URL('./session-worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((api) => { api.register(); return import(${script}); });`, { eval: true, workerData });
}

/**
 * A model version's InferenceSession, owned by a worker thread so that `session.run` does not
 * block the event loop. {@link run} transfers the batch's buffer to the worker (the caller must
 * not use it afterwards) and gets the output's buffer back the same way.
 */
export class WorkerSession {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: Error | undefined;
  #terminated: Promise<void> | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: SessionWorkerReply) => {
      if (reply.type !== 'result' && reply.type !== 'error') return;
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.type === 'result') pending?.resolve(reply.output);
      else pending?.reject(new Error(reply.message));
    });
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
    const worker = spawn({
      path: model.path,
      sha256: model.sha256,
      provider,
      intraOpThreads,
      inputName: model.inputName,
      outputName: model.outputName,
      warmupDims: metadata.inputLayout === 'NCHW' ? [1, 1, metadata.height, metadata.width] : [1, metadata.height, metadata.width, 1],
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
          else reject(new Error(reply.type === 'failed' ? reply.message : `unexpected ${reply.type} from a starting inference worker`));
        };
        worker.on('error', onError).on('exit', onExit).on('message', onMessage);
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      worker.off('error', onError).off('exit', onExit).off('message', onMessage);
    }
    return new WorkerSession(worker);
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
      await this.#worker.terminate();
    })();
    return this.#terminated;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }
}
