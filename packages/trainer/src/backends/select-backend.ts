import * as tf from '@tensorflow/tfjs';
import { registerWasmGradientKernels } from './wasm-gradients/register.js';

/** Backends the trainer can run on, best first. */
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
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
}

export class BackendUnavailableError extends Error {
  readonly code = 'ONNXPIPE_TRAINER_BACKEND_UNAVAILABLE';
  constructor(backend: string, reason: string, options?: { cause?: unknown }) {
    super(`backend '${backend}' is not available: ${reason}`, options);
    this.name = 'BackendUnavailableError';
  }
}

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}

/**
 * Activates `choice`, or with `auto` the best backend present: tfjs-node-gpu (when installed and a
 * GPU answers), tfjs-node, then wasm with our gradient kernels. The native packages are optional
 * dependencies that cannot install everywhere, so they are loaded dynamically. `accelerators: false`
 * (the reference's `--no-accel`) leaves GPUs out of `auto`.
 */
export async function selectBackend(
  choice: BackendChoice,
  options: { accelerators?: boolean } = {},
): Promise<BackendSelection> {
  const accelerators = options.accelerators ?? true;
  const order: ConcreteBackend[] =
    choice !== 'auto' ? [choice] : accelerators ? ['tensorflow-gpu', 'tensorflow', 'wasm'] : ['tensorflow', 'wasm'];
  const skipped: { backend: ConcreteBackend; reason: string }[] = [];
  for (const backend of order) {
    try {
      const tfjsBackend = await activate(backend);
      return { backend, tfjsBackend, skipped, singleThreaded: backend === 'wasm' || backend === 'cpu' };
    } catch (error) {
      const reason = describe(error);
      if (choice !== 'auto') throw new BackendUnavailableError(backend, reason, { cause: error });
      skipped.push({ backend, reason });
    }
  }
  throw new BackendUnavailableError('auto', skipped.map((s) => `${s.backend}: ${s.reason}`).join('; '));
}

async function activate(backend: ConcreteBackend): Promise<string> {
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
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 200);
}
