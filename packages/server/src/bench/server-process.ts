import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

// The server under test runs in a child process of its own, started exactly as `npm start`
// starts it, so that the load generator (autocannon, in the bench process) and the server do
// not share an event loop. Everything listens on loopback only.

/** How {@link startServerProcess} starts the server. */
export interface ServerProcessOptions {
  /** Repository root: the working directory of `npm start`. */
  readonly root: string;
  /** Server flags (`--model-repository`, `--max-batch-size`, ...); host and port are added. */
  readonly flags: readonly string[];
  /** Longest wait for `/v2/health/ready` to answer 200. @defaultValue 120000 */
  readonly readyTimeoutMs?: number;
}

/** A running server child process. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  /** The process's peak resident memory so far (Linux `VmHWM`); undefined elsewhere. */
  peakRssMiB(): number | undefined;
  /** CPU seconds the process has used so far, all threads, user + system (Linux); undefined elsewhere. */
  cpuSeconds(): number | undefined;
  /** Sends SIGTERM, waits for the drain (SIGKILL after `timeoutMs`); resolves the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

const HOST = '127.0.0.1';
const STDERR_TAIL_BYTES = 4096;

/** A port that is free on loopback right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, HOST);
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read the probe socket address');
  return address.port;
}

function peakRssMiB(pid: number): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/<pid>/stat: USER_HZ, 100 on every Linux build Node runs on. */
const USER_HZ = 100;

function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name (which may hold spaces): utime is the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** The environment without the server's own settings, so that defaults are the real defaults. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('ONNXPIPE_') && key !== 'PORT' && key !== 'HOST'),
  );
}

/**
 * Starts `node --conditions=source --import tsx packages/server/src/cli.ts` (what `npm start`
 * runs, without npm in between) on a free loopback port and waits until it is ready. Its JSON
 * log lines go to /dev/null (the cost of writing them stays in the measurement); the tail of
 * its stderr is kept for the error message if it fails to start.
 *
 * @throws when the process exits before it is ready, or is not ready within `readyTimeoutMs`
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const cli = join(options.root, 'packages', 'server', 'src', 'cli.ts');
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', cli, ...options.flags, '--host', HOST, '--port', String(port)],
    { cwd: options.root, env: cleanEnvironment(), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    // 'close', not 'exit': by then stderr has been read to the end.
    child.once('close', (code, signal) => {
      exitCode = code ?? (signal === null ? null : 128);
      resolve(exitCode);
    });
  });
  // A bench that dies must not leave a server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (timeoutMs = 15_000): Promise<number | null> => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', killOnExit);
    return exitCode ?? null;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (exitCode === undefined) {
    if (Date.now() > deadline) {
      await stop(2_000);
      throw new Error(
        `the server at ${url} was not ready within ${options.readyTimeoutMs ?? 120_000} ms; stderr:\n${stderr}`,
      );
    }
    const ready = await fetch(`${url}/v2/health/ready`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready)
      return {
        url,
        pid: child.pid!,
        peakRssMiB: () => peakRssMiB(child.pid!),
        cpuSeconds: () => cpuSeconds(child.pid!),
        stop,
      };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`the server exited with code ${exitCode} before it was ready; stderr:\n${stderr.trim()}`);
}
