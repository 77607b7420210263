export * from './errors.js';
export * from './labels.js';
export * from './normalization.js';
export * from './progress.js';
export * from './rng.js';
export * from './preprocess/index.js';
export * from './model-metadata-keys.js';
