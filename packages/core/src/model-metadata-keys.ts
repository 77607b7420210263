/**
 * Keys of the ONNX `metadata_props` that the exporter writes and the server and the browser SDK
 * read: everything a consumer needs about a model (labels, normalisation, input layout, the
 * preprocessing recipe, what the output holds), so that no such constant is hard-coded anywhere.
 * The keys are a file format: change one and every file exported before reads differently.
 */
export const MODEL_METADATA_KEYS = {
  /** JSON array of class names, indexed by output position. */
  labels: 'onnxpipe.labels',
  normalizationMean: 'onnxpipe.normalization.mean',
  normalizationStd: 'onnxpipe.normalization.std',
  /** `NCHW` or `NHWC`. */
  inputLayout: 'onnxpipe.input.layout',
  /** JSON array, symbolic batch first, e.g. `["N",1,28,28]`. */
  inputShape: 'onnxpipe.input.shape',
  /** The input recipe: `mnist` is core's `preprocessDigit`. */
  preprocessing: 'onnxpipe.preprocessing',
  /** `log_softmax`, `softmax` or `logits`: how to turn the output into probabilities. */
  output: 'onnxpipe.output',
  dataset: 'onnxpipe.dataset',
  trainSha256: 'onnxpipe.dataset.train_images_sha256',
  testSha256: 'onnxpipe.dataset.test_images_sha256',
  testAccuracy: 'onnxpipe.training.test_accuracy',
  testLoss: 'onnxpipe.training.test_loss',
  /** The trainer's recipe, e.g. `reference` or `robust`. */
  recipe: 'onnxpipe.training.recipe',
  /** Accuracy on the real-handwriting development set (not MNIST), when the trainer measured one. */
  devAccuracy: 'onnxpipe.training.dev_accuracy',
  epochs: 'onnxpipe.training.epochs',
  trainedWith: 'onnxpipe.training.backend',
  trainedAt: 'onnxpipe.training.created_at',
  gitCommit: 'onnxpipe.source.git_commit',
  /** How many trained networks the model averages (the mean of their probabilities); absent for one. */
  ensembleMembers: 'onnxpipe.ensemble.members',
} as const;
