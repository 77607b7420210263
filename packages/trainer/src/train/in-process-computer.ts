import type { Adadelta } from '../optim/adadelta.js';
import type { GradientComputer } from './gradient-computer.js';
import { GradientEngine, type EvaluationShard, type TrainingData } from './gradient-engine.js';

/** One engine on this thread's backend: the native tfjs backends, or `--workers 1`. */
export class InProcessComputer implements GradientComputer {
  readonly workers = 1;
  private readonly engine: GradientEngine;
  private readonly grads: Float32Array;

  constructor(
    private readonly data: TrainingData,
    private readonly params: Float32Array,
    private readonly optimizer: Adadelta,
  ) {
    this.engine = new GradientEngine(data, params);
    this.grads = new Float32Array(params.length);
  }

  async trainStep(indices: Int32Array, dropoutSeed: number | undefined, lr: number): Promise<number> {
    const lossSum = this.engine.gradients(indices, dropoutSeed, this.grads);
    this.optimizer.update(this.params, [this.grads], 1 / indices.length, lr, 0, this.params.length);
    return lossSum / indices.length;
  }

  async gradients(indices: Int32Array, dropoutSeed: number | undefined, into: Float32Array): Promise<number> {
    return this.engine.gradients(indices, dropoutSeed, into);
  }

  async evaluate(batchSize: number): Promise<EvaluationShard> {
    return this.engine.evaluate(0, this.data.testLabels.length, batchSize);
  }

  async dispose(): Promise<void> {}
}
