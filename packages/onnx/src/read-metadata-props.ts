import { ONNXPIPE_ONNX_DECODE_FAILED } from './errors.js';

// A model's metadata_props without decoding the graph: a walk over the protobuf wire format
// that skips every field but ModelProto.metadata_props (14). It needs no protobufjs, so the
// browser SDK (which only needs labels and normalisation) stays small; the full decoder in
// decode-model.ts is the reference and the tests compare the two.

const MODEL_METADATA_PROPS_FIELD = 14;
const ENTRY_KEY_FIELD = 1;
const ENTRY_VALUE_FIELD = 2;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** One `StringStringEntryProto` of `ModelProto.metadata_props`. */
export interface MetadataProp {
  readonly key: string;
  readonly value: string;
}

class WireReader {
  offset: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.offset = start;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i += 1) {
      if (this.offset >= this.end) throw new ONNXPIPE_ONNX_DECODE_FAILED('truncated varint');
      const byte = this.bytes[this.offset++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new ONNXPIPE_ONNX_DECODE_FAILED('varint longer than 10 bytes');
  }

  /** Returns [start, end) of a length-delimited field's payload and moves past it. */
  span(): [number, number] {
    const length = this.varint();
    const start = this.offset;
    if (length > this.end - start)
      throw new ONNXPIPE_ONNX_DECODE_FAILED(`field of ${length} bytes runs past the end of the data`);
    this.offset = start + length;
    return [start, start + length];
  }

  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_LENGTH_DELIMITED) this.span();
    else if (wireType === WIRE_FIXED64 || wireType === WIRE_FIXED32) {
      const size = wireType === WIRE_FIXED64 ? 8 : 4;
      if (size > this.end - this.offset) throw new ONNXPIPE_ONNX_DECODE_FAILED('truncated fixed-width field');
      this.offset += size;
    } else throw new ONNXPIPE_ONNX_DECODE_FAILED(`unsupported protobuf wire type ${wireType}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readEntry(reader: WireReader, [start, end]: [number, number]): MetadataProp {
  const entry = new WireReader(reader.bytes, start, end);
  let key = '';
  let value = '';
  while (!entry.done) {
    const tag = entry.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if ((field === ENTRY_KEY_FIELD || field === ENTRY_VALUE_FIELD) && wireType === WIRE_LENGTH_DELIMITED) {
      const [s, e] = entry.span();
      let text: string;
      try {
        text = utf8.decode(entry.bytes.subarray(s, e));
      } catch {
        throw new ONNXPIPE_ONNX_DECODE_FAILED('a metadata_props entry is not valid UTF-8');
      }
      if (field === ENTRY_KEY_FIELD) key = text;
      else value = text;
    } else entry.skip(wireType);
  }
  return { key, value };
}

/**
 * Reads `metadata_props` of an ONNX model file, in file order, skipping the graph.
 *
 * @throws `ONNXPIPE_ONNX_DECODE_FAILED` when the bytes are not well-formed protobuf.
 *
 * @example
 * ```ts
 * const props = readMetadataProps(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * const labels = props.find((p) => p.key === MODEL_METADATA_KEYS.labels)?.value;
 * ```
 */
export function readMetadataProps(bytes: Uint8Array): MetadataProp[] {
  const reader = new WireReader(bytes, 0, bytes.length);
  const props: MetadataProp[] = [];
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw new ONNXPIPE_ONNX_DECODE_FAILED('protobuf field number 0');
    if (field === MODEL_METADATA_PROPS_FIELD && wireType === WIRE_LENGTH_DELIMITED)
      props.push(readEntry(reader, reader.span()));
    else reader.skip(wireType);
  }
  return props;
}
