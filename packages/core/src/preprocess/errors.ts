import { createError } from '../errors.js';

// Kept beside the preprocessing code so that this module could be added without touching the
// package's error registry; it is re-exported from the package root like every other code.

/**
 * An image, or a list of pixel values, that cannot be preprocessed: a size that is not a
 * positive integer or is absurdly large, a channel count other than 1–4, a data length that
 * does not match `width × height × channels`, or a size other than the one a mode requires.
 */
export const ONNXPIPE_CORE_BAD_IMAGE = createError<[message: string]>('ONNXPIPE_CORE_BAD_IMAGE', '%s', 400);
