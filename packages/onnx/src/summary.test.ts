import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createModel } from './create-model.js';
import { TensorDataType } from './data-type.js';
import { GraphBuilder } from './graph-builder.js';
import { formatModelSummary, summarizeModel } from './summary.js';
import { buildCnnExample, buildMlpExample } from './testing/example-models.js';

describe('summarizeModel', () => {
  it('reports versions, io, op counts and parameter count of the MLP', () => {
    const summary = summarizeModel(buildMlpExample().model);
    assert.equal(summary.irVersion, 8);
    assert.deepEqual(summary.opsets, [{ domain: 'ai.onnx', version: 17 }]);
    assert.equal(summary.producer, 'onnxpipe-tests 0.1.0');
    assert.deepEqual(summary.inputs, [{ name: 'x', elemType: 'float32', shape: ['N', 3] }]);
    assert.deepEqual(summary.outputs, [{ name: 'probs', elemType: 'float32', shape: ['N', 4] }]);
    assert.deepEqual(summary.opCounts, { Reshape: 1, MatMul: 1, Add: 1, Relu: 1, Softmax: 1 });
    assert.equal(summary.parameterCount, 2 + 12 + 4); // shape + W + b
    assert.deepEqual(summary.nodes[4], {
      name: 'Softmax',
      opType: 'Softmax',
      inputs: ['Relu_output_0'],
      outputs: ['probs'],
    });
  });

  it('counts nodes per domain-qualified op and collects metadata', () => {
    const g = new GraphBuilder('g');
    g.input('x', TensorDataType.FLOAT, [1]);
    const [a] = g.node('Relu', ['x']);
    const [b] = g.node('Relu', [a!]);
    g.node('Gelu', [b!], { outputs: ['y'], domain: 'com.microsoft' });
    g.output('y', TensorDataType.FLOAT, [1]);
    const model = createModel({
      graph: g.build(),
      opset: 17,
      producerName: 'p',
      producerVersion: '',
      metadata: { labels: 'a,b' },
      extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
    });
    const summary = summarizeModel(model);
    assert.deepEqual(summary.opCounts, { Relu: 2, 'com.microsoft:Gelu': 1 });
    assert.equal(summary.producer, 'p');
    assert.deepEqual(summary.metadata, { labels: 'a,b' });
  });
});

describe('formatModelSummary', () => {
  it('renders the MLP as inspect output', () => {
    const model = buildMlpExample().model;
    model.metadataProps.push({ key: 'labels', value: '0,1,2,3' });
    const text = formatModelSummary(summarizeModel(model));
    const lines = text.split('\n');
    for (const expected of [
      'Graph "mlp"',
      '  IR version: 8',
      '  Opsets: ai.onnx 17',
      '  Producer: onnxpipe-tests 0.1.0',
      'Inputs:',
      '  x: float32[N,3]',
      'Outputs:',
      '  probs: float32[N,4]',
      'Nodes (5):',
      '  Reshape: Reshape(x, shape) -> Reshape_output_0',
      '  MatMul: MatMul(Reshape_output_0, W) -> MatMul_output_0',
      '  Softmax: Softmax(Relu_output_0) -> probs',
      'Operators: Add x1, MatMul x1, Relu x1, Reshape x1, Softmax x1',
      'Parameters: 18',
      'Metadata:',
      '  labels: 0,1,2,3',
    ]) {
      assert.ok(lines.includes(expected), `missing line ${JSON.stringify(expected)} in:\n${text}`);
    }
    assert.ok(text.endsWith('\n'));
  });

  it('shows symbolic, unknown and absent shapes, and groups large parameter counts', () => {
    const summary = summarizeModel(buildCnnExample().model);
    summary.inputs.push(
      { name: 'u', elemType: 'int64', shape: ['', 2] },
      { name: 'v', elemType: 'bool', shape: [], unknownRank: true },
    );
    summary.parameterCount = 1234567;
    const text = formatModelSummary(summary);
    assert.match(text, /^ {2}image: float32\[N,1,6,6\]$/m);
    assert.match(text, /^ {2}u: int64\[\?,2\]$/m);
    assert.match(text, /^ {2}v: bool \(shape unknown\)$/m);
    assert.match(text, /^Parameters: 1,234,567$/m);
    assert.match(text, /^Metadata: \(none\)$/m);
  });
});
