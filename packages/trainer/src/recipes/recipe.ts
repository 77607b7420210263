import { formatChoices } from '@onnxpipe/core';
import type { AugmentationSettings } from '../augment/augment-digit.js';
import { ONNXPIPE_TRAINER_USAGE } from '../errors.js';
import type { NetworkSpec } from '../model/network-spec.js';
import type { OptimizerSpec } from '../optim/optimizer.js';
import { REFERENCE_RECIPE } from './reference.js';
import { ROBUST_RECIPE } from './robust.js';

/**
 * A training recipe: the network and everything about how it is fitted. Plain data plus one pure
 * function, so that the main thread and every data-parallel worker resolve the same recipe from
 * its name.
 */
export interface Recipe {
  readonly name: RecipeName;
  /** One line for `--help` and the report. */
  readonly summary: string;
  readonly network: NetworkSpec;
  readonly optimizer: OptimizerSpec;
  /** Defaults of the flags that differ between recipes. */
  readonly defaults: { readonly epochs: number; readonly batchSize: number; readonly lr: number; readonly gamma: number };
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
  'erase',
  'label-smoothing',
  'weight-average',
] as const;
export type AblationPart = (typeof ABLATION_CHOICES)[number];

const RECIPES: Readonly<Record<RecipeName, Recipe>> = { reference: REFERENCE_RECIPE, robust: ROBUST_RECIPE };

export function isRecipeName(value: string): value is RecipeName {
  return (RECIPE_CHOICES as readonly string[]).includes(value);
}

/**
 * The recipe `name` with the parts in `without` turned off.
 *
 * @throws `ONNXPIPE_TRAINER_USAGE` for an unknown recipe or part
 */
export function resolveRecipe(name: string, without: readonly string[] = []): Recipe {
  if (!isRecipeName(name)) {
    throw new ONNXPIPE_TRAINER_USAGE(`'recipe' must be one of ${formatChoices(RECIPE_CHOICES)}; received ${JSON.stringify(name)}`);
  }
  for (const part of without) {
    if (!(ABLATION_CHOICES as readonly string[]).includes(part)) {
      throw new ONNXPIPE_TRAINER_USAGE(`'without' takes ${formatChoices(ABLATION_CHOICES)}; received ${JSON.stringify(part)}`);
    }
  }
  const off = new Set(without as readonly AblationPart[]);
  const recipe = RECIPES[name];
  const a = recipe.augmentation;
  return {
    ...recipe,
    labelSmoothing: off.has('label-smoothing') ? 0 : recipe.labelSmoothing,
    weightAverageDecay: off.has('weight-average') ? undefined : recipe.weightAverageDecay,
    augmentation:
      a === undefined || off.has('augmentation')
        ? undefined
        : {
            ...a,
            ...(off.has('affine') ? { rotationDegrees: 0, shear: 0, aspect: 0 } : {}),
            ...(off.has('elastic') ? { elastic: 0 } : {}),
            ...(off.has('stroke-width') ? { thinner: 0, thicker: 0 } : {}),
            ...(off.has('resolution') ? { scale: [2, 2] as const, binarize: 0, blur: 0 } : {}),
            ...(off.has('styles') ? { styles: 0 } : {}),
            ...(off.has('erase') ? { erase: 0 } : {}),
          },
  };
}
