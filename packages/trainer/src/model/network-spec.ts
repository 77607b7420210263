/**
 * A network as data: the one description from which the trainer derives the parameters it
 * trains, its forward pass ({@link forward} in `network-forward.ts`) and the tfjs Layers model it
 * saves (`layers-model.ts`), which the ONNX exporter converts. Training and export read the same
 * list, so they cannot drift apart. Tensors are NHWC, as tfjs wants.
 */
export type LayerSpec =
  | {
      readonly kind: 'conv2d';
      readonly name: string;
      readonly filters: number;
      readonly kernelSize: number;
      readonly padding: 'valid' | 'same';
      /** A ReLU fused into the convolution (tfjs `activation: 'relu'`). */
      readonly relu: boolean;
      /** No bias when a batch normalisation follows: its shift makes one redundant. */
      readonly useBias: boolean;
    }
  | {
      /** Channels-last batch normalisation: batch statistics while training, population statistics after. */
      readonly kind: 'batchNorm';
      readonly name: string;
      readonly epsilon: number;
    }
  | { readonly kind: 'relu'; readonly name: string }
  | { readonly kind: 'maxPool'; readonly name: string; readonly size: number }
  | { readonly kind: 'dropout'; readonly name: string; readonly rate: number }
  | { readonly kind: 'flatten'; readonly name: string }
  | {
      readonly kind: 'dense';
      readonly name: string;
      readonly units: number;
      readonly relu: boolean;
      readonly useBias: boolean;
    };

export interface NetworkSpec {
  /** The tfjs model name, e.g. `reference_cnn`. */
  readonly name: string;
  /** `[height, width, channels]` of one image. */
  readonly inputShape: readonly [number, number, number];
  /** The last layer is a dense layer with this many units, followed by a log-softmax. */
  readonly classes: number;
  readonly layers: readonly LayerSpec[];
}

/** One trained tensor (or one batch-norm statistic), named as the tfjs layer weight it becomes. */
export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Inputs per output unit: PyTorch's default init draws U(−1/√fanIn, 1/√fanIn). */
  readonly fanIn: number;
  /** What a fresh network holds: PyTorch's uniform draw, or a constant (batch-norm γ = 1, β = 0). */
  readonly init: 'uniform' | 'zeros' | 'ones';
}

/** Where each tensor lives in a flat buffer (parameters, or batch-norm statistics). */
export interface TensorLayout {
  readonly offsets: readonly number[];
  readonly sizes: readonly number[];
  readonly total: number;
}

/** Shapes of every layer's output, [H, W, C] or [features]. */
function outputShapes(spec: NetworkSpec): (readonly number[])[] {
  let shape: readonly number[] = spec.inputShape;
  return spec.layers.map((layer) => {
    switch (layer.kind) {
      case 'conv2d': {
        const shrink = layer.padding === 'valid' ? layer.kernelSize - 1 : 0;
        shape = [shape[0] - shrink, shape[1] - shrink, layer.filters];
        break;
      }
      case 'maxPool':
        shape = [Math.floor(shape[0] / layer.size), Math.floor(shape[1] / layer.size), shape[2]];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense':
        shape = [layer.units];
        break;
      default:
        break;
    }
    return shape;
  });
}

/** The trainable tensors, in layer order (kernel, bias; γ, β). */
export function parameterSpecs(spec: NetworkSpec): ParameterSpec[] {
  const shapes = outputShapes(spec);
  const specs: ParameterSpec[] = [];
  spec.layers.forEach((layer, i) => {
    const input = i === 0 ? spec.inputShape : shapes[i - 1];
    const channels = input[input.length - 1];
    if (layer.kind === 'conv2d') {
      const fanIn = channels * layer.kernelSize ** 2;
      specs.push({
        name: `${layer.name}/kernel`,
        shape: [layer.kernelSize, layer.kernelSize, channels, layer.filters],
        fanIn,
        init: 'uniform',
      });
      if (layer.useBias) specs.push({ name: `${layer.name}/bias`, shape: [layer.filters], fanIn, init: 'uniform' });
    } else if (layer.kind === 'dense') {
      specs.push({ name: `${layer.name}/kernel`, shape: [channels, layer.units], fanIn: channels, init: 'uniform' });
      if (layer.useBias)
        specs.push({ name: `${layer.name}/bias`, shape: [layer.units], fanIn: channels, init: 'uniform' });
    } else if (layer.kind === 'batchNorm') {
      specs.push({ name: `${layer.name}/gamma`, shape: [channels], fanIn: 1, init: 'ones' });
      specs.push({ name: `${layer.name}/beta`, shape: [channels], fanIn: 1, init: 'zeros' });
    }
  });
  return specs;
}

/** Population statistics of every batch normalisation (mean, then variance), in layer order. */
export function statisticSpecs(spec: NetworkSpec): ParameterSpec[] {
  const shapes = outputShapes(spec);
  return spec.layers.flatMap((layer, i) => {
    if (layer.kind !== 'batchNorm') return [];
    const input = i === 0 ? spec.inputShape : shapes[i - 1];
    const channels = input[input.length - 1];
    return [
      { name: `${layer.name}/moving_mean`, shape: [channels], fanIn: 1, init: 'zeros' as const },
      { name: `${layer.name}/moving_variance`, shape: [channels], fanIn: 1, init: 'ones' as const },
    ];
  });
}

export function tensorLayout(specs: readonly ParameterSpec[]): TensorLayout {
  const offsets: number[] = [];
  const sizes: number[] = [];
  let total = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    offsets.push(total);
    sizes.push(size);
    total += size;
  }
  return { offsets, sizes, total };
}

/**
 * Fills `into` as a fresh network: PyTorch's default initialisation (kaiming_uniform with a=√5 ≡
 * U(±1/√fanIn), the same bound for biases), drawn in spec order from `random`; constants where
 * the spec says so (they draw nothing, so adding batch normalisation does not shift the draws).
 */
export function initializeTensors(specs: readonly ParameterSpec[], into: Float32Array, random: () => number): void {
  const layout = tensorLayout(specs);
  specs.forEach((spec, i) => {
    const start = layout.offsets[i];
    const end = start + layout.sizes[i];
    if (spec.init === 'uniform') {
      const bound = 1 / Math.sqrt(spec.fanIn);
      for (let j = start; j < end; j++) into[j] = (random() * 2 - 1) * bound;
    } else {
      into.fill(spec.init === 'ones' ? 1 : 0, start, end);
    }
  });
}

/** Multiply-accumulates of one image's forward pass: what serving it costs, roughly. */
export function multiplyAccumulates(spec: NetworkSpec): number {
  const shapes = outputShapes(spec);
  let total = 0;
  spec.layers.forEach((layer, i) => {
    const input = i === 0 ? spec.inputShape : shapes[i - 1];
    const out = shapes[i];
    if (layer.kind === 'conv2d') total += out[0] * out[1] * out[2] * layer.kernelSize ** 2 * input[2];
    if (layer.kind === 'dense') total += input[0] * layer.units;
  });
  return total;
}
