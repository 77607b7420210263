import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '@onnxpipe/core';
import { BackendUnavailableError } from '../errors.js';
import type { TrainingExecutionProvider } from './onnxruntime/execution-provider.js';
import { registerWasmGradientKernels } from './wasm-gradients/register.js';

/** Backends the trainer can run on, best first. */
export const BACKEND_CHOICES = ['auto', 'onnxruntime', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type ConcreteBackend = Exclude<BackendChoice, 'auto'>;

export interface BackendSelection {
  readonly backend: ConcreteBackend;
  /** The tfjs backend name that runs (`tensorflow` for both native packages). */
  readonly tfjsBackend: string;
  /** Why each better backend was skipped (empty when the first choice worked). */
  readonly skipped: readonly { backend: ConcreteBackend; reason: string }[];
  /** Whether data-parallel workers pay off: the native backends already use every core. */
  readonly singleThreaded: boolean;
  /** onnxruntime: where its graphs run. */
  readonly executionProvider?: TrainingExecutionProvider;
  /** What trains, for the log: e.g. `onnxruntime-node 1.30.0, CPU execution provider`. */
  readonly detail: string;
  /** With `auto`: why this backend was chosen. */
  readonly why?: string;
}

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}

/**
 * Why `auto` ranks the backends as it does: the onnxruntime step graph is the fastest trainer
 * measured on a CPU (docs/benchmarks.md); on a GPU, onnxruntime's maintained CUDA provider comes
 * first, then tfjs-node-gpu, before any CPU backend.
 */
const AUTO_WHY =
  'the fastest backend present (onnxruntime trains several times faster than wasm on a CPU: docs/benchmarks.md)';

/**
 * Activates `choice`, or with `auto` the best backend present: onnxruntime on CUDA, tfjs-node-gpu
 * (when installed and a GPU answers), onnxruntime on the CPU, tfjs-node, then wasm with our
 * gradient kernels. The native tfjs packages are optional dependencies that cannot install
 * everywhere, so they are loaded dynamically. `accelerators: false` (the reference's
 * `--no-accel`) leaves GPUs out: onnxruntime then runs on the CPU.
 */
export async function selectBackend(
  choice: BackendChoice,
  options: { accelerators?: boolean } = {},
): Promise<BackendSelection> {
  const accelerators = options.accelerators ?? true;
  // An onnxruntime candidate with `gpu` is taken only when CUDA starts.
  const order: { backend: ConcreteBackend; gpu?: boolean }[] =
    choice !== 'auto'
      ? [{ backend: choice }]
      : accelerators
        ? [
            { backend: 'onnxruntime', gpu: true },
            { backend: 'tensorflow-gpu' },
            { backend: 'onnxruntime' },
            { backend: 'tensorflow' },
            { backend: 'wasm' },
          ]
        : [{ backend: 'onnxruntime' }, { backend: 'tensorflow' }, { backend: 'wasm' }];
  const skipped: { backend: ConcreteBackend; reason: string }[] = [];
  for (const { backend, gpu } of order) {
    try {
      const activated = await activate(backend, accelerators);
      if (gpu === true && activated.executionProvider !== 'cuda') throw new Error(`on CUDA: ${activated.cudaSkipped}`);
      const { cudaSkipped: _, ...rest } = activated;
      return {
        backend,
        ...rest,
        skipped,
        singleThreaded: backend === 'wasm' || backend === 'cpu',
        ...(choice === 'auto' ? { why: AUTO_WHY } : {}),
      };
    } catch (error) {
      const reason = describe(error);
      if (choice !== 'auto') throw new BackendUnavailableError(backend, reason, { cause: error });
      skipped.push({ backend, reason });
    }
  }
  throw new BackendUnavailableError('auto', skipped.map((s) => `${s.backend}: ${s.reason}`).join('; '));
}

interface Activated {
  readonly tfjsBackend: string;
  readonly detail: string;
  readonly executionProvider?: TrainingExecutionProvider;
  readonly cudaSkipped?: string;
}

async function activate(backend: ConcreteBackend, accelerators: boolean): Promise<Activated> {
  if (backend === 'onnxruntime') {
    const { onnxRuntimeVersion, selectTrainingProvider } = await import('./onnxruntime/execution-provider.js');
    const { provider, cudaSkipped } = await selectTrainingProvider(accelerators);
    // tfjs only writes the Layers artifacts at the end: wasm does it without the cpu backend's
    // "install tfjs-node" banner.
    await import('@tensorflow/tfjs-backend-wasm');
    await use('wasm');
    const where =
      provider === 'cuda'
        ? 'CUDA execution provider'
        : `CPU execution provider${cudaSkipped ? `; CUDA not used: ${cudaSkipped}` : ''}`;
    return {
      tfjsBackend: 'wasm',
      executionProvider: provider,
      cudaSkipped,
      detail: `onnxruntime-node ${onnxRuntimeVersion()}, ${where}`,
    };
  }
  const tfjsBackend = await activateTfjs(backend);
  return { tfjsBackend, detail: `tfjs '${tfjsBackend}'` };
}

async function activateTfjs(backend: Exclude<ConcreteBackend, 'onnxruntime'>): Promise<string> {
  switch (backend) {
    case 'tensorflow-gpu':
      await importOptional('@tensorflow/tfjs-node-gpu');
      await use('tensorflow');
      if (!(await gpuVisible())) throw new Error('libtensorflow loaded but sees no CUDA GPU');
      return 'tensorflow';
    case 'tensorflow':
      await importOptional('@tensorflow/tfjs-node');
      await use('tensorflow');
      return 'tensorflow';
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmGradientKernels();
      await use('wasm');
      return 'wasm';
    case 'cpu':
      await use('cpu');
      return 'cpu';
  }
}

async function use(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise its '${name}' backend`);
  await tf.ready();
}

async function importOptional(specifier: string): Promise<void> {
  try {
    await import(specifier);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(`${specifier} is not installed (an optional dependency; it needs libtensorflow)`);
    }
    throw error;
  }
}

/** tfjs-node-gpu falls back to the CPU silently when CUDA is missing; ask TensorFlow itself. */
async function gpuVisible(): Promise<boolean> {
  const binding = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } }).binding;
  return binding?.isUsingGpuDevice?.() ?? false;
}

function describe(error: unknown): string {
  const message = errorMessage(error);
  return message.split('\n')[0].slice(0, 200);
}
