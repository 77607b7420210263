import {
  allocateState,
  combinedGradient,
  foldParts,
  type Optimizer,
  type OptimizerSpec,
  type OptimizerState,
} from './optimizer.js';

type AdadeltaSpec = Extract<OptimizerSpec, { kind: 'adadelta' }>;

/** PyTorch's defaults (tfjs's own Adadelta defaults differ: ρ 0.95, ε 1e-7). */
export const ADADELTA_DEFAULTS: AdadeltaSpec = { kind: 'adadelta', rho: 0.9, epsilon: 1e-6 };

/**
 * Adadelta over a flat parameter buffer, exactly PyTorch's `torch.optim.Adadelta` (weight decay 0):
 *   v ← ρv + (1−ρ)g²;  Δ = √(u+ε)/√(v+ε) · g;  u ← ρu + (1−ρ)Δ²;  θ ← θ − lr·Δ
 * tfjs keeps optimizer state per tensor on one backend, while data-parallel workers need one
 * shared update.
 */
export class Adadelta implements Optimizer {
  readonly state: OptimizerState;

  constructor(
    sizeOrState: number | OptimizerState,
    readonly spec: AdadeltaSpec = ADADELTA_DEFAULTS,
    shared = false,
  ) {
    this.state =
      typeof sizeOrState === 'number'
        ? allocateState(['squareAverage', 'accumulatedDelta'], sizeOrState, shared)
        : sizeOrState;
  }

  /** Updates `params` in place with gradient `grads` at learning rate `lr`. */
  step(params: Float32Array, grads: Float32Array, lr: number): void {
    this.update(params, [grads], 1, lr, 1, 0, params.length);
  }

  /**
   * Rounded to float32 after the sum and after the scaling, as when the parts are first added
   * into a Float32Array and then scaled, so the result does not depend on how many workers
   * update how many slices.
   */
  update(
    params: Float32Array,
    parts: readonly Float32Array[],
    scale: number,
    lr: number,
    _step: number,
    start: number,
    end: number,
  ): void {
    const [a, b] = foldParts(parts, start, end);
    const { squareAverage: v, accumulatedDelta: u } = this.state;
    const { rho, epsilon: eps } = this.spec;
    for (let i = start; i < end; i++) {
      const g = combinedGradient(a, b, scale, i);
      const vi = rho * v[i] + (1 - rho) * g * g;
      const delta = (Math.sqrt(u[i] + eps) / Math.sqrt(vi + eps)) * g;
      v[i] = vi;
      u[i] = rho * u[i] + (1 - rho) * delta * delta;
      params[i] -= lr * delta;
    }
  }

  restore(state: OptimizerState): void {
    for (const [name, array] of Object.entries(this.state)) array.set(state[name]);
  }
}
