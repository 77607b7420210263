import { createProgressReporter } from '@onnxpipe/core';
import { UsageError, TRAIN_HELP, parseTrainArgs } from './cli/parse-train-args.js';
import { runTraining } from './train/run-training.js';

/** `npm run train`: the reference recipe's CLI, with a progress bar on terminals. */
async function main(): Promise<number> {
  let options;
  try {
    options = parseTrainArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  const tty = process.stderr.isTTY === true;
  let bar: ReturnType<typeof createProgressReporter> | undefined;
  let barEpoch = 0;
  const started = performance.now();
  const result = await runTraining(options, {
    log(line) {
      if (tty && bar !== undefined) process.stderr.write('\r\x1b[K');
      process.stdout.write(`${line}\n`);
    },
    progress({ epoch, done, total }) {
      if (!tty) return;
      if (bar === undefined || epoch !== barEpoch) {
        bar?.done();
        barEpoch = epoch;
        bar = createProgressReporter({
          write: (s) => process.stderr.write(s),
          isTTY: tty,
          label: `epoch ${epoch}`,
          total,
          unit: 'img',
        });
      }
      bar.update(done);
      if (done >= total) {
        bar.done();
        bar = undefined;
      }
    },
  });
  const final = result.history.at(-1);
  const minutes = ((performance.now() - started) / 60000).toFixed(1);
  process.stdout.write(
    `done in ${minutes} min: test accuracy ${final ? (100 * final.testAccuracy).toFixed(2) : 'n/a'} % — outputs in ${options.out}\n`,
  );
  return 0;
}

// Print failures as one clear line: an uncaught error would reach the wasm runtime's own handler,
// which rethrows it together with its whole minified source.
try {
  process.exitCode = await main();
} catch (error) {
  const e = error as Error & { code?: string };
  process.stderr.write(`\nerror${e.code ? ` [${e.code}]` : ''}: ${e.message}\n`);
  if (process.env.ONNXPIPE_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
}
