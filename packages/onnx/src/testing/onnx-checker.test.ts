import { createModel, encodeModel, GraphBuilder, TensorDataType } from '../index.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOnnxModels } from './onnx-checker.js';

function reluModel(declaredOutput: (number | string)[]): Uint8Array {
  const g = new GraphBuilder('relu');
  const x = g.input('x', TensorDataType.FLOAT, ['N', 3]);
  g.node('Relu', [x], { outputs: ['y'] });
  g.output('y', TensorDataType.FLOAT, declaredOutput);
  return encodeModel(createModel({ graph: g.build(), opset: 17, producerName: 'test', producerVersion: '0' }));
}

// The parity tests rely on this helper to reject bad files; make sure it can.
describe('checkOnnxModels', () => {
  it('passes a valid model and reports one whose declared shape contradicts shape inference', () => {
    const failures = checkOnnxModels(
      new Map([
        ['good', reluModel(['N', 3])],
        ['bad-shape', reluModel(['N', 4])],
      ]),
    );
    assert.deepEqual(
      failures.map((f) => f.name),
      ['bad-shape'],
    );
    assert.match(failures[0].message, /shape/i);
  });
});
