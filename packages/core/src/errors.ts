/**
 * Error codes for the whole project, in the spirit of `@fastify/error`: each code gets its own
 * class so callers can `instanceof` it, and tests assert on `.code` rather than message text.
 * This copy has no dependencies so that it also runs in browsers. Core's own codes are all at the
 * end of this file; each other package keeps its codes in its own `errors.ts`.
 */

/** The optional last constructor argument of a coded error. */
export interface CauseOptions {
  readonly cause: unknown;
}

/** Base class of every error the project throws on purpose. */
export class OnnxpipeError extends Error {
  /** Stable machine-readable code, e.g. `ONNXPIPE_DATA_IDX_BAD_MAGIC`. */
  readonly code: string;
  /** HTTP-style status: 4xx for caller mistakes and bad inputs, 5xx only for our own bugs. */
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 500, options?: CauseOptions) {
    // Passing `undefined` options would still define an own `cause` on some engines.
    super(message, options === undefined ? undefined : { cause: options.cause });
    this.name = 'OnnxpipeError';
    this.code = code;
    this.statusCode = statusCode;
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

/** A class made by {@link createError}; `Args` are the values for the `%s` placeholders. */
export interface OnnxpipeErrorClass<Args extends readonly unknown[] = unknown[]> {
  new (...args: Args): OnnxpipeError;
  new (...args: [...Args, CauseOptions]): OnnxpipeError;
  readonly code: string;
  readonly statusCode: number;
  readonly prototype: OnnxpipeError;
}

function isCauseOptions(value: unknown): value is CauseOptions {
  return typeof value === 'object' && value !== null && 'cause' in value;
}

/**
 * Replaces each `%s` in `template` with the next argument; `%%` is a literal percent sign.
 * Placeholders without a matching argument are left as they are so that a missing argument
 * shows up in the message instead of turning into "undefined".
 */
export function formatMessage(template: string, args: readonly unknown[]): string {
  let next = 0;
  return template.replace(/%[s%]/g, (token) => {
    if (token === '%%') return '%';
    if (next >= args.length) return token;
    return String(args[next++]);
  });
}

/**
 * Creates an error class for one stable code.
 *
 * @param code - the stable code, e.g. `ONNXPIPE_CORE_INVALID_ARGUMENT`
 * @param messageTemplate - message with `%s` placeholders filled from the constructor arguments
 * @param statusCode - HTTP-style status of the error
 * @defaultValue statusCode: `500`
 *
 * @example
 * ```ts
 * const BadMagic = createError<[string, number]>('X_BAD_MAGIC', '%s: bad magic %s', 422);
 * throw new BadMagic('train.idx', 42, { cause: err });
 * ```
 */
export function createError<Args extends readonly unknown[] = unknown[]>(
  code: string,
  messageTemplate: string,
  statusCode = 500,
): OnnxpipeErrorClass<Args> {
  if (!code) throw new Error('createError: code must be a non-empty string');
  if (!messageTemplate) throw new Error(`createError(${code}): message template must not be empty`);

  class CodedError extends OnnxpipeError {
    static readonly code = code;
    static readonly statusCode = statusCode;

    constructor(...args: unknown[]) {
      const last = args[args.length - 1];
      const options = isCauseOptions(last) ? last : undefined;
      const values = options === undefined ? args : args.slice(0, -1);
      super(code, formatMessage(messageTemplate, values), statusCode, options);
    }
  }
  // Shows the code in stack traces and `console.log` output instead of "CodedError".
  Object.defineProperty(CodedError, 'name', { value: code });
  return CodedError as unknown as OnnxpipeErrorClass<Args>;
}

/** Renders a value for "received ..." in messages: strings quoted, everything else as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `['auto', 'cpu']` → `auto, cpu`. */
export function formatChoices(values: readonly unknown[]): string {
  return values.map((value) => String(value)).join(', ');
}

/**
 * The house message for a value outside a fixed set.
 *
 * @example
 * ```ts
 * invalidChoiceMessage('device', ['auto', 'cpu', 'cuda', 'webgpu'], 'gpu2');
 * // → `'device' must be one of auto, cpu, cuda, webgpu; received "gpu2"`
 * ```
 */
export function invalidChoiceMessage(param: string, validValues: readonly unknown[], received: unknown): string {
  return `'${param}' must be one of ${formatChoices(validValues)}; received ${describeValue(received)}`;
}

/** A caller passed a value that the function cannot work with. */
export const ONNXPIPE_CORE_INVALID_ARGUMENT = createError<[message: string]>(
  'ONNXPIPE_CORE_INVALID_ARGUMENT',
  '%s',
  400,
);

/**
 * An image, or a list of pixel values, that cannot be preprocessed: a size that is not a
 * positive integer or is absurdly large, a channel count other than 1–4, a data length that
 * does not match `width × height × channels`, or a size other than the one a mode requires.
 */
export const ONNXPIPE_CORE_BAD_IMAGE = createError<[message: string]>('ONNXPIPE_CORE_BAD_IMAGE', '%s', 400);

/** A model's metadata_props are missing a key or hold an invalid value. */
export const ONNXPIPE_CORE_BAD_MODEL_METADATA = createError<[message: string]>(
  'ONNXPIPE_CORE_BAD_MODEL_METADATA',
  '%s',
  422,
);

/** The network produced no usable probabilities (NaN or infinite output): a broken model, not bad input. */
export const ONNXPIPE_CORE_BAD_MODEL_OUTPUT = createError<[message: string]>(
  'ONNXPIPE_CORE_BAD_MODEL_OUTPUT',
  '%s',
  500,
);

/** The message of a thrown value, which need not be an `Error` (then `String(value)`). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
