import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dockerignoreModule from '@balena/dockerignore';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { DCLinter } from 'dclint';
import { DockerfileParser } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Container, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

// Checks for the deployment files under docker/ and deploy/ that need neither Docker nor a
// cluster: each kind of file goes through a library that knows its format (the Kubernetes
// schemas of kubernetes-models, the Compose specification's schema in dclint, a Dockerfile
// parser and linter, Docker's .dockerignore matching, Prometheus' own PromQL grammar). Every
// finding is a Problem with a code; test/deployment-files.test.ts asserts on the codes.

export const root = fileURLToPath(new URL('../..', import.meta.url));

export type ProblemCode =
  | 'YAML' // not parseable
  | 'SCHEMA' // kubernetes-models' JSON-schema validation (types, enums, required fields, formats)
  | 'UNKNOWN_FIELD' // a field the resource's type does not have (a misspelling)
  | 'TYPE' // a value of the wrong type, or a required field missing, per the resource's type
  | 'UNKNOWN_KIND' // a resource no checker knows
  | 'COMPOSE' // the Compose specification's schema, or a dclint correctness rule
  | 'DOCKERFILE' // dockerfile-utils' linter (instructions, flags, arguments)
  | 'COPY_SOURCE' // a COPY source missing from the build context or filtered out by the .dockerignore
  | 'STAGE' // COPY --from a stage the Dockerfile does not define
  | 'PROMQL'; // a query Prometheus' grammar does not parse

export interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, read field by field
type Json = Record<string, any>;

/** YAML documents of `text` (plain objects), or the parse errors. */
export function parseYamlDocuments(text: string): { documents: Json[]; problems: Problem[] } {
  const parsed = parseAllDocuments(text);
  const problems = parsed.flatMap((d) => d.errors.map((e): Problem => ({ code: 'YAML', message: e.message })));
  return { documents: problems.length ? [] : parsed.map((d) => d.toJS() as Json).filter((d) => d !== null), problems };
}

// ---- Kubernetes resources ---------------------------------------------------------------------

interface KindSpec {
  /** Module and exported type the TypeScript check assigns the resource to. */
  readonly module: string;
  readonly type: string;
  /** kubernetes-models' runtime validation, where a model class exists. */
  readonly validate?: (doc: Json) => void;
}

const KSERVE_TYPES = './helpers/kserve-types.js';

/** `apiVersion kind` → how to check it. */
const KINDS: Record<string, KindSpec> = {
  'apps/v1 Deployment': {
    module: 'kubernetes-models/apps/v1/Deployment',
    type: 'IDeployment',
    validate: (d) => new Deployment(d as never).validate(),
  },
  'apps/v1 StatefulSet': {
    module: 'kubernetes-models/apps/v1/StatefulSet',
    type: 'IStatefulSet',
    validate: (d) => new StatefulSet(d as never).validate(),
  },
  'v1 Service': {
    module: 'kubernetes-models/v1/Service',
    type: 'IService',
    validate: (d) => new Service(d as never).validate(),
  },
  'v1 PersistentVolumeClaim': {
    module: 'kubernetes-models/v1/PersistentVolumeClaim',
    type: 'IPersistentVolumeClaim',
    validate: (d) => new PersistentVolumeClaim(d as never).validate(),
  },
  'policy/v1 PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
    validate: (d) => new PodDisruptionBudget(d as never).validate(),
  },
  'autoscaling/v2 HorizontalPodAutoscaler': {
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    type: 'IHorizontalPodAutoscaler',
    validate: (d) => new HorizontalPodAutoscaler(d as never).validate(),
  },
  'keda.sh/v1alpha1 ScaledObject': {
    module: '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
    type: 'IScaledObject',
    validate: (d) => new ScaledObject(d as never).validate(),
  },
  'monitoring.coreos.com/v1 ServiceMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    type: 'IServiceMonitor',
    validate: (d) => new ServiceMonitor(d as never).validate(),
  },
  // KServe publishes no schema package: its embedded containers are validated with
  // kubernetes-models, the rest typed in helpers/kserve-types.ts.
  'serving.kserve.io/v1beta1 InferenceService': {
    module: KSERVE_TYPES,
    type: 'InferenceService',
    validate: (d) => {
      const { model, containers = [] } = d.spec?.predictor ?? {};
      if (model !== undefined) {
        const {
          modelFormat: _f,
          runtime: _r,
          runtimeVersion: _v,
          protocolVersion: _p,
          storageUri: _s,
          ...container
        } = model;
        new Container({ name: 'kserve-container', ...container }).validate();
      }
      for (const c of containers) new Container(c).validate();
    },
  },
  'serving.kserve.io/v1alpha1 ServingRuntime': {
    module: KSERVE_TYPES,
    type: 'ServingRuntime',
    validate: (d) => {
      for (const c of d.spec?.containers ?? []) new Container(c).validate();
    },
  },
  'kustomize.config.k8s.io/v1beta1 Kustomization': { module: KSERVE_TYPES, type: 'Kustomization' },
};

/** A document to type-check: a Kubernetes resource, or (with `as`) another typed YAML file. */
export interface TypedDocument {
  readonly id: string;
  readonly value: Json;
  /** Check against this type of helpers/kserve-types.ts instead of the resource's kind. */
  readonly as?: string;
}

const kindKey = (d: Json) => `${d?.apiVersion} ${d?.kind}`;

/**
 * Type-checks every document against its resource's TypeScript type (kubernetes-models and its
 * CRD packages, or helpers/kserve-types.ts) in one program, and runs kubernetes-models' schema
 * validation: a misspelt field is an excess property (UNKNOWN_FIELD), a string where a number
 * belongs a TYPE problem, an enum value or format outside the schema SCHEMA. Returns the problems
 * per document id.
 */
export function checkTypedDocuments(documents: readonly TypedDocument[]): Map<string, Problem[]> {
  const results = new Map<string, Problem[]>(documents.map((d) => [d.id, []]));
  const imports = new Map<string, Set<string>>();
  const ranges: { id: string; start: number; end: number }[] = [];
  let body = '';
  documents.forEach((doc, i) => {
    const spec = doc.as === undefined ? KINDS[kindKey(doc.value)] : { module: KSERVE_TYPES, type: doc.as };
    if (spec === undefined) {
      results.get(doc.id)!.push({
        code: 'UNKNOWN_KIND',
        message: `${kindKey(doc.value)}: no checker knows this kind; valid kinds: ${Object.keys(KINDS).join(', ')}`,
      });
      return;
    }
    (imports.get(spec.module) ?? imports.set(spec.module, new Set()).get(spec.module)!).add(spec.type);
    const alias = `${spec.type}_${[...imports.keys()].indexOf(spec.module)}`;
    const start = body.length;
    body += `export const doc${i}: ${alias} = ${JSON.stringify(doc.value, null, 1)};\n`;
    ranges.push({ id: doc.id, start, end: body.length });
    if ('validate' in spec && spec.validate !== undefined) {
      try {
        spec.validate(doc.value);
      } catch (error) {
        results.get(doc.id)!.push({ code: 'SCHEMA', message: (error as Error).message });
      }
    }
  });
  const header = [...imports.entries()]
    .map(
      ([module, types], m) =>
        `import type { ${[...types].map((t) => `${t} as ${t}_${m}`).join(', ')} } from '${module}';\n`,
    )
    .join('');
  const fileName = join(root, 'test', '__deployment-documents__.ts');
  const text = header + body;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? text : readFile(name));
  const program = ts.createProgram([fileName], options, host);
  for (const d of [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()]) {
    if (d.file?.fileName !== fileName || d.start === undefined) continue;
    const at = d.start - header.length;
    const owner = at < 0 ? undefined : ranges.find((r) => at >= r.start && at < r.end);
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const code: ProblemCode = d.code === 2353 || d.code === 2561 ? 'UNKNOWN_FIELD' : 'TYPE';
    if (owner === undefined) {
      // An import that does not resolve breaks every document.
      for (const list of results.values()) list.push({ code: 'TYPE', message });
    } else {
      results.get(owner.id)!.push({ code, message });
    }
  }
  return results;
}

// ---- strategic merge patches (kustomize `patches`, kubectl patch) -------------------------------

/** Merge keys of the lists deploy/ patches (Kubernetes' patchMergeKey for these fields). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};

/**
 * `patch` applied to `target` as a strategic merge patch for the fields deploy/ uses: maps merge
 * key by key, lists with a merge key merge item by item, other lists and values are replaced.
 */
export function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch) && Array.isArray(target) && MERGE_KEYS[field] !== undefined) {
    const key = MERGE_KEYS[field];
    const out = target.map((item) => structuredClone(item));
    for (const item of patch) {
      const at = out.findIndex((o) => o?.[key] === item?.[key]);
      if (at === -1) out.push(structuredClone(item));
      else out[at] = strategicMerge(out[at], item);
    }
    return out;
  }
  if (
    patch !== null &&
    typeof patch === 'object' &&
    !Array.isArray(patch) &&
    target !== null &&
    typeof target === 'object' &&
    !Array.isArray(target)
  ) {
    const out: Json = structuredClone(target);
    for (const [k, v] of Object.entries(patch)) out[k] = v === null ? undefined : strategicMerge(out[k], v, k);
    return out;
  }
  return structuredClone(patch);
}

// ---- Compose ----------------------------------------------------------------------------------

/**
 * Compose files against the Compose specification's JSON schema (as bundled with dclint) and
 * dclint's correctness rules. Its style rules (key order, quoting) are left off, and so is
 * no-build-and-image: naming the image a service builds is how compose.yaml tags it.
 */
export function checkComposeFiles(paths: readonly string[]): Map<string, Problem[]> {
  // dclint turns on every rule the configuration does not set to 0.
  const rules = {
    'no-build-and-image': 0,
    'no-quotes-in-volumes': 0,
    'require-quotes-in-ports': 0,
    'service-container-name-regex': 2,
    'service-dependencies-alphabetical-order': 0,
    'service-keys-order': 0,
    'service-ports-alphabetical-order': 0,
    'services-alphabetical-order': 0,
    'top-level-properties-order': 0,
    'no-duplicate-container-names': 2,
    'no-duplicate-exported-ports': 2,
    'no-unbound-port-interfaces': 2,
    'no-version-field': 2,
    'require-project-name-field': 2,
    'service-image-require-explicit-tag': 2,
  } as const;
  const linter = new DCLinter({ rules, quiet: false, debug: false, exclude: [] });
  const results = new Map<string, Problem[]>();
  for (const result of linter.lintFiles([...paths], false)) {
    results.set(
      result.filePath,
      result.messages.map((m: { rule: string; message: string }): Problem => ({
        code: m.rule === 'invalid-yaml' ? 'YAML' : 'COMPOSE',
        message: `${m.rule}: ${m.message}`,
      })),
    );
  }
  return results;
}

// ---- Dockerfiles ------------------------------------------------------------------------------

/** What `.dockerignore` lets into the build context, by Docker's matching rules. */
export function dockerignoreFilter(text: string): (path: string) => boolean {
  // A CommonJS module whose types declare a default export: under Node's ESM loader the
  // namespace's default is module.exports, the factory itself.
  const createIgnore = dockerignoreModule.default as unknown as typeof dockerignoreModule.default.default;
  const ignore = createIgnore({ ignorecase: false }).add(text);
  return (path) => !ignore.ignores(path);
}

/** One instruction, for structural checks. */
export interface DockerInstruction {
  readonly keyword: string;
  readonly args: readonly string[];
  readonly flags: Readonly<Record<string, string | null>>;
  readonly line: number;
}

/** The instructions of a Dockerfile by stage (stage name or index), as dockerfile-ast reads them. */
export function parseDockerfile(text: string): {
  stages: { name: string | undefined; instructions: DockerInstruction[] }[];
} {
  const parsed = DockerfileParser.parse(text);
  const stages = parsed
    .getFROMs()
    .map((from) => ({ name: from.getBuildStage() ?? undefined, instructions: [] as DockerInstruction[] }));
  let stage = -1;
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') stage++;
    const flags: Record<string, string | null> =
      'getFlags' in instruction && typeof instruction.getFlags === 'function'
        ? Object.fromEntries(
            (instruction.getFlags() as { getName(): string; getValue(): string | null }[]).map((f) => [
              f.getName(),
              f.getValue(),
            ]),
          )
        : {};
    const entry = {
      keyword,
      args: instruction.getArguments().map((a) => a.getValue()),
      flags,
      line: instruction.getRange().start.line + 1,
    };
    if (stage >= 0) stages[stage].instructions.push(entry);
  }
  return { stages };
}

/**
 * A Dockerfile's problems without an engine: dockerfile-utils' linter (unknown instructions,
 * bad flags, malformed arguments), every `COPY --from` naming a stage defined before it, and
 * every plain COPY source present in the build context (`contextFiles`) after the
 * .dockerignore.
 */
export function checkDockerfile(text: string, contextFiles: readonly string[]): Problem[] {
  const problems: Problem[] = lintDockerfile(text).map((d) => ({
    code: 'DOCKERFILE',
    message: `line ${d.range.start.line + 1}: ${d.message}`,
  }));
  const { stages } = parseDockerfile(text);
  const defined = new Set<string>();
  stages.forEach((stage, index) => {
    for (const { keyword, args, flags, line } of stage.instructions) {
      if (keyword !== 'COPY' && keyword !== 'ADD') continue;
      const sources = args.filter((a) => !a.startsWith('--')).slice(0, -1);
      const from = flags.from;
      if (from !== undefined && from !== null) {
        if (!defined.has(from))
          problems.push({ code: 'STAGE', message: `line ${line}: COPY --from=${from}: no earlier stage of that name` });
        continue;
      }
      for (const source of sources) {
        const prefix = source.replace(/\/$/, '');
        const found = prefix === '.' || contextFiles.some((f) => f === prefix || f.startsWith(`${prefix}/`));
        if (!found)
          problems.push({
            code: 'COPY_SOURCE',
            message: `line ${line}: ${keyword} ${source}: nothing of that name reaches the build context`,
          });
      }
    }
    defined.add(stage.name ?? String(index));
  });
  return problems;
}

// ---- PromQL -----------------------------------------------------------------------------------

/** Metric names a PromQL expression selects, or its syntax errors (Prometheus' lezer grammar). */
export function parsePromQL(query: string): {
  metrics: string[];
  labelMatchers: { name: string; value: string }[];
  problems: Problem[];
} {
  const tree = promqlParser.parse(query);
  const metrics: string[] = [];
  const labelMatchers: { name: string; value: string }[] = [];
  const problems: Problem[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError)
        problems.push({ code: 'PROMQL', message: `syntax error at ${node.from} in ${JSON.stringify(query)}` });
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier !== null) metrics.push(query.slice(identifier.from, identifier.to));
      }
      if (node.name === 'UnquotedLabelMatcher') {
        const name = node.node.getChild('LabelName');
        const value = node.node.getChild('StringLiteral');
        if (name !== null && value !== null)
          labelMatchers.push({
            name: query.slice(name.from, name.to),
            value: JSON.parse(query.slice(value.from, value.to)) as string,
          });
      }
    },
  });
  return { metrics, labelMatchers, problems };
}

/** prometheus-adapter's query template with its placeholders filled as the adapter fills them. */
export function expandAdapterTemplate(template: string, series: string): string {
  return template
    .replaceAll('<<.Series>>', series)
    .replaceAll('<<.LabelMatchers>>', 'namespace="default",pod=~"onnxpipe-server-.*"')
    .replaceAll('<<.GroupBy>>', 'pod');
}

export function readText(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}
