/**
 * Adadelta over a flat parameter buffer, exactly PyTorch's `torch.optim.Adadelta` (weight decay 0):
 *   v ← ρv + (1−ρ)g²;  Δ = √(u+ε)/√(v+ε) · g;  u ← ρu + (1−ρ)Δ²;  θ ← θ − lr·Δ
 * Defaults are PyTorch's (ρ 0.9, ε 1e-6); tfjs's own Adadelta defaults differ (ρ 0.95, ε 1e-7)
 * and keeps state per tensor on one backend, while data-parallel workers need one shared update.
 */
export interface AdadeltaOptions {
  readonly rho?: number;
  readonly epsilon?: number;
  /**
   * Keeps the state on SharedArrayBuffers, so that data-parallel workers can each update a slice.
   * @defaultValue false
   */
  readonly shared?: boolean;
}

export interface AdadeltaState {
  readonly squareAverage: Float32Array;
  readonly accumulatedDelta: Float32Array;
}

export class Adadelta {
  readonly rho: number;
  readonly epsilon: number;
  readonly state: AdadeltaState;

  /** `state`: existing state to update in place, e.g. shared with a worker by the main thread. */
  constructor(sizeOrState: number | AdadeltaState, options: AdadeltaOptions = {}) {
    this.rho = options.rho ?? 0.9;
    this.epsilon = options.epsilon ?? 1e-6;
    if (typeof sizeOrState !== 'number') {
      this.state = sizeOrState;
      return;
    }
    const bytes = sizeOrState * Float32Array.BYTES_PER_ELEMENT;
    const buffer = () => new Float32Array(options.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    this.state = { squareAverage: buffer(), accumulatedDelta: buffer() };
  }

  /** Updates `params` in place with gradient `grads` at learning rate `lr`. */
  step(params: Float32Array, grads: Float32Array, lr: number): void {
    this.update(params, [grads], 1, lr, 0, params.length);
  }

  /**
   * Updates `params[start, end)` with the gradient (Σ parts)·scale: each worker's summed gradient
   * is one part, and scale turns the sum into the batch mean. Rounded to float32 after the sum and
   * after the scaling, as when the parts are first added into a Float32Array and then scaled, so
   * the result does not depend on how many workers update how many slices.
   */
  update(params: Float32Array, parts: readonly Float32Array[], scale: number, lr: number, start: number, end: number): void {
    if (parts.length <= 2) {
      this.apply(params, parts[0], parts[1], scale, lr, start, end);
      return;
    }
    // More than two workers: fold all but the last part first, in the same order.
    const folded = parts[0].slice();
    for (const part of parts.slice(1, -1)) {
      for (let i = start; i < end; i++) folded[i] += part[i];
    }
    this.apply(params, folded, parts.at(-1), scale, lr, start, end);
  }

  /** The update with g = (a + b)·scale; two fixed operands keep the loop ~1.5x faster than a loop over parts. */
  private apply(params: Float32Array, a: Float32Array, b: Float32Array | undefined, scale: number, lr: number, start: number, end: number): void {
    const { squareAverage: v, accumulatedDelta: u } = this.state;
    const rho = this.rho;
    const eps = this.epsilon;
    for (let i = start; i < end; i++) {
      const g = Math.fround((b === undefined ? a[i] : Math.fround(a[i] + b[i])) * scale);
      const vi = rho * v[i] + (1 - rho) * g * g;
      const delta = (Math.sqrt(u[i] + eps) / Math.sqrt(vi + eps)) * g;
      v[i] = vi;
      u[i] = rho * u[i] + (1 - rho) * delta * delta;
      params[i] -= lr * delta;
    }
  }

  restore(state: AdadeltaState): void {
    this.state.squareAverage.set(state.squareAverage);
    this.state.accumulatedDelta.set(state.accumulatedDelta);
  }
}

/** PyTorch's StepLR with step_size 1 stepped once per epoch: lr for 1-based `epoch`. */
export function stepLearningRate(initial: number, gamma: number, epoch: number): number {
  return initial * gamma ** (epoch - 1);
}
