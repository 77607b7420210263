import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mnistMetadata } from '../testing/mnist-metadata.js';
import { parseModelMetadata } from './model-metadata.js';

const props = (overrides: Record<string, string | undefined> = {}) =>
  Object.entries(mnistMetadata(overrides)).map(([key, value]) => ({ key, value }));

test('labels, normalisation, layout, size and output kind come from the metadata', () => {
  const metadata = parseModelMetadata(
    props({ 'onnxpipe.normalization.mean': '0.286', 'onnxpipe.labels': JSON.stringify(['a', 'b', 'c']) }),
  );
  assert.deepEqual(metadata.labels, ['a', 'b', 'c']);
  assert.deepEqual(metadata.normalization, { mean: 0.286, std: 0.3081 });
  assert.equal(metadata.inputLayout, 'NCHW');
  assert.equal(metadata.height, 28);
  assert.equal(metadata.output, 'log_softmax');
  const nhwc = parseModelMetadata(props({ 'onnxpipe.input.layout': 'NHWC', 'onnxpipe.input.shape': '["N",32,32,1]' }));
  assert.equal(nhwc.width, 32);
});

test('a missing or invalid key is named in the error', () => {
  const cases: [Record<string, string | undefined>, RegExp][] = [
    [{ 'onnxpipe.labels': undefined }, /no "onnxpipe.labels"/],
    [{ 'onnxpipe.labels': '[1,2]' }, /"onnxpipe.labels" must be a JSON array of at least 2 class names/],
    [{ 'onnxpipe.normalization.std': '0' }, /"onnxpipe.normalization.std" must be positive/],
    [{ 'onnxpipe.normalization.mean': 'abc' }, /"onnxpipe.normalization.mean" must be a finite number/],
    [{ 'onnxpipe.input.layout': 'NCWH' }, /"onnxpipe.input.layout" must be one of NCHW, NHWC/],
    [{ 'onnxpipe.input.shape': '["N",3,28,28]' }, /1-channel/],
    [{ 'onnxpipe.preprocessing': 'imagenet' }, /"onnxpipe.preprocessing" must be one of mnist/],
    [{ 'onnxpipe.output': 'probits' }, /"onnxpipe.output" must be one of log_softmax, softmax, logits/],
  ];
  for (const [overrides, message] of cases) {
    assert.throws(() => parseModelMetadata(props(overrides)), message);
    assert.throws(() => parseModelMetadata(props(overrides)), {
      code: 'ONNXPIPE_CORE_BAD_MODEL_METADATA',
      statusCode: 422,
    });
  }
});
