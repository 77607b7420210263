// JSON schemas shared by the routes. fastify compiles them into validators and serializers,
// and @fastify/swagger renders them as OpenAPI at /docs (shared ones as components, by $id).

/** The body of every error our routes send: `{ error, code, statusCode, message }`. */
export const ERROR_SCHEMA = {
  $id: 'onnxpipe-error',
  type: 'object',
  description: 'An error: HTTP reason phrase, stable code (ONNXPIPE_SERVER_*), status, human-readable message.',
  required: ['error', 'code', 'statusCode', 'message'],
  properties: {
    error: { type: 'string', examples: ['Unprocessable Entity'] },
    code: { type: 'string', examples: ['ONNXPIPE_SERVER_UNDECODABLE_IMAGE'] },
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    message: { type: 'string' },
  },
} as const;

/** Response schemas for every error status a route can send. */
export const ERROR_RESPONSES = {
  '4xx': { $ref: 'onnxpipe-error#' },
  '5xx': { $ref: 'onnxpipe-error#' },
} as const;

/**
 * The body of every error on the Open Inference Protocol routes (`/v2/...`): the protocol's
 * `{ "error": "<message>" }`, with our stable code beside it.
 */
export const OPEN_INFERENCE_ERROR_SCHEMA = {
  $id: 'open-inference-error',
  type: 'object',
  description:
    "An Open Inference Protocol error: 'error' is the message (what was expected, what was received); 'code' a stable ONNXPIPE_SERVER_* code.",
  required: ['error', 'code'],
  properties: {
    error: {
      type: 'string',
      examples: ["'inputs[0].shape' must be [n, 1, 28, 28] with 1 ≤ n ≤ 64; received [1, 784]"],
    },
    code: { type: 'string', examples: ['ONNXPIPE_SERVER_BAD_REQUEST'] },
  },
} as const;

/** Response schemas for every error status of an Open Inference Protocol route. */
export const OPEN_INFERENCE_ERROR_RESPONSES = {
  '4xx': { $ref: 'open-inference-error#' },
  '5xx': { $ref: 'open-inference-error#' },
} as const;

/** OpenAPI security scheme of the model control routes (load, unload): a bearer token. */
export const MODEL_CONTROL_SECURITY_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  description:
    'The model control token (ONNXPIPE_MODEL_CONTROL_TOKEN or --model-control-token-file), with modelControlMode explicit.',
} as const;

/** The `security` of a model control route's schema. */
export const MODEL_CONTROL_SECURITY = [{ modelControlToken: [] }];
