import { describeValue, invalidChoiceMessage } from '@onnxpipe/core';
import { ONNXPIPE_EXPORT_INVALID_OPTION, ONNXPIPE_EXPORT_UNSUPPORTED_OPSET } from '../errors.js';

/** The graph input layouts the converter can emit. */
export const SUPPORTED_LAYOUTS = ['nchw', 'nhwc'] as const;
export type InputLayout = (typeof SUPPORTED_LAYOUTS)[number];

/**
 * Opsets whose operators keep the semantics the converter relies on. 13 is the floor because
 * Softmax/LogSoftmax became per-axis there (before, they flattened everything after `axis`);
 * the ceiling is the newest opset checked against the operator changelog for every op we emit
 * (Conv, MaxPool, AveragePool, GlobalAveragePool, Gemm, MatMul, Reshape, Transpose, ...).
 */
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
/** The opset written when none is asked for. */
export const DEFAULT_OPSET = 17;

/** Options of {@link convertLayersModel}. */
export interface ConvertOptions {
  /**
   * Layout of the graph input for 4-D (image) models. `nchw` is the convention of PyTorch,
   * Triton and the ONNX model zoo; `nhwc` keeps tfjs's own layout and transposes inside the
   * graph. Models with other input ranks ignore it.
   * @defaultValue `'nchw'`
   */
  layout?: InputLayout;
  /** Default-domain opset, from {@link MIN_OPSET} to {@link MAX_OPSET}. @defaultValue {@link DEFAULT_OPSET} (17) */
  opset?: number;
  /** @defaultValue `'input'` */
  inputName?: string;
  /** @defaultValue `'output'` */
  outputName?: string;
  /** Symbolic name of the batch dimension. @defaultValue `'N'` */
  batchDim?: string;
  /** Written to the model's `producer_version`. */
  producerVersion: string;
  /** Written to the model's `metadata_props`. */
  metadata?: Record<string, string>;
  /** @defaultValue the tfjs model's name */
  graphName?: string;
}

/** {@link ConvertOptions} with every default filled in and every value checked. */
export interface ResolvedConvertOptions {
  readonly layout: InputLayout;
  readonly opset: number;
  readonly inputName: string;
  readonly outputName: string;
  readonly batchDim: string;
  readonly producerVersion: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly graphName: string;
}

function nonEmptyString(param: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ONNXPIPE_EXPORT_INVALID_OPTION(`'${param}' must be a non-empty string; received ${describeValue(value)}`);
  }
  return value;
}

export function resolveConvertOptions(options: ConvertOptions, modelName: string): ResolvedConvertOptions {
  const layout = options.layout ?? 'nchw';
  if (!(SUPPORTED_LAYOUTS as readonly string[]).includes(layout)) {
    throw new ONNXPIPE_EXPORT_INVALID_OPTION(invalidChoiceMessage('layout', SUPPORTED_LAYOUTS, layout));
  }
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_OPSET(`${MIN_OPSET} to ${MAX_OPSET}`, describeValue(opset));
  }
  const inputName = nonEmptyString('inputName', options.inputName ?? 'input');
  const outputName = nonEmptyString('outputName', options.outputName ?? 'output');
  if (inputName === outputName) {
    throw new ONNXPIPE_EXPORT_INVALID_OPTION(
      `'inputName' and 'outputName' must differ; both are ${describeValue(inputName)}`,
    );
  }
  const metadata = options.metadata ?? {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new ONNXPIPE_EXPORT_INVALID_OPTION(`'metadata.${key}' must be a string; received ${describeValue(value)}`);
    }
  }
  return {
    layout,
    opset,
    inputName,
    outputName,
    batchDim: nonEmptyString('batchDim', options.batchDim ?? 'N'),
    producerVersion: nonEmptyString('producerVersion', options.producerVersion),
    metadata: { ...metadata },
    graphName: nonEmptyString('graphName', options.graphName ?? modelName),
  };
}
