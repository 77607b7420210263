import type { OptimizerSpec } from '../../../optim/optimizer.js';
import type { ShapedGraph, Value } from './shaped-graph.js';

/** Names of each optimizer's state arrays: the same as the JS optimizers', so checkpoints match. */
export const OPTIMIZER_STATE_NAMES: Readonly<Record<OptimizerSpec['kind'], readonly string[]>> = {
  adadelta: ['squareAverage', 'accumulatedDelta'],
  adam: ['firstMoment', 'secondMoment'],
};

/**
 * Scalars an update reads each step, fed as graph inputs: Adadelta's learning rate; Adam's step
 * size lr/(1 − β₁ᵗ) and √(1 − β₂ᵗ), which depend on the step count t.
 */
export const OPTIMIZER_SCALARS: Readonly<Record<OptimizerSpec['kind'], readonly string[]>> = {
  adadelta: ['lr'],
  adam: ['stepSize', 'root2'],
};

/** Values of {@link OPTIMIZER_SCALARS} for a step with learning rate `lr`, `step` counting from 1. */
export function optimizerScalars(spec: OptimizerSpec, lr: number, step: number): Record<string, number> {
  switch (spec.kind) {
    case 'adadelta':
      return { lr };
    case 'adam':
      return { stepSize: lr / (1 - spec.beta1 ** step), root2: Math.sqrt(1 - spec.beta2 ** step) };
  }
}

/**
 * The optimizer's update of one parameter tensor as graph nodes, the formulas of the JS
 * optimizers (PyTorch's): `grad` is the batch-mean gradient; `outputs` names the new parameter
 * and each new state array (so the graph's outputs are written by the update's last nodes).
 * Returns the new parameter.
 *
 * - Adadelta: v ← ρv + (1−ρ)g²;  Δ = √((u+ε)/(v+ε))·g;  u ← ρu + (1−ρ)Δ²;  θ ← θ − lr·Δ
 * - Adam: m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − stepSize·m/(√v/root2 + ε)
 */
export function optimizerUpdate(
  g: ShapedGraph,
  spec: OptimizerSpec,
  param: Value,
  grad: Value,
  state: Readonly<Record<string, Value>>,
  scalars: Readonly<Record<string, Value>>,
  outputs: { readonly param: string; readonly state: Readonly<Record<string, string>> },
): Value {
  const square = g.mul(grad, grad);
  const average = (old: Value, rate: number, value: Value, output: string) =>
    g.add(g.mul(old, g.scalar(rate)), g.mul(value, g.scalar(1 - rate)), { output });
  switch (spec.kind) {
    case 'adadelta': {
      const { squareAverage: v, accumulatedDelta: u } = state;
      const eps = g.scalar(spec.epsilon);
      const v1 = average(v, spec.rho, square, outputs.state.squareAverage);
      const delta = g.mul(g.op('Sqrt', [g.div(g.add(u, eps), g.add(v1, eps))], param.shape), grad);
      average(u, spec.rho, g.mul(delta, delta), outputs.state.accumulatedDelta);
      return g.sub(param, g.mul(delta, scalars.lr), { output: outputs.param });
    }
    case 'adam': {
      const { firstMoment: m, secondMoment: v } = state;
      const m1 = average(m, spec.beta1, grad, outputs.state.firstMoment);
      const v1 = average(v, spec.beta2, square, outputs.state.secondMoment);
      const denominator = g.add(g.div(g.op('Sqrt', [v1], param.shape), scalars.root2), g.scalar(spec.epsilon));
      return g.sub(param, g.div(g.mul(m1, scalars.stepSize), denominator), { output: outputs.param });
    }
  }
}

/** The weight average's update avg ← d·avg + (1 − d)·θ, with d and 1 − d as inputs (see `updateWeightAverage`). */
export function weightAverageUpdate(
  g: ShapedGraph,
  average: Value,
  param: Value,
  decay: Value,
  complement: Value,
  output: string,
): void {
  g.add(g.mul(average, decay), g.mul(param, complement), { output });
}
