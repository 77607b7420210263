import { stat } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { errorMessage } from '@onnxpipe/core';
import type { ModelVersionPolicy } from '../config.js';
import { scanModelRepository } from './model-repository.js';

// `modelControlMode` poll, as Triton's: the server looks at the repository every
// `repositoryPollSecs` and reloads it when what it would load has changed — a model or version
// added or removed, a model file or a manifest rewritten. A look costs a directory scan and a
// stat per served file; the reload itself is the registry's (load, warm up, swap at once).
//
// A state that failed to load is not retried on every look, only once the repository changes
// again: a half-copied file fails its sha256 check, and the look after the copy completes loads
// it. Triton's advice stands: replace files atomically (write beside, then rename).

/** How one look ended. */
export type PollOutcome = 'unchanged' | 'reloaded' | 'failed';

/** What a {@link RepositoryPoller} needs. */
export interface RepositoryPollerOptions {
  readonly repository: string;
  readonly policy: ModelVersionPolicy;
  readonly intervalMs: number;
  readonly log: FastifyBaseLogger;
  /** Reloads the whole repository, logging under `trigger`; never throws. */
  readonly reload: (trigger: string) => Promise<'reloaded' | 'failed'>;
}

/**
 * What the server would load from `repository`, as a string that changes when any of it does:
 * each model version's path, size, modification time and inode, and the sha256 its manifest
 * records.
 */
export async function repositoryFingerprint(
  repository: string,
  policy: ModelVersionPolicy,
  log: FastifyBaseLogger,
): Promise<string> {
  const entries = await scanModelRepository(repository, policy, log);
  const lines = await Promise.all(
    entries.map(async (entry) => {
      const file = await stat(entry.path);
      return `${entry.path}\t${file.size}\t${file.mtimeMs}\t${file.ino}\t${entry.expectedSha256 ?? '-'}`;
    }),
  );
  return lines.join('\n');
}

/** Looks at the repository on a timer and reloads it when it changed; one look at a time. */
export class RepositoryPoller {
  readonly #options: RepositoryPollerOptions;
  /** Silent: a look must not repeat the start-up's warnings about skipped folders every few seconds. */
  readonly #quiet: FastifyBaseLogger;
  #seen: string | undefined;
  #lastProblem: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RepositoryPollerOptions) {
    this.#options = options;
    this.#quiet = options.log.child({}, { level: 'silent' });
  }

  /** Takes the repository's current state as the one being served, then looks every `intervalMs`. */
  async start(): Promise<void> {
    this.#seen = await this.#fingerprint().catch(() => undefined);
    this.#timer = setInterval(() => void this.poll(), this.#options.intervalMs);
    // The timer alone must not keep the process alive (tests, a server being closed).
    this.#timer.unref();
    this.#options.log.info(
      { repository: this.#options.repository, intervalMs: this.#options.intervalMs },
      `polling the model repository every ${this.#options.intervalMs / 1000} s ('modelControlMode' poll)`,
    );
  }

  /** Stops looking; a look in progress finishes. */
  stop(): Promise<unknown> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#queue;
  }

  /**
   * Looks once: reloads when the repository changed since the last look, or always with
   * `force` (SIGHUP). `trigger` names the look in the log lines.
   */
  poll(options: { force?: boolean; trigger?: string } = {}): Promise<PollOutcome> {
    const run = this.#queue.then(() => this.#look(options.force ?? false, options.trigger ?? 'poll'));
    this.#queue = run;
    return run;
  }

  async #look(force: boolean, trigger: string): Promise<PollOutcome> {
    let current: string;
    try {
      current = await this.#fingerprint();
    } catch (error) {
      const problem = errorMessage(error);
      // Once per distinct problem, not on every look.
      if (problem !== this.#lastProblem) {
        this.#options.log.error(
          { trigger, err: error },
          `${trigger}: cannot read the model repository, the previous models keep serving: ${problem}`,
        );
      }
      this.#lastProblem = problem;
      return 'failed';
    }
    this.#lastProblem = undefined;
    if (!force && current === this.#seen) return 'unchanged';
    this.#seen = current;
    return this.#options.reload(trigger);
  }

  #fingerprint(): Promise<string> {
    return repositoryFingerprint(this.#options.repository, this.#options.policy, this.#quiet);
  }
}
