import { createProgressReporter, runCli, type ProgressReporter } from '@onnxpipe/core';
import { TRAIN_HELP, parseTrainArgs, type TrainCliOptions } from './cli/parse-train-args.js';
import { ONNXPIPE_TRAINER_USAGE } from './errors.js';
import { runTraining } from './train/run-training.js';
import type { TrainingEvents } from './train/training-events.js';

/** `npm run train`: the reference recipe's CLI, with a progress bar on terminals. */
async function run(options: TrainCliOptions): Promise<number> {
  const started = performance.now();
  const result = await runTraining(options, options.json ? jsonEvents() : humanEvents());
  const final = result.history.at(-1);
  const minutes = (performance.now() - started) / 60000;
  if (options.json) {
    emit({ event: 'done', minutes, testAccuracy: final?.testAccuracy ?? null, out: options.out });
  } else {
    const accuracy = final ? (100 * final.testAccuracy).toFixed(2) : 'n/a';
    process.stdout.write(
      `done in ${minutes.toFixed(1)} min: test accuracy ${accuracy} % — outputs in ${options.out}\n`,
    );
  }
  return 0;
}

function emit(record: object): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

function jsonEvents(): TrainingEvents {
  return {
    log(line) {
      // Structured events carry the training lines; the rest (backend choice, resume) stays human.
      if (!line.startsWith('Train Epoch') && !line.includes('Test set')) emit({ event: 'info', message: line });
    },
    stepLogged: (step) => emit({ event: 'step', ...step }),
    epochDone: (record) => emit({ event: 'epoch', ...record }),
  };
}

/** Reference log lines on stdout; on a terminal, a progress bar on stderr under them. */
function humanEvents(): TrainingEvents {
  const tty = process.stderr.isTTY === true;
  let bar: ProgressReporter | undefined;
  let barEpoch = 0;
  return {
    log(line) {
      if (bar !== undefined) process.stderr.write('\r\x1b[K');
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
  };
}

await runCli(process, {
  parse: () => parseTrainArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd()),
  help: TRAIN_HELP,
  usageError: ONNXPIPE_TRAINER_USAGE,
  run,
});
