// `@onnxpipe/onnx/testing`: helpers for tests in any package. Node-only (see onnx-checker.ts);
// the main entry stays isomorphic.
export * from './example-models.js';
export * from './onnx-checker.js';
export * from './official-onnx-proto.js';
