import { createError } from '@onnxpipe/core';

// Codes are stable: tests and callers match on them, never on message text. Bad or missing
// data is the caller's environment, not our bug, so those are 4xx; a failed upstream mirror
// is 502 like a failed upstream in a proxy.

/** The file does not start with an IDX magic number (or not the expected one). */
export const ONNXPIPE_DATA_IDX_BAD_MAGIC = createError<[file: string, expected: string, received: string]>(
  'ONNXPIPE_DATA_IDX_BAD_MAGIC',
  '%s: not the expected IDX file: expected magic number %s; received %s',
  422,
);

/** The header declares dimensions that do not fit the expected shape. */
export const ONNXPIPE_DATA_IDX_BAD_SHAPE = createError<[file: string, expected: string, received: string]>(
  'ONNXPIPE_DATA_IDX_BAD_SHAPE',
  '%s: unexpected IDX dimensions: expected %s; received %s',
  422,
);

/** Fewer bytes than the header (or the header's dimensions) require. */
export const ONNXPIPE_DATA_IDX_TRUNCATED = createError<[file: string, expected: string, received: string]>(
  'ONNXPIPE_DATA_IDX_TRUNCATED',
  '%s: truncated IDX file: expected %s; received %s',
  422,
);

/** More bytes than the header's dimensions account for. */
export const ONNXPIPE_DATA_IDX_TRAILING_BYTES = createError<[file: string, expected: string, received: string]>(
  'ONNXPIPE_DATA_IDX_TRAILING_BYTES',
  '%s: IDX file longer than its header says: expected %s; received %s',
  422,
);

/** A label file holds a value outside the dataset's classes. */
export const ONNXPIPE_DATA_IDX_BAD_LABEL = createError<[file: string, expected: string, received: string]>(
  'ONNXPIPE_DATA_IDX_BAD_LABEL',
  '%s: label out of range: expected %s; received %s',
  422,
);

/** The file starts like gzip but does not decompress. */
export const ONNXPIPE_DATA_CORRUPT_GZIP = createError<[file: string, reason: string]>(
  'ONNXPIPE_DATA_CORRUPT_GZIP',
  '%s: corrupt gzip data (%s); delete the file and download it again',
  422,
);

/** A file's content hash is not one the registry knows. */
export const ONNXPIPE_DATA_CHECKSUM_MISMATCH = createError<[file: string, expected: string, received: string]>(
  'ONNXPIPE_DATA_CHECKSUM_MISMATCH',
  '%s: checksum mismatch: expected sha256 %s; received %s',
  422,
);

/** Images and labels disagree on the count, or the count is not the dataset's. */
export const ONNXPIPE_DATA_COUNT_MISMATCH = createError<[what: string, expected: string, received: string]>(
  'ONNXPIPE_DATA_COUNT_MISMATCH',
  '%s: expected %s; received %s',
  422,
);

/** No verified copy of a dataset file in any searched directory (and no download). */
export const ONNXPIPE_DATA_NOT_FOUND = createError<[details: string]>('ONNXPIPE_DATA_NOT_FOUND', '%s', 404);

/** Every mirror failed for a file. */
export const ONNXPIPE_DATA_DOWNLOAD_FAILED = createError<[details: string]>('ONNXPIPE_DATA_DOWNLOAD_FAILED', '%s', 502);

/** A dataset name the registry does not have. */
export const ONNXPIPE_DATA_UNKNOWN_DATASET = createError<[message: string]>('ONNXPIPE_DATA_UNKNOWN_DATASET', '%s', 400);

/** A split other than train or test. */
export const ONNXPIPE_DATA_UNKNOWN_SPLIT = createError<[message: string]>('ONNXPIPE_DATA_UNKNOWN_SPLIT', '%s', 400);

/** A bad argument to a data function (batch size, buffer length, ...). */
export const ONNXPIPE_DATA_INVALID_ARGUMENT = createError<[message: string]>(
  'ONNXPIPE_DATA_INVALID_ARGUMENT',
  '%s',
  400,
);

/** A labelled digit folder (labels.csv + images) that is missing a file or has a malformed row. */
export const ONNXPIPE_DATA_BAD_DIGIT_FOLDER = createError<[folder: string, details: string]>(
  'ONNXPIPE_DATA_BAD_DIGIT_FOLDER',
  '%s: not a labelled digit folder: %s',
  422,
);
