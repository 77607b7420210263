import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ONNXPIPE_SERVER_MODEL_FILE_CHANGED } from '../errors.js';
import type { LoadedModel } from '../models/load-model.js';
import { ERROR_RESPONSES } from './schemas.js';
import { MODEL_PARAMS_SCHEMA, MODEL_VERSION_PARAMS_SCHEMA } from './v2-schemas.js';

// GET /models/{name}[/versions/{version}]/model.onnx: the ONNX file of a served model version,
// for clients that run the model themselves — the browser SDK in the demo page. Served is what
// the server loaded: the bytes are checked against the sha256 taken at load time, so a file
// replaced on disk without a reload is refused (409) rather than handed out as if it were the
// served model. The sha256 is also the ETag; the page revalidates (a reload may change the
// file of the same version number) and gets 304 while it has not changed.

interface Params {
  name: string;
  version?: string;
}

/** Model files read since start-up, by loaded model: kept until a reload retires the model. */
const fileCache = new WeakMap<LoadedModel, Promise<Buffer>>();

async function readChecked(model: LoadedModel): Promise<Buffer> {
  const bytes = await readFile(model.path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== model.sha256) {
    throw new ONNXPIPE_SERVER_MODEL_FILE_CHANGED(
      `${model.path} changed on disk since model ${model.name} version ${model.version} was loaded (sha256 ${sha256}, loaded ${model.sha256}); reload it (POST /v2/repository/models/${model.name}/load) to serve the new file`,
    );
  }
  return bytes;
}

function modelBytes(model: LoadedModel): Promise<Buffer> {
  let bytes = fileCache.get(model);
  if (bytes === undefined) {
    bytes = readChecked(model);
    fileCache.set(model, bytes);
    // A failed read is not remembered: the next request tries again.
    bytes.catch(() => fileCache.delete(model));
  }
  return bytes;
}

const FILE_RESPONSE = {
  description: 'The model.onnx file (protobuf), as loaded. ETag: its sha256.',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
} as const;
const NOT_MODIFIED = { description: 'If-None-Match named the current ETag.', type: 'null' } as const;

/** `GET /models/{name}/model.onnx`, `GET /models/{name}/versions/{version}/model.onnx`. */
export const modelFileRoutes: FastifyPluginAsync = async (app) => {
  const schema = (versioned: boolean) => ({
    summary: versioned ? 'Model file of one version' : 'Model file',
    description:
      'The ONNX file of a loaded model version, for clients that run it themselves (the browser SDK). 409 ONNXPIPE_SERVER_MODEL_FILE_CHANGED when the file on disk is no longer the one loaded.' +
      (versioned ? '' : ' The highest loaded version; its number is in the X-Model-Version header.'),
    tags: ['Model repository'],
    params: versioned ? MODEL_VERSION_PARAMS_SCHEMA : MODEL_PARAMS_SCHEMA,
    response: { 200: FILE_RESPONSE, 304: NOT_MODIFIED, ...ERROR_RESPONSES },
  });
  const handler = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { name, version } = request.params;
    return app.models.use(name, version, async ({ model }) => {
      const etag = `"${model.sha256}"`;
      reply.header('etag', etag).header('cache-control', 'no-cache').header('x-model-version', model.version);
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      const bytes = await modelBytes(model);
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${model.name}-${model.version}.onnx"`)
        .send(bytes);
    });
  };
  app.get<{ Params: Params }>('/models/:name/model.onnx', { schema: schema(false) }, handler);
  app.get<{ Params: Params }>('/models/:name/versions/:version/model.onnx', { schema: schema(true) }, handler);
};
