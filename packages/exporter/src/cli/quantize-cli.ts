import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProgressReporter } from '@onnxpipe/core';
import { loadDataset } from '@onnxpipe/data';
import { writeVariants } from '../quantize/write-variants.js';
import { ExportUsageError } from '../errors.js';
import { parseQuantizeArgs, QUANTIZE_HELP } from './parse-quantize-args.js';
import { formatVariantsReport } from './write-variants-report.js';

/** `npm run quantize`: reduced-precision variants of an exported model version, measured and recorded. */
async function main(): Promise<number> {
  let options;
  try {
    options = parseQuantizeArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    if (error instanceof ExportUsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(QUANTIZE_HELP);
    return 0;
  }
  const manifest = JSON.parse(await readFile(join(options.model, 'manifest.json'), 'utf8')) as {
    dataset?: { name?: string };
  };
  const test = await loadDataset({
    name: (manifest.dataset?.name ?? 'mnist') as 'mnist',
    split: 'test',
    dataDir: options.dataDir,
  });
  const bar = createProgressReporter({
    write: (s) => process.stderr.write(s),
    isTTY: process.stderr.isTTY === true,
    label: 'measure',
    total: options.precisions.length + 1,
    unit: 'model',
  });
  const report = await writeVariants({
    versionDir: options.model,
    precisions: options.precisions,
    test,
    maxDropPoints: options.maxDropPoints,
    onProgress: (done) => bar.update(done),
  });
  bar.done();
  process.stdout.write(
    `variants of ${join(options.model, 'model.onnx')} on ${test.count} test images:\n${formatVariantsReport(report)}`,
  );
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  const e = error as Error & { code?: string };
  process.stderr.write(`\nerror${e.code ? ` [${e.code}]` : ''}: ${e.message}\n`);
  if (process.env.ONNXPIPE_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
}
