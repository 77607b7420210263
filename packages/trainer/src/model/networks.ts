import type { LayerSpec, NetworkSpec } from './network-spec.js';

/**
 * The reference recipe's network (the PyTorch MNIST example, with 62 channels in conv2):
 * conv 1→32 3×3, ReLU, conv 32→62 3×3, ReLU, maxpool 2, dropout .25, flatten (8928),
 * dense 128, ReLU, dropout .5, dense 10, log-softmax.
 */
export const REFERENCE_NETWORK: NetworkSpec = {
  name: 'reference_cnn',
  inputShape: [28, 28, 1],
  classes: 10,
  layers: [
    { kind: 'conv2d', name: 'conv1', filters: 32, kernelSize: 3, padding: 'valid', relu: true, useBias: true },
    { kind: 'conv2d', name: 'conv2', filters: 62, kernelSize: 3, padding: 'valid', relu: true, useBias: true },
    { kind: 'maxPool', name: 'pool', size: 2 },
    { kind: 'dropout', name: 'dropout1', rate: 0.25 },
    { kind: 'flatten', name: 'flatten' },
    { kind: 'dense', name: 'fc1', units: 128, relu: true, useBias: true },
    { kind: 'dropout', name: 'dropout2', rate: 0.5 },
    { kind: 'dense', name: 'fc2', units: 10, relu: false, useBias: true },
  ],
};

/** conv 3×3 without bias → batch norm → ReLU: the robust network's building block. */
function convBlock(index: number, filters: number): LayerSpec[] {
  return [
    { kind: 'conv2d', name: `conv${index}`, filters, kernelSize: 3, padding: 'valid', relu: false, useBias: false },
    { kind: 'batchNorm', name: `bn${index}`, epsilon: 1e-5 },
    { kind: 'relu', name: `relu${index}` },
  ];
}

/**
 * The robust recipe's network: two stages of two 3×3 conv–BN–ReLU blocks, each stage closed by a
 * 2×2 max-pool and dropout (28 → 26 → 24 → 12 → 10 → 8 → 4), then dense 128 with BN, ReLU and
 * dropout, and the classifier. ~9.9 M multiply-adds per image — less than the reference's 11.6 M —
 * and 0.23 M parameters, so it serves as cheaply. Stride-1 convolutions and max-pools keep every
 * gradient on the wasm trainer's fast kernels (docs/recipes.md has the ablation behind each part).
 */
export const ROBUST_NETWORK: NetworkSpec = {
  name: 'robust_cnn',
  inputShape: [28, 28, 1],
  classes: 10,
  layers: [
    ...convBlock(1, 32),
    ...convBlock(2, 32),
    { kind: 'maxPool', name: 'pool1', size: 2 },
    { kind: 'dropout', name: 'dropout1', rate: 0.2 },
    ...convBlock(3, 64),
    ...convBlock(4, 64),
    { kind: 'maxPool', name: 'pool2', size: 2 },
    { kind: 'dropout', name: 'dropout2', rate: 0.2 },
    { kind: 'flatten', name: 'flatten' },
    { kind: 'dense', name: 'fc1', units: 128, relu: false, useBias: false },
    { kind: 'batchNorm', name: 'bn5', epsilon: 1e-5 },
    { kind: 'relu', name: 'relu5' },
    { kind: 'dropout', name: 'dropout3', rate: 0.4 },
    { kind: 'dense', name: 'fc2', units: 10, relu: false, useBias: true },
  ],
};
