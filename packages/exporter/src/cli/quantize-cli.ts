import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProgressReporter, runCli } from '@onnxpipe/core';
import { loadDataset } from '@onnxpipe/data';
import { writeVariants } from '../quantize/write-variants.js';
import { ExportUsageError } from '../errors.js';
import { parseQuantizeArgs, QUANTIZE_HELP, type QuantizeCliOptions } from './parse-quantize-args.js';
import { formatVariantsReport } from './write-variants-report.js';

/** `npm run quantize`: reduced-precision variants of an exported model version, measured and recorded. */
async function run(options: QuantizeCliOptions): Promise<number> {
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

await runCli(process, {
  parse: () => parseQuantizeArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd()),
  help: QUANTIZE_HELP,
  usageError: ExportUsageError,
  run,
});
