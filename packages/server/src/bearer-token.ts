import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

// The secret that guards model control over HTTP. Only its SHA-256 digest is kept: comparing
// digests with timingSafeEqual takes the same time whatever the candidate (its length included),
// and nothing that logs, serialises or inspects the server's settings can print the token.

/** Fewest characters a token may have (`openssl rand -hex 32` gives 64). */
export const MIN_TOKEN_LENGTH = 32;

/** RFC 6750's `b64token`: what may follow `Bearer ` in an Authorization header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Why `value` cannot be a token, or `undefined` when it can; never quotes the value. */
export function bearerTokenProblem(value: string): string | undefined {
  if (!B64TOKEN.test(value)) {
    return `must be a bearer token of letters, digits and - . _ ~ + / (as \`openssl rand -hex 32\` prints); received ${value.length} characters that include others (whitespace, quotes, ...)`;
  }
  if (value.length < MIN_TOKEN_LENGTH) {
    return `must be a bearer token of at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`); received ${value.length}`;
  }
  return undefined;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * A bearer token, held as its digest. Printing it in any way gives `[redacted]`.
 *
 * @example
 * ```ts
 * const token = new BearerToken(process.env.ONNXPIPE_MODEL_CONTROL_TOKEN!);
 * token.matches(candidate); // constant time
 * ```
 */
export class BearerToken {
  readonly #digest: Buffer;

  /** @param value - a token that {@link bearerTokenProblem} accepts (not checked here) */
  constructor(value: string) {
    this.#digest = digest(value);
  }

  /** Whether `candidate` is the token, in time independent of both. */
  matches(candidate: string): boolean {
    return timingSafeEqual(this.#digest, digest(candidate));
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'BearerToken [redacted]';
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750: the scheme is
 * case-insensitive); `undefined` when there is no such header or it uses another scheme.
 */
export function bearerCredentials(authorization: string | undefined): string | undefined {
  const match = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
  return match?.[1];
}
