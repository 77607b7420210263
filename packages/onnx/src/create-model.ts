import { describeValue } from '@onnxpipe/core';
import { ONNXPIPE_ONNX_INVALID_ARGUMENT, ONNXPIPE_ONNX_INVALID_GRAPH } from './errors.js';
import type { OnnxGraph, OnnxModel, OnnxOpsetId } from './model-types.js';
import { irVersionForOpset } from './opset-versions.js';

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  graph: OnnxGraph;
  /** Default-domain (`ai.onnx`) opset, within `SUPPORTED_OPSETS`. */
  opset: number;
  producerName: string;
  producerVersion: string;
  /** Written as `metadata_props`, in insertion order. @defaultValue `{}` */
  metadata?: Record<string, string>;
  docString?: string;
  /** @defaultValue `irVersionForOpset(opset)` */
  irVersion?: number;
  /** Opsets of other domains that nodes use, e.g. `{ domain: 'com.microsoft', version: 1 }`. @defaultValue `[]` */
  extraOpsets?: OnnxOpsetId[];
}

function fail(message: string): never {
  throw new ONNXPIPE_ONNX_INVALID_ARGUMENT(message);
}

/**
 * Wraps a graph in a model: default-domain opset import, IR version, producer and metadata.
 *
 * @throws ONNXPIPE_ONNX_UNSUPPORTED_OPSET for an opset outside `SUPPORTED_OPSETS`
 * @throws ONNXPIPE_ONNX_INVALID_GRAPH when a node uses a domain no opset imports
 *
 * @example
 * ```ts
 * const model = createModel({
 *   graph: builder.build(), opset: 17, producerName: 'onnxpipe', producerVersion: '0.1.0',
 *   metadata: { labels: '0,1,2,3,4,5,6,7,8,9' },
 * });
 * ```
 */
export function createModel(options: CreateModelOptions): OnnxModel {
  const { graph, opset, producerName, producerVersion } = options;
  if (typeof graph !== 'object' || graph === null || !Array.isArray(graph.node)) {
    fail(`'graph' must be an OnnxGraph (see GraphBuilder.build); received ${describeValue(graph)}`);
  }
  const minimumIr = irVersionForOpset(opset);
  const irVersion = options.irVersion ?? minimumIr;
  if (!Number.isSafeInteger(irVersion) || irVersion < minimumIr) {
    fail(`'irVersion' must be an integer >= ${minimumIr} for opset ${opset}; received ${describeValue(irVersion)}`);
  }
  for (const [param, value] of [
    ['producerName', producerName],
    ['producerVersion', producerVersion],
  ] as const) {
    if (typeof value !== 'string') fail(`'${param}' must be a string; received ${describeValue(value)}`);
  }

  const opsetImport: OnnxOpsetId[] = [{ domain: '', version: opset }];
  for (const extra of options.extraOpsets ?? []) {
    if (extra.domain === '' || extra.domain === 'ai.onnx' || opsetImport.some((o) => o.domain === extra.domain)) {
      fail(`'extraOpsets' must name each non-default domain once; received ${describeValue(extra.domain)} again`);
    }
    opsetImport.push({ domain: extra.domain, version: extra.version });
  }
  const imported = new Set(opsetImport.map((o) => o.domain));
  const missing = [...new Set(graph.node.map((n) => n.domain ?? ''))].filter(
    (d) => d !== '' && d !== 'ai.onnx' && !imported.has(d),
  );
  if (missing.length > 0) {
    throw new ONNXPIPE_ONNX_INVALID_GRAPH(
      describeValue(graph.name),
      `nodes use domain(s) ${missing.join(', ')} that no opset imports; pass them in 'extraOpsets'`,
    );
  }

  const metadata = options.metadata ?? {};
  const metadataProps = Object.entries(metadata).map(([key, value]) => {
    if (typeof value !== 'string') fail(`'metadata.${key}' must be a string; received ${describeValue(value)}`);
    return { key, value };
  });
  return {
    irVersion,
    opsetImport,
    producerName,
    producerVersion,
    ...(options.docString === undefined ? {} : { docString: options.docString }),
    graph,
    metadataProps,
  };
}
