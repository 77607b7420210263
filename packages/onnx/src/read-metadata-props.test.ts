import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeModel } from './decode-model.js';
import { readMetadataProps } from './read-metadata-props.js';
import { officialOnnxProtoMissing, parseOfficialOnnxProto } from './testing/official-onnx-proto.js';

// The official onnx.proto, encoded by protobufjs: the fields around metadata_props are laid
// out as a real writer lays them out (varints, fixed64 doubles, nested messages, unknowns).
const needsProto = { skip: officialOnnxProtoMissing() ?? false };
const OfficialModel = parseOfficialOnnxProto()?.lookupType('onnx.ModelProto');
const shippedModel = new URL('../../../models/mnist/1/model.onnx', import.meta.url);

function encode(json: Record<string, unknown>): Uint8Array {
  return OfficialModel!.encode(OfficialModel!.fromObject(json)).finish();
}

describe('readMetadataProps', () => {
  it('reads the shipped model exactly as the full decoder does', () => {
    const bytes = new Uint8Array(readFileSync(shippedModel));
    const props = readMetadataProps(bytes);
    assert.deepEqual(props, decodeModel(bytes).metadataProps);
    assert.ok(props.some((p) => p.key === 'onnxpipe.labels'));
  });

  it('keeps file order, empty values and non-ASCII text, and skips every other field', needsProto, () => {
    const bytes = encode({
      ir_version: 9,
      producer_name: 'prödücer',
      metadata_props: [
        { key: 'b', value: '' },
        { key: 'ä', value: 'ünïcode ✓' },
      ],
      graph: {
        name: 'g',
        initializer: [{ name: 'w', data_type: 11, dims: [2], double_data: [Math.PI, -1] }],
        output: [{ name: 'y', type: { tensor_type: { elem_type: 1, shape: { dim: [] } } } }],
      },
      opset_import: [{ domain: '', version: 17 }],
      model_version: -3,
    });
    assert.deepEqual(readMetadataProps(bytes), [
      { key: 'b', value: '' },
      { key: 'ä', value: 'ünïcode ✓' },
    ]);
  });

  it('returns no props for a model without any, and for empty input', needsProto, () => {
    assert.deepEqual(readMetadataProps(encode({ ir_version: 8 })), []);
    assert.deepEqual(readMetadataProps(new Uint8Array(0)), []);
  });

  it('rejects bytes that are not protobuf with a coded error', needsProto, () => {
    const bytes = encode({ ir_version: 8, metadata_props: [{ key: 'k', value: 'v' }] });
    assert.throws(() => readMetadataProps(bytes.subarray(0, bytes.length - 1)), {
      code: 'ONNXPIPE_ONNX_DECODE_FAILED',
    });
    assert.throws(() => readMetadataProps(new TextEncoder().encode('<!doctype html>')), {
      code: 'ONNXPIPE_ONNX_DECODE_FAILED',
    });
    assert.throws(() => readMetadataProps(Uint8Array.from([0x72, 0x02, 0x0a, 0x01, 0xff])), {
      code: 'ONNXPIPE_ONNX_DECODE_FAILED',
    });
  });
});
