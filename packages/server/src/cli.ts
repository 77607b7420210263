#!/usr/bin/env node
// `npm start [-- flags]`: serves the model repository. Settings come from flags, then the
// environment, then defaults (see --help and the package README).
import { buildApp } from './app.js';
import { formatSettingsHelp, loadConfig, type ServerConfig } from './config.js';
import { handleReloadSignal } from './reload.js';
import { handleShutdownSignals } from './shutdown.js';

const USAGE = `Usage: npm start -- [flags]

Serves the ONNX models of a model repository over HTTP: POST /predict (images), the Open
Inference Protocol (KServe v2) under /v2 (metadata, readiness, tensor inference, repository
load/unload with --model-control-mode explicit and a bearer token), GET /metrics (Prometheus),
GET /docs (OpenAPI). The served models change only at start-up unless --model-control-mode is
explicit or poll (then SIGHUP reloads the repository too); SIGTERM drains and exits. Every flag
has an environment variable; flags win. The model control token has no flag: set
ONNXPIPE_MODEL_CONTROL_TOKEN or --model-control-token-file.

Flags (flag, environment variable, default):
${formatSettingsHelp()}
`;

function fail(error: unknown, exitCode: number): never {
  const coded = error as { code?: string; message?: string };
  process.stderr.write(`onnxpipe-server: ${coded.code ? `${coded.code}: ` : ''}${coded.message ?? String(error)}\n`);
  process.exit(exitCode);
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}

let config: ServerConfig;
try {
  config = loadConfig({ argv });
} catch (error) {
  fail(error, 2);
}

try {
  const app = await buildApp({ config });
  handleShutdownSignals(app, { timeoutMs: config.shutdownTimeoutMs });
  handleReloadSignal(app);
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  fail(error, 1);
}
