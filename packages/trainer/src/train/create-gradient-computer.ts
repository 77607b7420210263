import type { ConcreteBackend } from '../backends/select-backend.js';
import { parameterLayout } from '../model/reference-network.js';
import { Adadelta } from '../optim/adadelta.js';
import type { GradientComputer } from './gradient-computer.js';
import type { TrainingData } from './gradient-engine.js';
import { InProcessComputer } from './in-process-computer.js';
import { WorkerPool, shareTrainingData } from './worker-pool.js';

/** A zeroed flat parameter buffer; shared memory when workers must read it. */
export function allocateParameters(workers: number): Float32Array {
  const bytes = parameterLayout().total * Float32Array.BYTES_PER_ELEMENT;
  return new Float32Array(workers > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** A fresh optimizer for `params`, its state shared when workers must update it. */
export function createOptimizer(params: Float32Array): Adadelta {
  return new Adadelta(params.length, { shared: params.buffer instanceof SharedArrayBuffer });
}

/**
 * One engine in this thread, or a pool of `workers` data-parallel worker threads. Training steps
 * update `params` and `optimizer`'s state in place.
 */
export async function createGradientComputer(options: {
  workers: number;
  backend: ConcreteBackend;
  data: TrainingData;
  params: Float32Array;
  optimizer: Adadelta;
}): Promise<GradientComputer> {
  const { workers, backend, data, params, optimizer } = options;
  if (workers <= 1) return new InProcessComputer(data, params, optimizer);
  return WorkerPool.start({ workers, backend, data: shareTrainingData(data), params, optimizer });
}
