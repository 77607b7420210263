export { mnistMetadata } from './mnist-metadata.js';
export { preprocessDigitReference, type ReferenceOptions, type ReferenceResult } from './preprocess-digit-reference.js';
