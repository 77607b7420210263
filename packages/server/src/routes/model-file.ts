import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ONNXPIPE_SERVER_MODEL_FILE_CHANGED, ONNXPIPE_SERVER_MODEL_FILE_NOT_FOUND } from '../errors.js';
import type { LoadedModel } from '../models/load-model.js';
import { negotiateEncoding, type ContentEncoding } from './content-encoding.js';
import { ERROR_RESPONSES } from './schemas.js';
import { MODEL_PARAMS_SCHEMA, MODEL_VERSION_PARAMS_SCHEMA } from './v2-schemas.js';

// GET /models/{name}[/versions/{version}]/{file}: the ONNX files of a served model version, for
// clients that run the model themselves — the browser SDK in the demo page. `file` is
// model.onnx, what the server loaded, or one of the reduced-precision variants the version's
// manifest lists (model.int8.onnx, ...; `npm run quantize`), which browsers fetch instead.
// Served is what the manifest and the load recorded: the bytes are checked against that sha256,
// so a file replaced on disk without a reload is refused (409) rather than handed out as if it
// were the served model. The sha256 is also the ETag; the page revalidates (a reload may change
// the file of the same version number) and gets 304 while it has not changed.
//
// Compressed by Accept-Encoding (brotli, else gzip), once per file and loaded model, in the
// thread pool: brotli quality 9 takes milliseconds here and comes within 1 % of 11 on these
// files (weights compress little). Each encoding has its own ETag, and `Vary: Accept-Encoding`
// keeps caches from mixing them up.

interface Params {
  name: string;
  version?: string;
  file: string;
}

/** Brotli quality of model files: 9, within 1 % of 11's size on ONNX weights, at a tenth of the time. */
export const MODEL_FILE_BROTLI_QUALITY = 9;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface ServedFile {
  readonly bytes: Buffer;
  readonly sha256: string;
  /** Compressed copies, made on first request. */
  readonly encoded: Map<ContentEncoding, Promise<Buffer>>;
}

/** Files read since start-up, by loaded model and file name: kept until a reload retires the model. */
const fileCache = new WeakMap<LoadedModel, Map<string, Promise<ServedFile>>>();

function fileOf(model: LoadedModel, file: string): { path: string; sha256: string } {
  if (file === 'model.onnx') return { path: model.path, sha256: model.sha256 };
  const variant = model.variants.find((v) => v.file === file);
  if (variant === undefined) {
    const files = ['model.onnx', ...model.variants.map((v) => v.file)].join(', ');
    throw new ONNXPIPE_SERVER_MODEL_FILE_NOT_FOUND(
      `'file' must be one of ${files} for model ${model.name} version ${model.version}; received "${file}" (variants are listed in the version's manifest.json by npm run quantize)`,
    );
  }
  return variant;
}

async function readChecked(model: LoadedModel, file: string): Promise<ServedFile> {
  const { path, sha256: expected } = fileOf(model, file);
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== expected) {
    throw new ONNXPIPE_SERVER_MODEL_FILE_CHANGED(
      `${path} changed on disk since model ${model.name} version ${model.version} was loaded (sha256 ${sha256}, recorded ${expected}); reload it (POST /v2/repository/models/${model.name}/load) to serve the new file`,
    );
  }
  return { bytes, sha256, encoded: new Map() };
}

function servedFile(model: LoadedModel, file: string): Promise<ServedFile> {
  fileOf(model, file); // an unknown file name fails here, before anything is cached
  let files = fileCache.get(model);
  if (files === undefined) fileCache.set(model, (files = new Map()));
  let served = files.get(file);
  if (served === undefined) {
    served = readChecked(model, file);
    files.set(file, served);
    // A failed read is not remembered: the next request tries again.
    served.catch(() => files.delete(file));
  }
  return served;
}

function encoded(file: ServedFile, encoding: ContentEncoding): Promise<Buffer> {
  let bytes = file.encoded.get(encoding);
  if (bytes === undefined) {
    bytes =
      encoding === 'br'
        ? brotli(file.bytes, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: MODEL_FILE_BROTLI_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: file.bytes.length,
            },
          })
        : gzipAsync(file.bytes, { level: 9 });
    file.encoded.set(encoding, bytes);
  }
  return bytes;
}

const etagOf = (sha256: string, encoding: ContentEncoding | undefined) =>
  `"${sha256}${encoding === undefined ? '' : `-${encoding}`}"`;

/** Whether If-None-Match names any representation of this content (they differ only in encoding). */
function notModified(ifNoneMatch: string | undefined, sha256: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === etagOf(sha256, undefined) || t === etagOf(sha256, 'br') || t === etagOf(sha256, 'gzip');
  });
}

const FILE_RESPONSE = {
  description:
    'The ONNX file (protobuf), as loaded or recorded; brotli or gzip by Accept-Encoding. ETag: its sha256 (with -br or -gzip for an encoded body).',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
} as const;
const NOT_MODIFIED = { description: 'If-None-Match named the current ETag.', type: 'null' } as const;
/** model.onnx or a variant: `model.<precision>.onnx`. */
const FILE_PARAM = {
  type: 'string',
  pattern: '^model(\\.[a-z0-9]+)?\\.onnx$',
  examples: ['model.onnx', 'model.int8.onnx'],
} as const;

/** `GET /models/{name}/{file}`, `GET /models/{name}/versions/{version}/{file}`. */
export const modelFileRoutes: FastifyPluginAsync = async (app) => {
  const schema = (versioned: boolean) => {
    const base = versioned ? MODEL_VERSION_PARAMS_SCHEMA : MODEL_PARAMS_SCHEMA;
    return {
      summary: versioned ? 'Model file of one version' : 'Model file',
      description:
        "An ONNX file of a loaded model version, for clients that run it themselves (the browser SDK): model.onnx, or a reduced-precision variant the version's manifest lists (model.int8.onnx, ...; the model metadata's web_model_file names the one browsers should fetch). 404 ONNXPIPE_SERVER_MODEL_FILE_NOT_FOUND for another name; 409 ONNXPIPE_SERVER_MODEL_FILE_CHANGED when the file on disk is no longer the one recorded." +
        (versioned ? '' : ' The highest loaded version; its number is in the X-Model-Version header.'),
      tags: ['Model repository'],
      params: { ...base, required: [...base.required, 'file'], properties: { ...base.properties, file: FILE_PARAM } },
      response: { 200: FILE_RESPONSE, 304: NOT_MODIFIED, ...ERROR_RESPONSES },
    };
  };
  const handler = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { name, version, file } = request.params;
    return app.models.use(name, version, async ({ model }) => {
      const served = await servedFile(model, file);
      const encoding = negotiateEncoding(request.headers['accept-encoding']);
      reply
        .header('cache-control', 'no-cache')
        .header('vary', 'accept-encoding')
        .header('x-model-version', model.version);
      reply.header('etag', etagOf(served.sha256, encoding));
      if (notModified(request.headers['if-none-match'], served.sha256)) return reply.status(304).send();
      const body = encoding === undefined ? served.bytes : await encoded(served, encoding);
      if (encoding !== undefined) reply.header('content-encoding', encoding);
      const suffix = file === 'model.onnx' ? '' : file.slice('model'.length, -'.onnx'.length);
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${model.name}-${model.version}${suffix}.onnx"`)
        .send(body);
    });
  };
  app.get<{ Params: Params }>('/models/:name/:file', { schema: schema(false) }, handler);
  app.get<{ Params: Params }>('/models/:name/versions/:version/:file', { schema: schema(true) }, handler);
};
