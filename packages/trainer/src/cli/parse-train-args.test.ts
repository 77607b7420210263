import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ONNXPIPE_TRAINER_USAGE } from '../errors.js';
import { parseTrainArgs, TRAIN_HELP } from './parse-train-args.js';

const parse = (...args: string[]) => {
  const options = parseTrainArgs(args, '/work');
  assert.notEqual(options, 'help');
  return options as Exclude<typeof options, 'help'>;
};

test('the reference recipe keeps the PyTorch example defaults and writes version 1', () => {
  const options = parse();
  assert.equal(options.recipe, 'reference');
  assert.deepEqual([options.epochs, options.batchSize, options.lr, options.gamma], [14, 64, 1.0, 0.7]);
  assert.equal(options.out, join('/work', 'models', 'mnist', '1'));
});

test('--recipe robust takes its own defaults and writes version 2; flags still override them', () => {
  const robust = parse('--recipe', 'robust');
  assert.equal(robust.recipe, 'robust');
  assert.deepEqual([robust.epochs, robust.lr], [30, 0.003]);
  assert.equal(robust.out, join('/work', 'models', 'mnist', '2'));
  const overridden = parse('--recipe', 'robust', '--epochs', '2', '--lr', '0.01', '--without', 'styles, elastic');
  assert.deepEqual([overridden.epochs, overridden.lr], [2, 0.01]);
  assert.deepEqual(overridden.without, ['styles', 'elastic']);
});

test('an unknown recipe or ablation part is a usage error naming the flag and the valid values', () => {
  assert.throws(
    () => parse('--recipe', 'fancy'),
    (error: Error & { code?: string }) => {
      assert.ok(error instanceof ONNXPIPE_TRAINER_USAGE);
      assert.match(error.message, /'recipe' must be one of reference, robust; received "fancy"/);
      return true;
    },
  );
  assert.throws(() => parse('--recipe', 'robust', '--without', 'dropout'), {
    code: 'ONNXPIPE_TRAINER_USAGE',
    message: /'without' takes augmentation, affine, .*; received "dropout"/,
  });
  assert.throws(() => parse('--epochs', '0'), {
    code: 'ONNXPIPE_TRAINER_USAGE',
    message: /'--epochs' must be an integer ≥ 1; received "0"/,
  });
});

test('--help lists both recipes and the ablation parts', () => {
  assert.equal(parseTrainArgs(['--help'], '/work'), 'help');
  assert.match(TRAIN_HELP, /reference .*\(default\)/);
  assert.match(TRAIN_HELP, /robust {6}conv–BN network/);
  assert.match(TRAIN_HELP, /stroke-width, resolution, styles, stroke-digits, erase/);
});
