export * from './convert/index.js';
