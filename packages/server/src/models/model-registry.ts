import type { FastifyBaseLogger } from 'fastify';
import { describeValue, formatChoices } from '@onnxpipe/core';
import type { ServerConfig } from '../config.js';
import { InferenceEngine } from '../engine/inference-engine.js';
import {
  ONNXPIPE_SERVER_MODEL_NOT_FOUND,
  ONNXPIPE_SERVER_MODEL_NOT_READY,
  ONNXPIPE_SERVER_VERSION_NOT_FOUND,
} from '../errors.js';
import type { ExecutionProvider } from './execution-provider.js';
import { loadModel } from './load-model.js';
import { scanModelRepository } from './model-repository.js';

/**
 * The loaded models and their engines. Lookups throw the coded 404/503 errors routes need;
 * {@link close} drains every engine and releases the sessions.
 */
export class ModelRegistry {
  readonly executionProvider: ExecutionProvider;
  readonly defaultModel: string;
  /** name → version → engine, versions in ascending order. */
  readonly #models = new Map<string, Map<string, InferenceEngine>>();
  #closing = false;
  #draining = false;

  constructor(engines: readonly InferenceEngine[], executionProvider: ExecutionProvider, defaultModel: string) {
    this.executionProvider = executionProvider;
    this.defaultModel = defaultModel;
    for (const engine of engines) {
      const { name, version } = engine.model;
      if (!this.#models.has(name)) this.#models.set(name, new Map());
      this.#models.get(name)!.set(version, engine);
    }
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

  /** Every loaded engine, by name then version. */
  list(): InferenceEngine[] {
    return [...this.#models.values()].flatMap((versions) => [...versions.values()]);
  }

  /**
   * The engine for `name` (default: `defaultModel`) at `version` (default: the highest loaded).
   *
   * @throws `ONNXPIPE_SERVER_MODEL_NOT_READY` (503) when nothing is loaded or shutting down
   * @throws `ONNXPIPE_SERVER_MODEL_NOT_FOUND` / `ONNXPIPE_SERVER_VERSION_NOT_FOUND` (404)
   */
  get(name: string = this.defaultModel, version?: string): InferenceEngine {
    if (this.#closing) throw new ONNXPIPE_SERVER_MODEL_NOT_READY('the server is shutting down; retry on another instance');
    if (this.#models.size === 0) {
      throw new ONNXPIPE_SERVER_MODEL_NOT_READY('no model is loaded: the model repository holds no <name>/<version>/model.onnx yet');
    }
    const versions = this.#models.get(name);
    if (versions === undefined) {
      throw new ONNXPIPE_SERVER_MODEL_NOT_FOUND(
        `'model' must be one of ${formatChoices([...this.#models.keys()])}; received ${describeValue(name)}`,
      );
    }
    const engine = version === undefined ? [...versions.values()].at(-1) : versions.get(version);
    if (engine === undefined) {
      throw new ONNXPIPE_SERVER_VERSION_NOT_FOUND(
        `'version' of model ${name} must be one of ${formatChoices([...versions.keys()])}; received ${describeValue(version)}`,
      );
    }
    return engine;
  }

  /** Refuses new work, lets queued work finish, releases every session. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.list().map((engine) => engine.close()));
  }
}

/**
 * Scans the repository and loads every model version it should serve, each checked by
 * {@link loadModel}. A model that fails to load fails the start-up: serving a subset silently
 * would hide the problem until a client asks for it.
 */
export async function loadModelRegistry(
  config: ServerConfig,
  executionProvider: ExecutionProvider,
  log: FastifyBaseLogger,
): Promise<ModelRegistry> {
  const entries = await scanModelRepository(config.modelRepository, config.modelVersions, log);
  const engines: InferenceEngine[] = [];
  try {
    for (const entry of entries) {
      const started = performance.now();
      const model = await loadModel(entry, executionProvider);
      const { maxBatchSize, maxQueueDelayMs, maxQueueLength } = config;
      engines.push(new InferenceEngine(model, { maxBatchSize, maxQueueDelayMs, maxQueueLength }));
      log.info(
        { model: model.name, version: model.version, path: model.path, sha256: model.sha256, ms: Math.round(performance.now() - started) },
        `loaded model ${model.name} version ${model.version}`,
      );
    }
  } catch (error) {
    await Promise.all(engines.map((engine) => engine.close()));
    throw error;
  }
  if (engines.length === 0) {
    log.warn({ repository: config.modelRepository }, `no model in ${config.modelRepository}: /v2/health/ready answers 503 until a model is exported there and the server restarts`);
  }
  return new ModelRegistry(engines, executionProvider, config.defaultModel);
}
