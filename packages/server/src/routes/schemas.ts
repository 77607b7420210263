// JSON schemas shared by the routes. fastify compiles them into validators and serializers,
// and the /docs follow-up will render them as OpenAPI.

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
