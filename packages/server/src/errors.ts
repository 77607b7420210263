import createError from '@fastify/error';

// The server's error registry: every error it raises on purpose has a stable code here, and
// tests assert on codes, never on message text. Status codes follow one rule: a client's
// mistake is 4xx, a server that cannot take the work right now is 503, and only our own bugs
// are 500. Messages name the parameter, what was expected and what was received.

/** Options of every constructor below: the lower-level error this one wraps. */
export interface CauseOptions {
  readonly cause: unknown;
}

type MessageArgs = [message: string, options?: CauseOptions];

function define<const C extends string, const S extends number>(code: C, statusCode: S) {
  return createError<C, S, MessageArgs>(code, '%s', statusCode);
}

// ---- start-up (configuration, model repository, devices) -------------------------------------

/** A setting from a flag or an environment variable is invalid. */
export const ONNXPIPE_SERVER_INVALID_CONFIG = define('ONNXPIPE_SERVER_INVALID_CONFIG', 500);
/** A model file, its metadata or its manifest is unusable; the message names the file. */
export const ONNXPIPE_SERVER_MODEL_LOAD_FAILED = define('ONNXPIPE_SERVER_MODEL_LOAD_FAILED', 500);
/** `device` names an execution provider that cannot run on this machine. */
export const ONNXPIPE_SERVER_DEVICE_UNAVAILABLE = define('ONNXPIPE_SERVER_DEVICE_UNAVAILABLE', 500);

// ---- requests ----------------------------------------------------------------------------------

/** 400: the request does not match the route's schema or the input forms (JSON, multipart). */
export const ONNXPIPE_SERVER_BAD_REQUEST = define('ONNXPIPE_SERVER_BAD_REQUEST', 400);
/**
 * 401: model control over HTTP needs `Authorization: Bearer <token>` and the request has none;
 * the response carries `WWW-Authenticate: Bearer`.
 */
export const ONNXPIPE_SERVER_AUTHENTICATION_REQUIRED = define('ONNXPIPE_SERVER_AUTHENTICATION_REQUIRED', 401);
/** 403: the bearer token of a model control request is not the server's. */
export const ONNXPIPE_SERVER_INVALID_TOKEN = define('ONNXPIPE_SERVER_INVALID_TOKEN', 403);
/**
 * 403: a repository load or unload while `modelControlMode` does not allow it (`none`: the
 * models change only at start-up; `poll`: the server follows the repository by itself).
 */
export const ONNXPIPE_SERVER_MODEL_CONTROL_DISABLED = define('ONNXPIPE_SERVER_MODEL_CONTROL_DISABLED', 403);
/** 404: no route for this method and path. */
export const ONNXPIPE_SERVER_ROUTE_NOT_FOUND = define('ONNXPIPE_SERVER_ROUTE_NOT_FOUND', 404);
/** 404: no model of this name in the repository. */
export const ONNXPIPE_SERVER_MODEL_NOT_FOUND = define('ONNXPIPE_SERVER_MODEL_NOT_FOUND', 404);
/** 404: the model exists but this version is not loaded. */
export const ONNXPIPE_SERVER_VERSION_NOT_FOUND = define('ONNXPIPE_SERVER_VERSION_NOT_FOUND', 404);
/** 404: the model version has no file of this name (model.onnx, or a variant its manifest lists). */
export const ONNXPIPE_SERVER_MODEL_FILE_NOT_FOUND = define('ONNXPIPE_SERVER_MODEL_FILE_NOT_FOUND', 404);
/** 404: `/` was asked for, but `webRoot` does not exist (the browser build was not run). */
export const ONNXPIPE_SERVER_WEB_APP_NOT_BUILT = define('ONNXPIPE_SERVER_WEB_APP_NOT_BUILT', 404);
/** 409: a model file changed on disk since it was loaded; a reload serves the new one. */
export const ONNXPIPE_SERVER_MODEL_FILE_CHANGED = define('ONNXPIPE_SERVER_MODEL_FILE_CHANGED', 409);
/** 413: the body (or the files of a multipart body together) exceeds `maxBodyBytes`. */
export const ONNXPIPE_SERVER_BODY_TOO_LARGE = define('ONNXPIPE_SERVER_BODY_TOO_LARGE', 413);
/** 413: an image has more pixels than `maxImagePixels` (decompression bombs). */
export const ONNXPIPE_SERVER_IMAGE_TOO_LARGE = define('ONNXPIPE_SERVER_IMAGE_TOO_LARGE', 413);
/** 413: a request carries more images than `maxItemsPerRequest`. */
export const ONNXPIPE_SERVER_TOO_MANY_ITEMS = define('ONNXPIPE_SERVER_TOO_MANY_ITEMS', 413);
/** 415: a body or image format the route does not take. */
export const ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE = define('ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE', 415);
/** 422: image bytes that do not decode (truncated, corrupt, not an image). */
export const ONNXPIPE_SERVER_UNDECODABLE_IMAGE = define('ONNXPIPE_SERVER_UNDECODABLE_IMAGE', 422);
/** 422: pixels or an image of the wrong shape, range or type for the model's input. */
export const ONNXPIPE_SERVER_BAD_INPUT_TENSOR = define('ONNXPIPE_SERVER_BAD_INPUT_TENSOR', 422);
/** 503: the model's queue holds `maxQueueLength` items; the response carries Retry-After. */
export const ONNXPIPE_SERVER_QUEUE_FULL = define('ONNXPIPE_SERVER_QUEUE_FULL', 503);
/** 503: no result within `requestTimeoutMs` (the server is overloaded); carries Retry-After. */
export const ONNXPIPE_SERVER_REQUEST_TIMEOUT = define('ONNXPIPE_SERVER_REQUEST_TIMEOUT', 503);
/** 503: no model is loaded (empty repository) or the server is shutting down. */
export const ONNXPIPE_SERVER_MODEL_NOT_READY = define('ONNXPIPE_SERVER_MODEL_NOT_READY', 503);
/**
 * 400: a model load or reload (POST /v2/repository/models/{name}/load, SIGHUP, a poll) found an
 * unusable file; the message names it, and the models loaded before keep serving.
 */
export const ONNXPIPE_SERVER_RELOAD_FAILED = define('ONNXPIPE_SERVER_RELOAD_FAILED', 400);
/** 500: inference failed although the input passed every check — a bug of ours. */
export const ONNXPIPE_SERVER_INFERENCE_FAILED = define('ONNXPIPE_SERVER_INFERENCE_FAILED', 500);
/** 500: anything else that escaped; the details go to the log, not to the client. */
export const ONNXPIPE_SERVER_INTERNAL = define('ONNXPIPE_SERVER_INTERNAL', 500);

/** Codes whose responses tell the client to come back later. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ONNXPIPE_SERVER_QUEUE_FULL',
  'ONNXPIPE_SERVER_REQUEST_TIMEOUT',
  'ONNXPIPE_SERVER_MODEL_NOT_READY',
]);
