import type { FastifyInstance } from 'fastify';

// SIGHUP re-reads the model repository without a restart, as daemons reload their
// configuration: every model is loaded and warmed up anew, then swapped in at once; a file
// that fails its checks leaves the old models serving, and the log line names it.

/** How a reload ended. */
export type ReloadOutcome = 'reloaded' | 'failed';

/**
 * What SIGHUP runs: {@link ModelRegistry.reload}, logged. Never throws: a signal handler has
 * no caller to report to, so a failure is an error log line naming the file.
 *
 * @example
 * ```ts
 * await reloadOnSignal(app, 'SIGHUP'); // 'reloaded', or 'failed' with the old models still served
 * ```
 */
export async function reloadOnSignal(app: FastifyInstance, signal: NodeJS.Signals = 'SIGHUP'): Promise<ReloadOutcome> {
  app.log.info({ signal }, `${signal}: reloading the model repository ${app.config.modelRepository}`);
  try {
    const models = await app.models.reload();
    app.log.info(
      { signal, models: models.map((m) => ({ name: m.name, version: m.version, sha256: m.sha256 })) },
      `${signal}: serving ${models.map((m) => `${m.name} version ${m.version}`).join(', ') || 'no model'}`,
    );
    return 'reloaded';
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    app.log.error({ signal, code, err: error }, `${signal}: reload failed, the previous models keep serving: ${message}`);
    return 'failed';
  }
}

/**
 * Reloads the models on every `signal` (reloads queue up: one runs at a time). Returns the
 * function that removes the listener.
 */
export function handleReloadSignal(app: FastifyInstance, signal: NodeJS.Signals = 'SIGHUP'): () => void {
  const onSignal = (): void => void reloadOnSignal(app, signal);
  process.on(signal, onSignal);
  return () => {
    process.off(signal, onSignal);
  };
}
