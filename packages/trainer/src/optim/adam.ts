import {
  allocateState,
  combinedGradient,
  foldParts,
  type Optimizer,
  type OptimizerSpec,
  type OptimizerState,
} from './optimizer.js';

type AdamSpec = Extract<OptimizerSpec, { kind: 'adam' }>;

/**
 * Adam over a flat parameter buffer, as PyTorch's `torch.optim.Adam` (weight decay 0, no amsgrad):
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
 *   θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
 */
export class Adam implements Optimizer {
  readonly state: OptimizerState;

  constructor(
    sizeOrState: number | OptimizerState,
    readonly spec: AdamSpec,
    shared = false,
  ) {
    this.state =
      typeof sizeOrState === 'number'
        ? allocateState(['firstMoment', 'secondMoment'], sizeOrState, shared)
        : sizeOrState;
  }

  update(
    params: Float32Array,
    parts: readonly Float32Array[],
    scale: number,
    lr: number,
    step: number,
    start: number,
    end: number,
  ): void {
    const [a, b] = foldParts(parts, start, end);
    const { firstMoment: m, secondMoment: v } = this.state;
    const { beta1, beta2, epsilon } = this.spec;
    const stepSize = lr / (1 - beta1 ** step);
    const root2 = Math.sqrt(1 - beta2 ** step);
    for (let i = start; i < end; i++) {
      const g = combinedGradient(a, b, scale, i);
      const mi = beta1 * m[i] + (1 - beta1) * g;
      const vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= (stepSize * mi) / (Math.sqrt(vi) / root2 + epsilon);
    }
  }

  restore(state: OptimizerState): void {
    for (const [name, array] of Object.entries(this.state)) array.set(state[name]);
  }
}
