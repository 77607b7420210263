import type { Adadelta } from '../optim/adadelta.js';
import type { GradientComputer } from './gradient-computer.js';

/**
 * One optimisation step on a global batch: summed gradients from every worker, averaged over the
 * batch (NLL's 'mean' reduction), one Adadelta update. Returns the batch's mean loss.
 */
export async function trainStep(options: {
  computer: GradientComputer;
  optimizer: Adadelta;
  params: Float32Array;
  grads: Float32Array;
  indices: Int32Array;
  dropoutSeed: number | undefined;
  lr: number;
}): Promise<number> {
  const { computer, optimizer, params, grads, indices, dropoutSeed, lr } = options;
  const lossSum = await computer.gradients(indices, dropoutSeed, grads);
  const scale = 1 / indices.length;
  for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  optimizer.step(params, grads, lr);
  return lossSum / indices.length;
}
