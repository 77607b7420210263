import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { modelInputShape } from '../input/infer-request.js';
import type { LoadedModel } from '../models/load-model.js';
import { MODEL_PLATFORM, SERVER_EXTENSIONS, SERVER_NAME, SERVER_VERSION } from '../server-info.js';
import { OPEN_INFERENCE_ERROR_RESPONSES } from './schemas.js';
import {
  MODEL_METADATA_SCHEMA,
  MODEL_PARAMS_SCHEMA,
  MODEL_READY_SCHEMA,
  MODEL_VERSION_PARAMS_SCHEMA,
  SERVER_METADATA_SCHEMA,
  V2_TAG,
} from './v2-schemas.js';

// Server metadata, model metadata and model readiness of the Open Inference Protocol. The
// unversioned model routes describe the highest loaded version, the one infer uses by default.

interface ModelParams {
  name: string;
  version?: string;
}

/** `GET /v2`, `GET /v2/models/{name}[/versions/{version}][/ready]`. */
export const v2MetadataRoutes: FastifyPluginAsync = async (app) => {
  const { config } = app;
  // parameters (the protocol's extension point on its other objects) names the model that
  // requests without a model use: clients such as the browser SDK's remote mode find it here.
  const serverMetadata = async () => ({
    name: SERVER_NAME,
    version: SERVER_VERSION,
    extensions: SERVER_EXTENSIONS,
    parameters: { default_model: config.defaultModel },
  });
  const serverSchema = {
    summary: 'Server metadata',
    description:
      'Name, version and the protocol extensions this server implements; parameters.default_model is the model POST /predict uses without ?model.',
    tags: [V2_TAG],
    response: { 200: SERVER_METADATA_SCHEMA, ...OPEN_INFERENCE_ERROR_RESPONSES },
  };
  app.get('/v2', { schema: serverSchema }, serverMetadata);
  // open_inference_rest.yaml spells the path with a trailing slash.
  app.get('/v2/', { schema: { ...serverSchema, hide: true } }, serverMetadata);

  const describe = (model: LoadedModel, versions: readonly string[]) => {
    const { metadata } = model;
    return {
      name: model.name,
      versions,
      platform: MODEL_PLATFORM,
      inputs: [{ name: model.inputName, datatype: 'FP32', shape: modelInputShape(metadata, -1) }],
      outputs: [{ name: model.outputName, datatype: 'FP32', shape: [-1, metadata.labels.length] }],
      parameters: {
        labels: JSON.stringify(metadata.labels),
        normalization_mean: metadata.normalization.mean,
        normalization_std: metadata.normalization.std,
        input_layout: metadata.inputLayout,
        preprocessing: metadata.preprocessing,
        output: metadata.output,
        execution_provider: app.models.executionProvider,
        max_items_per_request: config.maxItemsPerRequest,
        sha256: model.sha256,
        // What a browser running the model itself should fetch: GET /models/{name}/versions/{version}/{file}.
        model_files: JSON.stringify(['model.onnx', ...model.variants.map((v) => v.file)]),
        web_model_file: model.webFile,
      },
    };
  };
  const metadataSchema = (versioned: boolean) => ({
    summary: versioned ? 'Model metadata of one version' : 'Model metadata',
    description:
      'Inputs and outputs (FP32; -1 is the batch dimension), the loaded versions, and in parameters the labels, normalisation and execution provider.' +
      (versioned ? '' : ' Describes the highest loaded version.'),
    tags: [V2_TAG],
    params: versioned ? MODEL_VERSION_PARAMS_SCHEMA : MODEL_PARAMS_SCHEMA,
    response: { 200: MODEL_METADATA_SCHEMA, ...OPEN_INFERENCE_ERROR_RESPONSES },
  });
  app.get<{ Params: ModelParams }>('/v2/models/:name', { schema: metadataSchema(false) }, async (request) => {
    const { name } = request.params;
    return describe(app.models.get(name).model, app.models.versions(name));
  });
  app.get<{ Params: ModelParams }>(
    '/v2/models/:name/versions/:version',
    { schema: metadataSchema(true) },
    async (request) => {
      const { model } = app.models.get(request.params.name, request.params.version);
      return describe(model, [model.version]);
    },
  );

  const readySchema = (versioned: boolean) => ({
    summary: versioned ? 'Model version ready' : 'Model ready',
    description:
      '200 {ready: true} when the model can take requests; 503 {ready: false} when it was unloaded, its last load failed, or the server is shutting down; 404 for a model the server does not know.',
    tags: [V2_TAG],
    params: versioned ? MODEL_VERSION_PARAMS_SCHEMA : MODEL_PARAMS_SCHEMA,
    response: { 200: MODEL_READY_SCHEMA, 503: MODEL_READY_SCHEMA, ...OPEN_INFERENCE_ERROR_RESPONSES },
  });
  const ready = async (request: { params: ModelParams }, reply: FastifyReply) => {
    const { name, version } = request.params;
    const readiness = app.models.readiness(name, version);
    // Unknown: get() throws the 404 (or 503 when nothing is loaded) that names the valid values.
    if (readiness === 'unknown') app.models.get(name, version);
    return reply.status(readiness === 'ready' ? 200 : 503).send({ name, ready: readiness === 'ready' });
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name/ready', { schema: readySchema(false) }, ready);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/ready', { schema: readySchema(true) }, ready);
};
