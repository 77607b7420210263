import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { decodeModel, TensorDataType, type OnnxGraph, type OnnxValueInfo } from '@onnxpipe/onnx';
import { buildApp, CONFIG_DEFAULTS, loadConfig, SETTINGS } from '@onnxpipe/server';
// Internal helpers, imported by path: the exporter's repository writer (what `npm run export`
// uses) and the server tests' tiny MNIST-shaped model.
import { writeModelRepositoryEntry } from '../packages/exporter/src/repository/write-model-repository.js';
import { buildTinyMnistModel } from '../packages/server/src/testing/tiny-model.js';

// The scale-out claims of docker/ and deploy/ kept true: the probes and ports the manifests use
// are the server's, the autoscaler targets the Deployment, and models/ is a model repository
// Triton serves as is (what deploy/kserve relies on).
const root = fileURLToPath(new URL('..', import.meta.url));
const shippedModel = join(root, 'models', 'mnist', '1', 'model.onnx');

// ---- protobuf text format (config.pbtxt), the subset Triton configs use --------------------

type TextValue = string | number | TextMessage;
interface TextMessage {
  [field: string]: TextValue[];
}

function parseTextProto(text: string): TextMessage {
  const tokens =
    text.match(/#[^\n]*|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][\w.]*|[{}[\]:,;]/g) ?? [];
  const list = tokens.filter((t) => !t.startsWith('#'));
  let at = 0;
  const value = (): TextValue => {
    const token = list[at++];
    if (token === '{') return message('}');
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (/^-?\d/.test(token)) return Number(token);
    return token; // enum identifier, e.g. TYPE_FP32
  };
  const values = (): TextValue[] => {
    const out: TextValue[] = [];
    while (list[at] !== ']') {
      out.push(value());
      if (list[at] === ',') at++;
    }
    at++;
    return out;
  };
  function message(end?: string): TextMessage {
    const fields: TextMessage = {};
    while (at < list.length && list[at] !== end) {
      const name = list[at++];
      if (list[at] === ':') at++;
      const got = list[at] === '[' ? (at++, values()) : [value()];
      (fields[name] ??= []).push(...got);
      if (list[at] === ',' || list[at] === ';') at++;
    }
    at++;
    return fields;
  }
  return message();
}

// ---- the Triton repository checker ----------------------------------------------------------

const TRITON_TYPES: Partial<Record<TensorDataType, string>> = {
  [TensorDataType.FLOAT]: 'TYPE_FP32',
  [TensorDataType.DOUBLE]: 'TYPE_FP64',
  [TensorDataType.FLOAT16]: 'TYPE_FP16',
  [TensorDataType.INT64]: 'TYPE_INT64',
  [TensorDataType.INT32]: 'TYPE_INT32',
  [TensorDataType.UINT8]: 'TYPE_UINT8',
  [TensorDataType.INT8]: 'TYPE_INT8',
  [TensorDataType.BOOL]: 'TYPE_BOOL',
};

type ProblemCode =
  | 'NO_CONFIG'
  | 'NAME'
  | 'PLATFORM'
  | 'MAX_BATCH_SIZE'
  | 'NO_VERSION'
  | 'NO_MODEL_FILE'
  | 'TENSORS'
  | 'DATA_TYPE'
  | 'DIMS';
interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
}

const isDirectory = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;

/** Config tensors against graph tensors: same names, types, and dims (batch dim left out when batching). */
function compareTensors(
  kind: string,
  config: TextValue[],
  graph: readonly OnnxValueInfo[],
  maxBatch: number,
  where: string,
): Problem[] {
  const problems: Problem[] = [];
  const configured = config as TextMessage[];
  const names = (xs: readonly string[]) => [...xs].sort().join(', ');
  if (names(configured.map((t) => String(t.name?.[0]))) !== names(graph.map((t) => t.name))) {
    return [
      {
        code: 'TENSORS',
        message: `${where}: config ${kind}s [${names(configured.map((t) => String(t.name?.[0])))}], graph ${kind}s [${names(graph.map((t) => t.name))}]`,
      },
    ];
  }
  for (const tensor of configured) {
    const info = graph.find((t) => t.name === tensor.name[0])!;
    if (tensor.data_type?.[0] !== TRITON_TYPES[info.elemType]) {
      problems.push({
        code: 'DATA_TYPE',
        message: `${where}: ${kind} ${info.name} is ${tensor.data_type?.[0]} in the config, ${TensorDataType[info.elemType]} in the graph`,
      });
    }
    const shape = info.shape.map((d) => (typeof d === 'number' ? d : -1)); // symbolic → Triton's -1
    const expected = maxBatch > 0 ? shape.slice(1) : shape;
    const batchIsDynamic = maxBatch === 0 || shape[0] === -1;
    const dims = (tensor.dims ?? []) as number[];
    if (!batchIsDynamic || dims.join(',') !== expected.join(',')) {
      problems.push({
        code: 'DIMS',
        message:
          `${where}: ${kind} ${info.name} has dims [${dims}] with max_batch_size ${maxBatch}; the graph's shape is [${info.shape}]` +
          (batchIsDynamic ? '' : ' (batching needs a symbolic first dimension)'),
      });
    }
  }
  return problems;
}

/** Every way `repository` falls short of a Triton model repository for onnxruntime, as codes. */
async function checkTritonRepository(repository: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const name of (await readdir(repository)).filter((n) => !n.startsWith('.')).sort()) {
    const dir = join(repository, name);
    if (!(await isDirectory(dir))) continue;
    const configText = await readFile(join(dir, 'config.pbtxt'), 'utf8').catch(() => undefined);
    if (configText === undefined) {
      problems.push({ code: 'NO_CONFIG', message: `${name}: no config.pbtxt` });
      continue;
    }
    const config = parseTextProto(configText);
    if (config.name?.[0] !== name)
      problems.push({
        code: 'NAME',
        message: `${name}/config.pbtxt: name ${config.name?.[0]} differs from the folder`,
      });
    if (config.platform?.[0] !== 'onnxruntime_onnx') {
      problems.push({
        code: 'PLATFORM',
        message: `${name}/config.pbtxt: platform ${config.platform?.[0]}, expected "onnxruntime_onnx"`,
      });
    }
    const maxBatch = config.max_batch_size?.[0] ?? 0;
    if (typeof maxBatch !== 'number' || !Number.isInteger(maxBatch) || maxBatch < 0) {
      problems.push({ code: 'MAX_BATCH_SIZE', message: `${name}/config.pbtxt: max_batch_size ${maxBatch}` });
      continue;
    }
    const versions = [];
    for (const entry of await readdir(dir))
      if (/^\d+$/.test(entry) && (await isDirectory(join(dir, entry)))) versions.push(entry);
    if (versions.length === 0) problems.push({ code: 'NO_VERSION', message: `${name}: no numeric version folder` });
    for (const version of versions) {
      const where = `${name}/${version}/model.onnx`;
      const bytes = await readFile(join(dir, version, 'model.onnx')).catch(() => undefined);
      if (bytes === undefined) {
        problems.push({ code: 'NO_MODEL_FILE', message: `${where}: missing` });
        continue;
      }
      const graph: OnnxGraph = decodeModel(new Uint8Array(bytes)).graph;
      const initializers = new Set(graph.initializer.map((t) => t.name));
      const inputs = graph.input.filter((i) => !initializers.has(i.name));
      problems.push(
        ...compareTensors('input', config.input ?? [], inputs, maxBatch, where),
        ...compareTensors('output', config.output ?? [], graph.output, maxBatch, where),
      );
    }
  }
  return problems;
}

/** A repository written by the exporter's own writer, around the server tests' tiny model. */
async function exportedRepository(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'onnxpipe-layout-'));
  const bytes = buildTinyMnistModel().bytes;
  await writeModelRepositoryEntry({
    repository: dir,
    name: 'mnist',
    version: 1,
    model: decodeModel(bytes),
    bytes,
    layout: 'nchw',
  });
  return dir;
}

const codes = (problems: readonly Problem[]) => problems.map((p) => p.code);

test('the Triton checker accepts what the exporter writes and names each kind of mismatch', async () => {
  const dir = await exportedRepository();
  try {
    assert.deepEqual(await checkTritonRepository(dir), []);
    const config = join(dir, 'mnist', 'config.pbtxt');
    const original = await readFile(config, 'utf8');
    const broken: [string, (text: string) => string, ProblemCode[]][] = [
      ['name', (t) => t.replace('name: "mnist"', 'name: "digits"'), ['NAME']],
      ['platform', (t) => t.replace('onnxruntime_onnx', 'tensorflow_savedmodel'), ['PLATFORM']],
      ['input dims', (t) => t.replace('dims: [ 1, 28, 28 ]', 'dims: [ 1, 28, 27 ]'), ['DIMS']],
      [
        'no batching with the same dims',
        (t) => t.replace(/max_batch_size: \d+/, 'max_batch_size: 0'),
        ['DIMS', 'DIMS'],
      ],
      ['data type', (t) => t.replace('TYPE_FP32', 'TYPE_FP16'), ['DATA_TYPE']],
      ['input name', (t) => t.replace('name: "input"', 'name: "x"'), ['TENSORS']],
    ];
    for (const [what, edit, expected] of broken) {
      const edited = edit(original);
      assert.notEqual(edited, original, `the ${what} edit changed nothing: the exporter's config format moved`);
      await writeFile(config, edited);
      assert.deepEqual(codes(await checkTritonRepository(dir)), expected, what);
    }
    await writeFile(config, original);
    await cp(join(dir, 'mnist'), join(dir, 'other'), { recursive: true });
    assert.deepEqual(codes(await checkTritonRepository(dir)), ['NAME'], 'a copied folder keeps the old name');
    await rm(join(dir, 'other'), { recursive: true });
    await rm(join(dir, 'mnist', '1', 'model.onnx'));
    assert.deepEqual(codes(await checkTritonRepository(dir)), ['NO_MODEL_FILE']);
    await rm(join(dir, 'mnist', '1'), { recursive: true });
    assert.deepEqual(codes(await checkTritonRepository(dir)), ['NO_VERSION']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test(
  'models/ is a Triton model repository whose configs agree with the ONNX graphs',
  {
    skip: existsSync(shippedModel)
      ? false
      : 'models/mnist/1/model.onnx is not exported yet (npm run train, then npm run export)',
  },
  async () => {
    assert.deepEqual(await checkTritonRepository(join(root, 'models')), []);
  },
);

// ---- deployment files ------------------------------------------------------------------------

// Manifests are checked field by field below; a full Kubernetes type would add nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, read field by field
type Json = Record<string, any>;

async function yamlDocuments(path: string): Promise<Json[]> {
  const documents = parseAllDocuments(await readFile(join(root, path), 'utf8'));
  for (const d of documents) assert.deepEqual(d.errors, [], `${path} is not valid YAML`);
  return documents.map((d) => d.toJS() as Json);
}

function byKind(documents: readonly Json[], kind: string): Json {
  const found = documents.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0];
}

/** Server settings from environment entries, checked by the server's own loadConfig. */
function configFromEnv(env: Record<string, string>) {
  const known = new Set(SETTINGS.map((s) => s.env));
  for (const key of Object.keys(env))
    assert.ok(known.has(key) || !/^(ONNXPIPE_|PORT$|HOST$)/.test(key), `${key} is not a server setting`);
  return loadConfig({ env, argv: [] });
}

const defaultPort = CONFIG_DEFAULTS.port as number;
const labelsMatch = (selector: Json, labels: Json) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

test('the Kubernetes Deployment, Service and HPA agree with each other and with the server', async () => {
  const documents = await yamlDocuments('deploy/kubernetes/server.yaml');
  const deployment = byKind(documents, 'Deployment');
  const service = byKind(documents, 'Service');
  const hpa = byKind(await yamlDocuments('deploy/kubernetes/hpa-cpu.yaml'), 'HorizontalPodAutoscaler');
  const pod = deployment.spec.template;
  const [container] = pod.spec.containers;
  const http = container.ports.find((p: Json) => p.name === 'http');

  assert.ok(
    labelsMatch(deployment.spec.selector.matchLabels, pod.metadata.labels),
    'the Deployment selects its own pods',
  );
  assert.ok(labelsMatch(service.spec.selector, pod.metadata.labels), 'the Service selects the pods');
  assert.ok(service.spec.ports.some((p: Json) => p.targetPort === 'http' || p.targetPort === http.containerPort));
  assert.deepEqual(
    {
      apiVersion: hpa.spec.scaleTargetRef.apiVersion,
      kind: hpa.spec.scaleTargetRef.kind,
      name: hpa.spec.scaleTargetRef.name,
    },
    { apiVersion: deployment.apiVersion, kind: 'Deployment', name: deployment.metadata.name },
  );
  assert.ok(
    hpa.spec.metrics.some((m: Json) => m.type === 'Resource' && m.resource.name === 'cpu'),
    'the HPA scales on CPU',
  );
  assert.ok(container.resources?.requests?.cpu, 'a CPU request (the HPA computes utilisation against it)');

  // Secrets come from Secrets (valueFrom), never as values in the manifest.
  const fromSecrets = container.env.filter((e: Json) => e.valueFrom !== undefined);
  for (const e of fromSecrets)
    assert.ok(e.valueFrom.secretKeyRef?.optional === true, `${e.name} comes from an optional Secret`);
  assert.deepEqual(
    fromSecrets.map((e: Json) => e.name),
    ['ONNXPIPE_MODEL_CONTROL_TOKEN'],
  );
  const env = Object.fromEntries(
    container.env.filter((e: Json) => e.valueFrom === undefined).map((e: Json) => [e.name, String(e.value)]),
  );
  const config = configFromEnv(env);
  assert.equal(config.modelControlMode, 'none', 'nobody who reaches the Service can unload the model');
  assert.equal(http.containerPort, config.port);
  assert.equal(http.containerPort, defaultPort);
  assert.equal(config.host, '0.0.0.0', 'the server listens beyond loopback inside the pod');
  assert.equal(container.readinessProbe.httpGet.path, '/v2/health/ready');
  assert.equal(container.livenessProbe.httpGet.path, '/v2/health/live');
  for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
    assert.ok(probe.httpGet.port === 'http' || probe.httpGet.port === http.containerPort);
  }
  const preStopSeconds = Number(container.lifecycle?.preStop?.exec?.command?.at(-1) ?? 0);
  assert.ok(
    pod.spec.terminationGracePeriodSeconds * 1000 > config.shutdownTimeoutMs + preStopSeconds * 1000,
    'Kubernetes waits longer than the preStop pause plus the server drain before SIGKILL',
  );
});

test('the Docker images and compose services use the server port, its settings and its readiness route', async () => {
  const [compose] = await yamlDocuments('docker/compose.yaml');
  const services = Object.entries(compose.services as Record<string, Json>);
  assert.deepEqual(services.map(([name]) => name).sort(), ['server-cpu', 'server-gpu']);
  for (const [name, service] of services) {
    const dockerfile = service.build.dockerfile as string;
    const text = await readFile(join(root, dockerfile), 'utf8');
    assert.ok(existsSync(join(root, `${dockerfile}.dockerignore`)), `${dockerfile}.dockerignore beside ${dockerfile}`);
    assert.match(text, new RegExp(`^EXPOSE ${defaultPort}$`, 'm'), `${dockerfile} exposes the default port`);
    assert.match(text, /^HEALTHCHECK [^\n]*\\\n[^\n]*\/v2\/health\/ready/m, `${dockerfile} checks readiness`);
    assert.match(text, /^USER \d+:\d+$/m, `${dockerfile} runs as a numeric non-root user`);
    assert.match(
      text,
      /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "packages\/server\/dist\/cli\.js"\]$/m,
      `${dockerfile} runs the server under tini, without npm in between`,
    );
    const envInstructions = [...text.matchAll(/^ENV ((?:[^\n]*\\\n)*[^\n]*)$/gm)].map((m) => m[1]).join(' ');
    const imageEnv = Object.fromEntries([...envInstructions.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    const config = configFromEnv({ ...imageEnv, ...(service.environment as Record<string, string>) });
    assert.equal(config.host, '0.0.0.0', `${name} listens beyond loopback`);
    assert.equal(config.modelControlMode, 'none', `${name}: nobody who reaches the port can unload the model`);
    assert.ok(
      (service.ports as string[]).every((p) => p.endsWith(`:${config.port}`)),
      `${name} publishes the server port`,
    );
    const grace = /^(\d+)s$/.exec(service.stop_grace_period)?.[1];
    assert.ok(Number(grace) * 1000 > config.shutdownTimeoutMs, `${name} lets the drain finish before SIGKILL`);
  }
  const gpu = compose.services['server-gpu'];
  assert.equal(configFromEnv(gpu.environment).device, 'cuda');
  assert.ok(gpu.deploy.resources.reservations.devices.some((d: Json) => d.capabilities.includes('gpu')));
});

test('compose.model-control.yaml turns model control on for every service with the token from a Compose secret file', async () => {
  const [compose] = await yamlDocuments('docker/compose.yaml');
  const [overlay] = await yamlDocuments('docker/compose.model-control.yaml');
  assert.deepEqual(Object.keys(overlay.services).sort(), Object.keys(compose.services).sort());
  for (const [name, service] of Object.entries(overlay.services as Record<string, Json>)) {
    const env = service.environment as Record<string, string>;
    assert.equal(env.ONNXPIPE_MODEL_CONTROL_MODE, 'explicit', name);
    assert.deepEqual(service.secrets, ['model_control_token'], name);
    assert.equal(
      env.ONNXPIPE_MODEL_CONTROL_TOKEN_FILE,
      '/run/secrets/model_control_token',
      `${name} reads the secret where Compose mounts it`,
    );
    assert.equal(env.ONNXPIPE_MODEL_CONTROL_TOKEN, undefined, `${name}: no token in the environment`);
    // The server's own loader, with the secret file where Compose would mount it.
    const dir = await mkdtemp(join(tmpdir(), 'onnxpipe-secret-'));
    try {
      await writeFile(join(dir, 'model_control_token'), `${'ab'.repeat(32)}\n`);
      const config = configFromEnv({
        ...service.environment,
        ONNXPIPE_MODEL_CONTROL_TOKEN_FILE: join(dir, 'model_control_token'),
      });
      assert.ok(config.modelControlToken?.matches('ab'.repeat(32)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  assert.equal(overlay.secrets.model_control_token.file, './model-control-token');
  assert.match(
    await readFile(join(root, 'docker/.gitignore'), 'utf8'),
    /^model-control-token$/m,
    'the token file is git-ignored',
  );
});

test('the KServe InferenceService asks for Triton on the ONNX model repository over the v2 protocol', async () => {
  const service = parseYaml(await readFile(join(root, 'deploy/kserve/inference-service.yaml'), 'utf8')) as Json;
  assert.equal(service.apiVersion, 'serving.kserve.io/v1beta1');
  assert.equal(service.kind, 'InferenceService');
  const model = service.spec.predictor.model;
  assert.equal(model.modelFormat.name, 'onnx');
  assert.equal(model.runtime, 'kserve-tritonserver');
  assert.equal(model.protocolVersion, 'v2');
  assert.match(model.storageUri, /^(gs|s3|pvc|https?):\/\//);
  assert.deepEqual(model.args, ['--model-control-mode=none'], "Triton's load/unload stay refused");
  assert.ok(
    model.env.every((e: Json) => e.valueFrom?.secretKeyRef?.optional === true),
    'secrets only from Secrets',
  );
});

test('the probe and health-check paths are routes the server answers', async () => {
  const dir = await exportedRepository();
  const app = await buildApp({
    config: loadConfig({ env: {}, overrides: { modelRepository: dir, device: 'cpu', logLevel: 'silent' } }),
  });
  try {
    const documents = await yamlDocuments('deploy/kubernetes/server.yaml');
    const [container] = byKind(documents, 'Deployment').spec.template.spec.containers;
    const expected: Record<string, Json> = { '/v2/health/ready': { ready: true }, '/v2/health/live': { live: true } };
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      const response = await app.inject({ method: 'GET', url: probe.httpGet.path });
      assert.equal(response.statusCode, 200, probe.httpGet.path);
      assert.deepEqual(response.json(), expected[probe.httpGet.path]);
    }
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});
