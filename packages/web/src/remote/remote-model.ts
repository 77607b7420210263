import type { Normalization } from '@onnxpipe/core';
import { callServer, unexpectedAnswer, type RemoteClientOptions } from './remote-client.js';

// What a remote classifier needs to know about the server's model before its first call:
// labels, input side (to preprocess in the page), normalisation, the item limit per request.
// All from GET /v2/models/{name}[/versions/{version}] (Open Inference Protocol metadata).

/** The facts of the model a remote classifier calls. */
export interface RemoteModel {
  readonly name: string;
  readonly version: string;
  readonly labels: readonly string[];
  readonly side: number;
  readonly normalization: Normalization;
  readonly maxItemsPerRequest: number;
}

interface V2ModelMetadata {
  readonly name?: unknown;
  readonly versions?: unknown;
  readonly inputs?: readonly { readonly shape?: unknown }[];
  readonly parameters?: Record<string, unknown>;
}

/**
 * Which model POST /predict uses without a `model` query: an onnxpipe server names it in
 * `GET /v2`'s `parameters.default_model`.
 */
async function defaultModel(client: RemoteClientOptions): Promise<{ name: string; version: undefined }> {
  const answer = await callServer<{ parameters?: { default_model?: unknown } }>(client, { method: 'GET', path: 'v2' });
  const name = answer.parameters?.default_model;
  if (typeof name !== 'string' || name === '') {
    unexpectedAnswer(
      `GET ${new URL('v2', client.base).href}`,
      "parameters.default_model (an onnxpipe server's default model; otherwise pass the 'model' option)",
      answer,
    );
  }
  return { name, version: undefined };
}

function parseLabels(request: string, value: unknown): string[] {
  try {
    const labels = typeof value === 'string' ? JSON.parse(value) : undefined;
    if (Array.isArray(labels) && labels.length > 0 && labels.every((l) => typeof l === 'string')) return labels;
  } catch {
    // reported below
  }
  return unexpectedAnswer(request, 'parameters.labels as a JSON array of strings', value);
}

/**
 * Looks the model up: `name` and `version` as given, the server's default model when `name` is
 * not given, its highest loaded version when `version` is not.
 *
 * @throws `ONNXPIPE_WEB_REMOTE_FAILED` (the server's 404 for an unknown model, unreachable server, ...)
 */
export async function describeRemoteModel(
  client: RemoteClientOptions,
  name: string | undefined,
  version: string | undefined,
): Promise<RemoteModel> {
  const target = name === undefined ? await defaultModel(client) : { name, version };
  const path = `v2/models/${encodeURIComponent(target.name)}${target.version === undefined ? '' : `/versions/${encodeURIComponent(target.version)}`}`;
  const request = `GET ${new URL(path, client.base).href}`;
  const meta = await callServer<V2ModelMetadata>(client, { method: 'GET', path });
  const parameters = meta.parameters ?? unexpectedAnswer(request, 'parameters', meta);
  const labels = parseLabels(request, parameters.labels);
  const shape = meta.inputs?.[0]?.shape;
  if (!Array.isArray(shape) || shape.length !== 4) unexpectedAnswer(request, 'inputs[0].shape of rank 4', shape);
  const side = parameters.input_layout === 'NHWC' ? shape[1] : shape[2];
  if (!Number.isSafeInteger(side) || side < 1)
    unexpectedAnswer(request, 'a positive image side in inputs[0].shape', shape);
  const mean = parameters.normalization_mean;
  const std = parameters.normalization_std;
  if (typeof mean !== 'number' || typeof std !== 'number' || !(std > 0))
    unexpectedAnswer(request, 'parameters.normalization_mean and normalization_std', parameters);
  const versions = Array.isArray(meta.versions) ? meta.versions.filter((v): v is string => typeof v === 'string') : [];
  const highest = versions.sort((a, b) => Number(b) - Number(a))[0];
  const maxItems = parameters.max_items_per_request;
  return {
    name: target.name,
    version: target.version ?? highest ?? '',
    labels,
    side: side as number,
    normalization: { mean, std },
    maxItemsPerRequest: Number.isSafeInteger(maxItems) && (maxItems as number) > 0 ? (maxItems as number) : 64,
  };
}
