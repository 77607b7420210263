import { createError } from '@onnxpipe/core';

// The trainer's error registry. Codes are stable: tests and callers match on them, never on
// message text. Messages name the flag or parameter, what was expected and what was received.

/** A command-line flag or option with a value the trainer does not accept. */
export const ONNXPIPE_TRAINER_USAGE = createError<[message: string]>('ONNXPIPE_TRAINER_USAGE', '%s', 400);

/** A checkpoint that `--resume` cannot continue from (another configuration, a damaged file). */
export const ONNXPIPE_TRAINER_BAD_CHECKPOINT = createError<[message: string]>(
  'ONNXPIPE_TRAINER_BAD_CHECKPOINT',
  '%s',
  409,
);
