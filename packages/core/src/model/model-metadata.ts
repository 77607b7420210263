import { describeValue, formatChoices, ONNXPIPE_CORE_BAD_MODEL_METADATA } from '../errors.js';
import { MODEL_METADATA_KEYS } from '../model-metadata-keys.js';
import type { Normalization } from '../normalization.js';

// What a runtime (the server, the browser SDK) needs to know about a model comes from the ONNX
// file's metadata_props, which the exporter writes under MODEL_METADATA_KEYS: labels,
// normalisation, input layout and shape, preprocessing recipe, output kind. No runtime keeps a
// constant for any of them; both read them through this one parser.

const METADATA_KEYS = MODEL_METADATA_KEYS;

export const INPUT_LAYOUTS = ['NCHW', 'NHWC'] as const;
/** Recipes the runtimes know how to apply; "mnist" is core's `preprocessDigit`. */
export const PREPROCESSING_RECIPES = ['mnist'] as const;
/** What the network's output holds: `toProbabilities` turns each into probabilities. */
export const OUTPUT_KINDS = ['log_softmax', 'softmax', 'logits'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** The facts of one model, read from its metadata and checked. */
export interface ModelMetadata {
  /** Class names indexed by output position. */
  readonly labels: readonly string[];
  readonly normalization: Normalization;
  readonly inputLayout: (typeof INPUT_LAYOUTS)[number];
  /** Input height and width (the image side the preprocessing produces). */
  readonly height: number;
  readonly width: number;
  readonly preprocessing: (typeof PREPROCESSING_RECIPES)[number];
  readonly output: OutputKind;
  /** Every metadata property of the file, as written. */
  readonly properties: Readonly<Record<string, string>>;
}

/**
 * Checks the metadata props of a model and returns its facts.
 *
 * @throws `ONNXPIPE_CORE_BAD_MODEL_METADATA` naming the first missing or invalid key (loaders
 * add the file name or URL).
 */
export function parseModelMetadata(props: readonly { key: string; value: string }[]): ModelMetadata {
  const properties = Object.freeze(Object.fromEntries(props.map(({ key, value }) => [key, value])));
  const get = (key: string): string => {
    const value = properties[key];
    if (value === undefined)
      throw new ONNXPIPE_CORE_BAD_MODEL_METADATA(
        `metadata_props has no ${describeValue(key)}; was it exported by @onnxpipe/exporter?`,
      );
    return value;
  };
  const bad = (key: string, expected: string, value: unknown): never => {
    throw new ONNXPIPE_CORE_BAD_MODEL_METADATA(
      `metadata ${describeValue(key)} must be ${expected}; received ${describeValue(value)}`,
    );
  };
  const json = (key: string): unknown => {
    const text = get(key);
    try {
      return JSON.parse(text);
    } catch {
      return bad(key, 'JSON', text);
    }
  };
  const oneOf = <T extends string>(key: string, choices: readonly T[]): T => {
    const value = get(key);
    return choices.includes(value as T) ? (value as T) : bad(key, `one of ${formatChoices(choices)}`, value);
  };

  const labels = json(METADATA_KEYS.labels);
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) {
    bad(METADATA_KEYS.labels, 'a JSON array of at least 2 class names', get(METADATA_KEYS.labels));
  }
  const number = (key: string): number => {
    const text = get(key);
    const value = Number(text);
    return text.trim() !== '' && Number.isFinite(value) ? value : bad(key, 'a finite number', text);
  };
  const mean = number(METADATA_KEYS.normalizationMean);
  const std = number(METADATA_KEYS.normalizationStd);
  if (!(std > 0)) bad(METADATA_KEYS.normalizationStd, 'positive', std);
  const inputLayout = oneOf(METADATA_KEYS.inputLayout, INPUT_LAYOUTS);

  const shape = json(METADATA_KEYS.inputShape);
  const positive = (d: unknown) => Number.isSafeInteger(d) && (d as number) > 0;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.slice(1).every(positive)) {
    bad(METADATA_KEYS.inputShape, 'a JSON array ["N", d1, d2, d3] of positive sizes', get(METADATA_KEYS.inputShape));
  }
  const [, a, b, c] = shape as [unknown, number, number, number];
  const [channels, height, width] = inputLayout === 'NCHW' ? [a, b, c] : [c, a, b];
  if (channels !== 1) bad(METADATA_KEYS.inputShape, 'a 1-channel (grayscale) input', get(METADATA_KEYS.inputShape));
  if (height !== width) bad(METADATA_KEYS.inputShape, 'a square image input', get(METADATA_KEYS.inputShape));

  return Object.freeze({
    labels: Object.freeze((labels as string[]).slice()),
    normalization: Object.freeze({ mean, std }),
    inputLayout,
    height,
    width,
    preprocessing: oneOf(METADATA_KEYS.preprocessing, PREPROCESSING_RECIPES),
    output: oneOf(METADATA_KEYS.output, OUTPUT_KINDS),
    properties,
  });
}
