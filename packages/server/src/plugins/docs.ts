import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { MODEL_CONTROL_SECURITY_SCHEME } from '../routes/schemas.js';
import { SERVER_NAME, SERVER_VERSION } from '../server-info.js';

// GET /docs: Swagger UI over the OpenAPI 3 document that @fastify/swagger builds from the
// routes' own JSON schemas (GET /docs/json, /docs/yaml), so the documentation cannot drift from
// what the server validates. The UI's files come from node_modules, not a CDN: the docs work
// offline and under a strict CSP. Registered before the routes: swagger collects them as they
// are added.

/** Registers @fastify/swagger and @fastify/swagger-ui at `/docs` on the root instance. */
export const docsPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'onnxpipe server',
          version: SERVER_VERSION,
          description: `${SERVER_NAME}: handwritten-digit classification over HTTP. POST /predict takes images; the Open Inference Protocol (KServe v2) routes take raw tensors. Errors of /predict are { error, code, statusCode, message }; errors of /v2 routes are { error, code } with error the message.`,
        },
        tags: [
          { name: 'Predict', description: 'Images in, labelled predictions out.' },
          {
            name: 'Open Inference Protocol',
            description: 'KServe v2 / Triton REST: metadata, readiness, tensor inference.',
          },
          { name: 'Model repository', description: "Triton's repository extension: index, load, unload." },
          { name: 'Health', description: 'Liveness and readiness probes.' },
          { name: 'Operations', description: 'Metrics.' },
        ],
        components: { securitySchemes: { modelControlToken: MODEL_CONTROL_SECURITY_SCHEME } },
      },
      // Shared schemas keep their $id as their name under components.schemas.
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  },
  { name: 'onnxpipe-docs' },
);
