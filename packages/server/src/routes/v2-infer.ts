import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ONNXPIPE_SERVER_BAD_REQUEST } from '../errors.js';
import {
  encodeBytesElements,
  encodeFloat32,
  INFERENCE_HEADER_LENGTH,
  joinBinaryBody,
  splitBinaryBody,
  type BinaryBody,
} from '../input/binary-tensors.js';
import {
  itemsFromTensors,
  requestedOutput,
  type InferRequestBody,
  type OutputRequest,
} from '../input/infer-request.js';
import type { InferenceEngine } from '../engine/inference-engine.js';
import { OPEN_INFERENCE_ERROR_RESPONSES } from './schemas.js';
import {
  INFER_REQUEST_SCHEMA,
  INFER_RESPONSE_SCHEMA,
  MODEL_PARAMS_SCHEMA,
  MODEL_VERSION_PARAMS_SCHEMA,
  V2_TAG,
} from './v2-schemas.js';

// POST /v2/models/{name}[/versions/{version}]/infer: the model's raw input tensor in, its raw
// output tensor out, through the same dynamic batcher as /predict (each batch item of the
// request is one item of the queue). JSON tensors, or Triton's binary tensor data extension.

interface InferParams {
  name: string;
  version?: string;
}

/** One output tensor of the response, before it is written as JSON or binary. */
interface OutputTensor {
  readonly name: string;
  readonly datatype: 'FP32' | 'BYTES';
  readonly shape: number[];
  readonly values: Float32Array | string[];
}

/** The binary data after a request's JSON header, by request (set by the body parser). */
const binaryData = new WeakMap<FastifyRequest, Buffer>();

/** Rows of network output → the response tensor the request asked for. */
function outputTensor(engine: InferenceEngine, rows: readonly Float32Array[], wanted: OutputRequest): OutputTensor {
  const { outputName, metadata } = engine.model;
  const classes = metadata.labels.length;
  if (wanted.classification !== undefined) {
    // Triton's classification extension: "value:index:label", most probable first.
    const k = wanted.classification;
    const values = rows.flatMap((row) => {
      const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b);
      return order.slice(0, k).map((i) => `${row[i]}:${i}:${metadata.labels[i]}`);
    });
    return { name: outputName, datatype: 'BYTES', shape: [rows.length, k], values };
  }
  const values = new Float32Array(rows.length * classes);
  rows.forEach((row, i) => values.set(row, i * classes));
  return { name: outputName, datatype: 'FP32', shape: [rows.length, classes], values };
}

/** `POST /v2/models/{name}/infer`, `POST /v2/models/{name}/versions/{version}/infer`. */
export const v2InferRoutes: FastifyPluginAsync = async (app) => {
  const { config } = app;
  // In this plugin's scope only: JSON, or JSON + binary tensors when the header says so.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parseBody = (
    request: FastifyRequest,
    bytes: Buffer,
    done: (error: Error | null, body?: unknown) => void,
  ): void => {
    const header = request.headers[INFERENCE_HEADER_LENGTH];
    if (header === undefined) {
      if (String(request.headers['content-type']).startsWith('application/json'))
        return void parseJson(request, bytes.toString('utf8'), done);
      return done(
        new ONNXPIPE_SERVER_BAD_REQUEST(
          `an application/octet-stream body needs the 'Inference-Header-Content-Length' header (binary tensor data extension)`,
        ),
      );
    }
    let split: BinaryBody;
    try {
      split = splitBinaryBody(bytes, header);
    } catch (error) {
      return done(error as Error);
    }
    binaryData.set(request, split.binary);
    void parseJson(request, split.json, done);
  };
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    ['application/json', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: config.maxBodyBytes },
    (request, body, done) => parseBody(request, body as Buffer, done),
  );

  const schema = (versioned: boolean) => ({
    summary: versioned ? 'Inference on one model version' : 'Inference',
    description:
      "The model's raw input tensor — normalised values, shape [n, 1, 28, 28] for an NCHW model (see the model metadata) — in JSON or as binary tensor data; the raw output tensor (log-probabilities for an onnxpipe model) back. Other numeric datatypes than FP32 are converted. Output parameters: classification: k for the top k labels, binary_data: true for binary output.",
    tags: [V2_TAG],
    params: versioned ? MODEL_VERSION_PARAMS_SCHEMA : MODEL_PARAMS_SCHEMA,
    body: INFER_REQUEST_SCHEMA,
    response: { 200: INFER_RESPONSE_SCHEMA, ...OPEN_INFERENCE_ERROR_RESPONSES },
  });

  const infer = async (
    request: FastifyRequest<{ Params: InferParams; Body: InferRequestBody }>,
    reply: FastifyReply,
  ) => {
    const started = performance.now();
    const { body } = request;
    const { name, version } = request.params;
    return app.models.use(name, version, async (engine) => {
      const items = itemsFromTensors(body, engine.model, config.maxItemsPerRequest, binaryData.get(request));
      const wanted = requestedOutput(body, engine.model);
      const results = await engine.infer(items, { deadline: started + config.requestTimeoutMs });
      const tensor = outputTensor(
        engine,
        results.map((r) => r.output),
        wanted,
      );
      const head = {
        model_name: engine.model.name,
        model_version: engine.model.version,
        ...(body.id === undefined ? {} : { id: body.id }),
        parameters: {
          execution_provider: app.models.executionProvider,
          batch_size: Math.max(...results.map((r) => r.batchSize)),
        },
      };
      const { name: outputName, datatype, shape, values } = tensor;
      if (!wanted.binary) {
        return {
          ...head,
          outputs: [{ name: outputName, datatype, shape, data: Array.from(values as ArrayLike<number | string>) }],
        };
      }
      const binary =
        datatype === 'BYTES' ? encodeBytesElements(values as string[]) : encodeFloat32(values as Float32Array);
      const joined = joinBinaryBody(
        { ...head, outputs: [{ name: outputName, datatype, shape, parameters: { binary_data_size: binary.length } }] },
        binary,
      );
      return reply
        .header(INFERENCE_HEADER_LENGTH, joined.headerLength)
        .type('application/octet-stream')
        .send(joined.body);
    });
  };
  app.post<{ Params: InferParams; Body: InferRequestBody }>('/v2/models/:name/infer', { schema: schema(false) }, infer);
  app.post<{ Params: InferParams; Body: InferRequestBody }>(
    '/v2/models/:name/versions/:version/infer',
    { schema: schema(true) },
    infer,
  );
};
