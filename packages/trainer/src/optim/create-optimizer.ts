import { Adadelta } from './adadelta.js';
import { Adam } from './adam.js';
import type { Optimizer, OptimizerSpec, OptimizerState } from './optimizer.js';

/**
 * A fresh optimizer for `size` parameters (its state on SharedArrayBuffers when `shared`), or
 * one over existing `state`, e.g. shared with a worker by the main thread.
 */
export function createOptimizer(spec: OptimizerSpec, sizeOrState: number | OptimizerState, shared = false): Optimizer {
  switch (spec.kind) {
    case 'adadelta':
      return new Adadelta(sizeOrState, spec, shared);
    case 'adam':
      return new Adam(sizeOrState, spec, shared);
  }
}
