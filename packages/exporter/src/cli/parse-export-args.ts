import { basename, dirname, join, resolve } from 'node:path';
import type { Precision } from '../quantize/quantize-model.js';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, SUPPORTED_LAYOUTS, type InputLayout } from '../convert/options.js';
import { ExportUsageError } from '../errors.js';
import { parseFlags } from './parse-flags.js';
import { parseDropFlag, parsePrecisionsFlag } from './variant-flags.js';

export { ExportUsageError };

export interface ExportCliOptions {
  /** Directory of the trained tfjs artifacts (model.json, weights.bin, manifest.json). */
  readonly model: string;
  /** Further trained networks' artifact directories whose probabilities model.onnx averages with --model's. */
  readonly averageWith: readonly string[];
  readonly repository: string;
  readonly name: string;
  readonly version: number;
  readonly opset: number;
  readonly layout: InputLayout;
  readonly verify: boolean;
  readonly dataDir?: string;
  /** Reduced-precision variants to write beside model.onnx after the export (`npm run quantize`). */
  readonly quantize: readonly Precision[];
  readonly maxDropPoints: number;
}

// The converter's own bounds and choices (convert/options.ts), checked here as flags.
export const LAYOUT_CHOICES = SUPPORTED_LAYOUTS;
export { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET };

export const EXPORT_HELP = `Usage: npm run export -- [options]

Converts the trainer's tfjs artifacts to ONNX and writes a Triton-style model repository entry:
<repository>/<name>/config.pbtxt and <repository>/<name>/<version>/model.onnx (+ manifest.json).

  --model DIR        trained tfjs artifacts (default models/mnist/<version>); in the
                     repository layout the trainer writes, <repository>/<name>/<version>/
  --average-with DIRS
                     export one model that averages the probabilities of --model's network
                     and of these (comma-separated artifact directories, e.g. the same recipe
                     trained with other seeds): an ensemble, served and verified as one file
  --repository DIR   model repository root (default: derived from --model)
  --name NAME        model name in the repository (default: derived from --model)
  --version N        version directory (default: --model's folder name when it is a
                     number, else 1)
  --opset N          ONNX opset, ${MIN_OPSET} to ${MAX_OPSET} (default ${DEFAULT_OPSET})
  --layout L         ${LAYOUT_CHOICES.join(' | ')}: input layout (default nchw, as PyTorch and Triton)
  --verify           run the 10,000 test images through tfjs and onnxruntime-node; fail if
                     max |Δ| > 1e-4 or any argmax differs
  --quantize LIST    also write reduced-precision variants beside model.onnx (fp16, int8,
                     comma-separated), measured on the test images and recorded in the
                     manifest, as npm run quantize does
  --max-accuracy-drop PTS
                     with --quantize: largest accuracy drop, in percentage points, of the
                     variant browsers fetch (default 0.05)
  --data-dir DIR     where the test images are (default: $ONNXPIPE_DATA_DIR, then data/<dataset>/)
  -h, --help         show this help
`;

export function parseExportArgs(argv: string[], cwd: string): ExportCliOptions | 'help' {
  const values = parseFlags(argv, {
    model: { type: 'string' },
    'average-with': { type: 'string' },
    repository: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    opset: { type: 'string' },
    layout: { type: 'string' },
    verify: { type: 'boolean' },
    quantize: { type: 'string' },
    'max-accuracy-drop': { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const versionFlag = values.version === undefined ? undefined : Number(values.version);
  if (versionFlag !== undefined && (!Number.isInteger(versionFlag) || versionFlag < 1)) {
    throw new ExportUsageError(`'--version' must be an integer ≥ 1; received "${values.version}"`);
  }
  const model = resolve(cwd, values.model ?? join('models', 'mnist', String(versionFlag ?? 1)));
  // <repository>/<name>/<version>/ (the trainer's layout) or <repository>/<name>/ (an older one).
  const inVersionFolder = /^[1-9][0-9]*$/.test(basename(model));
  const modelFolder = inVersionFolder ? dirname(model) : model;
  const layout = values.layout ?? 'nchw';
  if (!(LAYOUT_CHOICES as readonly string[]).includes(layout)) {
    throw new ExportUsageError(`'--layout' must be one of ${LAYOUT_CHOICES.join(', ')}; received "${layout}"`);
  }
  const opset = Number(values.opset ?? DEFAULT_OPSET);
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ExportUsageError(
      `'--opset' must be an integer from ${MIN_OPSET} to ${MAX_OPSET}; received "${values.opset}"`,
    );
  }
  const version = versionFlag ?? (inVersionFolder ? Number(basename(model)) : 1);
  const averageWith = (values['average-with'] ?? '')
    .split(',')
    .map((dir) => dir.trim())
    .filter((dir) => dir !== '')
    .map((dir) => resolve(cwd, dir));
  if (values['average-with'] !== undefined && averageWith.length === 0) {
    throw new ExportUsageError(
      `'--average-with' takes comma-separated directories; received "${values['average-with']}"`,
    );
  }
  if (averageWith.includes(model) || new Set(averageWith).size !== averageWith.length) {
    throw new ExportUsageError(
      `'--average-with' must name other networks than --model, each once; received "${values['average-with']}"`,
    );
  }
  return {
    model,
    averageWith,
    repository: resolve(cwd, values.repository ?? dirname(modelFolder)),
    name: values.name ?? basename(modelFolder),
    version,
    opset,
    layout: layout as InputLayout,
    verify: values.verify ?? false,
    dataDir: values['data-dir'],
    quantize: values.quantize === undefined ? [] : parsePrecisionsFlag('--quantize', values.quantize),
    maxDropPoints: parseDropFlag(values['max-accuracy-drop']),
  };
}
