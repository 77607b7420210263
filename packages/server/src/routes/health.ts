import type { FastifyPluginAsync } from 'fastify';

// Liveness and readiness in the Open Inference Protocol's shape (GET /v2/health/live and
// /v2/health/ready); the rest of the protocol is in v2-metadata.ts and v2-infer.ts.

const LIVE_SCHEMA = {
  type: 'object',
  required: ['live'],
  properties: { live: { type: 'boolean' } },
} as const;

const READY_SCHEMA = {
  type: 'object',
  required: ['ready'],
  properties: { ready: { type: 'boolean' } },
} as const;

/** `/v2/health/live` and `/v2/health/ready`. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/v2/health/live',
    {
      schema: {
        summary: 'Server live',
        description: 'Liveness: 200 while the process answers HTTP (a Kubernetes livenessProbe).',
        tags: ['Health', 'Open Inference Protocol'],
        response: { 200: LIVE_SCHEMA },
      },
    },
    async () => ({ live: true }),
  );

  app.get(
    '/v2/health/ready',
    {
      schema: {
        summary: 'Server ready',
        description:
          'Readiness: 200 when at least one model is loaded and the server is not shutting down, else 503 (a Kubernetes readinessProbe).',
        tags: ['Health', 'Open Inference Protocol'],
        response: { 200: READY_SCHEMA, 503: READY_SCHEMA },
      },
    },
    async (_request, reply) => {
      const ready = app.models.ready;
      return reply.status(ready ? 200 : 503).send({ ready });
    },
  );
};
