import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The onnxpipe server as `npm start` runs it (packages/server's CLI, in a child process: the web
// package never imports the server), on a free loopback port, serving a browser build and a model
// repository: the demo page and the API on one origin.

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface DemoServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts the server on `webRoot` (a browser build: `buildOnce().outdir`) and `modelRepository`
 * and waits until `/v2/health/ready` answers 200.
 *
 * @throws when the server exits first or is not ready within `readyTimeoutMs`; the message holds
 * the tail of its output
 */
export async function startDemoServer(options: {
  webRoot: string;
  modelRepository: string;
  readyTimeoutMs?: number;
}): Promise<DemoServer> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  const cli = join(repositoryRoot, 'packages', 'server', 'src', 'cli.ts');
  const flags = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--web-root',
    options.webRoot,
    '--model-repository',
    options.modelRepository,
    '--log-level',
    'warn',
  ];
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...flags], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4096));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = once(child, 'exit');
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (child.exitCode === null && child.signalCode === null) {
    const ready = await fetch(`${origin}/v2/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return { origin, stop };
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`the server (${cli}) was not ready at ${origin}; its output ended:\n${output.trim()}`);
}
