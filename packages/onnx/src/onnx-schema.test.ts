import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { ONNX_DESCRIPTOR } from './onnx-schema.js';
import { officialOnnxProtoMissing, parseOfficialOnnxProto } from './testing/official-onnx-proto.js';

// The descriptor is transcribed by hand; this compares it with the official schema text that
// Debian's python3-onnx ships, parsed by protobufjs's own .proto parser.
// Without the file: an empty schema, and the suite below skips with the reason.
const official = parseOfficialOnnxProto() ?? new protobuf.Root();
official.resolveAll();
const ours = protobuf.Root.fromJSON(ONNX_DESCRIPTOR);

// Official fields we leave out on purpose, and ours that differ on purpose.
const OMITTED_FIELDS = new Set(['onnx.GraphProto.quantization_annotation']);
const OPAQUE_FIELDS = new Set(['onnx.ModelProto.training_info', 'onnx.ModelProto.functions']);
const OMITTED_TYPES = new Set([
  'onnx.Version',
  'onnx.OperatorStatus',
  'onnx.TrainingInfoProto',
  'onnx.FunctionProto',
  'onnx.TensorAnnotation',
]);

function typesOf(namespace: protobuf.NamespaceBase): Array<protobuf.Type | protobuf.Enum> {
  const found: Array<protobuf.Type | protobuf.Enum> = [];
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type || nested instanceof protobuf.Enum) found.push(nested);
    if (nested instanceof protobuf.Namespace) found.push(...typesOf(nested));
  }
  return found;
}

describe('ONNX_DESCRIPTOR', { skip: officialOnnxProtoMissing() ?? false }, () => {
  it('declares every official message and enum except the documented omissions', () => {
    const ourNames = new Set(typesOf(ours).map((t) => t.fullName));
    const officialNames = typesOf(official).map((t) => t.fullName);
    for (const name of officialNames) {
      // fullName has a leading dot: `.onnx.Version`.
      if (OMITTED_TYPES.has(name.slice(1))) continue;
      assert.ok(ourNames.has(name), `missing ${name}`);
    }
    for (const name of ourNames) assert.ok(officialNames.includes(name), `${name} is not in onnx.proto`);
  });

  it('matches onnx.proto field by field: numbers, types, labels, packing, presence, oneofs', () => {
    let compared = 0;
    for (const theirs of typesOf(official)) {
      const mine = ours.lookup(theirs.fullName);
      if (mine === null) continue;
      if (theirs instanceof protobuf.Enum) {
        assert.ok(mine instanceof protobuf.Enum);
        assert.deepEqual({ ...mine.values }, { ...theirs.values }, theirs.fullName);
        continue;
      }
      assert.ok(mine instanceof protobuf.Type);
      for (const field of theirs.fieldsArray as protobuf.Field[]) {
        const key: string = `${theirs.fullName.slice(1)}.${field.name}`;
        if (OMITTED_FIELDS.has(key)) continue;
        const our: protobuf.Field | undefined = mine.fields[field.name];
        assert.ok(our, `missing field ${key}`);
        assert.equal(our.id, field.id, `${key} id`);
        assert.equal(our.repeated, field.repeated, `${key} repeated`);
        assert.equal(our.packed, field.packed, `${key} packed`);
        assert.equal(Boolean(our.hasPresence), Boolean(field.hasPresence), `${key} presence`);
        assert.equal(our.partOf?.name, field.partOf?.name, `${key} oneof`);
        if (OPAQUE_FIELDS.has(key)) {
          assert.equal(our.type, 'bytes', `${key} is an opaque stand-in`);
        } else {
          assert.equal(
            our.resolvedType?.fullName ?? our.type,
            field.resolvedType?.fullName ?? field.type,
            `${key} type`,
          );
        }
        compared++;
      }
      for (const name of Object.keys(mine.fields)) {
        assert.ok(theirs.fields[name], `${theirs.fullName}.${name} is not in onnx.proto`);
      }
      assert.deepEqual(mine.reserved ?? null, theirs.reserved ?? null, `${theirs.fullName} reserved`);
    }
    assert.ok(compared > 80, `compared only ${compared} fields`);
  });
});
