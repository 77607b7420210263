import { constants, createInflate, inflateSync, type Inflate } from 'node:zlib';

// node:zlib's inflateSync builds a whole stream per call (a Transform, its native zlib context
// and a 16 KiB output buffer), copies the result out of that buffer and tears everything down:
// for the few-KB streams of small PNGs that costs as much as the inflate itself. One context is
// kept here instead, reset between streams (the documented `reset()`), and driven through the
// call inflateSync itself makes (`_handle.writeSync`, results in `_writeState`) straight into the
// caller's array. Those two are Node internals, unchanged since Node 10: where they are missing
// every call takes inflateSync. A stream error destroys the context (Node's own handling of
// zlib errors), and the next call creates a fresh one.

interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    out: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
}

/** The parts of a zlib stream that inflateSync uses internally. */
interface ZlibInternals {
  readonly _handle?: ZlibHandle | null;
  /** [available output, available input] after the last write. */
  readonly _writeState?: Uint32Array;
}

let engine: (Inflate & ZlibInternals) | undefined;
let internalsMissing = false;

function acquire(): (Inflate & ZlibInternals) | undefined {
  if (engine !== undefined && !engine.destroyed) return engine;
  engine = undefined;
  if (internalsMissing) return undefined;
  const created = createInflate() as Inflate & ZlibInternals;
  // A stream error is reported through the synchronous result below; the 'error' event that
  // Node emits afterwards must not become an uncaught exception.
  created.on('error', () => {});
  if (typeof created._handle?.writeSync !== 'function' || !(created._writeState instanceof Uint32Array)) {
    internalsMissing = true;
    created.close();
    return undefined;
  }
  engine = created;
  return engine;
}

/**
 * Inflates the complete zlib stream `input` into the start of `out` and returns its length,
 * or -1 when the stream is corrupt or truncated (bad data, bad checksum, no end), or does not
 * end before the last byte of `out`: give `out` one byte more than the longest output accepted,
 * so that a stream longer than that is refused without inflating it further.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(expected + 1);
 * if (inflateInto(idat, out) !== expected) return undefined;
 * ```
 */
export function inflateInto(input: Uint8Array, out: Uint8Array): number {
  const zlib = acquire();
  if (zlib === undefined) return inflateIntoSlowly(input, out);
  zlib._handle!.writeSync(constants.Z_FINISH, input, 0, input.length, out, 0, out.length);
  // An error (corrupt or truncated stream) destroyed the stream while writing.
  if (zlib.destroyed) return -1;
  const availableOut = zlib._writeState![0];
  zlib.reset();
  // With Z_FINISH, zlib stops with output space left only at the stream's end; a full `out`
  // may have more to come.
  return availableOut === 0 ? -1 : out.length - availableOut;
}

/** {@link inflateInto} through the public API, for runtimes without the internals. */
export function inflateIntoSlowly(input: Uint8Array, out: Uint8Array): number {
  let result: Buffer;
  try {
    result = inflateSync(input, { maxOutputLength: Math.max(1, out.length - 1) });
  } catch {
    return -1;
  }
  if (result.length >= out.length) return -1;
  out.set(result);
  return result.length;
}
