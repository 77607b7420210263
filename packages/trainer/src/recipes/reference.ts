import { REFERENCE_NETWORK } from '../model/networks.js';
import { ADADELTA_DEFAULTS } from '../optim/adadelta.js';
import { stepLearningRate } from '../optim/schedules.js';
import type { Recipe } from './recipe.js';

/**
 * The seed's recipe, the PyTorch MNIST example exactly: Adadelta (lr 1.0, PyTorch's ρ 0.9 and
 * ε 1e-6), StepLR γ 0.7 per epoch, batch 64, 14 epochs, NLL loss, no augmentation.
 */
export const REFERENCE_RECIPE: Recipe = {
  name: 'reference',
  summary: 'the PyTorch MNIST example: conv 32/62, dropout, Adadelta, StepLR, 14 epochs',
  network: REFERENCE_NETWORK,
  optimizer: ADADELTA_DEFAULTS,
  defaults: { epochs: 14, batchSize: 64, lr: 1.0, gamma: 0.7 },
  learningRate: ({ lr, gamma }, epoch) => stepLearningRate(lr, gamma, epoch),
  labelSmoothing: 0,
};
