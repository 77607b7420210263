import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { createModel, encodeModel, GraphBuilder, TensorDataType } from '@onnxpipe/onnx';
import { errorMessage } from '@onnxpipe/core';

/** Where the training graph runs. */
export type TrainingExecutionProvider = 'cpu' | 'cuda';

export interface ProviderSelection {
  readonly provider: TrainingExecutionProvider;
  /** Why CUDA is not used, when it is not (missing libraries, no GPU, turned off). */
  readonly cudaSkipped?: string;
}

/** onnxruntime-node's version, for logs and the manifest. */
export function onnxRuntimeVersion(): string {
  try {
    return (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * CUDA when a session can be created on it (`ort.listSupportedBackends()` lists CUDA even when
 * its libraries are missing, so the only honest test is to try), else the CPU. onnxruntime-node
 * ships CUDA's provider only when installed with `ONNXRUNTIME_NODE_INSTALL=cuda12`.
 * `accelerators: false` (`--no-accel`) goes straight to the CPU.
 */
export async function selectTrainingProvider(accelerators: boolean): Promise<ProviderSelection> {
  // onnxruntime prints an error line of its own when CUDA's libraries are missing; we report it once, our way.
  ort.env.logLevel = 'fatal';
  if (!accelerators) return { provider: 'cpu', cudaSkipped: 'GPUs turned off (--no-accel)' };
  try {
    const session = await ort.InferenceSession.create(probeModel(), { executionProviders: ['cuda'] });
    await session.release();
    return { provider: 'cuda' };
  } catch (error) {
    const text = errorMessage(error);
    const reason =
      text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .pop() ?? text;
    return { provider: 'cpu', cudaSkipped: `the CUDA execution provider cannot start (${reason.slice(0, 200)})` };
  }
}

function probeModel(): Uint8Array {
  const g = new GraphBuilder('probe');
  g.input('x', TensorDataType.FLOAT, [1]);
  g.node('Identity', ['x'], { outputs: ['y'] });
  g.output('y', TensorDataType.FLOAT, [1]);
  return encodeModel(
    createModel({ graph: g.build(), opset: 17, producerName: 'onnxpipe-trainer', producerVersion: '0.1.0' }),
  );
}
