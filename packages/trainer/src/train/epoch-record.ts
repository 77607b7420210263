/** One line of `metrics.jsonl`: what an epoch did. */
export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly testLoss: number;
  /** Fraction of the test set classified correctly (0..1). */
  readonly testAccuracy: number;
  readonly testCorrect: number;
  readonly learningRate: number;
  /** Wall time of the training steps of the epoch (test evaluation excluded). */
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly trainImages: number;
  /** Resident memory of the process (all worker threads) at the end of the epoch. */
  readonly rssMiB?: number;
  /** Fraction of the development set (real handwriting, not MNIST) classified correctly, when one was measured. */
  readonly devAccuracy?: number;
  /** Mean NLL on the development set, when one was measured: a steadier signal than its accuracy. */
  readonly devLoss?: number;
  /** The learning rate at the epoch's last step (schedules that change within an epoch). */
  readonly finalLearningRate?: number;
}
