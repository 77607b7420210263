import { describeValue } from '@onnxpipe/core';
import { ONNXPIPE_ONNX_INVALID_GRAPH } from './errors.js';
import type { OnnxGraph } from './model-types.js';

// Enough problems to fix a batch at once without burying the first one.
const MAX_REPORTED = 10;

/**
 * The structural problems of a graph, in graph order; `[]` for a valid graph. Checks what
 * ONNX's checker checks about names: every node input ('' = omitted optional input) is a graph
 * input, an initializer or an output of an earlier node (so nodes are in topological order);
 * every value is defined once; node names are unique; every graph output is defined.
 */
export function findGraphProblems(graph: OnnxGraph): string[] {
  const problems: string[] = [];
  const available = new Set<string>();
  const inputNames = new Set<string>();
  const initializerNames = new Set<string>();
  const nodeNames = new Set<string>();

  for (const input of graph.input) {
    if (inputNames.has(input.name)) problems.push(`graph input ${describeValue(input.name)} is declared twice`);
    inputNames.add(input.name);
    available.add(input.name);
  }
  for (const tensor of graph.initializer) {
    // An initializer may share its name with a graph input: it is then that input's default.
    if (initializerNames.has(tensor.name)) {
      problems.push(`initializer ${describeValue(tensor.name)} is declared twice`);
    }
    initializerNames.add(tensor.name);
    available.add(tensor.name);
  }
  for (const [index, node] of graph.node.entries()) {
    const label = `node ${index} (${node.opType || '<no op_type>'} ${describeValue(node.name)})`;
    if (!node.opType) problems.push(`${label} has an empty op_type`);
    if (node.name !== '') {
      if (nodeNames.has(node.name)) problems.push(`${label}: node name is used twice`);
      nodeNames.add(node.name);
    }
    for (const input of node.input) {
      if (input !== '' && !available.has(input)) {
        problems.push(
          `${label} consumes ${describeValue(input)}, which is not a graph input, an initializer or an output of an earlier node`,
        );
      }
    }
    for (const output of node.output) {
      if (output === '') continue;
      if (available.has(output)) problems.push(`${label} redefines ${describeValue(output)}`);
      available.add(output);
    }
  }
  const outputNames = new Set<string>();
  for (const output of graph.output) {
    if (outputNames.has(output.name)) problems.push(`graph output ${describeValue(output.name)} is declared twice`);
    outputNames.add(output.name);
    if (!available.has(output.name)) {
      problems.push(
        `graph output ${describeValue(output.name)} is never produced (no node output, graph input or initializer has that name)`,
      );
    }
  }
  if (graph.output.length === 0) problems.push('the graph has no outputs');
  return problems;
}

/**
 * Throws when {@link findGraphProblems} finds any problem.
 *
 * @throws ONNXPIPE_ONNX_INVALID_GRAPH listing up to 10 problems
 */
export function validateGraph(graph: OnnxGraph): void {
  const problems = findGraphProblems(graph);
  if (problems.length === 0) return;
  const shown = problems.slice(0, MAX_REPORTED);
  if (problems.length > shown.length) shown.push(`... and ${problems.length - shown.length} more`);
  throw new ONNXPIPE_ONNX_INVALID_GRAPH(describeValue(graph.name), shown.join('; '));
}
