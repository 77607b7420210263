// Child-process helper for tests that need a fresh process (native libraries found through
// LD_LIBRARY_PATH, which is read when the process starts): builds the app over a repository
// with a device, sends one JSON request, prints `{ executionProvider, statusCode, body }` or
// `{ error: { code, message } }` as one JSON line, and exits.
// Usage: node --conditions=source --import tsx predict-once.ts <repository> <device> <json-body>
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';

const [repository, device, payload] = process.argv.slice(2);
try {
  const config = loadConfig({
    env: {},
    overrides: { modelRepository: repository, device: device as 'auto', logLevel: 'silent' },
  });
  const app = await buildApp({ config });
  const response = await app.inject({ method: 'POST', url: '/predict?preprocess=none', payload: JSON.parse(payload) });
  process.stdout.write(
    `${JSON.stringify({ executionProvider: app.models.executionProvider, statusCode: response.statusCode, body: response.json() })}\n`,
  );
  await app.close();
} catch (error) {
  const { code, message } = error as { code?: string; message: string };
  process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
}
