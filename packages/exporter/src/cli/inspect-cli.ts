import { readFile } from 'node:fs/promises';
import { decodeModel, formatModelSummary, summarizeModel } from '@onnxpipe/onnx';

const USAGE = 'Usage: npm run inspect -- <model.onnx> [--json]\n';

/** `npm run inspect`: a quick look at an ONNX file without Netron. */
async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const files = argv.filter((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (files.length !== 1) {
    process.stderr.write(`error: expected one .onnx file; received ${files.length}\n${USAGE}`);
    return 2;
  }
  const summary = summarizeModel(decodeModel(new Uint8Array(await readFile(files[0]))));
  process.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : formatModelSummary(summary));
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const e = error as Error & { code?: string };
  process.stderr.write(`error${e.code ? ` [${e.code}]` : ''}: ${e.message}\n`);
  process.exitCode = 1;
}
