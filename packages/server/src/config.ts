import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeValue, formatChoices, MAX_IMAGE_PIXELS } from '@onnxpipe/core';
import { BearerToken, bearerTokenProblem, MIN_TOKEN_LENGTH } from './bearer-token.js';
import { BATCH_SCHEDULING, type BatchScheduling } from './engine/dynamic-batcher.js';
import { ONNXPIPE_SERVER_INVALID_CONFIG } from './errors.js';

// The one place the server reads its environment. Every limit is a named setting with a flag,
// an environment variable and a documented default (packages/server/README.md lists them; a
// test keeps that list and this table in step). Flags override the environment, which overrides
// the defaults; the result is validated as a whole and frozen.

/** Where inference runs. `auto` tries CUDA and falls back to the CPU. */
export const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type Device = (typeof DEVICES)[number];

/** pino's levels, quietest last. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Which versions of each model to load: the highest-numbered one, or every one. */
export const MODEL_VERSION_POLICIES = ['latest', 'all'] as const;
export type ModelVersionPolicy = (typeof MODEL_VERSION_POLICIES)[number];

/**
 * Who may change the served models after start-up, as Triton's `--model-control-mode`: `none`,
 * nobody (the repository API's load and unload are refused, SIGHUP is ignored); `explicit`,
 * clients of the repository API that send the bearer token, and SIGHUP; `poll`, the server
 * itself, re-reading the repository every `repositoryPollSecs` (and on SIGHUP).
 */
export const MODEL_CONTROL_MODES = ['none', 'explicit', 'poll'] as const;
export type ModelControlMode = (typeof MODEL_CONTROL_MODES)[number];

/** The server's settings, validated and frozen by {@link loadConfig}. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** Absolute path of the model repository. */
  readonly modelRepository: string;
  readonly modelVersions: ModelVersionPolicy;
  readonly defaultModel: string;
  readonly modelControlMode: ModelControlMode;
  readonly repositoryPollSecs: number;
  /** The token `explicit` model control requires; only a digest is kept (see {@link BearerToken}). */
  readonly modelControlToken: BearerToken | undefined;
  /** Absolute path of the file the token was read from, if it came from one. */
  readonly modelControlTokenFile: string | undefined;
  readonly device: Device;
  readonly maxBodyBytes: number;
  readonly maxImagePixels: number;
  readonly maxItemsPerRequest: number;
  readonly maxBatchSize: number;
  readonly maxQueueDelayMs: number;
  readonly batchScheduling: BatchScheduling;
  readonly maxQueueLength: number;
  readonly requestTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** onnxruntime intra-op threads per session; 0: onnxruntime's default (one per core). */
  readonly intraOpThreads: number;
  /** Run each model version's session on its own worker thread, off the event loop. */
  readonly inferenceWorker: boolean;
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  /** Absolute path of the directory served at `/` (the demo page and the browser SDK); `undefined`: none. */
  readonly webRoot: string | undefined;
}

type Value = ServerConfig[keyof ServerConfig];

/** One row of {@link SETTINGS}: how a setting is named, parsed, bounded and documented. */
export interface SettingSpec {
  readonly key: keyof ServerConfig;
  /**
   * Command-line flag, e.g. `--max-batch-size`; none for secrets (a command line is visible to
   * every user of the machine).
   */
  readonly flag?: string;
  /** Environment variable, e.g. `ONNXPIPE_MAX_BATCH_SIZE`. */
  readonly env: string;
  readonly type: 'integer' | 'boolean' | 'string' | 'choice' | 'list' | 'path' | 'secret';
  readonly default: Value;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  readonly description: string;
}

const MiB = 1024 * 1024;

/** `webRoot`'s default, as documented: the browser build in this checkout (`npm run build:web`). */
export const WEB_ROOT_DEFAULT = 'packages/web/dist/browser';
/** The `webRoot` value that serves no pages. */
export const WEB_ROOT_NONE = 'none';
// The default is found from this file, not the working directory: `npm start` runs from the
// checkout's root, a test or `node packages/server/dist/cli.js` from anywhere (src/ and dist/
// are both one level below the package).
const checkoutRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Every setting, in the order `--help` and the README list them. */
export const SETTINGS: readonly SettingSpec[] = Object.freeze([
  {
    key: 'port',
    flag: '--port',
    env: 'PORT',
    type: 'integer',
    default: 3000,
    min: 0,
    max: 65_535,
    description: 'TCP port to listen on (0 picks a free one).',
  },
  {
    key: 'host',
    flag: '--host',
    env: 'HOST',
    type: 'string',
    default: '127.0.0.1',
    description: 'Address to listen on; 0.0.0.0 or :: to accept connections from other machines.',
  },
  {
    key: 'modelRepository',
    flag: '--model-repository',
    env: 'ONNXPIPE_MODEL_REPOSITORY',
    type: 'path',
    default: 'models',
    description: 'Model repository: <name>/<version>/model.onnx (relative to the working directory).',
  },
  {
    key: 'modelVersions',
    flag: '--model-versions',
    env: 'ONNXPIPE_MODEL_VERSIONS',
    type: 'choice',
    choices: MODEL_VERSION_POLICIES,
    default: 'all',
    description: 'Load every version of each model (requests without a version get the highest), or only the highest.',
  },
  {
    key: 'defaultModel',
    flag: '--default-model',
    env: 'ONNXPIPE_DEFAULT_MODEL',
    type: 'string',
    default: 'mnist',
    description: 'Model that POST /predict uses when the request names none.',
  },
  {
    key: 'modelControlMode',
    flag: '--model-control-mode',
    env: 'ONNXPIPE_MODEL_CONTROL_MODE',
    type: 'choice',
    choices: MODEL_CONTROL_MODES,
    default: 'none',
    description:
      "Who may change the served models after start-up (Triton's --model-control-mode): none, nobody (load/unload answer 403, SIGHUP is ignored); explicit, POST /v2/repository/models/<name>/load|unload with the bearer token, and SIGHUP; poll, the server re-reads the repository every repositoryPollSecs.",
  },
  {
    key: 'repositoryPollSecs',
    flag: '--repository-poll-secs',
    env: 'ONNXPIPE_REPOSITORY_POLL_SECS',
    type: 'integer',
    default: 15,
    min: 1,
    max: 86_400,
    description: "With modelControlMode poll: seconds between two looks at the repository (Triton's default).",
  },
  {
    key: 'modelControlToken',
    env: 'ONNXPIPE_MODEL_CONTROL_TOKEN',
    type: 'secret',
    default: undefined,
    description: `Bearer token that load and unload require with modelControlMode explicit (at least ${MIN_TOKEN_LENGTH} characters: openssl rand -hex 32); environment only, never logged.`,
  },
  {
    key: 'modelControlTokenFile',
    flag: '--model-control-token-file',
    env: 'ONNXPIPE_MODEL_CONTROL_TOKEN_FILE',
    type: 'path',
    default: undefined,
    description:
      'File holding the bearer token instead (a mounted secret); relative to the working directory; read at start-up.',
  },
  {
    key: 'device',
    flag: '--device',
    env: 'ONNXPIPE_DEVICE',
    type: 'choice',
    choices: DEVICES,
    default: 'auto',
    description:
      'Execution provider: auto tries CUDA then falls back to the CPU; cuda and webgpu fail at start-up when unavailable.',
  },
  {
    key: 'maxBodyBytes',
    flag: '--max-body-bytes',
    env: 'ONNXPIPE_MAX_BODY_BYTES',
    type: 'integer',
    default: 4 * MiB,
    min: 1024,
    max: 1024 * MiB,
    description: 'Largest request body (for multipart: all files together); larger gives 413.',
  },
  {
    key: 'maxImagePixels',
    flag: '--max-image-pixels',
    env: 'ONNXPIPE_MAX_IMAGE_PIXELS',
    type: 'integer',
    default: 4_000_000,
    min: 1,
    max: MAX_IMAGE_PIXELS,
    description: 'Largest width × height of an image, checked before decoding (decompression bombs); larger gives 413.',
  },
  {
    key: 'maxItemsPerRequest',
    flag: '--max-items-per-request',
    env: 'ONNXPIPE_MAX_ITEMS_PER_REQUEST',
    type: 'integer',
    default: 64,
    min: 1,
    max: 4096,
    description: 'Most images (or pixel arrays) in one request; more gives 413.',
  },
  {
    key: 'maxBatchSize',
    flag: '--max-batch-size',
    env: 'ONNXPIPE_MAX_BATCH_SIZE',
    type: 'integer',
    default: 64,
    min: 1,
    max: 4096,
    description: 'Most items the dynamic batcher puts into one session.run.',
  },
  {
    key: 'maxQueueDelayMs',
    flag: '--max-queue-delay-ms',
    env: 'ONNXPIPE_MAX_QUEUE_DELAY_MS',
    type: 'integer',
    default: 2,
    min: 0,
    max: 10_000,
    description:
      'Longest an item waits for others to share its batch while the engine is idle (adaptive scheduling waits one event-loop turn at most).',
  },
  {
    key: 'batchScheduling',
    flag: '--batch-scheduling',
    env: 'ONNXPIPE_BATCH_SCHEDULING',
    type: 'choice',
    choices: BATCH_SCHEDULING,
    default: 'adaptive',
    description:
      'adaptive: an idle engine runs what is queued at the end of the event-loop turn, and items gather while a batch runs; delay: a batch waits until full or maxQueueDelayMs (Triton).',
  },
  {
    key: 'maxQueueLength',
    flag: '--max-queue-length',
    env: 'ONNXPIPE_MAX_QUEUE_LENGTH',
    type: 'integer',
    default: 1024,
    min: 1,
    max: 1_000_000,
    description: 'Most items waiting per model; a request that does not fit gets 503 with Retry-After.',
  },
  {
    key: 'requestTimeoutMs',
    flag: '--request-timeout-ms',
    env: 'ONNXPIPE_REQUEST_TIMEOUT_MS',
    type: 'integer',
    default: 10_000,
    min: 1,
    max: 600_000,
    description:
      'Longest a request may take, receiving its body and waiting for inference; past it, 503 (or 408 from Node while the body is still arriving).',
  },
  {
    key: 'shutdownTimeoutMs',
    flag: '--shutdown-timeout-ms',
    env: 'ONNXPIPE_SHUTDOWN_TIMEOUT_MS',
    type: 'integer',
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'On SIGTERM/SIGINT, how long in-flight requests may take to finish before the process exits anyway.',
  },
  {
    key: 'intraOpThreads',
    flag: '--intra-op-threads',
    env: 'ONNXPIPE_INTRA_OP_THREADS',
    type: 'integer',
    default: 1,
    min: 0,
    max: 1024,
    description:
      'onnxruntime intra-op threads per session; 0: one per core. 1 leaves the other cores to HTTP, decoding and the batch being gathered.',
  },
  {
    key: 'inferenceWorker',
    flag: '--inference-worker',
    env: 'ONNXPIPE_INFERENCE_WORKER',
    type: 'boolean',
    default: true,
    description:
      "Run each model version's onnxruntime session on a worker thread: session.run blocks the thread that calls it, so on the event loop it would stall HTTP, health checks and metrics for the length of every batch.",
  },
  {
    key: 'corsOrigins',
    flag: '--cors-origins',
    env: 'ONNXPIPE_CORS_ORIGINS',
    type: 'list',
    default: [],
    description:
      'Comma-separated origins allowed to call the API from browsers (* for any); empty: no CORS headers, same-origin pages only.',
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'ONNXPIPE_LOG_LEVEL',
    type: 'choice',
    choices: LOG_LEVELS,
    default: 'info',
    description: 'pino log level.',
  },
  {
    key: 'webRoot',
    flag: '--web-root',
    env: 'ONNXPIPE_WEB_ROOT',
    type: 'path',
    default: WEB_ROOT_DEFAULT,
    description: `Directory served at / (the demo page, the browser SDK, onnxruntime-web's files; npm run build:web writes it); the default is relative to the checkout, other relative paths to the working directory; ${WEB_ROOT_NONE}: serve no pages.`,
  },
] satisfies SettingSpec[]);

/** The default of every setting, frozen. */
export const CONFIG_DEFAULTS: Readonly<Record<keyof ServerConfig, Value>> = Object.freeze(
  Object.fromEntries(SETTINGS.map((s) => [s.key, s.default])) as Record<keyof ServerConfig, Value>,
);

/** Where {@link loadConfig} reads from. */
export interface ConfigSources {
  /** Command-line arguments without `node` and the script. @defaultValue `[]` */
  readonly argv?: readonly string[];
  /** Environment variables. @defaultValue `process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Programmatic values (tests, embedding); they win over flags and environment. */
  readonly overrides?: Partial<ServerConfig>;
  /** Base of a relative `modelRepository`. @defaultValue `process.cwd()` */
  readonly cwd?: string;
}

function fail(message: string): never {
  throw new ONNXPIPE_SERVER_INVALID_CONFIG(message);
}

const ORIGIN = /^https?:\/\/[^/\s]+$/;

/** Parses and checks one setting; `from` says where the value came from, for the message. */
function parseSetting(spec: SettingSpec, raw: unknown, from: string): Value {
  const name = `'${spec.key}' (${from})`;
  switch (spec.type) {
    case 'integer': {
      const value = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < spec.min! || value > spec.max!) {
        fail(`${name} must be an integer from ${spec.min} to ${spec.max}; received ${describeValue(raw)}`);
      }
      return value;
    }
    case 'boolean': {
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      return fail(`${name} must be one of true, false; received ${describeValue(raw)}`);
    }
    case 'choice': {
      if (!spec.choices!.includes(raw as string)) {
        fail(`${name} must be one of ${formatChoices(spec.choices!)}; received ${describeValue(raw)}`);
      }
      return raw as string;
    }
    case 'string':
    case 'path': {
      if (typeof raw !== 'string' || raw.trim() === '')
        fail(`${name} must be a non-empty string; received ${describeValue(raw)}`);
      return raw.trim();
    }
    case 'secret': {
      if (raw instanceof BearerToken) return raw;
      if (typeof raw !== 'string') fail(`${name} must be a string; received ${typeof raw}`);
      const problem = bearerTokenProblem(raw.trim());
      if (problem !== undefined) fail(`${name} ${problem}`);
      return new BearerToken(raw.trim());
    }
    case 'list': {
      const items =
        typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '')
          : raw;
      if (!Array.isArray(items) || !items.every((o) => o === '*' || (typeof o === 'string' && ORIGIN.test(o)))) {
        fail(
          `${name} must be a comma-separated list of origins like https://example.com, or *; received ${describeValue(raw)}`,
        );
      }
      return Object.freeze(items.slice());
    }
  }
}

function parseFlags(argv: readonly string[]): Record<string, string> {
  const options = Object.fromEntries(
    SETTINGS.filter((s) => s.flag !== undefined).map((s) => [s.flag!.slice(2), { type: 'string' as const }]),
  );
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return values as Record<string, string>;
  } catch (error) {
    throw new ONNXPIPE_SERVER_INVALID_CONFIG(
      `${(error as Error).message}; valid flags: ${formatChoices(SETTINGS.flatMap((s) => (s.flag === undefined ? [] : [s.flag])))}, --help`,
      { cause: error },
    );
  }
}

/**
 * Reads the settings from flags, environment and defaults (in that order of precedence),
 * validates each and their combination, and returns them frozen.
 *
 * @throws `ONNXPIPE_SERVER_INVALID_CONFIG` naming the setting, where its value came from, what
 * was expected and what was received
 *
 * @example
 * ```ts
 * const config = loadConfig({ argv: process.argv.slice(2) }); // PORT=8080 → config.port === 8080
 * const test = loadConfig({ env: {}, overrides: { modelRepository: dir, logLevel: 'silent' } });
 * ```
 */
export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const env = sources.env ?? process.env;
  const flags = parseFlags(sources.argv ?? []);
  const overrides: Partial<Record<keyof ServerConfig, unknown>> = sources.overrides ?? {};
  const config: Record<string, Value> = {};
  for (const spec of SETTINGS) {
    const flag = spec.flag === undefined ? undefined : flags[spec.flag.slice(2)];
    const fromEnv = env[spec.env];
    if (overrides[spec.key] !== undefined) config[spec.key] = parseSetting(spec, overrides[spec.key], 'override');
    else if (flag !== undefined) config[spec.key] = parseSetting(spec, flag, spec.flag!);
    else if (fromEnv !== undefined && fromEnv !== '') config[spec.key] = parseSetting(spec, fromEnv, spec.env);
    else config[spec.key] = Array.isArray(spec.default) ? Object.freeze([...spec.default]) : spec.default;
  }
  for (const key of Object.keys(overrides)) {
    if (!SETTINGS.some((s) => s.key === key)) {
      fail(`unknown setting ${describeValue(key)}; valid settings: ${formatChoices(SETTINGS.map((s) => s.key))}`);
    }
  }
  config.modelRepository = resolve(sources.cwd ?? process.cwd(), config.modelRepository as string);
  const webRootIsDefault = overrides.webRoot === undefined && flags['web-root'] === undefined && !env.ONNXPIPE_WEB_ROOT;
  config.webRoot = resolveWebRoot(
    config.webRoot as string,
    webRootIsDefault ? checkoutRoot : (sources.cwd ?? process.cwd()),
  );
  readTokenFile(config, sources.cwd ?? process.cwd());
  const result = config as unknown as ServerConfig;
  if (result.modelControlMode === 'explicit' && result.modelControlToken === undefined) {
    const empty =
      result.modelControlTokenFile === undefined ? '' : `; the token file ${result.modelControlTokenFile} is empty`;
    fail(
      `'modelControlMode' explicit lets HTTP clients load and unload models, so it needs a bearer token: set ONNXPIPE_MODEL_CONTROL_TOKEN, or --model-control-token-file (ONNXPIPE_MODEL_CONTROL_TOKEN_FILE) to a file holding it${empty}`,
    );
  }
  if (result.maxItemsPerRequest > result.maxQueueLength) {
    fail(
      `'maxItemsPerRequest' (${result.maxItemsPerRequest}) must not exceed 'maxQueueLength' (${result.maxQueueLength}): such a request could never be queued`,
    );
  }
  return Object.freeze(result);
}

/** Reads `modelControlTokenFile` into `modelControlToken`; both set is ambiguous. */
function readTokenFile(config: Record<string, Value>, cwd: string): void {
  if (config.modelControlTokenFile === undefined) return;
  const path = resolve(cwd, config.modelControlTokenFile as string);
  config.modelControlTokenFile = path;
  if (config.modelControlToken !== undefined) {
    fail("'modelControlToken' (ONNXPIPE_MODEL_CONTROL_TOKEN) and 'modelControlTokenFile' are both set; set one");
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ONNXPIPE_SERVER_INVALID_CONFIG(
      `'modelControlTokenFile' ${path} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  // Empty counts as unset, as an empty environment variable does: a Compose secret from an
  // unset variable, an optional Secret without the key.
  if (text.trim() === '') return;
  const spec = SETTINGS.find((s) => s.key === 'modelControlToken')!;
  config.modelControlToken = parseSetting(spec, text.trim(), path);
}

function resolveWebRoot(value: string, base: string): string | undefined {
  return value === WEB_ROOT_NONE ? undefined : resolve(base, value);
}

/** `--help` text: every flag with its environment variable, default and meaning. */
export function formatSettingsHelp(): string {
  const lines = SETTINGS.map((s) => {
    const def = Array.isArray(s.default)
      ? s.default.length
        ? s.default.join(',')
        : '(none)'
      : String(s.default ?? '(none)');
    const choices = s.choices ? ` (${formatChoices(s.choices)})` : '';
    return `  ${(s.flag ?? '(no flag)').padEnd(26)} ${s.env.padEnd(34)} default ${def}${choices}\n      ${s.description}`;
  });
  return lines.join('\n');
}
