import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CONFIG_DEFAULTS, formatSettingsHelp, loadConfig, SETTINGS } from './config.js';

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
  const env = {
    PORT: '8080',
    HOST: '0.0.0.0',
    ONNXPIPE_DEVICE: 'cpu',
    ONNXPIPE_MAX_BATCH_SIZE: '16',
    ONNXPIPE_CORS_ORIGINS: 'https://a.example, http://localhost:5173',
  };
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
    [
      { env: { ONNXPIPE_DEVICE: 'gpu2' } },
      /'device' \(ONNXPIPE_DEVICE\).*one of auto, cpu, cuda, webgpu; received "gpu2"/,
    ],
    [{ env: { PORT: '70000' } }, /'port' \(PORT\) must be an integer from 0 to 65535; received "70000"/],
    [{ env: { PORT: '3000abc' } }, /'port'/],
    [{ env: {}, argv: ['--max-batch-size', '0'] }, /'maxBatchSize' \(--max-batch-size\)/],
    [{ env: {}, argv: ['--portt', '1'] }, /portt.*valid flags: --port/],
    [{ env: { ONNXPIPE_CORS_ORIGINS: 'example.com' } }, /'corsOrigins'/],
    [{ env: { ONNXPIPE_LOG_LEVEL: 'loud' } }, /'logLevel'.*fatal, error, warn, info/],
    [
      { env: {}, overrides: { maxItemsPerRequest: 10, maxQueueLength: 5 } },
      /'maxItemsPerRequest' \(10\) must not exceed 'maxQueueLength' \(5\)/,
    ],
    [{ env: {}, overrides: { nonsense: 1 } as never }, /unknown setting "nonsense"/],
  ];
  for (const [sources, message] of cases) {
    assert.throws(
      () => loadConfig(sources),
      (error: { code?: string; message: string }) => {
        assert.equal(error.code, 'ONNXPIPE_SERVER_INVALID_CONFIG');
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

test('the package README lists every setting with its flag, environment variable and default', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const spec of SETTINGS) {
    const name = spec.flag ?? spec.env;
    const row = readme.split('\n').find((line) => line.startsWith(`| ${spec.key} |`));
    assert.ok(row, `README has no row for ${spec.key}`);
    assert.ok(row.includes(`\`${name}\``), `README row of ${spec.key} lacks ${name}`);
    assert.ok(row.includes(`\`${spec.env}\``), `README row of ${spec.key} lacks ${spec.env}`);
    const def = Array.isArray(spec.default) || spec.default === undefined ? '(none)' : String(spec.default);
    assert.ok(row.includes(`\`${def}\``), `README row of ${spec.key} lacks its default ${def}`);
  }
});

test("webRoot: the default is the checkout's browser build wherever the server runs; other paths are relative to the working directory; none: no pages", () => {
  const checkout = fileURLToPath(new URL('../../../', import.meta.url));
  assert.equal(loadConfig({ env: {}, cwd: '/srv/app' }).webRoot, join(checkout, 'packages/web/dist/browser'));
  assert.equal(loadConfig({ env: { ONNXPIPE_WEB_ROOT: 'public' }, cwd: '/srv/app' }).webRoot, '/srv/app/public');
  assert.equal(loadConfig({ env: {}, argv: ['--web-root', '/var/www'] }).webRoot, '/var/www');
  assert.equal(loadConfig({ env: { ONNXPIPE_WEB_ROOT: 'none' } }).webRoot, undefined);
  assert.equal(
    loadConfig({ env: { ONNXPIPE_WEB_ROOT: '/var/www' }, argv: ['--web-root=none'] }).webRoot,
    undefined,
    'flags win',
  );
});

const TOKEN = 'f'.repeat(24) + '0123456789abcdef';

test('model control: off by default; explicit needs a bearer token from the environment or a file; the token is validated and never printed', () => {
  const defaults = loadConfig({ env: {} });
  assert.equal(defaults.modelControlMode, 'none');
  assert.equal(defaults.repositoryPollSecs, 15);
  assert.equal(defaults.modelControlToken, undefined);

  const explicit = loadConfig({
    env: { ONNXPIPE_MODEL_CONTROL_MODE: 'explicit', ONNXPIPE_MODEL_CONTROL_TOKEN: TOKEN },
  });
  assert.equal(explicit.modelControlMode, 'explicit');
  assert.ok(explicit.modelControlToken?.matches(TOKEN));
  assert.ok(!explicit.modelControlToken!.matches(TOKEN.slice(1)));
  for (const printed of [
    JSON.stringify(explicit),
    inspect(explicit, { depth: 5 }),
    String(explicit.modelControlToken),
    formatSettingsHelp(),
  ]) {
    assert.ok(!printed.includes(TOKEN), printed);
  }
  assert.match(JSON.stringify(explicit), /"modelControlToken":"\[redacted\]"/);
  assert.equal(
    loadConfig({
      env: { ONNXPIPE_MODEL_CONTROL_MODE: 'none' },
      argv: ['--model-control-mode', 'poll', '--repository-poll-secs', '2'],
    }).repositoryPollSecs,
    2,
  );

  const dir = mkdtempSync(join(tmpdir(), 'onnxpipe-token-'));
  try {
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const fromFile = loadConfig({
      env: { ONNXPIPE_MODEL_CONTROL_MODE: 'explicit', ONNXPIPE_MODEL_CONTROL_TOKEN_FILE: 'token' },
      cwd: dir,
    });
    assert.equal(fromFile.modelControlTokenFile, join(dir, 'token'));
    assert.ok(fromFile.modelControlToken?.matches(TOKEN), 'the trailing newline is not part of the token');
    const fromFlag = loadConfig({
      env: { ONNXPIPE_MODEL_CONTROL_TOKEN_FILE: '/nonexistent' },
      argv: ['--model-control-token-file', join(dir, 'token')],
    });
    assert.ok(fromFlag.modelControlToken?.matches(TOKEN), 'the flag wins over the environment');

    writeFileSync(join(dir, 'empty'), '\n');
    const empty = loadConfig({ env: { ONNXPIPE_MODEL_CONTROL_TOKEN_FILE: join(dir, 'empty') } });
    assert.equal(empty.modelControlToken, undefined, 'an empty file is no token, as an empty variable is');
    writeFileSync(join(dir, 'short'), 'abc123\n');
    const cases: [Parameters<typeof loadConfig>[0], RegExp][] = [
      [
        { env: { ONNXPIPE_MODEL_CONTROL_MODE: 'auto' } },
        /'modelControlMode' \(ONNXPIPE_MODEL_CONTROL_MODE\) must be one of none, explicit, poll; received "auto"/,
      ],
      [
        { env: { ONNXPIPE_MODEL_CONTROL_MODE: 'explicit' } },
        /'modelControlMode' explicit .* needs a bearer token: set ONNXPIPE_MODEL_CONTROL_TOKEN, or --model-control-token-file/,
      ],
      [
        { env: { ONNXPIPE_MODEL_CONTROL_TOKEN: 'short-secret' } },
        /'modelControlToken' \(ONNXPIPE_MODEL_CONTROL_TOKEN\) must be a bearer token of at least 32 characters .*; received 12$/,
      ],
      [
        { env: { ONNXPIPE_MODEL_CONTROL_TOKEN: `${TOKEN} ${TOKEN}` } },
        /'modelControlToken' .* received 81 characters that include others/,
      ],
      [
        { env: {}, argv: ['--model-control-token-file', join(dir, 'short')] },
        /'modelControlToken' \(.*short\) must be a bearer token of at least 32 characters/,
      ],
      [
        { env: {}, argv: ['--model-control-token-file', join(dir, 'missing')] },
        /'modelControlTokenFile' .*missing cannot be read: ENOENT/,
      ],
      [
        { env: { ONNXPIPE_MODEL_CONTROL_TOKEN: TOKEN, ONNXPIPE_MODEL_CONTROL_TOKEN_FILE: join(dir, 'token') } },
        /are both set; set one/,
      ],
      [
        { env: { ONNXPIPE_MODEL_CONTROL_MODE: 'explicit', ONNXPIPE_MODEL_CONTROL_TOKEN_FILE: join(dir, 'empty') } },
        /needs a bearer token: .*; the token file .*empty is empty$/,
      ],
      [{ env: {}, argv: ['--model-control-token', TOKEN] }, /Unknown option '--model-control-token'/],
      [
        { env: { ONNXPIPE_REPOSITORY_POLL_SECS: '0' } },
        /'repositoryPollSecs' \(ONNXPIPE_REPOSITORY_POLL_SECS\) must be an integer from 1 to 86400; received "0"/,
      ],
    ];
    for (const [sources, message] of cases) {
      assert.throws(
        () => loadConfig(sources),
        (error: { code?: string; message: string }) => {
          assert.equal(error.code, 'ONNXPIPE_SERVER_INVALID_CONFIG');
          assert.match(error.message, message);
          assert.ok(
            !error.message.includes(TOKEN) &&
              !error.message.includes('short-secret') &&
              !error.message.includes('abc123'),
            `no secret in ${error.message}`,
          );
          return true;
        },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
