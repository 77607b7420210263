import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { toPrediction } from '@onnxpipe/core';
import { debugView } from '../input/debug-view.js';
import { IMAGE_MEDIA_TYPES } from '../input/media-types.js';
import { prepareInputs } from '../input/prepare-inputs.js';
import {
  itemsFromJson,
  itemsFromMultipart,
  PREPROCESS_MODES,
  type InputItem,
  type PredictJsonBody,
  type PreprocessMode,
} from '../input/request-items.js';
import { ERROR_RESPONSES } from './schemas.js';

// POST /predict: images or pixel arrays in, one prediction per item out. The work is in the
// input/ modules (forms → items → model input) and the engine (batched inference); this file
// wires them to HTTP and declares the schemas.

interface PredictQuery {
  model?: string;
  version?: string;
  topk?: number;
  preprocess?: PreprocessMode;
  timings?: boolean;
  debug?: boolean | 0 | 1;
}

const QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
      description: 'Model name (default: the defaultModel setting).',
    },
    version: { type: 'string', pattern: '^[1-9][0-9]*$', description: 'Model version (default: the highest loaded).' },
    topk: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      description: 'Add the k most probable labels to each prediction (k is capped at the label count).',
    },
    preprocess: {
      type: 'string',
      enum: PREPROCESS_MODES,
      description:
        'mnist (default): centre and scale the digit as MNIST was made; none: the input is already a 28×28 MNIST image.',
    },
    timings: { type: 'boolean', description: 'Add server-side timings to the response.' },
    debug: {
      // 1/0 as well as true/false: query coercion turns only "true" and "false" into booleans.
      type: ['boolean', 'integer'],
      enum: [true, false, 1, 0],
      description:
        '1 or true: add to each prediction what preprocessing saw — the crop box found in the image, how it was found, and the 28×28 image the model was given as a PNG data URL.',
    },
  },
} as const;

const PIXEL_VALUE = { type: 'number' } as const;
const JSON_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'Exactly one of image, images, pixels.',
  properties: {
    image: { type: 'string', minLength: 1, description: 'A base64 PNG, JPEG or WebP file (a data: URL is fine).' },
    images: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      description: 'Several base64 files: one prediction each.',
    },
    pixels: {
      type: 'array',
      minItems: 1,
      description:
        'Raw pixels in 0–255 or 0–1, 0 = black: one image as 784 numbers or 28 rows of 28, or a batch of either.',
      items: {
        anyOf: [PIXEL_VALUE, { type: 'array', items: { anyOf: [PIXEL_VALUE, { type: 'array', items: PIXEL_VALUE }] } }],
      },
    },
    preprocess: { type: 'string', enum: PREPROCESS_MODES },
  },
} as const;

const BINARY = (what: string) => ({ schema: { description: what } });

const PREDICTION_SCHEMA = {
  type: 'object',
  required: ['label', 'confidence', 'probabilities'],
  properties: {
    label: { type: 'string' },
    confidence: { type: 'number', description: 'Probability of label.' },
    probabilities: {
      type: 'array',
      items: { type: 'number' },
      description: 'One per label, in label order; they sum to 1.',
    },
    topk: {
      type: 'array',
      items: {
        type: 'object',
        required: ['label', 'probability'],
        properties: { label: { type: 'string' }, probability: { type: 'number' } },
      },
    },
    empty: { type: 'boolean', description: 'Present and true when the image had no ink: the prediction means little.' },
    debug: {
      type: 'object',
      description: 'With ?debug=1: what preprocessing saw and did.',
      required: ['method', 'inverted', 'box', 'imageWidth', 'imageHeight', 'image'],
      properties: {
        method: {
          type: 'string',
          enum: ['clean', 'photo', 'skip'],
          description:
            'clean: the paper is one value (drawings, scans); photo: it varies (camera noise, uneven light), so the background was estimated locally and the digit found among connected components; skip: preprocess=none.',
        },
        inverted: { type: 'boolean', description: 'Dark ink on light paper, turned into light ink on black as MNIST.' },
        box: {
          type: ['object', 'null'],
          description:
            'The crop around the digit, in pixels of the decoded image (after EXIF orientation); null when no digit was found or preprocessing was skipped.',
          required: ['x', 'y', 'width', 'height'],
          properties: {
            x: { type: 'integer' },
            y: { type: 'integer' },
            width: { type: 'integer' },
            height: { type: 'integer' },
          },
        },
        imageWidth: {
          type: 'integer',
          description: 'Width of the decoded image (after EXIF orientation) or of the pixel array.',
        },
        imageHeight: { type: 'integer' },
        image: {
          type: 'string',
          description: "The model's input as a grayscale PNG data URL (light ink on black, as MNIST), about 1 kB.",
        },
      },
    },
  },
} as const;

const RESPONSE_SCHEMA = {
  type: 'object',
  required: ['model', 'executionProvider', 'predictions'],
  properties: {
    model: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { type: 'string' }, version: { type: 'string' } },
    },
    executionProvider: { type: 'string', enum: ['cpu', 'cuda', 'webgpu'] },
    predictions: { type: 'array', items: PREDICTION_SCHEMA },
    timings: {
      type: 'object',
      description:
        'Milliseconds: decoding and preprocessing, waiting in the batch queue (longest item), the session run(s), and the whole handler.',
      properties: {
        preprocessMs: { type: 'number' },
        queueMs: { type: 'number' },
        inferenceMs: { type: 'number' },
        totalMs: { type: 'number' },
        batchSize: { type: 'integer', description: 'Largest session.run batch this request shared.' },
      },
    },
  },
} as const;

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** `POST /predict`. */
export const predictRoutes: FastifyPluginAsync = async (app) => {
  const { config } = app;
  // Parsers live in this plugin's scope only: other routes keep fastify's defaults.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    [...IMAGE_MEDIA_TYPES],
    { parseAs: 'buffer', bodyLimit: config.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: config.maxBodyBytes,
      files: config.maxItemsPerRequest,
      fields: 4,
      fieldSize: 64,
      parts: config.maxItemsPerRequest + 4,
      headerPairs: 64,
    },
  });

  app.post<{ Querystring: PredictQuery; Body: PredictJsonBody | Buffer }>(
    '/predict',
    {
      schema: {
        summary: 'Classify digit images',
        description:
          'One or more images (PNG, JPEG, WebP: as the body, as multipart file parts, or base64 in JSON) or raw pixel arrays; one prediction per item with the label, its confidence and every probability. Concurrent requests share batched inference.',
        tags: ['Predict'],
        querystring: QUERY_SCHEMA,
        body: {
          content: {
            'application/json': { schema: JSON_BODY_SCHEMA },
            'multipart/form-data': BINARY('One or more image file parts, and optionally a preprocess field.'),
            'image/png': BINARY('A PNG file.'),
            'image/jpeg': BINARY('A JPEG file.'),
            'image/webp': BINARY('A WebP file.'),
          },
        },
        response: { 200: RESPONSE_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const started = performance.now();
      const { query } = request;
      // Held for the whole request: a reload meanwhile lets it finish on this model.
      return app.models.use(query.model, query.version, async (engine) => {
        const { metadata, name, version } = engine.model;

        const { items, preprocess: fromBody } = await collectItems(request, metadata.height);
        const preprocess = query.preprocess ?? fromBody ?? 'mnist';
        const prepared = await prepareInputs(
          items,
          metadata,
          preprocess,
          config.maxImagePixels,
          query.debug === true || query.debug === 1,
        );
        const preprocessed = performance.now();

        const results = await engine.infer(
          prepared.map((p) => p.input),
          { deadline: started + config.requestTimeoutMs },
        );
        const predictions = results.map(({ output }, i) => {
          const prediction = toPrediction(output, metadata, { topk: query.topk, empty: prepared[i].empty });
          const { trace } = prepared[i];
          return trace === undefined ? prediction : { ...prediction, debug: debugView(trace) };
        });
        return {
          model: { name, version },
          executionProvider: app.models.executionProvider,
          predictions,
          ...(query.timings
            ? {
                timings: {
                  preprocessMs: round(preprocessed - started),
                  queueMs: round(Math.max(...results.map((r) => r.queueMs))),
                  inferenceMs: round(Math.max(...results.map((r) => r.runMs))),
                  totalMs: round(performance.now() - started),
                  batchSize: Math.max(...results.map((r) => r.batchSize)),
                },
              }
            : {}),
        };
      });
    },
  );

  async function collectItems(
    request: FastifyRequest,
    side: number,
  ): Promise<{ items: InputItem[]; preprocess?: PreprocessMode }> {
    if (request.isMultipart()) return itemsFromMultipart(request, config.maxItemsPerRequest, config.maxBodyBytes);
    if (Buffer.isBuffer(request.body)) {
      return { items: [{ kind: 'image', bytes: request.body, where: 'body' }] };
    }
    const body = (request.body ?? {}) as PredictJsonBody;
    const items = itemsFromJson(body, side, config.maxItemsPerRequest);
    return body.preprocess === undefined ? { items } : { items, preprocess: body.preprocess };
  }
};
