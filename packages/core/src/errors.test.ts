import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createError,
  describeValue,
  formatChoices,
  formatMessage,
  invalidChoiceMessage,
  ONNXPIPE_CORE_INVALID_ARGUMENT,
  OnnxpipeError,
} from './errors.js';

describe('createError', () => {
  const BadThing = createError<[string, number]>('TEST_BAD_THING', '%s is bad: %s', 422);

  it('builds instances with code, statusCode, name and a formatted message', () => {
    const err = new BadThing('file.idx', 42);
    assert.ok(err instanceof BadThing);
    assert.ok(err instanceof OnnxpipeError);
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'TEST_BAD_THING');
    assert.equal(err.statusCode, 422);
    assert.equal(err.name, 'OnnxpipeError');
    assert.equal(err.message, 'file.idx is bad: 42');
    assert.equal(err.cause, undefined);
    assert.equal(String(err), 'OnnxpipeError [TEST_BAD_THING]: file.idx is bad: 42');
    assert.match(err.stack ?? '', /file\.idx is bad/);
  });

  it('exposes code and statusCode on the class and defaults to 500', () => {
    const Plain = createError('TEST_PLAIN', 'plain');
    assert.equal(Plain.code, 'TEST_PLAIN');
    assert.equal(Plain.statusCode, 500);
    assert.equal(new Plain().statusCode, 500);
    assert.equal(BadThing.name, 'TEST_BAD_THING');
  });

  it('takes { cause } as an optional last argument without using it as a placeholder', () => {
    const low = new Error('ENOENT');
    const err = new BadThing('a', 1, { cause: low });
    assert.equal(err.cause, low);
    assert.equal(err.message, 'a is bad: 1');
  });

  it('keeps classes apart: one code is not an instance of another', () => {
    const Other = createError('TEST_OTHER', 'other');
    assert.ok(!(new Other() instanceof BadThing));
  });

  it('rejects an empty code', () => {
    assert.throws(() => createError('', 'x'), /code must be a non-empty string/);
  });
});

describe('formatMessage', () => {
  it('fills placeholders in order, keeps unfilled ones, and unescapes %%', () => {
    assert.equal(formatMessage('%s + %s = %s', [1, 2]), '1 + 2 = %s');
    assert.equal(formatMessage('100%% of %s', ['files']), '100% of files');
  });
});

describe('choice messages', () => {
  it('matches the house format', () => {
    assert.equal(
      invalidChoiceMessage('device', ['auto', 'cpu', 'cuda', 'webgpu'], 'gpu2'),
      `'device' must be one of auto, cpu, cuda, webgpu; received "gpu2"`,
    );
    assert.equal(formatChoices(['train', 'test']), 'train, test');
  });

  it('describes non-string values without quotes', () => {
    assert.equal(describeValue(3), '3');
    assert.equal(describeValue(undefined), 'undefined');
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue({ a: 1 }), '{"a":1}');
    assert.equal(describeValue(5n), '5n');
  });

  it('core has its own invalid-argument code as a 4xx', () => {
    const err = new ONNXPIPE_CORE_INVALID_ARGUMENT('nope');
    assert.equal(err.code, 'ONNXPIPE_CORE_INVALID_ARGUMENT');
    assert.equal(err.statusCode, 400);
  });
});
