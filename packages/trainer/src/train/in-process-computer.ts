import type { GradientComputer } from './gradient-computer.js';
import { GradientEngine, type EvaluationShard, type TrainingData } from './gradient-engine.js';

/** One engine on this thread's backend: the native tfjs backends, or `--workers 1`. */
export class InProcessComputer implements GradientComputer {
  readonly workers = 1;
  private readonly engine: GradientEngine;

  constructor(
    private readonly data: TrainingData,
    params: Float32Array,
  ) {
    this.engine = new GradientEngine(data, params);
  }

  async gradients(indices: Int32Array, dropoutSeed: number | undefined, into: Float32Array): Promise<number> {
    return this.engine.gradients(indices, dropoutSeed, into);
  }

  async evaluate(batchSize: number): Promise<EvaluationShard> {
    return this.engine.evaluate(0, this.data.testLabels.length, batchSize);
  }

  async dispose(): Promise<void> {}
}
