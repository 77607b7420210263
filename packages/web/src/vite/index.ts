export { ortFiles, type OrtFilesOptions, type OrtFilesPlugin } from './ort-files.js';
