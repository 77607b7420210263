import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { SessionRunReply, SessionWorkerData, SessionWorkerReply, SessionWorkerRequest } from './worker-session.js';

// The thread that owns a model version's InferenceSession when `inferenceWorker` is on.
// onnxruntime-node runs `session.run` synchronously on the thread that calls it, so here it
// blocks this thread, not the server's event loop. Batches arrive as transferred buffers and
// their outputs go back the same way; nothing else crosses the thread boundary.

const init = workerData as SessionWorkerData;
const port = parentPort!;

function post(reply: SessionWorkerReply): void {
  port.postMessage(reply);
}

function answer(reply: SessionRunReply, transfer: ArrayBuffer[] = []): void {
  init.results.postMessage(reply, transfer);
}

// Not core's errorMessage: the worker loads onnxruntime-node and nothing else of ours.
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An output the worker may hand over whole: a Float32Array spanning its own buffer. */
function transferable(values: Float32Array): Float32Array {
  return values.byteOffset === 0 &&
    values.byteLength === values.buffer.byteLength &&
    values.buffer instanceof ArrayBuffer
    ? values
    : values.slice();
}

async function start(): Promise<ort.InferenceSession> {
  const bytes = await readFile(init.path);
  // The main thread checked this file; a reload may have replaced it since.
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== init.sha256)
    throw new Error(
      `sha256 ${sha256} differs from ${init.sha256} checked moments ago: the file changed during the load`,
    );
  const threads = init.intraOpThreads ? { intraOpNumThreads: init.intraOpThreads } : {};
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [init.provider],
    graphOptimizationLevel: 'all',
    ...threads,
  });
  const size = init.warmupDims.reduce((a, b) => a * b, 1);
  await session.run({ [init.inputName]: new ort.Tensor('float32', new Float32Array(size), init.warmupDims) });
  return session;
}

try {
  const session = await start();
  port.on('message', (request: SessionWorkerRequest) => {
    if (request.type === 'release') {
      void session.release().finally(() => post({ type: 'released' }));
      return;
    }
    session
      .run({ [init.inputName]: new ort.Tensor('float32', request.data, request.dims) })
      .then((results) => {
        const output = transferable(results[init.outputName].data as Float32Array);
        answer({ type: 'result', id: request.id, output }, [output.buffer as ArrayBuffer]);
      })
      .catch((error: unknown) => answer({ type: 'error', id: request.id, message: message(error) }));
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: message(error) });
}
