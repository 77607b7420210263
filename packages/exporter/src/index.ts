export * from './convert/index.js';
export * from './quantize/index.js';
export { averageClassifiers } from './ensemble/average-classifiers.js';
