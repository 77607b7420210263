import type { FastifyBaseLogger } from 'fastify';
import * as ort from 'onnxruntime-node';
import { createModel, encodeModel, GraphBuilder, TensorDataType } from '@onnxpipe/onnx';
import { errorMessage } from '@onnxpipe/core';
import type { Device } from '../config.js';
import { ONNXPIPE_SERVER_DEVICE_UNAVAILABLE } from '../errors.js';

/** An onnxruntime-node execution provider the server can run on. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';

/**
 * Silences onnxruntime's native logging (it prints an error line to stderr when CUDA's
 * libraries are missing, even though we catch and handle that). Must run before the first
 * session is created: the native logger is configured once.
 */
export function quietOnnxRuntime(): void {
  ort.env.logLevel = 'fatal';
}

let probeBytes: Uint8Array | undefined;

// A one-node model: creating a session for it initialises the provider (loads CUDA's
// libraries, finds a WebGPU adapter) without depending on any model in the repository.
function probeModel(): Uint8Array {
  if (probeBytes === undefined) {
    const g = new GraphBuilder('probe');
    const x = g.input('x', TensorDataType.FLOAT, [1]);
    g.node('Identity', [x], { outputs: ['y'] });
    g.output('y', TensorDataType.FLOAT, [1]);
    const model = createModel({
      graph: g.build(),
      opset: 17,
      producerName: 'onnxpipe-server',
      producerVersion: '0.1.0',
    });
    probeBytes = encodeModel(model);
  }
  return probeBytes;
}

/** Creates (and releases) a session on `provider`; resolves when it works, rejects otherwise. */
async function probe(provider: ExecutionProvider): Promise<void> {
  const session = await ort.InferenceSession.create(probeModel(), { executionProviders: [provider] });
  await session.release();
}

function reason(error: unknown): string {
  // onnxruntime's messages start with the native source path; the last line says what failed.
  const text = errorMessage(error);
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .pop() ?? text
  );
}

const NAMES: Record<ExecutionProvider, string> = { cpu: 'CPU', cuda: 'CUDA', webgpu: 'WebGPU' };

/**
 * Picks the execution provider for `device` by trying it, because
 * `ort.listSupportedBackends()` lists CUDA even when its libraries are missing.
 *
 * - `auto`: CUDA if a session can be created on it, else the CPU, logged in one line with
 *   the reason.
 * - `cuda`, `webgpu`: that provider, or `ONNXPIPE_SERVER_DEVICE_UNAVAILABLE` with the reason,
 *   so a misconfigured machine fails at start-up instead of silently running on the CPU.
 * - `cpu`: the CPU.
 *
 * @example
 * ```ts
 * const provider = await selectExecutionProvider('auto', app.log); // 'cpu' on a machine without CUDA
 * ```
 */
export async function selectExecutionProvider(device: Device, log: FastifyBaseLogger): Promise<ExecutionProvider> {
  quietOnnxRuntime();
  if (device === 'cpu') {
    log.info({ device, executionProvider: 'cpu' }, 'inference runs on the CPU (device cpu)');
    return 'cpu';
  }
  const wanted: ExecutionProvider = device === 'auto' ? 'cuda' : device;
  try {
    await probe(wanted);
  } catch (error) {
    if (device === 'auto') {
      log.info(
        { device, executionProvider: 'cpu', reason: reason(error) },
        `device auto: CUDA is unavailable (${reason(error)}); inference runs on the CPU`,
      );
      return 'cpu';
    }
    const hint =
      wanted === 'cuda'
        ? 'install the CUDA 12 and cuDNN 9 libraries onnxruntime-node needs (its install script fetches them), or use --device auto|cpu'
        : 'the WebGPU provider needs a Vulkan driver (libvulkan.so.1 and an ICD); or use --device auto|cpu';
    throw new ONNXPIPE_SERVER_DEVICE_UNAVAILABLE(
      `'device' is ${device} but the ${NAMES[wanted]} execution provider cannot start on this machine: ${reason(error)}; ${hint}`,
      { cause: error },
    );
  }
  log.info({ device, executionProvider: wanted }, `inference runs on ${NAMES[wanted]} (device ${device})`);
  return wanted;
}
