import type { FastifyInstance } from 'fastify';

// Reloading the whole model repository without a restart, as daemons reload their
// configuration: every model is loaded and warmed up anew, then swapped in at once; a file that
// fails its checks leaves the old models serving, and the log line names it. Who may ask for
// it follows `modelControlMode`: SIGHUP does with explicit and poll, the repository poller
// does with poll, and with none (the default) nothing changes the models after start-up.

/** How a reload ended; `ignored`: model control is off. */
export type ReloadOutcome = 'reloaded' | 'failed' | 'ignored';

/**
 * Reloads the repository ({@link ModelRegistry.reload}) and logs the outcome under `trigger`
 * (`SIGHUP`, `poll`). Never throws: a signal handler or a timer has no caller to report to, so
 * a failure is an error log line naming the file. Does not look at `modelControlMode`.
 */
export async function reloadRepository(
  app: FastifyInstance,
  trigger: string,
): Promise<Exclude<ReloadOutcome, 'ignored'>> {
  app.log.info({ trigger }, `${trigger}: reloading the model repository ${app.config.modelRepository}`);
  try {
    const models = await app.models.reload();
    app.log.info(
      { trigger, models: models.map((m) => ({ name: m.name, version: m.version, sha256: m.sha256 })) },
      `${trigger}: serving ${models.map((m) => `${m.name} version ${m.version}`).join(', ') || 'no model'}`,
    );
    return 'reloaded';
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    app.log.error(
      { trigger, code, err: error },
      `${trigger}: reload failed, the previous models keep serving: ${message}`,
    );
    return 'failed';
  }
}

/**
 * What SIGHUP runs: with `modelControlMode` none, a warning and nothing else; with explicit, a
 * reload ({@link reloadRepository}); with poll, a look at the repository now that reloads even
 * if nothing seems changed. Never throws.
 *
 * @example
 * ```ts
 * await reloadOnSignal(app, 'SIGHUP'); // 'reloaded', 'failed' (the old models still served) or 'ignored'
 * ```
 */
export async function reloadOnSignal(app: FastifyInstance, signal: NodeJS.Signals = 'SIGHUP'): Promise<ReloadOutcome> {
  switch (app.config.modelControlMode) {
    case 'none':
      app.log.warn(
        { signal },
        `${signal} ignored: model control is off ('modelControlMode' none), so the served models change only at start-up; start the server with --model-control-mode explicit or poll to reload on ${signal}`,
      );
      return 'ignored';
    case 'poll': {
      const outcome = await app.repositoryPoller!.poll({ force: true, trigger: signal });
      // A forced look always reloads, or fails before it can.
      return outcome === 'failed' ? 'failed' : 'reloaded';
    }
    case 'explicit':
      return reloadRepository(app, signal);
  }
}

/**
 * Reloads the models on every `signal` (reloads queue up: one runs at a time), as
 * {@link reloadOnSignal} allows. Returns the function that removes the listener.
 */
export function handleReloadSignal(app: FastifyInstance, signal: NodeJS.Signals = 'SIGHUP'): () => void {
  const onSignal = (): void => void reloadOnSignal(app, signal);
  process.on(signal, onSignal);
  return () => {
    process.off(signal, onSignal);
  };
}
