import { MODEL_METADATA_KEYS } from '@onnxpipe/core';
import { TensorDataType, type OnnxModel, type OnnxNode, type OnnxTensor } from '@onnxpipe/onnx';
import { ONNXPIPE_EXPORT_INVALID_OPTION } from '../errors.js';

/**
 * One ONNX model that answers with the average of its members' class probabilities: every member's
 * graph runs on the shared input, each log-softmax output goes back to probabilities, and the
 * mean's log is the output — still a log-softmax, so the server, the SDK and every caller read it
 * as they read one network. Members are exported networks of one input and one log-softmax output
 * of the same name and shape (the exporter's own files); the first member's metadata is kept.
 *
 * @throws `ONNXPIPE_EXPORT_INVALID_OPTION` for fewer than two members or members that differ in
 *   input, output or opset
 */
export function averageClassifiers(members: readonly OnnxModel[]): OnnxModel {
  if (members.length < 2) {
    throw new ONNXPIPE_EXPORT_INVALID_OPTION(`'members' must hold at least 2 models; received ${members.length}`);
  }
  const [first] = members;
  const signature = (m: OnnxModel) => JSON.stringify([m.graph.input, m.graph.output, m.opsetImport, outputKind(m)]);
  members.forEach((member, i) => {
    if (signature(member) !== signature(first)) {
      throw new ONNXPIPE_EXPORT_INVALID_OPTION(
        `member ${i} differs from member 0 in its input, output, opset or output kind; an average needs the same ones`,
      );
    }
  });
  if (outputKind(first) !== 'log_softmax') {
    throw new ONNXPIPE_EXPORT_INVALID_OPTION(
      `members must output log_softmax (metadata onnxpipe.output); received ${JSON.stringify(outputKind(first))}`,
    );
  }
  const inputName = first.graph.input[0].name;
  const outputName = first.graph.output[0].name;
  const node: OnnxNode[] = [];
  const initializer: OnnxTensor[] = [];
  const probabilities: string[] = [];
  members.forEach((member, i) => {
    const prefix = `member${i + 1}/`;
    const rename = (name: string) => (name === '' || name === inputName ? name : prefix + name);
    for (const n of member.graph.node) {
      node.push({ ...n, name: rename(n.name), input: n.input.map(rename), output: n.output.map(rename) });
    }
    for (const t of member.graph.initializer) initializer.push({ ...t, name: rename(t.name) });
    const logProbabilities = rename(outputName);
    const p = `${prefix}probabilities`;
    node.push({ name: `${prefix}Exp`, opType: 'Exp', input: [logProbabilities], output: [p], attribute: [] });
    probabilities.push(p);
  });
  initializer.push({
    name: 'ensemble/weight',
    dataType: TensorDataType.FLOAT,
    dims: [],
    data: new Float32Array([1 / members.length]),
  });
  node.push(
    { name: 'ensemble/Sum', opType: 'Sum', input: probabilities, output: ['ensemble/sum'], attribute: [] },
    {
      name: 'ensemble/Mul',
      opType: 'Mul',
      input: ['ensemble/sum', 'ensemble/weight'],
      output: ['ensemble/mean'],
      attribute: [],
    },
    { name: 'ensemble/Log', opType: 'Log', input: ['ensemble/mean'], output: [outputName], attribute: [] },
  );
  return {
    ...first,
    graph: {
      name: `${first.graph.name}_average_of_${members.length}`,
      node,
      initializer,
      input: first.graph.input,
      output: first.graph.output,
    },
    metadataProps: [
      ...first.metadataProps.filter((p) => p.key !== MODEL_METADATA_KEYS.ensembleMembers),
      { key: MODEL_METADATA_KEYS.ensembleMembers, value: String(members.length) },
    ],
  };
}

function outputKind(model: OnnxModel): string | undefined {
  return model.metadataProps.find((p) => p.key === MODEL_METADATA_KEYS.output)?.value;
}
