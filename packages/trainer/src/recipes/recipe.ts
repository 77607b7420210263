import type { AugmentationSettings } from '../augment/augment-digit.js';
import type { NetworkSpec } from '../model/network-spec.js';
import type { OptimizerSpec } from '../optim/optimizer.js';

/**
 * A training recipe: the network and everything about how it is fitted. Plain data plus one pure
 * function, so that the main thread and every data-parallel worker resolve the same recipe from
 * its name (`resolveRecipe`).
 */
export interface Recipe {
  readonly name: RecipeName;
  /** One line for `--help` and the report. */
  readonly summary: string;
  readonly network: NetworkSpec;
  readonly optimizer: OptimizerSpec;
  /** Defaults of the flags that differ between recipes. */
  readonly defaults: {
    readonly epochs: number;
    readonly batchSize: number;
    readonly lr: number;
    readonly gamma: number;
  };
  /** The learning rate of `step` (0-based) of `epoch` (1-based), of `stepsPerEpoch`. */
  learningRate(schedule: LearningRateInputs, epoch: number, step: number, stepsPerEpoch: number): number;
  /** Label smoothing ε of the cross-entropy (0: plain NLL). */
  readonly labelSmoothing: number;
  /** Random variation of the training digits; none when undefined. */
  readonly augmentation?: AugmentationSettings;
  /** Evaluate and export an exponential moving average of the weights with this decay; none when undefined. */
  readonly weightAverageDecay?: number;
}

export interface LearningRateInputs {
  readonly lr: number;
  readonly gamma: number;
  readonly epochs: number;
}

export const RECIPE_CHOICES = ['reference', 'robust'] as const;
export type RecipeName = (typeof RECIPE_CHOICES)[number];

/**
 * Parts of a recipe that `--without` turns off, for ablations: each one's contribution to the
 * final accuracy is measured by training without it (docs/recipes.md).
 */
export const ABLATION_CHOICES = [
  'augmentation',
  'affine',
  'elastic',
  'stroke-width',
  'resolution',
  'styles',
  'stroke-digits',
  'erase',
  'label-smoothing',
  'weight-average',
] as const;
export type AblationPart = (typeof ABLATION_CHOICES)[number];
