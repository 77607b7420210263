/**
 * Triton's model configuration (`config.pbtxt`, protobuf text format) for an ONNX model, so that
 * `models/` is a model repository Triton serves as is, over the same v2 protocol as our server.
 */
export interface TritonTensorConfig {
  readonly name: string;
  /** Dimensions without the batch dimension (Triton adds it when max_batch_size > 0). */
  readonly dims: readonly number[];
}

export interface TritonConfigOptions {
  readonly name: string;
  readonly input: TritonTensorConfig;
  readonly output: TritonTensorConfig;
  /** @defaultValue 64 */
  readonly maxBatchSize?: number;
  /** Batches Triton may form from concurrent requests. @defaultValue [8, 16, 32, 64] */
  readonly preferredBatchSizes?: readonly number[];
  /** @defaultValue 500 */
  readonly maxQueueDelayMicroseconds?: number;
  /** Free-form facts Triton hands back in model metadata (labels, normalisation). */
  readonly parameters?: Readonly<Record<string, string>>;
}

export function renderTritonConfig(options: TritonConfigOptions): string {
  const maxBatchSize = options.maxBatchSize ?? 64;
  const preferred = (options.preferredBatchSizes ?? [8, 16, 32, 64]).filter((n) => n <= maxBatchSize);
  const tensor = (t: TritonTensorConfig) =>
    `  {\n    name: ${quote(t.name)}\n    data_type: TYPE_FP32\n    dims: [ ${t.dims.join(', ')} ]\n  }`;
  const parameters = Object.entries(options.parameters ?? {})
    .map(([key, value]) => `parameters {\n  key: ${quote(key)}\n  value: { string_value: ${quote(value)} }\n}`)
    .join('\n');
  return (
    [
      `name: ${quote(options.name)}`,
      `platform: "onnxruntime_onnx"`,
      `max_batch_size: ${maxBatchSize}`,
      // Every version stays reachable by number (Triton's default is the latest only).
      `version_policy: { all: { } }`,
      `input [\n${tensor(options.input)}\n]`,
      `output [\n${tensor(options.output)}\n]`,
      `dynamic_batching {\n  preferred_batch_size: [ ${preferred.join(', ')} ]\n  max_queue_delay_microseconds: ${options.maxQueueDelayMicroseconds ?? 500}\n}`,
      `instance_group [\n  {\n    count: 1\n    kind: KIND_AUTO\n  }\n]`,
      parameters,
    ]
      .filter((part) => part.length > 0)
      .join('\n') + '\n'
  );
}

/** A protobuf text-format string literal. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
