import type { FastifyPluginAsync } from 'fastify';
import { modelControlGuard } from '../plugins/model-control.js';
import { MODEL_CONTROL_SECURITY, OPEN_INFERENCE_ERROR_RESPONSES } from './schemas.js';
import { MODEL_PARAMS_SCHEMA, PARAMETERS_SCHEMA } from './v2-schemas.js';

// Triton's model repository extension: list the repository, and load or unload a model
// without a restart. A load re-reads the model's files and swaps the new sessions in once
// they are warmed up (see ModelRegistry); requests in flight finish on the old ones. Load and
// unload answer only with `modelControlMode` explicit and the bearer token (modelControlGuard,
// before the body is read); the index is read-only and open.

const TAG = 'Model repository';

interface NameParams {
  name: string;
}

interface IndexBody {
  repository_name?: string;
  ready?: boolean;
}

const INDEX_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    repository_name: { type: 'string', description: 'Ignored: the server has one repository.' },
    ready: { type: 'boolean', description: 'true: only the versions being served.' },
  },
} as const;

const INDEX_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'version', 'state'],
    properties: {
      name: { type: 'string' },
      version: { type: 'string' },
      state: { type: 'string', enum: ['READY', 'UNAVAILABLE'] },
      reason: {
        type: 'string',
        description: 'Why an UNAVAILABLE version is not served (unloaded, a failed load, the version policy).',
      },
    },
  },
} as const;

const LOAD_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    parameters: { ...PARAMETERS_SCHEMA, description: 'Accepted and ignored (Triton uses it for config overrides).' },
  },
} as const;

const LOADED_SCHEMA = {
  type: 'object',
  required: ['name', 'ready', 'versions'],
  properties: {
    name: { type: 'string' },
    ready: { type: 'boolean' },
    versions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['version', 'sha256'],
        properties: { version: { type: 'string' }, sha256: { type: 'string' } },
      },
    },
  },
} as const;

const UNLOADED_SCHEMA = {
  type: 'object',
  required: ['name', 'ready'],
  properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
} as const;

/** `POST /v2/repository/index`, `POST /v2/repository/models/{name}/load` and `/unload`. */
export const repositoryRoutes: FastifyPluginAsync = async (app) => {
  app.removeContentTypeParser('text/plain');
  // Bodies are optional (`curl -X POST` sends none): a missing one is validated as {}.
  app.addHook('preValidation', async (request) => {
    request.body ??= {};
  });
  app.post<{ Body: IndexBody | undefined }>(
    '/v2/repository/index',
    {
      schema: {
        summary: 'Repository index',
        description: 'Every model version in the repository or being served, with its state.',
        tags: [TAG],
        body: INDEX_BODY_SCHEMA,
        response: { 200: INDEX_SCHEMA, ...OPEN_INFERENCE_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const index = await app.models.index();
      return request.body?.ready === true ? index.filter((entry) => entry.state === 'READY') : index;
    },
  );

  const guard = modelControlGuard(app.config);
  const CONTROL =
    "Needs modelControlMode explicit (else 403 ONNXPIPE_SERVER_MODEL_CONTROL_DISABLED) and 'Authorization: Bearer <token>' (none: 401 with WWW-Authenticate; a wrong one: 403).";

  app.post<{ Params: NameParams }>(
    '/v2/repository/models/:name/load',
    {
      onRequest: guard,
      schema: {
        summary: 'Load or reload a model',
        description: `Re-reads the model's versions from the repository, checks and warms them up, then swaps them in; requests in flight finish on the old sessions. A file that fails its checks answers 400 naming it, and the old versions keep serving. ${CONTROL}`,
        tags: [TAG],
        security: MODEL_CONTROL_SECURITY,
        params: MODEL_PARAMS_SCHEMA,
        body: LOAD_BODY_SCHEMA,
        response: { 200: LOADED_SCHEMA, ...OPEN_INFERENCE_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { name } = request.params;
      const models = await app.models.load(name);
      return {
        name,
        ready: app.models.readiness(name) === 'ready',
        versions: models.map((m) => ({ version: m.version, sha256: m.sha256 })),
      };
    },
  );

  app.post<{ Params: NameParams }>(
    '/v2/repository/models/:name/unload',
    {
      onRequest: guard,
      schema: {
        summary: 'Unload a model',
        description: `Stops serving the model: new requests get 404, requests in flight finish, then its sessions are released. ${CONTROL}`,
        tags: [TAG],
        security: MODEL_CONTROL_SECURITY,
        params: MODEL_PARAMS_SCHEMA,
        body: LOAD_BODY_SCHEMA,
        response: { 200: UNLOADED_SCHEMA, ...OPEN_INFERENCE_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { name } = request.params;
      await app.models.unload(name);
      return { name, ready: false };
    },
  );
};
