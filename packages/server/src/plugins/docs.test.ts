import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createTestApp } from '../testing/test-app.js';

// /docs: the OpenAPI document generated from the route schemas is valid OpenAPI 3 (checked
// against the specification's JSON Schema, $refs included) and lists every public route; the
// Swagger UI and its assets are served from node_modules, nothing from a CDN.

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
  components: { schemas: Record<string, unknown> };
}

const ROUTES: Record<string, string[]> = {
  '/predict': ['post'],
  '/v2': ['get'],
  '/v2/health/live': ['get'],
  '/v2/health/ready': ['get'],
  '/v2/models/{name}': ['get'],
  '/v2/models/{name}/versions/{version}': ['get'],
  '/v2/models/{name}/ready': ['get'],
  '/v2/models/{name}/versions/{version}/ready': ['get'],
  '/v2/models/{name}/infer': ['post'],
  '/v2/models/{name}/versions/{version}/infer': ['post'],
  '/v2/repository/index': ['post'],
  '/v2/repository/models/{name}/load': ['post'],
  '/v2/repository/models/{name}/unload': ['post'],
  '/metrics': ['get'],
  '/models/{name}/{file}': ['get'],
  '/models/{name}/versions/{version}/{file}': ['get'],
};

test('/docs/json is valid OpenAPI 3 and documents every route with a summary and tags', async () => {
  const { app, close } = await createTestApp();
  try {
    const response = await app.inject({ url: '/docs/json' });
    assert.equal(response.statusCode, 200);
    const document = response.json<OpenApiDocument>();
    assert.match(document.openapi, /^3\./);
    const result = await new Validator().validate(document as never);
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    // The validator does fail: a path item with an invalid operation is refused.
    const broken = structuredClone(document);
    (broken.paths['/predict'].post as unknown as Record<string, unknown>).responses = 'none';
    assert.equal((await new Validator().validate(broken as never)).valid, false);

    assert.deepEqual(
      Object.keys(document.paths).sort(),
      Object.keys(ROUTES).sort(),
      'no more, no fewer (hidden: /v2/, /docs, the static files of webRoot)',
    );
    for (const [path, methods] of Object.entries(ROUTES)) {
      for (const method of methods) {
        const operation = document.paths[path][method];
        assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
        assert.ok(
          operation.summary && operation.tags?.length,
          `${method.toUpperCase()} ${path} has a summary and tags`,
        );
      }
    }
    assert.ok('onnxpipe-error' in document.components.schemas && 'open-inference-error' in document.components.schemas);
  } finally {
    await close();
  }
});

test('/docs serves Swagger UI and its assets from node_modules', async () => {
  const { app, close } = await createTestApp();
  try {
    const page = await app.inject({ url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.length >= 3);
    for (const asset of assets) {
      assert.ok(asset.startsWith('/docs/'), `${asset} is served by this server, not a CDN`);
      assert.equal((await app.inject({ url: asset })).statusCode, 200, asset);
    }
  } finally {
    await close();
  }
});
