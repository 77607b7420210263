import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createError } from './errors.js';
import { runCli, type CliProcess, type CliSpec } from './run-cli.js';

const USAGE = createError<[message: string]>('X_USAGE', '%s', 400);
const BROKEN = createError<[message: string]>('X_BROKEN', '%s', 500);

async function exit(spec: Partial<CliSpec<string>>, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const proc: CliProcess = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env,
  };
  await runCli(proc, {
    parse: () => 'options',
    help: 'Usage: tool [options]\n',
    usageError: USAGE,
    run: async () => 0,
    ...spec,
  });
  return { code: proc.exitCode, stdout: out.join(''), stderr: err.join('') };
}

test('runCli: help exits 0 with the help on stdout; run gets the options and sets the exit code', async () => {
  assert.deepEqual(await exit({ parse: () => 'help' }), { code: 0, stdout: 'Usage: tool [options]\n', stderr: '' });
  let received: string | undefined;
  const run = async (options: string) => ((received = options), 3);
  assert.deepEqual(await exit({ run }), { code: 3, stdout: '', stderr: '' });
  assert.equal(received, 'options');
});

test('runCli: a usage error from parse exits 2 with its message alone', async () => {
  const parse = () => {
    throw new USAGE('\'--epochs\' must be an integer ≥ 1; received "0"');
  };
  assert.deepEqual(await exit({ parse }), {
    code: 2,
    stdout: '',
    stderr: 'error: \'--epochs\' must be an integer ≥ 1; received "0"\n',
  });
});

test('runCli: any other failure exits 1 with one line naming the code; ONNXPIPE_DEBUG adds the stack', async () => {
  const run = async () => {
    throw new BROKEN('the model file is damaged');
  };
  assert.deepEqual(await exit({ run }), {
    code: 1,
    stdout: '',
    stderr: '\nerror [X_BROKEN]: the model file is damaged\n',
  });
  const debug = await exit({ run }, { ONNXPIPE_DEBUG: '1' });
  assert.equal(debug.code, 1);
  assert.match(
    debug.stderr,
    /^\nerror \[X_BROKEN\]: the model file is damaged\n\w+: the model file is damaged\n\s+at /,
  );
  // A usage error thrown after parsing is a failure like any other.
  const late = await exit({ run: async () => Promise.reject(new USAGE('late')) });
  assert.deepEqual(late, { code: 1, stdout: '', stderr: '\nerror [X_USAGE]: late\n' });
  const plain = await exit({ run: async () => Promise.reject(new Error('plain')) });
  assert.deepEqual(plain, { code: 1, stdout: '', stderr: '\nerror: plain\n' });
});
