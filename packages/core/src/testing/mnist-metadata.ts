import { DIGIT_LABELS } from '../labels.js';
import { MODEL_METADATA_KEYS as KEYS } from '../model-metadata-keys.js';
import { MNIST_NORMALIZATION } from '../normalization.js';

/**
 * The metadata_props the exporter writes for an MNIST model (see the exporter's
 * model-metadata.ts), for tests that build models or parse metadata; an `undefined` override
 * leaves that key out.
 */
export function mnistMetadata(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const props: Record<string, string | undefined> = {
    [KEYS.labels]: JSON.stringify(DIGIT_LABELS),
    [KEYS.normalizationMean]: String(MNIST_NORMALIZATION.mean),
    [KEYS.normalizationStd]: String(MNIST_NORMALIZATION.std),
    [KEYS.inputLayout]: 'NCHW',
    [KEYS.inputShape]: JSON.stringify(['N', 1, 28, 28]),
    [KEYS.preprocessing]: 'mnist',
    [KEYS.output]: 'log_softmax',
    [KEYS.dataset]: 'mnist',
    [KEYS.epochs]: '0',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(props).filter((e): e is [string, string] => e[1] !== undefined));
}
