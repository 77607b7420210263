// NODE-ONLY, TESTS ONLY. The official ONNX schema text, an independent reference for the codec
// and the hand-written descriptor: the onnx.proto that Debian's python3-onnx installs (the same
// package as the checker of onnx-checker.ts; CI installs it).
import { existsSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/** Where Debian's python3-onnx puts onnx.proto (onnx 1.12, the checker's version). */
export const OFFICIAL_ONNX_PROTO_PATH = '/usr/lib/python3/dist-packages/onnx/onnx.proto';

/** Why tests that need the official onnx.proto skip: `undefined` when it is here. */
export function officialOnnxProtoMissing(): string | undefined {
  return existsSync(OFFICIAL_ONNX_PROTO_PATH)
    ? undefined
    : `no ${OFFICIAL_ONNX_PROTO_PATH}: install Debian's python3-onnx (apt-get install python3-onnx)`;
}

/** The text of the official onnx.proto, or `undefined` when it is not installed. */
export function readOfficialOnnxProto(): string | undefined {
  return officialOnnxProtoMissing() === undefined ? readFileSync(OFFICIAL_ONNX_PROTO_PATH, 'utf8') : undefined;
}

/** The official schema parsed by protobufjs, field names as written (snake_case); `undefined` without it. */
export function parseOfficialOnnxProto(): protobuf.Root | undefined {
  const text = readOfficialOnnxProto();
  return text === undefined ? undefined : protobuf.parse(text, { keepCase: true }).root;
}
