import { describeValue } from '@onnxpipe/core';
import { ONNXPIPE_SERVER_BAD_REQUEST } from '../errors.js';

// Triton's binary tensor data extension of the Open Inference Protocol: the body is the JSON
// request (its length in the Inference-Header-Content-Length header) followed by the raw
// little-endian bytes of the inputs that declare `parameters.binary_data_size`; a response
// whose outputs were asked for with `binary_data: true` is built the same way. It saves the
// JSON encoding of every float: 4 bytes per value instead of about 20 characters.

/** The header that gives the length of the JSON part. */
export const INFERENCE_HEADER_LENGTH = 'inference-header-content-length';

/** A request body cut into its JSON text and the binary data after it. */
export interface BinaryBody {
  readonly json: string;
  readonly binary: Buffer;
}

/**
 * Splits a binary tensor data body at the length the header gives.
 *
 * @throws `ONNXPIPE_SERVER_BAD_REQUEST` when the header is not a length within the body
 */
export function splitBinaryBody(body: Buffer, header: string | string[] | undefined): BinaryBody {
  const text = Array.isArray(header) ? header[0] : header;
  const length = text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(length) || length < 2 || length > body.length) {
    throw new ONNXPIPE_SERVER_BAD_REQUEST(
      `'Inference-Header-Content-Length' must be the byte length of the JSON at the start of the body, from 2 to ${body.length}; received ${describeValue(text)}`,
    );
  }
  return { json: body.subarray(0, length).toString('utf8'), binary: body.subarray(length) };
}

/** Raw little-endian bytes of FP32 values. */
export function encodeFloat32(values: ArrayLike<number>): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i], i * 4);
  return bytes;
}

/** BYTES elements as the extension encodes them: each a 4-byte little-endian length, then its bytes. */
export function encodeBytesElements(values: readonly string[]): Buffer {
  return Buffer.concat(
    values.flatMap((value) => {
      const bytes = Buffer.from(value, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

/** A response body: the JSON, then `binary`; the header value to send with it. */
export function joinBinaryBody(json: unknown, binary: Buffer): { body: Buffer; headerLength: number } {
  const header = Buffer.from(JSON.stringify(json), 'utf8');
  return { body: Buffer.concat([header, binary]), headerLength: header.length };
}
