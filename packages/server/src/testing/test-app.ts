import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig, type ServerConfig } from '../config.js';
import { buildTinyMnistModel, writeTestRepository, type RepositoryModel, type TestRepository } from './tiny-model.js';

/** A parsed pino line. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** An app built for one test, its log lines, and its cleanup. */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly logs: LogLine[];
  readonly repository: TestRepository;
  close(): Promise<void>;
}

let sharedBytes: Uint8Array | undefined;

/** The default fixture model's bytes (built once per process). */
export function tinyModelBytes(): Uint8Array {
  sharedBytes ??= buildTinyMnistModel().bytes;
  return sharedBytes;
}

/** A model control token for tests: {@link MODEL_CONTROL_ENV} sets it with `modelControlMode` explicit. */
export const TEST_MODEL_CONTROL_TOKEN = 'test-token-0123456789abcdef0123456789abcdef';

/** Environment that turns model control on (explicit) with {@link TEST_MODEL_CONTROL_TOKEN}. */
export const MODEL_CONTROL_ENV: Readonly<Record<string, string>> = Object.freeze({
  ONNXPIPE_MODEL_CONTROL_MODE: 'explicit',
  ONNXPIPE_MODEL_CONTROL_TOKEN: TEST_MODEL_CONTROL_TOKEN,
});

/** The Authorization header of {@link TEST_MODEL_CONTROL_TOKEN}. */
export const MODEL_CONTROL_AUTH: Readonly<Record<string, string>> = Object.freeze({
  authorization: `Bearer ${TEST_MODEL_CONTROL_TOKEN}`,
});

/**
 * A fresh app over a fresh temporary repository (by default: the tiny model as mnist version
 * 1), on the CPU, logging into `logs` instead of stdout. Settings go through loadConfig, so
 * they are validated like real ones.
 */
export async function createTestApp(
  options: {
    overrides?: Partial<ServerConfig>;
    /** Environment variables the settings are read from, e.g. {@link MODEL_CONTROL_ENV}. @defaultValue `{}` */
    env?: Readonly<Record<string, string>>;
    models?: readonly RepositoryModel[];
  } = {},
): Promise<TestApp> {
  const repository = await writeTestRepository(options.models ?? [{ bytes: tinyModelBytes() }]);
  const logs: LogLine[] = [];
  const logStream = { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) };
  const config = loadConfig({
    env: options.env ?? {},
    overrides: { device: 'cpu', logLevel: 'info', ...options.overrides, modelRepository: repository.dir },
  });
  let app: FastifyInstance;
  try {
    app = await buildApp({ config, logStream });
  } catch (error) {
    await repository.remove();
    throw error;
  }
  return {
    app,
    logs,
    repository,
    async close() {
      await app.close();
      await repository.remove();
    },
  };
}
