/**
 * An exponential moving average of the weights (Polyak averaging, as timm's `ModelEmaV2` with a
 * warm-up): evaluated and exported instead of the last step's weights, it smooths out the noise of
 * the final updates. The decay ramps up as min(decay, (1 + t)/(10 + t)) so that the average
 * forgets the random initial weights quickly.
 */
export function updateWeightAverage(
  average: Float32Array,
  params: Float32Array,
  decay: number,
  step: number,
  start: number,
  end: number,
): void {
  const d = Math.min(decay, (1 + step) / (10 + step));
  for (let i = start; i < end; i++) average[i] = d * average[i] + (1 - d) * params[i];
}
