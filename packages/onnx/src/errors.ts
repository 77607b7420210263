import { createError } from '@onnxpipe/core';

// Codes are stable: tests and callers match on them, never on message text. A bad graph or
// argument handed to the builder is the caller's mistake (400); a file that does not decode is
// a bad input (422). Nothing here is a 5xx: the package has no upstream and no I/O.

/** A bad argument to a builder or helper function (name, shape, attribute value, ...). */
export const ONNXPIPE_ONNX_INVALID_ARGUMENT = createError<[message: string]>(
  'ONNXPIPE_ONNX_INVALID_ARGUMENT',
  '%s',
  400,
);

/** Two graph inputs, initializers or node outputs (or two nodes) share a name. */
export const ONNXPIPE_ONNX_DUPLICATE_NAME = createError<[what: string, name: string]>(
  'ONNXPIPE_ONNX_DUPLICATE_NAME',
  '%s name %s is already used in this graph; names must be unique',
  400,
);

/** The graph is not a valid ONNX graph: undefined or out-of-order inputs, missing outputs. */
export const ONNXPIPE_ONNX_INVALID_GRAPH = createError<[graph: string, problems: string]>(
  'ONNXPIPE_ONNX_INVALID_GRAPH',
  'graph %s is invalid: %s',
  400,
);

/** An opset outside the range this package knows the IR version for. */
export const ONNXPIPE_ONNX_UNSUPPORTED_OPSET = createError<[message: string]>(
  'ONNXPIPE_ONNX_UNSUPPORTED_OPSET',
  '%s',
  400,
);

/** Tensor data that does not match its data type or dims. */
export const ONNXPIPE_ONNX_BAD_TENSOR = createError<[tensor: string, problem: string]>(
  'ONNXPIPE_ONNX_BAD_TENSOR',
  'tensor %s: %s',
  400,
);

/** The bytes are not an ONNX model (not protobuf, truncated, or missing required fields). */
export const ONNXPIPE_ONNX_DECODE_FAILED = createError<[reason: string]>(
  'ONNXPIPE_ONNX_DECODE_FAILED',
  'cannot decode ONNX model: %s',
  422,
);

/** An int64 in the file that a JS number cannot hold exactly (dims, INT attributes, versions). */
export const ONNXPIPE_ONNX_UNSAFE_INTEGER = createError<[field: string, received: string]>(
  'ONNXPIPE_ONNX_UNSAFE_INTEGER',
  "'%s' must be a safe integer (|x| <= 2^53 - 1); received %s",
  422,
);

/** Valid ONNX that this package does not model (string tensors, external data, subgraphs, ...). */
export const ONNXPIPE_ONNX_UNSUPPORTED_FEATURE = createError<[what: string, details: string]>(
  'ONNXPIPE_ONNX_UNSUPPORTED_FEATURE',
  '%s is not supported by @onnxpipe/onnx: %s',
  422,
);
