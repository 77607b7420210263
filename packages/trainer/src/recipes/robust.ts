import { ROBUST_NETWORK } from '../model/networks.js';
import { oneCycleLearningRate } from '../optim/schedules.js';
import type { Recipe } from './recipe.js';

/**
 * The robust recipe: a conv–BN network trained on MNIST digits rendered as other people write
 * them (see `AugmentationSettings`), Adam with a one-cycle schedule, label smoothing and an
 * exponential moving average of the weights. docs/recipes.md has the ablation behind each part.
 */
export const ROBUST_RECIPE: Recipe = {
  name: 'robust',
  summary: 'conv–BN network, handwriting augmentation, Adam one-cycle, label smoothing, weight EMA',
  network: ROBUST_NETWORK,
  optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  defaults: { epochs: 30, batchSize: 64, lr: 0.003, gamma: 1 },
  learningRate: ({ lr, epochs }, epoch, step, stepsPerEpoch) =>
    oneCycleLearningRate(lr, (epoch - 1) * stepsPerEpoch + step, epochs * stepsPerEpoch),
  labelSmoothing: 0.1,
  augmentation: {
    clean: 0.15,
    rotationDegrees: 12,
    shear: 0.35,
    aspect: 0.2,
    elastic: 1.2,
    scale: [0.6, 2.2],
    thinner: 0.25,
    thicker: 0.2,
    binarize: 0.1,
    blur: 0.1,
    styles: 0.5,
    strokeDigits: 0.1,
    erase: 0.1,
  },
  weightAverageDecay: 0.999,
};
