import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { createTestApp } from '../testing/test-app.js';

// Conformance with the Open Inference Protocol: real responses of the server (and the request
// bodies the tests send) are validated against the schemas of the protocol's own
// open_inference_rest.yaml (kserve/open-inference-protocol), not against a copy of ours. Each
// validator is shown to reject a wrong body, so a validator that accepts anything would fail.

// Looked up as the MNIST files are: $ONNXPIPE_OIP_SPEC_DIR, else ../shared/specs beside the checkout.
const specDir =
  process.env.ONNXPIPE_OIP_SPEC_DIR ??
  fileURLToPath(new URL('../../../../../shared/specs/open-inference-protocol', import.meta.url));
const specPath = join(specDir, 'open_inference_rest.yaml');
const skip = existsSync(specPath)
  ? false
  : `${specPath} is missing: set ONNXPIPE_OIP_SPEC_DIR to the protocol's specification folder`;
const spec = (skip ? { components: { schemas: {} } } : parse(readFileSync(specPath, 'utf8'))) as {
  components: { schemas: Record<string, unknown> };
};

// ajv-formats is CommonJS: its default export arrives as the module object under Node's ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;
// OpenAPI 3.0 schema objects carry keywords JSON Schema does not know (title is fine; x-examples
// is not): strict mode off. The components live under one $id, so their '#/components/...'
// $refs resolve inside the file.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'open_inference_rest.yaml', components: spec.components });

function validator(name: string): ValidateFunction {
  assert.ok(name in spec.components.schemas, `open_inference_rest.yaml has no component ${name}`);
  const validate = ajv.getSchema(`open_inference_rest.yaml#/components/schemas/${name}`);
  assert.ok(validate, name);
  return validate;
}

function assertValid(name: string, body: unknown): void {
  const validate = validator(name);
  assert.ok(validate(body), `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
}

function assertInvalid(name: string, body: unknown): void {
  assert.equal(validator(name)(body), false, `${name} accepted a wrong body: ${JSON.stringify(body)}`);
}

const request = (data: number[] | number[][][][], n = 1) => ({
  id: 'conformance-1',
  parameters: { binary_data_output: false },
  inputs: [{ name: 'input', shape: [n, 1, 28, 28], datatype: 'FP32', data }],
  outputs: [{ name: 'log_probs' }],
});
const zeros = Array<number>(784).fill(0);
const nested = [[Array.from({ length: 28 }, () => Array<number>(28).fill(0))]];

test('the validators reject wrong bodies (the checks below can fail)', { skip }, () => {
  assertInvalid('metadata_server_response', { name: 'onnxpipe', version: '0.1.0', extensions: 'binary_tensor_data' });
  assertInvalid('metadata_model_response', { name: 'mnist', inputs: [] });
  assertInvalid('metadata_model_response', {
    name: 'mnist',
    platform: 'onnxruntime_onnx',
    inputs: [{ name: 'input', datatype: 'FP32', shape: ['n', 1] }],
  });
  assertInvalid('inference_response', { outputs: [] });
  assertInvalid('inference_response', {
    model_name: 'mnist',
    outputs: [{ name: 'log_probs', shape: [1, 10], datatype: 'FP32' }],
  });
  assertInvalid('inference_request', {
    inputs: [{ name: 'input', shape: [1], datatype: 'FP32', data: [{ value: 1 }] }],
  });
  assertInvalid('inference_error_response', { error: 42 });
  assertInvalid('metadata_model_error_response', { message: 'no' });
});

test('our request fixtures are valid inference_request bodies, flat and nested', { skip }, () => {
  assertValid('inference_request', request(zeros));
  assertValid('inference_request', request(nested));
});

test(
  'server metadata, model metadata, inference and errors conform to open_inference_rest.yaml',
  { skip },
  async () => {
    const { app, close } = await createTestApp();
    try {
      const server = await app.inject({ url: '/v2' });
      assert.equal(server.statusCode, 200);
      assertValid('metadata_server_response', server.json());

      for (const url of ['/v2/models/mnist', '/v2/models/mnist/versions/1']) {
        const metadata = await app.inject({ url });
        assert.equal(metadata.statusCode, 200);
        assertValid('metadata_model_response', metadata.json());
      }

      for (const body of [
        request(zeros),
        request(nested),
        { inputs: [{ name: 'input', shape: [2, 1, 28, 28], datatype: 'UINT8', data: [...zeros, ...zeros] }] },
      ]) {
        const inferred = await app.inject({ method: 'POST', url: '/v2/models/mnist/infer', payload: body });
        assert.equal(inferred.statusCode, 200, inferred.body);
        assertValid('inference_response', inferred.json());
      }
      const classified = await app.inject({
        method: 'POST',
        url: '/v2/models/mnist/versions/1/infer',
        payload: { inputs: request(zeros).inputs, outputs: [{ name: 'log_probs', parameters: { classification: 3 } }] },
      });
      assert.equal(classified.statusCode, 200, classified.body);
      assertValid('inference_response', classified.json());

      const unknownModel = await app.inject({ url: '/v2/models/fashion' });
      assert.equal(unknownModel.statusCode, 404);
      assertValid('metadata_model_error_response', unknownModel.json());
      const unknownServerPath = await app.inject({ url: '/v2/nothing' });
      assertValid('metadata_server_error_response', unknownServerPath.json());
      for (const payload of [
        { inputs: [{ name: 'input', shape: [1, 784], datatype: 'FP32', data: zeros }] },
        { inputs: 'none' },
      ]) {
        const refused = await app.inject({ method: 'POST', url: '/v2/models/mnist/infer', payload });
        assert.equal(refused.statusCode, 400);
        assertValid('inference_error_response', refused.json());
      }
      const tooLarge = await app.inject({
        method: 'POST',
        url: '/v2/models/mnist/infer',
        payload: request(Array(65 * 784).fill(0), 65),
      });
      assert.equal(tooLarge.statusCode, 413);
      assertValid('inference_error_response', tooLarge.json());
    } finally {
      await close();
    }
  },
);
