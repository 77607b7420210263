export * from './convert/index.js';
export * from './quantize/index.js';
