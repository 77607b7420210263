import { MODEL_METADATA_KEYS } from '@onnxpipe/core';

/**
 * What the trainer's manifest.json tells the exporter: the facts a consumer of the ONNX file needs
 * so that no constant is hard-coded in the server or the SDK.
 */
export interface TrainerManifest {
  readonly name: string;
  readonly dataset: {
    readonly name: string;
    readonly classNames: readonly string[];
    readonly normalization: { readonly mean: number; readonly std: number };
    readonly train: { readonly images: { readonly sha256: string }; readonly labels: { readonly sha256: string } };
    readonly test: { readonly images: { readonly sha256: string }; readonly labels: { readonly sha256: string } };
  };
  readonly network: { readonly inputShape: readonly number[] };
  /** Absent in manifests written before recipes existed (those are the reference recipe). */
  readonly recipe?: { readonly name: string };
  readonly devSet?: { readonly accuracy: number } | null;
  /** The training flags; the seed tells an ensemble's members apart. */
  readonly config?: { readonly seed?: number };
  readonly epochs: number;
  readonly finalTestAccuracy: number | null;
  readonly finalTestLoss: number | null;
  readonly gitCommit: string | null;
  readonly backend: string;
  readonly createdAt: string;
}

/** Re-exported for the exporter's callers; the keys live in core, shared with the server and SDK. */
export const METADATA_KEYS = MODEL_METADATA_KEYS;

/**
 * metadata_props for an exported model. `preprocessing` names the input recipe ("mnist": 28×28
 * grayscale, ink light on dark, centred by mass, then (x/255 − mean)/std); `output` says the
 * network ends in log-softmax, so consumers take exp() for probabilities.
 */
export function modelMetadata(manifest: TrainerManifest, layout: 'nchw' | 'nhwc'): Record<string, string> {
  const [height, width, channels] = manifest.network.inputShape;
  const shape = layout === 'nchw' ? ['N', channels, height, width] : ['N', height, width, channels];
  const facts: Record<string, string | number | null> = {
    [METADATA_KEYS.labels]: JSON.stringify(manifest.dataset.classNames),
    [METADATA_KEYS.normalizationMean]: manifest.dataset.normalization.mean,
    [METADATA_KEYS.normalizationStd]: manifest.dataset.normalization.std,
    [METADATA_KEYS.inputLayout]: layout.toUpperCase(),
    [METADATA_KEYS.inputShape]: JSON.stringify(shape),
    [METADATA_KEYS.preprocessing]: 'mnist',
    [METADATA_KEYS.output]: 'log_softmax',
    [METADATA_KEYS.dataset]: manifest.dataset.name,
    [METADATA_KEYS.trainSha256]: manifest.dataset.train.images.sha256,
    [METADATA_KEYS.testSha256]: manifest.dataset.test.images.sha256,
    [METADATA_KEYS.testAccuracy]: manifest.finalTestAccuracy,
    [METADATA_KEYS.testLoss]: manifest.finalTestLoss,
    [METADATA_KEYS.recipe]: manifest.recipe?.name ?? 'reference',
    [METADATA_KEYS.devAccuracy]: manifest.devSet?.accuracy ?? null,
    [METADATA_KEYS.epochs]: manifest.epochs,
    [METADATA_KEYS.trainedWith]: manifest.backend,
    [METADATA_KEYS.trainedAt]: manifest.createdAt,
    [METADATA_KEYS.gitCommit]: manifest.gitCommit,
  };
  return Object.fromEntries(
    Object.entries(facts)
      .filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );
}
