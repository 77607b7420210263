/**
 * Input model of the HTML training report. Plain data only, so a report can be rendered from a
 * JSON file written by an earlier training run as well as from live training state.
 */

/** Metrics of one finished epoch. Non-finite values are allowed and render as gaps. */
export interface EpochMetrics {
  /** 1-based epoch number; used as the x coordinate of the epoch charts. */
  epoch: number;
  /** Mean training loss over the epoch. */
  trainLoss: number;
  /** Loss on the held-out test set after the epoch. */
  testLoss: number;
  /** Test accuracy after the epoch, as a ratio in 0..1. */
  testAccuracy: number;
  learningRate: number;
  /** Wall-clock seconds spent on the epoch. */
  seconds: number;
  imagesPerSecond: number;
  /** Accuracy on the development set of real handwriting after the epoch, 0..1, when measured. */
  devAccuracy?: number;
}

/** A test image the model got wrong. */
export interface MisclassifiedDigit {
  /** Index of the image in the test set. */
  index: number;
  trueLabel: number;
  predictedLabel: number;
  /** Softmax probability of `predictedLabel`, in 0..1. */
  confidence: number;
  /** Row-major `rows * cols` intensities: 0 is background, 255 is ink. */
  pixels: Uint8Array;
}

/** A training-loss sample logged during an epoch. */
export interface StepLoss {
  /**
   * Position of the sample: either a fractional epoch (`1.5` = halfway through epoch 2) or a
   * global step. Values beyond the last epoch number are taken as global steps and spread
   * linearly over the epochs, the last sample landing on the last epoch.
   */
  step: number;
  loss: number;
}

/** Everything {@link renderTrainingReport} needs; see the field comments for units. */
export interface TrainingReportInput {
  /** Page title and heading, e.g. `"onnxpipe — mnist"`. */
  title: string;
  /** One display name per class, indexed by label. */
  classNames: readonly string[];
  epochs: EpochMetrics[];
  /** Optional per-log-interval training losses, drawn as a faint line on the loss chart. */
  stepLosses?: StepLoss[];
  /** `confusion[true][predicted]` counts on the test set; square, one row per class. */
  confusion: number[][];
  /** Misclassified test digits; the first {@link MAX_MISCLASSIFIED_SHOWN} are drawn. */
  misclassified: MisclassifiedDigit[];
  imageSize: { rows: number; cols: number };
  /** Key facts shown in the header table, in insertion order. */
  summary: Record<string, string | number>;
  /** Timestamp shown in the header, e.g. an ISO 8601 string. */
  generatedAt: string;
  /** Real handwriting that is not MNIST, measured but never trained on; its own section when given. */
  devSet?: DevSetReport;
}

/** The development set's results: per-digit accuracy, confusions and errors gallery. */
export interface DevSetReport {
  /** Where it comes from, e.g. `uji-pen-digits (1,200 pen-written digits, 60 writers)`. */
  description: string;
  /** `confusion[true][predicted]` counts; square, one row per class. */
  confusion: number[][];
  /** Its misclassified digits as the model saw them (preprocessed 28×28). */
  misclassified: MisclassifiedDigit[];
}

/** How many misclassified digits the report draws at most. */
export const MAX_MISCLASSIFIED_SHOWN = 100;
