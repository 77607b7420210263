import { readFileSync } from 'node:fs';
import {
  parseModelMetadata,
  pixelsFromFloats,
  preprocessDigit,
  toProbabilities,
  type ModelMetadata,
} from '@onnxpipe/core';
import { readMetadataProps } from '@onnxpipe/onnx/metadata-props';
import * as ort from 'onnxruntime-node';

// The independent computation the browser is checked against, and the peer bench:web measures:
// the same model in onnxruntime-node (native CPU kernels), in this process, fed by core's
// preprocessing exactly as the server feeds it.

export interface NodeReference {
  readonly metadata: ModelMetadata;
  /** Core's preprocessing of 28×28 (side²) byte images, as the server does for JSON pixels. */
  prepare(images: readonly ArrayLike<number>[], preprocess?: 'mnist' | 'none'): Float32Array[];
  /** Runs prepared inputs in batches of `batch`; one probability row per input. */
  classify(inputs: readonly Float32Array[], batch?: number): Promise<number[][]>;
  /** Raw session runs of one batch, for timing. */
  run(inputs: readonly Float32Array[]): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Loads the model into onnxruntime-node (CPU, one intra-op thread unless told otherwise).
 *
 * @example
 * ```ts
 * const reference = await createNodeReference('models/mnist/1/model.onnx');
 * const probabilities = await reference.classify(reference.prepare(images));
 * ```
 */
export async function createNodeReference(
  modelPath: string,
  options: { intraOpNumThreads?: number } = {},
): Promise<NodeReference> {
  const bytes = new Uint8Array(readFileSync(modelPath));
  const metadata = parseModelMetadata(readMetadataProps(bytes));
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
  });
  const { height, width } = metadata;
  const size = height * width;
  const run = async (inputs: readonly Float32Array[]) => {
    const data = new Float32Array(inputs.length * size);
    inputs.forEach((input, i) => data.set(input, i * size));
    const dims =
      metadata.inputLayout === 'NCHW' ? [inputs.length, 1, height, width] : [inputs.length, height, width, 1];
    const results = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
    return results[session.outputNames[0]].data as Float32Array;
  };
  return {
    metadata,
    prepare: (images, preprocess = 'mnist') =>
      images.map(
        (image) =>
          preprocessDigit(pixelsFromFloats(Array.from(image), { size: height }), {
            normalization: metadata.normalization,
            skip: preprocess === 'none',
            outputSize: height,
          }).input,
      ),
    async classify(inputs, batch = 64) {
      const classes = metadata.labels.length;
      const rows: number[][] = [];
      for (let start = 0; start < inputs.length; start += batch) {
        const output = await run(inputs.slice(start, start + batch));
        for (let i = 0; i * classes < output.length; i++)
          rows.push(toProbabilities(output.subarray(i * classes, (i + 1) * classes), metadata.output));
      }
      return rows;
    },
    run,
    release: () => session.release(),
  };
}
