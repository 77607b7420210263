import { resolve } from 'node:path';
import { MAX_ACCURACY_DROP_POINTS } from '../quantize/choose-variant.js';
import { PRECISIONS, type Precision } from '../quantize/quantize-model.js';
import { parseFlags } from './parse-flags.js';
import { parseDropFlag, parsePrecisionsFlag } from './variant-flags.js';

export interface QuantizeCliOptions {
  /** `<repository>/<name>/<version>`: model.onnx and its manifest.json. */
  readonly model: string;
  readonly precisions: readonly Precision[];
  readonly maxDropPoints: number;
  readonly dataDir?: string;
}

export const QUANTIZE_HELP = `Usage: npm run quantize -- --model <repository>/<name>/<version> [options]
Writes reduced-precision variants of an exported model beside its model.onnx
(model.fp16.onnx, model.int8.onnx), measures each against model.onnx on the 10,000 test
images, and records them in the version's manifest.json with the file browsers should fetch:
the smallest whose accuracy is within --max-accuracy-drop of model.onnx. model.onnx itself,
which Triton and the server load, is not changed.

  --model DIR               model version folder (default models/mnist/2)
  --precisions LIST         ${PRECISIONS.join(', ')}, comma-separated (default ${PRECISIONS.join(',')})
  --max-accuracy-drop PTS   largest accuracy drop, in percentage points, of the variant
                            browsers fetch (default ${MAX_ACCURACY_DROP_POINTS})
  --data-dir DIR            where the test images are (default: $ONNXPIPE_DATA_DIR, then data/<dataset>/)
  -h, --help                show this help
`;

export function parseQuantizeArgs(argv: string[], cwd: string): QuantizeCliOptions | 'help' {
  const values = parseFlags(argv, {
    model: { type: 'string' },
    precisions: { type: 'string' },
    'max-accuracy-drop': { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  return {
    model: resolve(cwd, values.model ?? 'models/mnist/2'),
    precisions: parsePrecisionsFlag('--precisions', values.precisions ?? PRECISIONS.join(',')),
    maxDropPoints: parseDropFlag(values['max-accuracy-drop']),
    dataDir: values['data-dir'],
  };
}
