import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { buildApp, loadConfig, METRIC_NAMES } from '@onnxpipe/server';
import { buildTinyMnistModel, writeTestRepository } from '../packages/server/src/testing/tiny-model.js';
import {
  checkComposeFiles,
  checkDockerfile,
  checkTypedDocuments,
  dockerignoreFilter,
  expandAdapterTemplate,
  parseDockerfile,
  parsePromQL,
  parseYamlDocuments,
  readText,
  root,
  strategicMerge,
  type Problem,
  type ProblemCode,
  type TypedDocument,
} from './helpers/deployment-checks.js';

// Every file under docker/ and deploy/ checked without Docker or a cluster (issue 16): each kind
// of file through a library that knows its format (helpers/deployment-checks.ts), an error
// planted in each kind caught, and the claims the manifests make — autoscaling figures, probes,
// models from storage, production images — tied to the server's real routes, settings and
// metrics. test/model-repository-layout.test.ts checks models/ as a Triton repository and the
// settings and ports the files share with the server.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, read field by field
type Json = Record<string, any>;
const codes = (problems: readonly Problem[]) => [...new Set(problems.map((p) => p.code))].sort();

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out.sort();
}

type FileKind = 'dockerfile' | 'dockerignore' | 'compose' | 'kubernetes' | 'adapter-values' | 'readme' | 'gitignore';

/** Which checker each deployment file goes through; undefined: none (the inventory test fails). */
function kindOf(path: string): FileKind | undefined {
  const name = basename(path);
  if (name.endsWith('.Dockerfile')) return 'dockerfile';
  if (name.endsWith('.Dockerfile.dockerignore')) return 'dockerignore';
  if (path.startsWith('docker/') && /^compose(\.[\w-]+)?\.yaml$/.test(name)) return 'compose';
  if (name === 'prometheus-adapter-values.yaml') return 'adapter-values';
  if (path.startsWith('deploy/') && name.endsWith('.yaml')) return 'kubernetes';
  if (name === 'README.md') return 'readme';
  if (name === '.gitignore') return 'gitignore';
  return undefined;
}

const deploymentFiles = [...filesUnder('docker'), ...filesUnder('deploy')].filter(
  (f) => !f.endsWith('model-control-token'),
);
const filesOf = (kind: FileKind) => deploymentFiles.filter((f) => kindOf(f) === kind);

/** Every YAML document of the Kubernetes/KServe files, with its file and index as id. */
function kubernetesDocuments(): TypedDocument[] {
  return filesOf('kubernetes').flatMap((file) => {
    const { documents, problems } = parseYamlDocuments(readText(file));
    assert.deepEqual(problems, [], `${file} is not valid YAML`);
    // A strategic merge patch is a partial resource: its fields are checked, not its completeness.
    const as = file.endsWith('-patch.yaml') ? 'DeploymentPatch' : undefined;
    return documents.map((value, i) => ({ id: `${file}#${i}`, value, ...(as === undefined ? {} : { as }) }));
  });
}

function documentOf(file: string, kind: string): Json {
  const found = parseYamlDocuments(readText(file)).documents.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in ${file}`);
  return found[0];
}

/** The Kubernetes resources `kubectl apply -k dir` would create: resources, then patches. */
function kustomizeBuild(dir: string): Json[] {
  const kustomization = documentOf(join(dir, 'kustomization.yaml'), 'Kustomization');
  let resources: Json[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = join(dir, entry);
    resources.push(...(entry.endsWith('.yaml') ? parseYamlDocuments(readText(path)).documents : kustomizeBuild(path)));
  }
  for (const { path } of kustomization.patches ?? []) {
    const patch = parseYamlDocuments(readText(join(dir, path))).documents[0];
    const at = resources.findIndex((r) => r.kind === patch.kind && r.metadata?.name === patch.metadata?.name);
    assert.ok(at >= 0, `${dir}/${path} patches ${patch.kind}/${patch.metadata?.name}, which ${dir} does not have`);
    resources = resources.map((r, i) => (i === at ? (strategicMerge(r, patch) as Json) : r));
  }
  return resources;
}

// ---- every file is checked ------------------------------------------------------------------------

test('every file under docker/ and deploy/ has a checker, and each README names the files beside it', () => {
  assert.ok(deploymentFiles.length >= 15, `found ${deploymentFiles.length} files`);
  for (const file of deploymentFiles)
    assert.ok(
      kindOf(file) !== undefined,
      `${file}: no check covers this kind of file; add one to test/deployment-files.test.ts`,
    );
  for (const file of deploymentFiles.filter((f) => kindOf(f) !== 'readme')) {
    // The README of the file's folder, or of the folder above for deploy/<platform>/.
    const readme = ['docker/README.md', 'deploy/README.md'].find((r) => file.startsWith(dirname(r)))!;
    assert.ok(readText(readme).includes(relative(dirname(readme), file)), `${readme} does not mention ${file}`);
  }
});

test('the Kubernetes, KEDA, Prometheus Operator, KServe and Kustomize files pass their schemas and types', () => {
  const documents = kubernetesDocuments();
  assert.ok(documents.length >= 12, `found ${documents.length} documents`);
  const adapter = filesOf('adapter-values').map((file) => ({
    id: file,
    value: parseYamlDocuments(readText(file)).documents[0],
    as: 'PrometheusAdapterValues',
  }));
  // What the overlay produces is checked too: a patch can break what each file alone does not.
  const built = kustomizeBuild('deploy/kubernetes/models-from-storage').map((value, i) => ({
    id: `kustomize build models-from-storage #${i}`,
    value,
  }));
  const results = checkTypedDocuments([...documents, ...adapter, ...built]);
  for (const [id, problems] of results) assert.deepEqual(problems, [], id);
});

test("the Compose files pass the Compose specification and dclint's correctness rules", () => {
  const results = checkComposeFiles(filesOf('compose').map((f) => join(root, f)));
  assert.equal(results.size, filesOf('compose').length);
  for (const [file, problems] of results) assert.deepEqual(problems, [], file);
});

test('the Dockerfiles lint clean, COPY only what reaches the build context, and copy from stages they define', async () => {
  for (const file of filesOf('dockerfile')) {
    const ignore = dockerignoreFilter(readText(`${file}.dockerignore`));
    const context = (await trackedAndPresent()).filter(ignore);
    assert.deepEqual(checkDockerfile(readText(file), context), [], file);
  }
});

/** The repository's files as a build context would see them (git-ignored build output left out). */
async function trackedAndPresent(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
      if (['node_modules', '.git', 'dist', '.turbo'].includes(entry.name)) continue;
      // The dataset cache and scratch runs at the root (git-ignored; packages/data is a package).
      if (dir === '' && ['data', 'scratch'].includes(entry.name)) continue;
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else out.push(path);
    }
  };
  await walk('');
  return out;
}

// ---- a planted error in each kind fails ------------------------------------------------------------

test('a misspelt field or a wrong type in each kind of file is caught', async () => {
  const documents = kubernetesDocuments().filter((d) => d.as === undefined);
  const find = (kind: string, file?: string) => {
    const found = documents.find((d) => d.value.kind === kind && (file === undefined || d.id.startsWith(file)));
    assert.ok(found, `a ${kind}${file ? ` in ${file}` : ''}`);
    return structuredClone(found.value);
  };
  const planted: [string, Json, (d: Json) => void, ProblemCode[], string?][] = [
    [
      'Deployment: livenesProbe',
      find('Deployment'),
      (d) => {
        const c = d.spec.template.spec.containers[0];
        c.livenesProbe = c.livenessProbe;
        delete c.livenessProbe;
      },
      ['UNKNOWN_FIELD'],
    ],
    [
      'Deployment: containerPort as a string',
      find('Deployment'),
      (d) => {
        d.spec.template.spec.containers[0].ports[0].containerPort = '3000';
      },
      ['SCHEMA', 'TYPE'],
    ],
    [
      'Deployment: imagePullPolicy outside the enum',
      find('Deployment'),
      (d) => {
        d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
      },
      ['SCHEMA', 'TYPE'],
    ],
    [
      'Service: targetPorts',
      find('Service'),
      (d) => {
        d.spec.ports[0].targetPorts = d.spec.ports[0].targetPort;
      },
      ['UNKNOWN_FIELD'],
    ],
    [
      'PodDisruptionBudget: minAvailable as an object',
      find('PodDisruptionBudget'),
      (d) => {
        d.spec.minAvailable = { count: 1 };
      },
      ['SCHEMA', 'TYPE'],
    ],
    [
      'HPA: minReplica',
      find('HorizontalPodAutoscaler', 'deploy/kubernetes/hpa-concurrency.yaml'),
      (d) => {
        d.spec.minReplica = 2;
      },
      ['UNKNOWN_FIELD'],
    ],
    [
      'HPA: minReplicas as a string',
      find('HorizontalPodAutoscaler', 'deploy/kubernetes/hpa-cpu.yaml'),
      (d) => {
        d.spec.minReplicas = '2';
      },
      ['SCHEMA', 'TYPE'],
    ],
    [
      'PVC: accessModes as a string',
      find('PersistentVolumeClaim'),
      (d) => {
        d.spec.accessModes = 'ReadOnlyMany';
      },
      ['SCHEMA', 'TYPE'],
    ],
    [
      'ScaledObject: minReplicasCount',
      find('ScaledObject'),
      (d) => {
        d.spec.minReplicasCount = d.spec.minReplicaCount;
        delete d.spec.minReplicaCount;
      },
      ['UNKNOWN_FIELD'],
    ],
    [
      'ScaledObject: threshold as a number',
      find('ScaledObject'),
      (d) => {
        d.spec.triggers[0].metadata.threshold = 16;
      },
      ['SCHEMA', 'TYPE'],
    ],
    [
      'ServiceMonitor: intervall',
      find('ServiceMonitor'),
      (d) => {
        d.spec.endpoints[0].intervall = '15s';
      },
      ['UNKNOWN_FIELD'],
    ],
    [
      'InferenceService: scaleMetrics',
      find('InferenceService', 'deploy/kserve/inference-service-onnxpipe.yaml'),
      (d) => {
        d.spec.predictor.scaleMetrics = 'concurrency';
      },
      ['UNKNOWN_FIELD'],
    ],
    [
      'InferenceService: containerConcurrency as a string',
      find('InferenceService', 'deploy/kserve/inference-service-onnxpipe.yaml'),
      (d) => {
        d.spec.predictor.containerConcurrency = '64';
      },
      ['TYPE'],
    ],
    [
      'InferenceService: a model env entry without a name',
      find('InferenceService', 'deploy/kserve/inference-service.yaml'),
      (d) => {
        d.spec.predictor.model.env[0] = { valueFrom: d.spec.predictor.model.env[0].valueFrom };
      },
      ['SCHEMA', 'TYPE'],
    ],
    [
      'ServingRuntime: supportedModelFormat',
      find('ServingRuntime'),
      (d) => {
        d.spec.supportedModelFormat = d.spec.supportedModelFormats;
        delete d.spec.supportedModelFormats;
      },
      ['UNKNOWN_FIELD'],
    ],
    [
      'ServingRuntime: a probe port as a list',
      find('ServingRuntime'),
      (d) => {
        d.spec.containers[0].readinessProbe.httpGet.port = [8080];
      },
      ['SCHEMA', 'TYPE'],
    ],
    [
      'Kustomization: resource',
      find('Kustomization'),
      (d) => {
        d.resource = d.resources;
        delete d.resources;
      },
      ['UNKNOWN_FIELD'],
    ],
  ];
  const adapter = parseYamlDocuments(readText('deploy/kubernetes/prometheus-adapter-values.yaml')).documents[0];
  const mutated: TypedDocument[] = planted.map(([what, doc, edit]) => {
    edit(doc);
    return { id: what, value: doc };
  });
  const brokenAdapter = structuredClone(adapter);
  brokenAdapter.rules.custom[0].seriesQueries = brokenAdapter.rules.custom[0].seriesQuery;
  mutated.push({ id: 'adapter values: seriesQueries', value: brokenAdapter, as: 'PrometheusAdapterValues' });
  const results = checkTypedDocuments(mutated);
  for (const [what, , , expected] of planted) assert.deepEqual(codes(results.get(what)!), expected, what);
  assert.deepEqual(codes(results.get('adapter values: seriesQueries')!), ['UNKNOWN_FIELD']);

  // Compose: a misspelt key, a value of the wrong type, a port published on every interface.
  const dir = await mkdtemp(join(tmpdir(), 'onnxpipe-compose-'));
  try {
    const compose = readText('docker/compose.yaml');
    const broken: [string, string, ProblemCode[]][] = [
      [
        'stop_grace_periods',
        compose.replace('    stop_grace_period: 15s\n', '    stop_grace_periods: 15s\n'),
        ['COMPOSE'],
      ],
      ['restart as a number', compose.replace('restart: unless-stopped', 'restart: 5'), ['COMPOSE']],
      ['a port on every interface', compose.replace('"127.0.0.1:3000:3000"', '"3000:3000"'), ['COMPOSE']],
      [
        'an image without a tag',
        compose.replace('image: onnxpipe-server-cpu:0.1.0', 'image: onnxpipe-server-cpu'),
        ['COMPOSE'],
      ],
      ['not YAML', compose.replace('services:', 'services: [\n'), ['YAML']],
    ];
    for (const [what, text] of broken) assert.notEqual(text, compose, `${what}: the edit changed nothing`);
    await Promise.all(
      broken.map(([what, text]) => writeFile(join(dir, `compose.${what.replaceAll(' ', '-')}.yaml`), text)),
    );
    const results = checkComposeFiles(broken.map(([what]) => join(dir, `compose.${what.replaceAll(' ', '-')}.yaml`)));
    for (const [what, , expected] of broken)
      assert.deepEqual(codes(results.get(join(dir, `compose.${what.replaceAll(' ', '-')}.yaml`))!), expected, what);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // Dockerfile: a misspelt instruction, a misspelt flag, a stage that does not exist, a file the
  // .dockerignore keeps out of the context.
  const dockerfile = readText('docker/server-cpu.Dockerfile');
  const context = (await trackedAndPresent()).filter(
    dockerignoreFilter(readText('docker/server-cpu.Dockerfile.dockerignore')),
  );
  const brokenDockerfiles: [string, string, ProblemCode[]][] = [
    ['COPPY', dockerfile.replace('COPY tsconfig.base.json ./', 'COPPY tsconfig.base.json ./'), ['DOCKERFILE']],
    ['--intervall', dockerfile.replace('HEALTHCHECK --interval=10s', 'HEALTHCHECK --intervall=10s'), ['DOCKERFILE']],
    [
      '--from=bulid',
      dockerfile.replace(
        'COPY --from=build /app/packages/server/dist/',
        'COPY --from=bulid /app/packages/server/dist/',
      ),
      ['STAGE'],
    ],
    [
      'an ignored source',
      dockerfile.replace('COPY tsconfig.base.json ./', 'COPY tsconfig.base.json docs/benchmarks.md ./'),
      ['COPY_SOURCE'],
    ],
  ];
  for (const [what, text, expected] of brokenDockerfiles) {
    assert.notEqual(text, dockerfile, `${what}: the edit changed nothing`);
    assert.deepEqual(codes(checkDockerfile(text, context)), expected, what);
  }

  // PromQL: an unbalanced parenthesis.
  const query = documentOf('deploy/kubernetes/keda-scaledobject.yaml', 'ScaledObject').spec.triggers[0].metadata
    .query as string;
  assert.deepEqual(parsePromQL(query).problems, []);
  assert.deepEqual(codes(parsePromQL(query.replace(/\)$/, '')).problems), ['PROMQL']);
});

// ---- autoscaling on load -----------------------------------------------------------------------

/** The routes a PromQL `route=~"a|b"` matcher names. */
const routesOf = (matchers: { name: string; value: string }[]) =>
  matchers.filter((m) => m.name === 'route').flatMap((m) => m.value.split('|'));

test('the autoscalers target the Deployment, agree on one load figure, and query metrics and routes the server has', async () => {
  const deployment = documentOf('deploy/kubernetes/server.yaml', 'Deployment');
  assert.equal(
    deployment.spec.replicas,
    undefined,
    'no replicas beside an autoscaler: every kubectl apply would reset the scale',
  );
  const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name };
  const cpu = documentOf('deploy/kubernetes/hpa-cpu.yaml', 'HorizontalPodAutoscaler');
  const load = documentOf('deploy/kubernetes/hpa-concurrency.yaml', 'HorizontalPodAutoscaler');
  const keda = documentOf('deploy/kubernetes/keda-scaledobject.yaml', 'ScaledObject');
  for (const hpa of [cpu, load]) {
    assert.deepEqual(hpa.spec.scaleTargetRef, target);
    assert.equal(
      hpa.metadata.name,
      deployment.metadata.name,
      'one name for every HPA: applying one replaces the other',
    );
    assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.minReplicas <= hpa.spec.maxReplicas);
  }
  assert.deepEqual(keda.spec.scaleTargetRef, target);
  assert.equal(cpu.spec.metrics[0].resource.target.averageUtilization, 50);

  // One figure: requests in flight per pod, the same in the HPA, KEDA and KServe.
  const perPod = Number(load.spec.metrics[0].pods.target.averageValue);
  const isvc = documentOf('deploy/kserve/inference-service-onnxpipe.yaml', 'InferenceService');
  assert.equal(Number(keda.spec.triggers[0].metadata.threshold), perPod);
  assert.equal(isvc.spec.predictor.scaleMetric, 'concurrency');
  assert.equal(isvc.spec.predictor.scaleTarget, perPod);
  assert.ok(isvc.spec.predictor.containerConcurrency >= perPod);

  // The HPA's custom metric is what the adapter rule serves, computed from a metric the server exports.
  const adapter = parseYamlDocuments(readText('deploy/kubernetes/prometheus-adapter-values.yaml')).documents[0];
  const [rule] = adapter.rules.custom;
  assert.equal(rule.name.as, load.spec.metrics[0].pods.metric.name);
  const series = `${METRIC_NAMES.requestDuration}_sum`;
  assert.match(series, new RegExp(rule.name.matches));
  const queries = [
    parsePromQL(rule.seriesQuery),
    parsePromQL(expandAdapterTemplate(rule.metricsQuery, series)),
    parsePromQL(keda.spec.triggers[0].metadata.query),
  ];
  for (const q of queries) {
    assert.deepEqual(q.problems, []);
    assert.deepEqual(q.metrics, [series]);
  }
  // Route label values are the server's own route patterns (what metrics.ts records).
  const dir = await writeTestRepository([{ bytes: buildTinyMnistModel().bytes }]);
  const app = await buildApp({
    config: loadConfig({ env: {}, overrides: { modelRepository: dir.dir, device: 'cpu', logLevel: 'silent' } }),
  });
  try {
    for (const q of queries.slice(1)) {
      const routes = routesOf(q.labelMatchers);
      assert.deepEqual(routes.sort(), [
        '/predict',
        '/v2/models/:name/infer',
        '/v2/models/:name/versions/:version/infer',
      ]);
      for (const url of routes)
        assert.ok(app.hasRoute({ method: 'POST', url }), `POST ${url} is a route of the server`);
    }
    // The metric exists once a request has been answered.
    await app.inject({ method: 'POST', url: '/predict', payload: { pixels: Array(784).fill(0) } });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    assert.match(metrics, new RegExp(`^${series}\\{method="POST",route="/predict"\\} `, 'm'));
  } finally {
    await app.close();
    await dir.remove();
  }
});

test('probes: liveness is answered while the batch queue is full, readiness follows model state and draining', async () => {
  const container = documentOf('deploy/kubernetes/server.yaml', 'Deployment').spec.template.spec.containers[0];
  const { livenessProbe: live, readinessProbe: ready } = container;
  assert.ok(live.periodSeconds * live.failureThreshold >= 60, 'a restart only after a minute without an answer');
  assert.ok(
    live.timeoutSeconds >= 5 && ready.timeoutSeconds >= 5,
    'probe timeouts well above the slowest answer measured under overload',
  );
  const runtime = documentOf('deploy/kserve/serving-runtime.yaml', 'ServingRuntime').spec.containers[0];
  assert.deepEqual(
    [
      runtime.livenessProbe.timeoutSeconds,
      runtime.livenessProbe.periodSeconds * runtime.livenessProbe.failureThreshold,
    ],
    [live.timeoutSeconds, live.periodSeconds * live.failureThreshold],
  );

  // Items wait 3 s for company (delay scheduling), and at most 4 may wait: two requests fill the queue.
  const dir = await writeTestRepository([{ bytes: buildTinyMnistModel().bytes }]);
  const config = loadConfig({
    env: {},
    overrides: {
      modelRepository: dir.dir,
      device: 'cpu',
      logLevel: 'silent',
      maxQueueLength: 4,
      maxItemsPerRequest: 2,
      maxBatchSize: 64,
      maxQueueDelayMs: 3_000,
      requestTimeoutMs: 30_000,
      batchScheduling: 'delay',
    },
  });
  const app = await buildApp({ config });
  try {
    const pixels = Array(784).fill(0);
    const waiting = [1, 2].map(() =>
      app.inject({ method: 'POST', url: '/predict', payload: { pixels: [pixels, pixels] } }),
    );
    while (app.models.get().stats.queueLength < 4) await new Promise((r) => setTimeout(r, 5));
    assert.equal(
      (await app.inject({ method: 'POST', url: '/predict', payload: { pixels } })).json().code,
      'ONNXPIPE_SERVER_QUEUE_FULL',
    );
    const started = performance.now();
    const liveness = await app.inject({ url: live.httpGet.path });
    const readiness = await app.inject({ url: ready.httpGet.path });
    assert.deepEqual([liveness.statusCode, liveness.json()], [200, { live: true }]);
    assert.deepEqual(
      [readiness.statusCode, readiness.json()],
      [200, { ready: true }],
      "a busy pod stays in the Service: load is the autoscaler's business",
    );
    assert.ok(performance.now() - started < 1_000, 'answered at once, not after the queued batch');
    assert.equal(app.models.get().stats.queueLength, 4, 'the queue was still full');
    // Shutdown (what the preClose hook does on SIGTERM): readiness turns 503 at once while the
    // queued requests still finish. shutdown.test.ts drives the same on a listening server.
    app.models.markDraining();
    const draining = await app.inject({ url: ready.httpGet.path });
    assert.deepEqual([draining.statusCode, draining.json()], [503, { ready: false }]);
    assert.equal((await app.inject({ url: live.httpGet.path })).statusCode, 200, 'still live while draining');
    const closing = app.close();
    for (const response of await Promise.all(waiting)) assert.equal(response.statusCode, 200);
    await closing;
  } finally {
    await app.close();
    await dir.remove();
  }
});

// ---- models from storage -----------------------------------------------------------------------

test('models from storage: the overlay mounts the PVC read-only at /mnt/models and the server follows it there', async () => {
  const built = kustomizeBuild('deploy/kubernetes/models-from-storage');
  const deployment = built.find((r) => r.kind === 'Deployment')!;
  const claim = built.find((r) => r.kind === 'PersistentVolumeClaim')!;
  assert.deepEqual(built.map((r) => r.kind).sort(), [
    'Deployment',
    'HorizontalPodAutoscaler',
    'PersistentVolumeClaim',
    'PodDisruptionBudget',
    'Service',
  ]);
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  assert.equal(pod.containers.length, 1, 'the patch merged into the server container instead of adding one');
  const volume = pod.volumes.find((v: Json) => v.persistentVolumeClaim !== undefined);
  assert.equal(volume.persistentVolumeClaim.claimName, claim.metadata.name);
  assert.ok(claim.spec.accessModes.includes('ReadOnlyMany'), 'every replica, on any node, mounts the same repository');
  const mount = container.volumeMounts.find((m: Json) => m.name === volume.name);
  assert.deepEqual([mount.mountPath, mount.readOnly], ['/mnt/models', true]);
  const env = Object.fromEntries(
    container.env.filter((e: Json) => e.value !== undefined).map((e: Json) => [e.name, String(e.value)]),
  );
  assert.equal(
    container.env.filter((e: Json) => e.name === 'ONNXPIPE_MODEL_CONTROL_MODE').length,
    1,
    'the patch replaced the setting',
  );
  const config = loadConfig({ env, argv: [] });
  assert.equal(config.modelRepository, mount.mountPath);
  assert.equal(config.modelControlMode, 'poll');

  // The same settings over a directory standing in for the volume: the server serves it, refuses
  // load/unload over HTTP, and picks up a version copied in later.
  const storage = await writeTestRepository([{ bytes: buildTinyMnistModel().bytes }]);
  const app = await buildApp({
    config: loadConfig({
      env: {
        ...env,
        ONNXPIPE_MODEL_REPOSITORY: storage.dir,
        ONNXPIPE_REPOSITORY_POLL_SECS: '1',
        ONNXPIPE_LOG_LEVEL: 'silent',
      },
    }),
  });
  try {
    assert.equal((await app.inject({ url: '/v2/health/ready' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/v2/repository/models/mnist/unload' })).statusCode, 403);
    await cp(join(storage.dir, 'mnist', '1'), join(storage.dir, 'mnist', '2'), { recursive: true });
    const deadline = Date.now() + 10_000;
    let versions: string[] = [];
    while (Date.now() < deadline) {
      const index = (await app.inject({ method: 'POST', url: '/v2/repository/index' })).json() as {
        version: string;
        state: string;
      }[];
      versions = index.filter((e) => e.state === 'READY').map((e) => e.version);
      if (versions.includes('2')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(versions.sort(), ['1', '2'], 'the new version is served without a restart');
  } finally {
    await app.close();
    await storage.remove();
  }
});

test('KServe: the InferenceService names our ServingRuntime, which serves /mnt/models on its container port with the probes on our routes', async () => {
  const runtime = documentOf('deploy/kserve/serving-runtime.yaml', 'ServingRuntime');
  const isvc = documentOf('deploy/kserve/inference-service-onnxpipe.yaml', 'InferenceService');
  const { model } = isvc.spec.predictor;
  assert.equal(model.runtime, runtime.metadata.name);
  assert.ok(
    runtime.spec.supportedModelFormats.some(
      (f: Json) => f.name === model.modelFormat.name && f.version === model.modelFormat.version,
    ),
  );
  assert.ok(runtime.spec.protocolVersions.includes(model.protocolVersion));
  assert.match(model.storageUri, /^(gs|s3|pvc|https?):\/\//);
  assert.ok(
    isvc.spec.predictor.timeout * 1000 > loadConfig({ env: {} }).requestTimeoutMs,
    "the proxy waits longer than the server's own deadline",
  );
  const [container] = runtime.spec.containers;
  assert.equal(container.name, 'kserve-container');
  assert.ok(!container.env.some((e: Json) => e.name === 'PORT'), 'Knative reserves PORT');
  const env = Object.fromEntries(container.env.map((e: Json) => [e.name, String(e.value)]));
  const config = loadConfig({ env, argv: container.args });
  assert.equal(config.port, container.ports[0].containerPort);
  assert.equal(config.modelRepository, '/mnt/models', "where KServe's storage initializer puts storageUri");
  assert.equal(config.modelControlMode, 'none');
  assert.equal(config.host, '0.0.0.0');
  const storage = await writeTestRepository([{ bytes: buildTinyMnistModel().bytes }]);
  const app = await buildApp({
    config: loadConfig({
      env: { ...env, ONNXPIPE_MODEL_REPOSITORY: storage.dir, ONNXPIPE_LOG_LEVEL: 'silent' },
      argv: container.args,
    }),
  });
  try {
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      assert.equal(probe.httpGet.port, container.ports[0].containerPort);
      assert.equal((await app.inject({ url: probe.httpGet.path })).statusCode, 200, probe.httpGet.path);
    }
    assert.equal(
      (await app.inject({ method: 'POST', url: '/predict', payload: { pixels: Array(784).fill(0) } })).statusCode,
      200,
    );
  } finally {
    await app.close();
    await storage.remove();
  }
});

// ---- images ------------------------------------------------------------------------------------

test('the server images: compiled JavaScript on production dependencies, Node 24, tini, non-root, only the serving files of models/', async () => {
  const modelFiles = (await trackedAndPresent()).filter((f) => f.startsWith('models/'));
  for (const file of filesOf('dockerfile')) {
    const text = readText(file);
    const { stages } = parseDockerfile(text);
    const final = stages.at(-1)!.instructions;
    const runs = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args.join(' ')));
    const install = runs.find((r) => /npm ci --omit=dev --workspace @onnxpipe\/server/.test(r));
    assert.ok(install, `${file}: the runtime's dependencies come from npm ci --omit=dev`);
    const runtimeCopies = final.filter((i) => i.keyword === 'COPY' && i.flags.from !== undefined);
    const installStage = stages.find((s) =>
      s.instructions.some((i) => i.keyword === 'RUN' && i.args.join(' ') === install),
    );
    assert.ok(
      runtimeCopies.some((c) => c.flags.from === installStage?.name && c.args[0] === '/app'),
      `${file}: node_modules come from the --omit=dev stage`,
    );
    assert.ok(
      !final.some((i) => i.keyword === 'RUN' && /npm (ci|install)/.test(i.args.join(' '))),
      `${file}: nothing installs in the final stage`,
    );
    const entrypoint = JSON.parse(text.match(/^ENTRYPOINT (\[.*\])$/m)![1]) as string[];
    assert.deepEqual(
      entrypoint,
      ['/usr/bin/tini', '--', 'node', 'packages/server/dist/cli.js'],
      `${file}: tini runs the compiled server, no tsx, no npm`,
    );
    const user = final.find((i) => i.keyword === 'USER')!.args[0];
    assert.match(user, /^[1-9]\d*:[1-9]\d*$/, `${file}: a numeric non-root user`);
    const nodeLine = /ARG NODE_IMAGE=node:(\d+)-/.exec(text)?.[1];
    assert.equal(nodeLine, '24', `${file}: Node 24`);
    if (/ARG CUDA_IMAGE=/.test(text)) {
      assert.match(
        text,
        /ARG CUDA_IMAGE=nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu2[24]\.04/,
        `${file}: a CUDA 12 + cuDNN 9 runtime base`,
      );
      assert.match(text, /^ARG NODE_MAJOR=24$/m);
    }
    // Of models/, exactly what the server reads reaches the context.
    const admitted = modelFiles.filter(dockerignoreFilter(readText(`${file}.dockerignore`)));
    const expected = modelFiles.filter((f) =>
      /^models\/[^/]+\/(config\.pbtxt|\d+\/(model\.onnx|manifest\.json))$/.test(f),
    );
    assert.deepEqual(admitted, expected, `${file}.dockerignore`);
  }
  assert.ok(
    modelFiles.some((f) => f.endsWith('/model.json')),
    'models/ holds trainer files for the filter to keep out',
  );
});
