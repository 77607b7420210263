import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IDeploymentStrategy as DeploymentStrategy } from 'kubernetes-models/apps/v1/DeploymentStrategy';
import type {
  IContainer,
  IPodSpec,
  IVolume,
  IToleration,
  IAffinity,
  ILocalObjectReference,
} from 'kubernetes-models/v1';

type ObjectMeta = NonNullable<IDeployment['metadata']>;

// The fields of KServe's resources that deploy/kserve uses, typed after KServe's Go API
// (pkg/apis/serving: v1beta1 InferenceService, ComponentExtensionSpec, ModelSpec; v1alpha1
// ServingRuntime), with the embedded Kubernetes types (containers, pod specs) taken from
// kubernetes-models. No npm package ships KServe's schema; this is our own description of the
// parts we rely on, so a field that is misspelt or of the wrong type fails the type check in
// test/deployment-files.test.ts, as the API server's strict field validation would reject it.
// A field KServe has that is missing here fails too: add it here, from KServe's API, before
// using it.

/** `pkg/apis/serving/v1beta1` ComponentExtensionSpec: autoscaling and rollout of a component. */
interface ComponentExtensionSpec {
  minReplicas?: number;
  maxReplicas?: number;
  scaleTarget?: number;
  scaleMetric?: 'cpu' | 'memory' | 'concurrency' | 'rps';
  containerConcurrency?: number;
  /** Seconds (Go field TimeoutSeconds). */
  timeout?: number;
  canaryTrafficPercent?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deploymentStrategy?: DeploymentStrategy;
}

interface ModelFormat {
  name: string;
  version?: string;
}

/** `ModelSpec`: a container (its name optional) plus where the model is and who serves it. */
interface ModelSpec extends Omit<IContainer, 'name'> {
  name?: string;
  modelFormat: ModelFormat;
  runtime?: string;
  runtimeVersion?: string;
  protocolVersion?: 'v1' | 'v2' | 'grpc-v1' | 'grpc-v2';
  storageUri?: string;
}

/** `PredictorSpec`: exactly one implementation (here always `model`), a pod spec and the extensions. */
interface PredictorSpec extends Omit<IPodSpec, 'containers'>, ComponentExtensionSpec {
  model?: ModelSpec;
  containers?: IContainer[];
}

export interface InferenceService {
  apiVersion: 'serving.kserve.io/v1beta1';
  kind: 'InferenceService';
  metadata: ObjectMeta;
  spec: { predictor: PredictorSpec };
}

/** `pkg/apis/serving/v1alpha1` SupportedModelFormat. */
interface SupportedModelFormat {
  name: string;
  version?: string;
  autoSelect?: boolean;
  priority?: number;
}

/** `ServingRuntimeSpec` with its inlined `ServingRuntimePodSpec`. */
interface ServingRuntimeSpec {
  supportedModelFormats?: SupportedModelFormat[];
  multiModel?: boolean;
  disabled?: boolean;
  protocolVersions?: ('v1' | 'v2' | 'grpc-v1' | 'grpc-v2')[];
  containers: IContainer[];
  volumes?: IVolume[];
  nodeSelector?: Record<string, string>;
  affinity?: IAffinity;
  tolerations?: IToleration[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  imagePullSecrets?: ILocalObjectReference[];
}

export interface ServingRuntime {
  apiVersion: 'serving.kserve.io/v1alpha1';
  kind: 'ServingRuntime' | 'ClusterServingRuntime';
  metadata: ObjectMeta;
  spec: ServingRuntimeSpec;
}

/** The kustomization.yaml fields deploy/kubernetes uses (kustomize's `types.Kustomization`). */
export interface Kustomization {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  resources?: string[];
  patches?: { path: string }[];
}

/** prometheus-adapter's Helm values that prometheus-adapter-values.yaml sets (chart values.yaml). */
export interface PrometheusAdapterValues {
  prometheus: { url: string; port: number; path?: string };
  rules: {
    default: boolean;
    custom: {
      seriesQuery: string;
      resources: { overrides: Record<string, { resource: string }> };
      name: { matches: string; as: string };
      metricsQuery: string;
    }[];
  };
}

type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** A strategic merge patch of a Deployment: any subset of its fields, none unknown. */
export type DeploymentPatch = DeepPartial<IDeployment>;
