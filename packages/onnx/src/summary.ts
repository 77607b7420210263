import { tensorDataTypeName } from './data-type.js';
import type { OnnxDim, OnnxModel, OnnxValueInfo } from './model-types.js';
import { elementCount } from './tensor-codec.js';

/** A graph input or output in a {@link ModelSummary}. */
export interface ValueSummary {
  name: string;
  /** onnxruntime's type name: `float32`, `int64`, ... */
  elemType: string;
  shape: OnnxDim[];
  /** The file declares no shape (see `OnnxValueInfo.unknownRank`). */
  unknownRank?: boolean;
}

/** What an `inspect` command shows about a model; see {@link summarizeModel}. */
export interface ModelSummary {
  graphName: string;
  irVersion: number;
  /** Imported opsets; the default domain is reported as `ai.onnx`. */
  opsets: { domain: string; version: number }[];
  /** `producerName producerVersion`, e.g. `onnxpipe 0.1.0`. */
  producer: string;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  nodes: { name: string; opType: string; inputs: string[]; outputs: string[] }[];
  /** Nodes per operator (`domain:Op` outside the default domain), in first-use order. */
  opCounts: Record<string, number>;
  /** Total elements of all initializers (the weights). */
  parameterCount: number;
  metadata: Record<string, string>;
}

function valueSummary(info: OnnxValueInfo): ValueSummary {
  return {
    name: info.name,
    elemType: tensorDataTypeName(info.elemType),
    shape: info.shape.slice(),
    ...(info.unknownRank === true ? { unknownRank: true } : {}),
  };
}

function qualifiedOp(opType: string, domain: string | undefined): string {
  return domain === undefined || domain === '' || domain === 'ai.onnx' ? opType : `${domain}:${opType}`;
}

/**
 * The facts about a model a person looks for first, as plain data (for `--json` output).
 *
 * @example
 * ```ts
 * summarizeModel(decodeModel(bytes)).parameterCount; // e.g. 225034
 * ```
 */
export function summarizeModel(model: OnnxModel): ModelSummary {
  const opCounts: Record<string, number> = {};
  for (const node of model.graph.node) {
    const op = qualifiedOp(node.opType, node.domain);
    opCounts[op] = (opCounts[op] ?? 0) + 1;
  }
  const producer = [model.producerName, model.producerVersion].filter((s) => s !== '').join(' ');
  return {
    graphName: model.graph.name,
    irVersion: model.irVersion,
    opsets: model.opsetImport.map((o) => ({ domain: o.domain === '' ? 'ai.onnx' : o.domain, version: o.version })),
    producer,
    inputs: model.graph.input.map(valueSummary),
    outputs: model.graph.output.map(valueSummary),
    nodes: model.graph.node.map((node) => ({
      name: node.name,
      opType: qualifiedOp(node.opType, node.domain),
      inputs: node.input.slice(),
      outputs: node.output.slice(),
    })),
    opCounts,
    parameterCount: model.graph.initializer.reduce((sum, t) => sum + elementCount(t.dims), 0),
    metadata: Object.fromEntries(model.metadataProps.map((entry) => [entry.key, entry.value])),
  };
}

/** `float32[N,1,28,28]`; unknown dims show as `?`, an undeclared shape as `float32[?]` with a note. */
export function formatValueType(value: ValueSummary): string {
  if (value.unknownRank === true) return `${value.elemType} (shape unknown)`;
  return `${value.elemType}[${value.shape.map((d) => (d === '' ? '?' : String(d))).join(',')}]`;
}

function groupDigits(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Renders a {@link ModelSummary} as the human text of an `inspect` command: versions,
 * producer, inputs and outputs with their shapes, one line per node, operator counts,
 * parameter count and metadata.
 *
 * @example
 * ```text
 * Graph "mlp"
 *   IR version: 8
 *   Opsets: ai.onnx 17
 *   Producer: onnxpipe 0.1.0
 * Inputs:
 *   x: float32[N,3]
 * ...
 * ```
 */
export function formatModelSummary(summary: ModelSummary): string {
  const lines: string[] = [];
  lines.push(`Graph ${JSON.stringify(summary.graphName)}`);
  lines.push(`  IR version: ${summary.irVersion}`);
  lines.push(`  Opsets: ${summary.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || '(none)'}`);
  lines.push(`  Producer: ${summary.producer || '(unknown)'}`);
  const section = (title: string, values: ValueSummary[]) => {
    lines.push(`${title}:`);
    if (values.length === 0) lines.push('  (none)');
    for (const value of values) lines.push(`  ${value.name}: ${formatValueType(value)}`);
  };
  section('Inputs', summary.inputs);
  section('Outputs', summary.outputs);

  lines.push(`Nodes (${summary.nodes.length}):`);
  summary.nodes.forEach((node, index) => {
    const label = node.name === '' ? `#${index}` : node.name;
    const inputs = node.inputs.map((i) => (i === '' ? '<none>' : i)).join(', ');
    lines.push(`  ${label}: ${node.opType}(${inputs}) -> ${node.outputs.join(', ')}`);
  });
  const ops = Object.entries(summary.opCounts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  lines.push(`Operators: ${ops.map(([op, count]) => `${op} x${count}`).join(', ') || '(none)'}`);
  lines.push(`Parameters: ${groupDigits(summary.parameterCount)}`);

  const metadata = Object.entries(summary.metadata);
  lines.push(`Metadata:${metadata.length === 0 ? ' (none)' : ''}`);
  for (const [key, value] of metadata) lines.push(`  ${key}: ${value}`);
  return `${lines.join('\n')}\n`;
}
