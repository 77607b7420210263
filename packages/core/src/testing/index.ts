export { mnistMetadata } from './mnist-metadata.js';
export { preprocessDigitReference, type ReferenceOptions, type ReferenceResult } from './preprocess-digit-reference.js';
export { gaussian, inkBoxInPhoto, renderPhoto, type InkImage, type PhotoScene, type Rgb } from './photo-like.js';
export {
  INK_SIZE,
  isPhotoCondition,
  PHOTO_CONDITIONS,
  PHOTO_SIZE,
  photoCondition,
  type PhotoCondition,
  type PhotoSample,
} from './photo-conditions.js';
export { HANDWRITING_VARIANTS, type HandwritingVariant } from './handwriting-variants.js';
export { MNIST_TEST_IMAGES, mnistTestDir } from './mnist-file.js';
