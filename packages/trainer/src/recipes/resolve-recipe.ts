import { formatChoices } from '@onnxpipe/core';
import { ONNXPIPE_TRAINER_USAGE } from '../errors.js';
import { ABLATION_CHOICES, RECIPE_CHOICES, type AblationPart, type Recipe, type RecipeName } from './recipe.js';
import { REFERENCE_RECIPE } from './reference.js';
import { ROBUST_RECIPE } from './robust.js';

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
    throw new ONNXPIPE_TRAINER_USAGE(
      `'recipe' must be one of ${formatChoices(RECIPE_CHOICES)}; received ${JSON.stringify(name)}`,
    );
  }
  for (const part of without) {
    if (!(ABLATION_CHOICES as readonly string[]).includes(part)) {
      throw new ONNXPIPE_TRAINER_USAGE(
        `'without' takes ${formatChoices(ABLATION_CHOICES)}; received ${JSON.stringify(part)}`,
      );
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
            ...(off.has('stroke-digits') ? { strokeDigits: 0 } : {}),
            ...(off.has('erase') ? { erase: 0 } : {}),
          },
  };
}
