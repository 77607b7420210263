export * from './batches.js';
export * from './download.js';
export * from './errors.js';
export * from './idx-reader.js';
export * from './load-dataset.js';
export * from './locate.js';
export * from './registry.js';
export * from './verify.js';
