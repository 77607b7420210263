import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_DEFAULTS, loadConfig, SETTINGS } from './config.js';

test('defaults apply when neither flags nor environment say otherwise; the result is frozen', () => {
  const config = loadConfig({ env: {}, cwd: '/srv/app' });
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.device, 'auto');
  assert.equal(config.modelRepository, '/srv/app/models');
  assert.equal(config.maxBodyBytes, 4 * 1024 * 1024);
  assert.equal(config.maxImagePixels, 4_000_000);
  assert.deepEqual(config.corsOrigins, []);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.corsOrigins));
  assert.throws(() => {
    (config as { port: number }).port = 1;
  }, TypeError);
  // Paths are resolved (checked in their own tests); every other setting is its default.
  for (const spec of SETTINGS) if (spec.type !== 'path') assert.deepEqual(config[spec.key], CONFIG_DEFAULTS[spec.key]);
});

test('flags override the environment, which overrides the defaults', () => {
  const env = { PORT: '8080', HOST: '0.0.0.0', ONNXPIPE_DEVICE: 'cpu', ONNXPIPE_MAX_BATCH_SIZE: '16', ONNXPIPE_CORS_ORIGINS: 'https://a.example, http://localhost:5173' };
  const fromEnv = loadConfig({ env });
  assert.equal(fromEnv.port, 8080);
  assert.equal(fromEnv.host, '0.0.0.0');
  assert.equal(fromEnv.device, 'cpu');
  assert.equal(fromEnv.maxBatchSize, 16);
  assert.deepEqual(fromEnv.corsOrigins, ['https://a.example', 'http://localhost:5173']);
  const fromFlags = loadConfig({ env, argv: ['--port', '9000', '--device=cuda', '--model-repository', '/m'] });
  assert.equal(fromFlags.port, 9000);
  assert.equal(fromFlags.device, 'cuda');
  assert.equal(fromFlags.modelRepository, '/m');
  assert.equal(fromFlags.maxBatchSize, 16);
});

test('invalid values fail with ONNXPIPE_SERVER_INVALID_CONFIG naming the setting, its source and the valid values', () => {
  const cases: [Parameters<typeof loadConfig>[0], RegExp][] = [
    [{ env: { ONNXPIPE_DEVICE: 'gpu2' } }, /'device' \(ONNXPIPE_DEVICE\).*one of auto, cpu, cuda, webgpu; received "gpu2"/],
    [{ env: { PORT: '70000' } }, /'port' \(PORT\) must be an integer from 0 to 65535; received "70000"/],
    [{ env: { PORT: '3000abc' } }, /'port'/],
    [{ env: {}, argv: ['--max-batch-size', '0'] }, /'maxBatchSize' \(--max-batch-size\)/],
    [{ env: {}, argv: ['--portt', '1'] }, /portt.*valid flags: --port/],
    [{ env: { ONNXPIPE_CORS_ORIGINS: 'example.com' } }, /'corsOrigins'/],
    [{ env: { ONNXPIPE_LOG_LEVEL: 'loud' } }, /'logLevel'.*fatal, error, warn, info/],
    [{ env: {}, overrides: { maxItemsPerRequest: 10, maxQueueLength: 5 } }, /'maxItemsPerRequest' \(10\) must not exceed 'maxQueueLength' \(5\)/],
    [{ env: {}, overrides: { nonsense: 1 } as never }, /unknown setting "nonsense"/],
  ];
  for (const [sources, message] of cases) {
    assert.throws(() => loadConfig(sources), (error: { code?: string; message: string }) => {
      assert.equal(error.code, 'ONNXPIPE_SERVER_INVALID_CONFIG');
      assert.match(error.message, message);
      return true;
    });
  }
});

test('the package README lists every setting with its flag, environment variable and default', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const spec of SETTINGS) {
    const row = readme.split('\n').find((line) => line.includes(`\`${spec.flag}\``));
    assert.ok(row, `README has no row for ${spec.flag}`);
    assert.ok(row.includes(`\`${spec.env}\``), `README row of ${spec.flag} lacks ${spec.env}`);
    const def = Array.isArray(spec.default) ? '(none)' : String(spec.default);
    assert.ok(row.includes(`\`${def}\``), `README row of ${spec.flag} lacks its default ${def}`);
  }
});

test('webRoot: the default is the checkout\'s browser build wherever the server runs; other paths are relative to the working directory; none: no pages', () => {
  const checkout = fileURLToPath(new URL('../../../', import.meta.url));
  assert.equal(loadConfig({ env: {}, cwd: '/srv/app' }).webRoot, join(checkout, 'packages/web/dist/browser'));
  assert.equal(loadConfig({ env: { ONNXPIPE_WEB_ROOT: 'public' }, cwd: '/srv/app' }).webRoot, '/srv/app/public');
  assert.equal(loadConfig({ env: {}, argv: ['--web-root', '/var/www'] }).webRoot, '/var/www');
  assert.equal(loadConfig({ env: { ONNXPIPE_WEB_ROOT: 'none' } }).webRoot, undefined);
  assert.equal(loadConfig({ env: { ONNXPIPE_WEB_ROOT: '/var/www' }, argv: ['--web-root=none'] }).webRoot, undefined, 'flags win');
});
