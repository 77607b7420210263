import type { FastifyBaseLogger } from 'fastify';
import { describeValue, formatChoices, errorMessage } from '@onnxpipe/core';
import type { ServerConfig } from '../config.js';
import type { RunInfo } from '../engine/dynamic-batcher.js';
import { InferenceEngine } from '../engine/inference-engine.js';
import { WorkerSession } from '../engine/worker-session.js';
import {
  ONNXPIPE_SERVER_MODEL_LOAD_FAILED,
  ONNXPIPE_SERVER_MODEL_NOT_FOUND,
  ONNXPIPE_SERVER_MODEL_NOT_READY,
  ONNXPIPE_SERVER_RELOAD_FAILED,
  ONNXPIPE_SERVER_VERSION_NOT_FOUND,
} from '../errors.js';
import type { ExecutionProvider } from './execution-provider.js';
import { loadModel, type LoadedModel } from './load-model.js';
import { scanModelRepository, type ModelVersionEntry } from './model-repository.js';

// The served models, swapped atomically on reload: a reload loads and warms up every new
// session first and only then replaces the map that lookups read, so a request sees the old
// model or the new one, never a gap. Replaced engines are retired: the requests that hold
// them finish on them, then their sessions are released. Loads, reloads and unloads run one
// at a time.

/** Told about the registry's work; the /metrics plugin is one. */
export interface RegistryObserver {
  /** After each batch run of `model`. */
  batch?(model: LoadedModel, info: RunInfo): void;
  /** After each load, reload or unload attempt. */
  reload?(outcome: 'success' | 'failure'): void;
}

/** One row of the repository index (Triton's `POST /v2/repository/index`). */
export interface RepositoryIndexEntry {
  readonly name: string;
  readonly version: string;
  /** `READY`: loaded and served; `UNAVAILABLE`: in the repository, not served (see reason). */
  readonly state: 'READY' | 'UNAVAILABLE';
  readonly reason?: string;
}

/** Whether a model (version) can take requests now. */
export type ModelReadiness = 'ready' | 'not-ready' | 'unknown';

type ModelMap = ReadonlyMap<string, ReadonlyMap<string, InferenceEngine>>;

function group(engines: readonly InferenceEngine[]): Map<string, Map<string, InferenceEngine>> {
  const models = new Map<string, Map<string, InferenceEngine>>();
  for (const engine of engines) {
    const { name, version } = engine.model;
    if (!models.has(name)) models.set(name, new Map());
    models.get(name)!.set(version, engine);
  }
  return models;
}

/**
 * The loaded models and their engines. Lookups throw the coded 404/503 errors routes need;
 * {@link reload}, {@link load} and {@link unload} change what is served without a restart;
 * {@link close} drains every engine and releases the sessions.
 */
export class ModelRegistry {
  readonly executionProvider: ExecutionProvider;
  readonly defaultModel: string;
  readonly #config: ServerConfig;
  readonly #log: FastifyBaseLogger;
  /** name → version → engine, versions in ascending order; replaced whole, never mutated. */
  #models: ModelMap = new Map();
  readonly #retiring = new Set<Promise<void>>();
  /** Why the last load of a model failed, until it loads again. */
  readonly #failures = new Map<string, string>();
  readonly #unloaded = new Set<string>();
  readonly #observers = new Set<RegistryObserver>();
  #exclusive: Promise<unknown> = Promise.resolve();
  #closing = false;
  #draining = false;

  private constructor(config: ServerConfig, executionProvider: ExecutionProvider, log: FastifyBaseLogger) {
    this.#config = config;
    this.executionProvider = executionProvider;
    this.defaultModel = config.defaultModel;
    this.#log = log;
  }

  /**
   * Scans the repository and loads every model version it should serve, each checked by
   * {@link loadModel}. A model that fails to load fails the start-up: serving a subset silently
   * would hide the problem until a client asks for it.
   *
   * @throws `ONNXPIPE_SERVER_MODEL_LOAD_FAILED` naming the file
   */
  static async create(
    config: ServerConfig,
    executionProvider: ExecutionProvider,
    log: FastifyBaseLogger,
  ): Promise<ModelRegistry> {
    const registry = new ModelRegistry(config, executionProvider, log);
    const engines = await registry.#loadEngines(
      await scanModelRepository(config.modelRepository, config.modelVersions, log),
    );
    registry.#models = group(engines);
    if (engines.length === 0) {
      log.warn(
        { repository: config.modelRepository },
        config.modelControlMode === 'none'
          ? `no model in ${config.modelRepository}: /v2/health/ready answers 503 until a model is exported there and the server restarted ('modelControlMode' none; explicit or poll would load it without a restart)`
          : `no model in ${config.modelRepository}: /v2/health/ready answers 503 until a model is exported there and loaded (${config.modelControlMode === 'poll' ? 'the next look at the repository, SIGHUP' : 'SIGHUP, POST /v2/repository/models/<name>/load'})`,
      );
    }
    return registry;
  }

  /** Ready to serve: at least one model is loaded and the server is not shutting down. */
  get ready(): boolean {
    return this.#models.size > 0 && !this.#draining && !this.#closing;
  }

  /**
   * Shutdown has begun: readiness turns false so load balancers stop sending traffic, but
   * requests already in flight are still served.
   */
  markDraining(): void {
    this.#draining = true;
  }

  /** Shutdown has begun (see {@link markDraining}). */
  get draining(): boolean {
    return this.#draining || this.#closing;
  }

  /** Subscribes `observer`; returns the function that unsubscribes it. */
  observe(observer: RegistryObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Every loaded engine, by name then version. */
  list(): InferenceEngine[] {
    return [...this.#models.values()].flatMap((versions) => [...versions.values()]);
  }

  /**
   * The engine for `name` (default: `defaultModel`) at `version` (default: the highest loaded).
   * To run inference, prefer {@link use}: a reload may retire the engine meanwhile.
   *
   * @throws `ONNXPIPE_SERVER_MODEL_NOT_READY` (503) when nothing is loaded or shutting down
   * @throws `ONNXPIPE_SERVER_MODEL_NOT_FOUND` / `ONNXPIPE_SERVER_VERSION_NOT_FOUND` (404)
   */
  get(name: string = this.defaultModel, version?: string): InferenceEngine {
    if (this.#closing)
      throw new ONNXPIPE_SERVER_MODEL_NOT_READY('the server is shutting down; retry on another instance');
    const versions = this.#versionsOf(name);
    const engine = version === undefined ? [...versions.values()].at(-1) : versions.get(version);
    if (engine === undefined) {
      throw new ONNXPIPE_SERVER_VERSION_NOT_FOUND(
        `'version' of model ${name} must be one of ${formatChoices([...versions.keys()])}; received ${describeValue(version)}`,
      );
    }
    return engine;
  }

  /**
   * Runs `work` with the engine of {@link get} held: a reload that replaces the engine
   * meanwhile lets `work` finish on it before releasing it.
   */
  use<T>(
    name: string | undefined,
    version: string | undefined,
    work: (engine: InferenceEngine) => Promise<T>,
  ): Promise<T> {
    return this.get(name, version).use(work);
  }

  /** Loaded versions of `name`, ascending. @throws like {@link get} */
  versions(name: string): string[] {
    if (this.#closing)
      throw new ONNXPIPE_SERVER_MODEL_NOT_READY('the server is shutting down; retry on another instance');
    return [...this.#versionsOf(name).keys()];
  }

  /** `ready` when served, `not-ready` when known but not served (unloaded, failed, shutting down). */
  readiness(name: string, version?: string): ModelReadiness {
    const versions = this.#models.get(name);
    if (versions !== undefined) {
      if (version !== undefined && !versions.has(version)) return 'unknown';
      return this.draining ? 'not-ready' : 'ready';
    }
    return this.#unloaded.has(name) || this.#failures.has(name) ? 'not-ready' : 'unknown';
  }

  /**
   * Re-reads the whole repository and swaps every model at once: models added there are
   * loaded, changed ones replaced, removed ones unloaded; models unloaded by request come
   * back. If any file fails, nothing changes.
   *
   * @throws `ONNXPIPE_SERVER_RELOAD_FAILED` naming the file; the old models keep serving
   */
  reload(): Promise<LoadedModel[]> {
    return this.#serialized(async () => {
      const entries = await this.#scanForLoad(undefined);
      const engines = await this.#loadForSwap(entries);
      this.#unloaded.clear();
      this.#failures.clear();
      this.#swap(group(engines));
      return engines.map((e) => e.model);
    });
  }

  /**
   * (Re)loads the versions of one model from the repository and swaps them in; the other
   * models are untouched.
   *
   * @throws `ONNXPIPE_SERVER_MODEL_NOT_FOUND` when the repository has no such model
   * @throws `ONNXPIPE_SERVER_RELOAD_FAILED` naming the file; the old versions keep serving
   */
  load(name: string): Promise<LoadedModel[]> {
    return this.#serialized(async () => {
      const entries = await this.#scanForLoad(name);
      if (entries.length === 0) {
        this.#emit('failure');
        throw new ONNXPIPE_SERVER_MODEL_NOT_FOUND(
          `model ${describeValue(name)} is not in the repository ${this.#config.modelRepository}: expected ${name}/<version>/model.onnx there`,
        );
      }
      const engines = await this.#loadForSwap(entries);
      const next = new Map(this.#models);
      next.set(name, group(engines).get(name)!);
      this.#unloaded.delete(name);
      this.#failures.delete(name);
      this.#swap(next);
      return engines.map((e) => e.model);
    });
  }

  /**
   * Stops serving `name`: new requests get 404, requests in flight finish, then its sessions
   * are released. Unloading a model that is not loaded but is in the repository succeeds.
   *
   * @throws `ONNXPIPE_SERVER_MODEL_NOT_FOUND` when the model is neither loaded nor in the repository
   */
  unload(name: string): Promise<void> {
    return this.#serialized(async () => {
      if (!this.#models.has(name)) {
        const known =
          this.#unloaded.has(name) || this.#failures.has(name) || (await this.#scanForLoad(name)).length > 0;
        if (!known)
          throw new ONNXPIPE_SERVER_MODEL_NOT_FOUND(
            `model ${describeValue(name)} is neither loaded nor in the repository`,
          );
        return;
      }
      const next = new Map(this.#models);
      next.delete(name);
      this.#unloaded.add(name);
      this.#swap(next);
      this.#log.info({ model: name }, `unloaded model ${name}`);
      this.#emit('success');
    });
  }

  /** Every model version in the repository or served, with its state. */
  async index(): Promise<RepositoryIndexEntry[]> {
    const quiet = this.#log.child({}, { level: 'silent' });
    const onDisk = await scanModelRepository(this.#config.modelRepository, 'all', quiet);
    const latest = new Map<string, number>();
    for (const { name, version } of onDisk) latest.set(name, Math.max(latest.get(name) ?? 0, Number(version)));
    const rows = new Map<string, RepositoryIndexEntry>();
    for (const { name, version } of onDisk) {
      const reason =
        this.#failures.get(name) ??
        (this.#unloaded.has(name)
          ? 'unloaded'
          : this.#config.modelVersions === 'latest' && Number(version) < latest.get(name)!
            ? "not the latest version ('modelVersions' is latest)"
            : 'not loaded yet');
      rows.set(`${name}/${version}`, { name, version, state: 'UNAVAILABLE', reason });
    }
    for (const engine of this.list()) {
      const { name, version } = engine.model;
      rows.set(`${name}/${version}`, { name, version, state: 'READY' });
    }
    return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name) || Number(a.version) - Number(b.version));
  }

  /** Refuses new work, lets queued and in-flight work finish, releases every session. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#exclusive;
    const engines = this.list();
    this.#models = new Map();
    await Promise.all([...engines.map((engine) => engine.retire()), ...this.#retiring]);
  }

  #versionsOf(name: string): ReadonlyMap<string, InferenceEngine> {
    const versions = this.#models.get(name);
    if (versions !== undefined) return versions;
    if (this.#unloaded.has(name)) {
      throw new ONNXPIPE_SERVER_MODEL_NOT_FOUND(
        `model ${describeValue(name)} was unloaded; POST /v2/repository/models/${name}/load serves it again${this.#models.size > 0 ? `; loaded: ${formatChoices([...this.#models.keys()])}` : ''}`,
      );
    }
    if (this.#models.size === 0) {
      throw new ONNXPIPE_SERVER_MODEL_NOT_READY(
        'no model is loaded: the model repository holds no <name>/<version>/model.onnx yet',
      );
    }
    throw new ONNXPIPE_SERVER_MODEL_NOT_FOUND(
      `'model' must be one of ${formatChoices([...this.#models.keys()])}; received ${describeValue(name)}`,
    );
  }

  /** Runs `task` after the previous load/reload/unload has finished. */
  #serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#exclusive.then(() => {
      if (this.#closing)
        throw new ONNXPIPE_SERVER_MODEL_NOT_READY('the server is shutting down; models are no longer loaded');
      return task();
    });
    this.#exclusive = run.catch(() => undefined);
    return run;
  }

  async #scanForLoad(only: string | undefined): Promise<ModelVersionEntry[]> {
    try {
      return await scanModelRepository(this.#config.modelRepository, this.#config.modelVersions, this.#log, only);
    } catch (error) {
      throw this.#reloadFailed(only, error);
    }
  }

  /** Loads `entries` for a swap; a failure changes nothing and is reported as RELOAD_FAILED. */
  async #loadForSwap(entries: readonly ModelVersionEntry[]): Promise<InferenceEngine[]> {
    let engines: InferenceEngine[];
    let failed: string | undefined;
    try {
      engines = await this.#loadEngines(entries, (entry) => (failed = entry.name));
    } catch (error) {
      throw this.#reloadFailed(failed, error);
    }
    if (this.#closing) {
      await Promise.all(engines.map((engine) => engine.close()));
      throw new ONNXPIPE_SERVER_MODEL_NOT_READY(
        'the server began shutting down during the load; nothing was swapped in',
      );
    }
    this.#emit('success');
    return engines;
  }

  #reloadFailed(name: string | undefined, error: unknown): Error {
    const message = errorMessage(error);
    if (name !== undefined) this.#failures.set(name, message);
    this.#emit('failure');
    const serving = this.list().map((e) => `${e.model.name}:${e.model.version}`);
    // Not logged here: SIGHUP logs it, and a load request answers with it.
    return new ONNXPIPE_SERVER_RELOAD_FAILED(
      `${message}; nothing was swapped: still serving ${serving.length > 0 ? serving.join(', ') : 'no model'}`,
      { cause: error },
    );
  }

  /**
   * Loads and warms up each entry (see {@link loadModel}); on a failure, releases what it
   * loaded. `onEntry` hears of each entry before its load, so a failure can be attributed.
   */
  async #loadEngines(
    entries: readonly ModelVersionEntry[],
    onEntry?: (entry: ModelVersionEntry) => void,
  ): Promise<InferenceEngine[]> {
    const engines: InferenceEngine[] = [];
    const { maxBatchSize, maxQueueDelayMs, maxQueueLength, batchScheduling, intraOpThreads, inferenceWorker } =
      this.#config;
    try {
      for (const entry of entries) {
        const started = performance.now();
        onEntry?.(entry);
        const model = await loadModel(entry, this.executionProvider, { intraOpThreads });
        let worker: WorkerSession | undefined;
        try {
          if (inferenceWorker) worker = await WorkerSession.start(model, this.executionProvider, intraOpThreads);
        } catch (error) {
          await model.session.release();
          throw new ONNXPIPE_SERVER_MODEL_LOAD_FAILED(
            `${model.path}: the inference worker cannot run it on ${this.executionProvider}: ${errorMessage(error)}`,
            { cause: error },
          );
        }
        const options = { maxBatchSize, maxQueueDelayMs, maxQueueLength, scheduling: batchScheduling };
        const engine = new InferenceEngine(
          model,
          options,
          (info) => {
            for (const observer of this.#observers) observer.batch?.(model, info);
          },
          worker,
        );
        engines.push(engine);
        this.#log.info(
          {
            model: model.name,
            version: model.version,
            path: model.path,
            sha256: model.sha256,
            inferenceWorker,
            ms: Math.round(performance.now() - started),
          },
          `loaded model ${model.name} version ${model.version}`,
        );
      }
    } catch (error) {
      await Promise.all(engines.map((engine) => engine.close()));
      throw error;
    }
    return engines;
  }

  /** Serves `next` from now on; engines it no longer holds are retired. */
  #swap(next: ModelMap): void {
    const kept = new Set([...next.values()].flatMap((versions) => [...versions.values()]));
    const replaced = this.list().filter((engine) => !kept.has(engine));
    this.#models = next;
    for (const engine of replaced) {
      const retired = engine.retire().catch((error: unknown) => {
        this.#log.error(
          { err: error, model: engine.model.name, version: engine.model.version },
          'releasing a replaced model failed',
        );
      });
      this.#retiring.add(retired);
      void retired.finally(() => this.#retiring.delete(retired));
    }
  }

  #emit(outcome: 'success' | 'failure'): void {
    for (const observer of this.#observers) observer.reload?.(outcome);
  }
}

/** {@link ModelRegistry.create}, as a function. */
export function loadModelRegistry(
  config: ServerConfig,
  executionProvider: ExecutionProvider,
  log: FastifyBaseLogger,
): Promise<ModelRegistry> {
  return ModelRegistry.create(config, executionProvider, log);
}
