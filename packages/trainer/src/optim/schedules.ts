/** PyTorch's StepLR with step_size 1 stepped once per epoch: lr for 1-based `epoch`. */
export function stepLearningRate(initial: number, gamma: number, epoch: number): number {
  return initial * gamma ** (epoch - 1);
}

/**
 * One-cycle (Smith & Topin; PyTorch's `OneCycleLR` with cosine annealing): from `peak / 25` up to
 * `peak` over the first `warmup` fraction of all steps, then down to `peak / 25e4` by the last.
 * `step` counts from 0 to `totalSteps − 1`.
 */
export function oneCycleLearningRate(peak: number, step: number, totalSteps: number, warmup = 0.25): number {
  const initial = peak / 25;
  const final = initial / 1e4;
  const rampSteps = Math.max(1, warmup * totalSteps - 1);
  const cosine = (from: number, to: number, fraction: number) =>
    to + ((from - to) * (1 + Math.cos(Math.PI * fraction))) / 2;
  if (step <= rampSteps) return cosine(initial, peak, step / rampSteps);
  return cosine(peak, final, Math.min(1, (step - rampSteps) / Math.max(1, totalSteps - 1 - rampSteps)));
}
