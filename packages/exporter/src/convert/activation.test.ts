import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ExportLog } from '../testing/parity.js';
import { randomSequential } from '../testing/random-weights.js';
import { SUPPORTED_ACTIVATIONS } from './activation.js';

type ActivationName = Parameters<typeof tf.layers.activation>[0]['activation'];
const log = new ExportLog();

describe('activations', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const activation of SUPPORTED_ACTIVATIONS) {
    // tfjs registers every one of these, but its type union leaves some out (logSoftmax...).
    const name = activation as ActivationName;

    it(`${activation}: fused into Conv2D and Dense, and as an Activation layer on images and features`, async () => {
      const model = randomSequential(
        [6, 5, 2],
        [
          tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: name }),
          tf.layers.activation({ activation: name }),
          tf.layers.flatten({}),
          tf.layers.dense({ units: 4, activation: name }),
          tf.layers.activation({ activation: name }),
        ],
        61,
      );
      // Inputs U(±3) reach both saturated ends of sigmoid-like functions and relu6's cap.
      const results = await log.expectParity(`activation-${activation}`, model, { seed: 2, inputRange: [-3, 3] });
      if (activation === 'softmax' || activation === 'logSoftmax') {
        const op = activation === 'softmax' ? 'Softmax' : 'LogSoftmax';
        for (const r of results.filter((x) => x.layout === 'nchw')) {
          const axes = r.onnx.graph.node.filter((n) => n.opType === op).map((n) => n.attribute[0]);
          // the channel axis of the NCHW images, then the last axis of the features
          assert.deepEqual(
            axes.map((a) => (a.type === 'INT' ? a.i : undefined)),
            [1, 1, -1, -1],
          );
        }
      }
    });
  }

  it('linear adds no node', async () => {
    const model = randomSequential(
      [4],
      [tf.layers.dense({ units: 3, activation: 'linear' }), tf.layers.activation({ activation: 'linear' })],
      62,
    );
    const results = await log.expectParity('activation-linear-nodes', model);
    for (const r of results)
      assert.deepEqual(
        r.onnx.graph.node.map((n) => n.opType),
        ['Gemm'],
      );
  });

  it('every export passes onnx.checker full_check', (t) => {
    assert.deepEqual(log.check(), []);
    t.diagnostic(`${log.size} models checked; max |Δ| ${log.maxAbsDiff.toExponential(2)}`);
  });
});
