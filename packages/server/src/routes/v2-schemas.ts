import { TENSOR_DATATYPES } from '../input/infer-request.js';

// JSON schemas of the Open Inference Protocol routes, written after the protocol's
// open_inference_rest.yaml (kserve/open-inference-protocol); the conformance test validates
// real responses against that file itself, so these may be stricter than the protocol but
// never contradict it.

/** Tag of every protocol route in /docs. */
export const V2_TAG = 'Open Inference Protocol';

const PARAMETER_VALUE = { type: ['string', 'number', 'boolean'] } as const;

/** `$parameters`: name → string, number or boolean. */
export const PARAMETERS_SCHEMA = {
  type: 'object',
  additionalProperties: PARAMETER_VALUE,
} as const;

const NAME = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  description: 'Model name, as in the repository.',
} as const;
const VERSION = {
  type: 'string',
  minLength: 1,
  maxLength: 32,
  description: 'Model version (a directory of the repository).',
} as const;

/** Path parameters `{ name }`. */
export const MODEL_PARAMS_SCHEMA = {
  type: 'object',
  required: ['name'],
  properties: { name: NAME },
} as const;

/** Path parameters `{ name, version }`. */
export const MODEL_VERSION_PARAMS_SCHEMA = {
  type: 'object',
  required: ['name', 'version'],
  properties: { name: NAME, version: VERSION },
} as const;

/** `$metadata_server_response`. */
export const SERVER_METADATA_SCHEMA = {
  type: 'object',
  required: ['name', 'version', 'extensions'],
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    extensions: {
      type: 'array',
      items: { type: 'string' },
      description: 'The protocol extensions this server implements.',
    },
    parameters: {
      type: 'object',
      properties: {
        default_model: {
          type: 'string',
          description: 'The model that requests naming none use (the defaultModel setting).',
        },
      },
    },
  },
} as const;

const TENSOR_METADATA = {
  type: 'object',
  required: ['name', 'datatype', 'shape'],
  properties: {
    name: { type: 'string' },
    datatype: { type: 'string', enum: TENSOR_DATATYPES },
    shape: { type: 'array', items: { type: 'integer' }, description: '-1 for the variable batch dimension.' },
  },
} as const;

/** `$metadata_model_response`, with our model facts in `parameters`. */
export const MODEL_METADATA_SCHEMA = {
  type: 'object',
  required: ['name', 'platform', 'versions', 'inputs', 'outputs'],
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string', examples: ['onnxruntime_onnx'] },
    inputs: { type: 'array', items: TENSOR_METADATA },
    outputs: { type: 'array', items: TENSOR_METADATA },
    parameters: {
      ...PARAMETERS_SCHEMA,
      description:
        "labels (a JSON array, in output order), normalization_mean and normalization_std (the input is (pixel/255 − mean)/std), input_layout, preprocessing, output (log_softmax, softmax or logits), execution_provider, max_items_per_request, sha256 of the model file; model_files (a JSON array: model.onnx and its reduced-precision variants, each at GET /models/{name}/versions/{version}/{file}) and web_model_file, the one browsers should fetch (the smallest within 0.05 points of model.onnx's test accuracy, as the exporter measured).",
    },
  },
} as const;

/** `$ready_model_response` (200 when ready, 503 when not). */
export const MODEL_READY_SCHEMA = {
  type: 'object',
  required: ['name', 'ready'],
  properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
} as const;

const TENSOR_DATA = {
  type: 'array',
  description: 'Row-major values, flat or nested in the shape.',
  items: {},
} as const;

/** `$inference_request`. */
export const INFER_REQUEST_SCHEMA = {
  type: 'object',
  required: ['inputs'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'Echoed in the response.' },
    parameters: {
      ...PARAMETERS_SCHEMA,
      description: 'binary_data_output: true returns every output as binary tensor data.',
    },
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
          datatype: { type: 'string', enum: TENSOR_DATATYPES },
          parameters: {
            ...PARAMETERS_SCHEMA,
            description: 'binary_data_size: the bytes of this tensor after the JSON.',
          },
          data: TENSOR_DATA,
        },
      },
    },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          parameters: {
            ...PARAMETERS_SCHEMA,
            description:
              'classification: k returns the top k as "value:index:label" strings; binary_data: true returns binary tensor data.',
          },
        },
      },
    },
  },
} as const;

/** `$inference_response`. */
export const INFER_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['model_name', 'outputs'],
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    parameters: PARAMETERS_SCHEMA,
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer' } },
          datatype: { type: 'string', enum: TENSOR_DATATYPES },
          parameters: PARAMETERS_SCHEMA,
          data: {
            type: 'array',
            items: { type: ['number', 'string'] },
            description: 'Absent when the output is binary (parameters.binary_data_size).',
          },
        },
      },
    },
  },
} as const;
