/**
 * What a runtime (the server's `preprocess` field, the browser SDK's option) does to an input
 * before the model: `mnist` (the default) centres and scales the digit as MNIST was made, with
 * `preprocessDigit`; `none` takes images already in the model's format (28×28, MNIST's
 * light ink on black) as they are.
 */
export const PREPROCESS_MODES = ['mnist', 'none'] as const;
export type PreprocessMode = (typeof PREPROCESS_MODES)[number];
