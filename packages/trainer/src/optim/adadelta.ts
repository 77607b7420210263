/**
 * Adadelta over a flat parameter buffer, exactly PyTorch's `torch.optim.Adadelta` (weight decay 0):
 *   v ← ρv + (1−ρ)g²;  Δ = √(u+ε)/√(v+ε) · g;  u ← ρu + (1−ρ)Δ²;  θ ← θ − lr·Δ
 * Defaults are PyTorch's (ρ 0.9, ε 1e-6); tfjs's own Adadelta defaults differ (ρ 0.95, ε 1e-7)
 * and keeps state per tensor on one backend, while data-parallel workers need one shared update.
 */
export interface AdadeltaOptions {
  readonly rho?: number;
  readonly epsilon?: number;
}

export interface AdadeltaState {
  readonly squareAverage: Float32Array;
  readonly accumulatedDelta: Float32Array;
}

export class Adadelta {
  readonly rho: number;
  readonly epsilon: number;
  readonly state: AdadeltaState;

  constructor(size: number, options: AdadeltaOptions = {}) {
    this.rho = options.rho ?? 0.9;
    this.epsilon = options.epsilon ?? 1e-6;
    this.state = { squareAverage: new Float32Array(size), accumulatedDelta: new Float32Array(size) };
  }

  /** Updates `params` in place with gradient `grads` at learning rate `lr`. */
  step(params: Float32Array, grads: Float32Array, lr: number): void {
    const { squareAverage: v, accumulatedDelta: u } = this.state;
    const rho = this.rho;
    const eps = this.epsilon;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
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
