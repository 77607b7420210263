import * as tf from '@tensorflow/tfjs';
import { createBatchMatMul } from './batch-mat-mul.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { createConv2dBackpropInput } from './conv2d-backprop-input.js';
import { maxPoolGrad } from './max-pool-grad.js';
import { createSumLeadingAxes } from './sum-leading-axes.js';

let registered = false;

/** Names of the wasm kernels {@link registerWasmGradientKernels} adds or replaces. */
export const WASM_GRADIENT_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'BatchMatMul',
  'Sum',
] as const;

/**
 * Makes the wasm backend able to train convolutional nets at XNNPACK speed: adds the missing
 * Conv2DBackpropFilter and replaces the slow Conv2DBackpropInput, MaxPoolGrad, transposed
 * BatchMatMul and leading-axes Sum. Idempotent; call before the first gradient is computed.
 */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  replaceKernel('Conv2DBackpropFilter', () => conv2dBackpropFilter);
  replaceKernel('Conv2DBackpropInput', (original) =>
    createConv2dBackpropInput(required(original, 'Conv2DBackpropInput')),
  );
  replaceKernel('MaxPoolGrad', () => maxPoolGrad);
  replaceKernel('BatchMatMul', (original) => createBatchMatMul(required(original, 'BatchMatMul')));
  replaceKernel('Sum', (original) => createSumLeadingAxes(required(original, 'Sum')));
}

type KernelFunc = tf.KernelConfig['kernelFunc'];

function replaceKernel(kernelName: string, make: (original: KernelFunc | undefined) => KernelFunc): void {
  const existing = tf.getKernel(kernelName, 'wasm');
  if (existing !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    setupFunc: existing?.setupFunc,
    disposeFunc: existing?.disposeFunc,
    kernelFunc: make(existing?.kernelFunc),
  });
}

function required(kernel: KernelFunc | undefined, name: string): KernelFunc {
  if (kernel === undefined) throw new Error(`the wasm backend has no ${name} kernel to wrap`);
  return kernel;
}
