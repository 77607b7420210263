import { describeValue, invalidChoiceMessage } from '@onnxpipe/core';
import { ONNXPIPE_WEB_INVALID_ARGUMENT } from './errors.js';
import { ORT_VERSION } from './local/ort-runtime.js';
import {
  DEVICES,
  PREPROCESS_MODES,
  type ClassifierOptions,
  type Device,
  type PredictOptions,
  type PreprocessMode,
} from './types.js';

// Option checking for both entry points: every message names the option, says what was
// expected and what was received, and lists the valid values.

/**
 * Where onnxruntime-web's runtime files are hosted, relative to the site root: the version is
 * part of the path so that servers can cache them as immutable and an upgrade gets new URLs.
 * `npm run build:web` writes them there and an onnxpipe server serves them there.
 */
export const ORT_FILES_DIR = `ort/${ORT_VERSION}/`;

/** Defaults of {@link ClassifierOptions}. */
export const CLASSIFIER_DEFAULTS = Object.freeze({
  device: 'auto' as Device,
  wasmPaths: `/${ORT_FILES_DIR}`,
  maxBatch: 64,
  warmUp: true,
});

/**
 * Upper bounds of `maxBatch` and `numThreads`: far above what a digit model needs, low enough to
 * catch a unit mistake.
 */
const MAX_BATCH = 4096;
const MAX_THREADS = 64;

/** Checked local options, with defaults applied (`wasmPaths` still relative). */
export interface ResolvedClassifierOptions {
  readonly device: Device;
  readonly wasmPaths: string;
  readonly modelName: string | undefined;
  readonly modelVersion: string | undefined;
  readonly maxBatch: number;
  readonly numThreads: number | undefined;
  readonly warmUp: boolean;
}

function fail(message: string): never {
  throw new ONNXPIPE_WEB_INVALID_ARGUMENT(message);
}

export function checkObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`'${name}' must be an object; received ${describeValue(value)}`);
  return value as Record<string, unknown>;
}

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`'${name}' must be an integer from ${min} to ${max}; received ${describeValue(value)}`);
  }
  return value;
}

export function checkString(
  name: string,
  value: unknown,
  pattern?: RegExp,
  expected = 'a non-empty string',
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || (pattern !== undefined && !pattern.test(value))) {
    fail(`'${name}' must be ${expected}; received ${describeValue(value)}`);
  }
  return value;
}

function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(invalidChoiceMessage(name, [true, false], value));
  return value;
}

/** Checks the options of `createClassifier`. @throws `ONNXPIPE_WEB_INVALID_ARGUMENT` */
export function resolveClassifierOptions(options: ClassifierOptions | undefined): ResolvedClassifierOptions {
  const o = checkObject('options', options);
  const device = o.device ?? CLASSIFIER_DEFAULTS.device;
  if (!(DEVICES as readonly unknown[]).includes(device)) fail(invalidChoiceMessage('device', DEVICES, device));
  const wasmPaths =
    checkString('wasmPaths', o.wasmPaths, /\/$/, "a URL prefix ending in '/'") ?? CLASSIFIER_DEFAULTS.wasmPaths;
  return {
    device: device as Device,
    wasmPaths,
    modelName: checkString('modelName', o.modelName),
    modelVersion: checkString('modelVersion', o.modelVersion),
    maxBatch:
      o.maxBatch === undefined ? CLASSIFIER_DEFAULTS.maxBatch : checkInteger('maxBatch', o.maxBatch, 1, MAX_BATCH),
    numThreads: o.numThreads === undefined ? undefined : checkInteger('numThreads', o.numThreads, 1, MAX_THREADS),
    warmUp: checkBoolean('warmUp', o.warmUp, CLASSIFIER_DEFAULTS.warmUp),
  };
}

/** Defaults of {@link PredictOptions}. */
export const PREDICT_DEFAULTS = Object.freeze({
  preprocess: 'mnist' as PreprocessMode,
  debug: false,
  maxImageSide: 1024,
});

/** Bounds of `maxImageSide`: at least a digit's 28 px, at most the largest canvas side. */
const MIN_IMAGE_SIDE = 28;
const MAX_IMAGE_SIDE = 16_384;

/** Checked options of one `predict()` call. */
export interface ResolvedPredictOptions {
  readonly topk: number | undefined;
  readonly preprocess: PreprocessMode;
  readonly debug: boolean;
  readonly maxImageSide: number;
}

/** Checks the options of `predict()`. @throws `ONNXPIPE_WEB_INVALID_ARGUMENT` */
export function resolvePredictOptions(options: PredictOptions | undefined): ResolvedPredictOptions {
  const o = checkObject('options', options);
  const preprocess = o.preprocess ?? PREDICT_DEFAULTS.preprocess;
  if (!(PREPROCESS_MODES as readonly unknown[]).includes(preprocess))
    fail(invalidChoiceMessage('preprocess', PREPROCESS_MODES, preprocess));
  const debug = o.debug ?? PREDICT_DEFAULTS.debug;
  if (typeof debug !== 'boolean') fail(invalidChoiceMessage('debug', [true, false], debug));
  return {
    topk: o.topk === undefined ? undefined : checkInteger('topk', o.topk, 1, 1000),
    preprocess: preprocess as PreprocessMode,
    debug,
    maxImageSide:
      o.maxImageSide === undefined
        ? PREDICT_DEFAULTS.maxImageSide
        : checkInteger('maxImageSide', o.maxImageSide, MIN_IMAGE_SIDE, MAX_IMAGE_SIDE),
  };
}
