export { chooseWebVariant, MAX_ACCURACY_DROP_POINTS, type Candidate } from './choose-variant.js';
export { evaluateVariants, type EvaluationInput, type ModelEvaluation } from './evaluate-variants.js';
export { fromFloat16Bits, toFloat16Array, toFloat16Bits } from './float16.js';
export {
  MIN_QUANTIZED_ELEMENTS,
  parsePrecisions,
  PRECISIONS,
  quantizeInt8,
  quantizeModel,
  VARIANT_METADATA_KEYS,
  withMetadata,
  type Precision,
  type QuantizedTensor,
  type QuantizeOptions,
  type QuantizeResult,
} from './quantize-model.js';
export {
  variantFile,
  writeVariants,
  type TestImages,
  type VariantRecord,
  type VariantsReport,
  type WriteVariantsOptions,
} from './write-variants.js';
