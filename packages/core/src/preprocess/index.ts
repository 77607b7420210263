export { centerOfMass, type Point } from './center-of-mass.js';
export { toGrayscale } from './grayscale.js';
export { pixelsFromFloats, type PixelsFromFloatsOptions } from './pixels-from-floats.js';
export type { PixelBox } from './bounding-box.js';
export { PHOTO_SETTINGS, type PhotoSettings } from './photo/photo-settings.js';
export {
  PREPROCESS_DEFAULTS,
  PREPROCESS_METHODS,
  preprocessDigit,
  type PreprocessMethod,
  type PreprocessOptions,
  type PreprocessResult,
} from './preprocess-digit.js';
export { PREPROCESS_MODES, type PreprocessMode } from './preprocess-modes.js';
export { assertRawImage, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, type RawImage } from './raw-image.js';
