import type { FastifyInstance } from 'fastify';

// Graceful shutdown as orchestrators expect it: on SIGTERM stop accepting connections, let the
// requests in flight finish (fastify answers new requests on kept-alive connections with 503
// and closes idle ones), drain the batch queues, release the sessions, exit 0. A second signal,
// or the shutdown timeout, cuts the remaining connections and exits 1.

/** How {@link drain} ended. */
export type DrainOutcome = 'drained' | 'timed-out';

/**
 * Closes `app` and waits up to `timeoutMs` for in-flight requests; past that, destroys the
 * connections still open (their clients see a reset).
 *
 * @example
 * ```ts
 * const outcome = await drain(app, 10_000); // 'drained' when every request finished in time
 * ```
 */
export async function drain(app: FastifyInstance, timeoutMs: number): Promise<DrainOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DrainOutcome>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([app.close().then((): DrainOutcome => 'drained'), timeout]);
    if (outcome === 'timed-out') app.server.closeAllConnections();
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/** Options of {@link handleShutdownSignals}. */
export interface ShutdownOptions {
  /** Longest wait for in-flight requests. */
  readonly timeoutMs: number;
  /** @defaultValue `['SIGTERM', 'SIGINT']` */
  readonly signals?: readonly NodeJS.Signals[];
  /** @defaultValue `process.exit` */
  readonly exit?: (code: number) => void;
}

/**
 * On the first of `signals`: {@link drain}, then exit 0 (1 if the timeout cut requests off).
 * On a second signal: exit 1 at once. Returns a function that removes the listeners.
 */
export function handleShutdownSignals(app: FastifyInstance, options: ShutdownOptions): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      app.log.warn({ signal }, `${signal} again: exiting without waiting for in-flight requests`);
      exit(1);
      return;
    }
    shuttingDown = true;
    app.log.info(
      { signal, timeoutMs: options.timeoutMs },
      `${signal}: draining in-flight requests (up to ${options.timeoutMs} ms)`,
    );
    drain(app, options.timeoutMs).then(
      (outcome) => {
        if (outcome === 'drained') app.log.info('drained; exiting');
        else app.log.warn(`'shutdownTimeoutMs' (${options.timeoutMs} ms) passed; connections still open were closed`);
        exit(outcome === 'drained' ? 0 : 1);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
