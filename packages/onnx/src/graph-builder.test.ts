import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attr } from './attributes.js';
import { createModel } from './create-model.js';
import { TensorDataType } from './data-type.js';
import { GraphBuilder } from './graph-builder.js';
import type { OnnxGraph } from './model-types.js';
import { findGraphProblems } from './validate-graph.js';

const F = TensorDataType.FLOAT;
const options = { opset: 17, producerName: 'test', producerVersion: '1' } as const;

describe('GraphBuilder', () => {
  it('generates unique node and output names and keeps given ones', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', F, ['N', 4]);
    const [a] = g.node('Relu', [x]);
    const [b] = g.node('Relu', [a!]);
    const split = g.node('Split', [b!], { outputs: 2, attributes: [attr.int('axis', 1)] });
    const [named] = g.node('Concat', split, { name: 'join', outputs: ['joined'], attributes: [attr.int('axis', 1)] });
    g.output(named!, F, ['N', 4]);
    const graph = g.build();
    assert.deepEqual(
      graph.node.map((n) => n.name),
      ['Relu', 'Relu_1', 'Split', 'join'],
    );
    assert.deepEqual(
      graph.node.map((n) => n.output),
      [['Relu_output_0'], ['Relu_1_output_0'], ['Split_output_0', 'Split_output_1'], ['joined']],
    );
  });

  it('uniqueName reserves names, and a reserved name can then be defined once', () => {
    const g = new GraphBuilder('g');
    g.input('x', F, [1]);
    assert.equal(g.uniqueName('x'), 'x_1');
    const y = g.uniqueName('y');
    assert.equal(y, 'y');
    assert.equal(g.uniqueName('y'), 'y_1');
    assert.deepEqual(g.node('Relu', ['x'], { outputs: [y] }), ['y']);
    assert.throws(() => g.node('Relu', ['x'], { outputs: [y] }), { code: 'ONNXPIPE_ONNX_DUPLICATE_NAME' });
  });

  it('rejects duplicate names as soon as they are declared', () => {
    const g = new GraphBuilder('g');
    g.input('x', F, [2]);
    assert.throws(() => g.input('x', F, [2]), { code: 'ONNXPIPE_ONNX_DUPLICATE_NAME' });
    assert.throws(() => g.initializer('x', F, [1], new Float32Array(1)), { code: 'ONNXPIPE_ONNX_DUPLICATE_NAME' });
    g.node('Relu', ['x'], { name: 'n' });
    assert.throws(() => g.node('Relu', ['x'], { name: 'n' }), { code: 'ONNXPIPE_ONNX_DUPLICATE_NAME' });
    assert.throws(() => g.node('Split', ['x'], { outputs: ['a', 'a'] }), { code: 'ONNXPIPE_ONNX_DUPLICATE_NAME' });
    g.output('out', F, [2]);
    assert.throws(() => g.output('out', F, [2]), { code: 'ONNXPIPE_ONNX_DUPLICATE_NAME' });
  });

  it('checks initializer data against dims and data type', () => {
    const g = new GraphBuilder('g');
    assert.throws(
      () => g.initializer('w', F, [2, 3], new Float32Array(5)),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ONNXPIPE_ONNX_BAD_TENSOR');
        assert.match(error.message, /6 elements; received 5/);
        return true;
      },
    );
    assert.throws(() => g.initializer('w', TensorDataType.INT64, [2], new Int32Array(2)), {
      code: 'ONNXPIPE_ONNX_BAD_TENSOR',
      message: /must be a BigInt64Array; received Int32Array/,
    });
    assert.throws(() => g.initializer('w', F, [-1], new Float32Array(0)), { code: 'ONNXPIPE_ONNX_BAD_TENSOR' });
    assert.throws(() => g.initializer('s', TensorDataType.STRING, [1], new Uint8Array(1)), {
      code: 'ONNXPIPE_ONNX_UNSUPPORTED_FEATURE',
    });
    assert.equal(g.initializer('w', F, [2, 3], new Float32Array(6)), 'w');
  });

  it('build() reports undefined inputs, out-of-order nodes and unproduced outputs', () => {
    const g = new GraphBuilder('bad');
    g.input('x', F, [1]);
    g.node('Add', ['x', 'later'], { name: 'early' });
    g.node('Relu', ['x'], { name: 'producer', outputs: ['later'] });
    g.node('Relu', ['nowhere'], { name: 'orphan' });
    g.output('missing', F, [1]);
    assert.throws(
      () => g.build(),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ONNXPIPE_ONNX_INVALID_GRAPH');
        assert.match(error.message, /node 0 \(Add "early"\) consumes "later"/);
        assert.match(error.message, /node 2 \(Relu "orphan"\) consumes "nowhere"/);
        assert.match(error.message, /graph output "missing" is never produced/);
        return true;
      },
    );
  });

  it('validates argument types with messages that name the parameter', () => {
    const g = new GraphBuilder('g');
    assert.throws(() => g.input('x', 99 as TensorDataType, [1]), {
      code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT',
      message: /elemType/,
    });
    assert.throws(() => g.input('x', F, [1.5]), { code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT', message: /shape/ });
    assert.throws(() => g.node('', []), { code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT', message: /'opType'/ });
    assert.throws(() => new GraphBuilder(''), { code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT' });
    assert.throws(() => g.node('Relu', ['x'], { attributes: [attr.int('a', 1), attr.int('a', 2)] }), {
      code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT',
    });
  });

  it('returns a snapshot from build()', () => {
    const g = new GraphBuilder('g');
    g.input('x', F, [1]);
    g.node('Relu', ['x'], { outputs: ['y'] });
    g.output('y', F, [1]);
    const first = g.build();
    g.node('Relu', ['y'], { outputs: ['z'] });
    assert.equal(first.node.length, 1);
  });
});

describe('attr', () => {
  it('builds typed attributes and refuses values of the wrong kind', () => {
    assert.deepEqual(attr.ints('pads', [0, 1]), { name: 'pads', type: 'INTS', ints: [0, 1] });
    assert.deepEqual(attr.float('alpha', 1), { name: 'alpha', type: 'FLOAT', f: 1 });
    assert.throws(() => attr.int('axis', 1.5), { code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT', message: /"axis".*1\.5/ });
    assert.throws(() => attr.ints('pads', [1, Number.NaN]), {
      code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT',
      message: /element 1/,
    });
    assert.throws(() => attr.string('mode', 3 as unknown as string), { code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT' });
    assert.throws(() => attr.float('', 1), { code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT' });
  });
});

describe('findGraphProblems', () => {
  it('accepts an initializer that doubles as a graph input, and empty optional inputs', () => {
    const graph: OnnxGraph = {
      name: 'g',
      input: [{ name: 'w', elemType: F, shape: [1] }],
      initializer: [{ name: 'w', dataType: F, dims: [1], data: new Float32Array(1) }],
      node: [{ name: 'clip', opType: 'Clip', input: ['w', '', ''], output: ['y'], attribute: [] }],
      output: [{ name: 'y', elemType: F, shape: [1] }],
    };
    assert.deepEqual(findGraphProblems(graph), []);
  });
});

describe('createModel', () => {
  it('imports the default opset at its IR version and writes metadata in order', () => {
    const g = new GraphBuilder('g');
    g.input('x', F, [1]);
    g.node('Relu', ['x'], { outputs: ['y'] });
    g.output('y', F, [1]);
    const model = createModel({ ...options, graph: g.build(), metadata: { b: '2', a: '1' } });
    assert.equal(model.irVersion, 8);
    assert.deepEqual(model.opsetImport, [{ domain: '', version: 17 }]);
    assert.deepEqual(model.metadataProps, [
      { key: 'b', value: '2' },
      { key: 'a', value: '1' },
    ]);
    assert.equal(createModel({ ...options, graph: g.build(), opset: 13 }).irVersion, 7);
    assert.equal(createModel({ ...options, graph: g.build(), irVersion: 9 }).irVersion, 9);
    assert.throws(() => createModel({ ...options, graph: g.build(), irVersion: 7 }), {
      code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT',
    });
    assert.throws(() => createModel({ ...options, graph: g.build(), opset: 6 }), {
      code: 'ONNXPIPE_ONNX_UNSUPPORTED_OPSET',
    });
  });

  it('requires an opset import for every non-default node domain', () => {
    const g = new GraphBuilder('g');
    g.input('x', F, [1]);
    g.node('Gelu', ['x'], { outputs: ['y'], domain: 'com.microsoft' });
    g.output('y', F, [1]);
    const graph = g.build();
    assert.throws(() => createModel({ ...options, graph }), {
      code: 'ONNXPIPE_ONNX_INVALID_GRAPH',
      message: /com\.microsoft/,
    });
    const model = createModel({ ...options, graph, extraOpsets: [{ domain: 'com.microsoft', version: 1 }] });
    assert.deepEqual(model.opsetImport[1], { domain: 'com.microsoft', version: 1 });
  });
});
