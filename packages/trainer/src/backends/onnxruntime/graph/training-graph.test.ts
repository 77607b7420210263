import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { checkOnnxModels } from '@onnxpipe/onnx/testing';
import { decodeModel } from '@onnxpipe/onnx';
import { parameterSpecs } from '../../../model/network-spec.js';
import { createOptimizer } from '../../../optim/create-optimizer.js';
import { RECIPE_CHOICES } from '../../../recipes/recipe.js';
import { resolveRecipe } from '../../../recipes/resolve-recipe.js';
import { buildInferenceGraph, buildMomentsGraph } from './evaluation-graph.js';
import { OPTIMIZER_STATE_NAMES } from './optimizer-graph.js';
import { ShapedGraph } from './shaped-graph.js';
import { Tape } from './tape.js';
import { buildTrainingGraph, encode, TRAINER_OPSET } from './training-graph.js';

test('every graph the backend builds passes onnx.checker (full_check) at opset 17 / IR 8, and loads in onnxruntime', async () => {
  const models = new Map<string, Uint8Array>();
  for (const name of RECIPE_CHOICES) {
    const recipe = resolveRecipe(name);
    for (const batch of [64, 17]) {
      models.set(`${name}-step-${batch}`, buildTrainingGraph(recipe, batch).model);
      models.set(`${name}-gradients-${batch}`, buildTrainingGraph(recipe, batch, 'gradients').model);
      models.set(`${name}-inference-${batch}`, buildInferenceGraph(recipe.network, batch).model);
      if (recipe.network.layers.some((l) => l.kind === 'batchNorm'))
        models.set(`${name}-moments-${batch}`, buildMomentsGraph(recipe.network, batch).model);
    }
    // Without the weight average and with plain NLL the graph changes shape: check it too.
    models.set(
      `${name}-ablated-step`,
      buildTrainingGraph(resolveRecipe(name, ['weight-average', 'label-smoothing']), 8).model,
    );
  }
  assert.deepEqual(checkOnnxModels(models), []);
  for (const [name, bytes] of models) {
    const model = decodeModel(bytes);
    assert.equal(model.irVersion, 8, name);
    assert.deepEqual(model.opsetImport, [{ domain: '', version: TRAINER_OPSET }], name);
    const session = await ort.InferenceSession.create(bytes);
    await session.release();
  }
});

test("a step graph takes and returns every parameter and optimizer state array under the JS optimizer's names", () => {
  for (const name of RECIPE_CHOICES) {
    const recipe = resolveRecipe(name);
    const graph = buildTrainingGraph(recipe, 4);
    const specs = parameterSpecs(recipe.network);
    assert.deepEqual(
      graph.params.map((p) => p.spec.name),
      specs.map((s) => s.name),
    );
    const jsState = Object.keys(createOptimizer(recipe.optimizer, 1).state);
    assert.deepEqual(Object.keys(graph.optimizerState), jsState);
    assert.deepEqual([...OPTIMIZER_STATE_NAMES[recipe.optimizer.kind]], jsState);
    assert.equal(graph.averaged?.length, recipe.weightAverageDecay === undefined ? undefined : specs.length);
    assert.deepEqual(
      graph.masks.map((m) => m.layer),
      recipe.network.layers.filter((l) => l.kind === 'dropout').map((l) => l.name),
    );
  }
});

test('the tape adds up the gradients of a value used by several ops, and leaves constants out', async () => {
  const g = new ShapedGraph('reuse');
  const tape = new Tape(g);
  const x = tape.watch(g.input('x', [3]));
  const c = g.input('c', [3]);
  // y = x·c + x·x, recorded as three ops with their own rules: dy/dx = c + 2x.
  const product = (a: typeof x, b: typeof x) => {
    const out = g.mul(a, b);
    tape.record([a, b], [out], ([dy], needed) => [
      needed[0] ? g.mul(dy!, b) : undefined,
      needed[1] ? g.mul(dy!, a) : undefined,
    ]);
    return out;
  };
  const sum = (a: typeof x, b: typeof x) => {
    const out = g.add(a, b);
    tape.record([a, b], [out], ([dy]) => [dy, dy]);
    return out;
  };
  const y = sum(product(x, c), product(x, x));
  assert.equal(tape.requiresGradient(c), false);
  const [dx, dc] = tape.gradients([[y, g.input('dy', [3])]], [x, c]);
  assert.equal(dc, undefined);
  g.output(g.op('Identity', [dx!], [3], { output: 'dx' }));
  const session = await ort.InferenceSession.create(encode(g));
  const tensor = (v: number[]) => new ort.Tensor('float32', Float32Array.from(v), [3]);
  const result = await session.run({ x: tensor([1, 2, 3]), c: tensor([5, 6, 7]), dy: tensor([1, 1, 2]) });
  assert.deepEqual([...(result.dx.data as Float32Array)], [7, 10, 26]);
});
