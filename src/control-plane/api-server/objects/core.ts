// The core/v1 kinds the control plane reads and writes (k8s.io/api/core/v1/types.go), as JSON.
import type { Condition, LabelSelector, ObjectReference, Quantity, ResourceList, TypedObject } from "./meta";
import type { KubeObject, ObjectMeta } from "../types";

export interface ResourceRequirements { requests?: ResourceList; limits?: ResourceList }

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: { resource: string; containerName?: string; divisor?: Quantity };
    configMapKeyRef?: { name?: string; key: string; optional?: boolean };
    secretKeyRef?: { name?: string; key: string; optional?: boolean };
  };
}

export interface EnvFromSource { prefix?: string; configMapRef?: { name?: string; optional?: boolean }; secretRef?: { name?: string; optional?: boolean } }

export interface ContainerPort { name?: string; containerPort: number; hostPort?: number; hostIP?: string; protocol?: "TCP" | "UDP" | "SCTP" }

/** The handler of a probe or lifecycle hook. */
export interface Handler {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  grpc?: { port: number; service?: string };
  sleep?: { seconds: number };
}

export interface Probe extends Handler {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface VolumeMount { name: string; mountPath: string; readOnly?: boolean; subPath?: string }

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: ResourceRequirements;
  restartPolicy?: "Always";
  volumeMounts?: VolumeMount[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: Handler; preStop?: Handler };
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  securityContext?: Record<string, unknown>;
  stdin?: boolean;
  tty?: boolean;
}

export interface Toleration { key?: string; operator?: "Exists" | "Equal"; value?: string; effect?: "" | TaintEffect; tolerationSeconds?: number }

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";
export interface Taint { key: string; value?: string; effect: TaintEffect; timeAdded?: string }

export interface NodeSelectorRequirement { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt"; values?: string[] }
export interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }
export interface NodeSelector { nodeSelectorTerms: NodeSelectorTerm[] }

export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  namespaces?: string[];
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}
export interface WeightedPodAffinityTerm { weight: number; podAffinityTerm: PodAffinityTerm }
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
  };
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector?: LabelSelector;
  minDomains?: number;
  nodeAffinityPolicy?: "Honor" | "Ignore";
  nodeTaintsPolicy?: "Honor" | "Ignore";
  matchLabelKeys?: string[];
}

/** A volume's source is kept as JSON: the simulation only needs its name and kind. */
export interface Volume { name: string; [source: string]: unknown }

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  schedulerName?: string;
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
  restartPolicy?: "Always" | "OnFailure" | "Never";
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  hostname?: string;
  subdomain?: string;
  hostNetwork?: boolean;
  dnsPolicy?: string;
  enableServiceLinks?: boolean;
  volumes?: Volume[];
  overhead?: ResourceList;
  readinessGates?: { conditionType: string }[];
  schedulingGates?: { name: string }[];
  securityContext?: Record<string, unknown>;
}

export interface ContainerStateTerminated { exitCode: number; signal?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string; containerID?: string }
export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state?: ContainerState;
  lastState?: ContainerState;
  resources?: ResourceRequirements;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; recursiveReadOnly?: string }[];
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export interface PodCondition extends Condition { lastProbeTime?: string | null }

export interface PodStatus {
  phase?: PodPhase;
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  nominatedNodeName?: string;
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  qosClass?: "Guaranteed" | "Burstable" | "BestEffort";
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  observedGeneration?: number;
}

export interface Pod extends TypedObject<PodSpec, PodStatus> { kind: "Pod" }
/** A pod template as workloads carry it (metadata without name, the pod's spec). */
export interface PodTemplateSpec { metadata?: ObjectMeta; spec: PodSpec }

export interface NodeSpec { podCIDR?: string; podCIDRs?: string[]; providerID?: string; unschedulable?: boolean; taints?: Taint[] }

export interface NodeAddress { type: "Hostname" | "InternalIP" | "ExternalIP" | "InternalDNS" | "ExternalDNS"; address: string }

export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  conditions?: Condition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: Record<string, string>;
  images?: { names: string[]; sizeBytes?: number }[];
  phase?: string;
}

export interface Node extends TypedObject<NodeSpec, NodeStatus> { kind: "Node" }

export interface ServicePort { name?: string; protocol?: "TCP" | "UDP" | "SCTP"; port: number; targetPort?: number | string; nodePort?: number; appProtocol?: string }

export interface ServiceSpec {
  type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  externalIPs?: string[];
  externalTrafficPolicy?: "Cluster" | "Local";
  internalTrafficPolicy?: "Cluster" | "Local";
  sessionAffinity?: "None" | "ClientIP";
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  publishNotReadyAddresses?: boolean;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  loadBalancerClass?: string;
  allocateLoadBalancerNodePorts?: boolean;
}

export interface ServiceStatus { loadBalancer?: { ingress?: { ip?: string; hostname?: string; ipMode?: string }[] }; conditions?: Condition[] }

export interface Service extends TypedObject<ServiceSpec, ServiceStatus> { kind: "Service" }

export interface EndpointAddress { ip: string; hostname?: string; nodeName?: string; targetRef?: ObjectReference }
export interface EndpointPort { name?: string; port: number; protocol?: string; appProtocol?: string }
export interface EndpointSubset { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: EndpointPort[] }
export interface Endpoints extends KubeObject { kind: "Endpoints"; subsets?: EndpointSubset[] }

export interface Namespace extends TypedObject<{ finalizers?: string[] }, { phase?: "Active" | "Terminating"; conditions?: Condition[] }> { kind: "Namespace" }

export interface ConfigMap extends KubeObject { kind: "ConfigMap"; data?: Record<string, string>; binaryData?: Record<string, string>; immutable?: boolean }
export interface Secret extends KubeObject { kind: "Secret"; type?: string; data?: Record<string, string>; stringData?: Record<string, string>; immutable?: boolean }
export interface ServiceAccount extends KubeObject { kind: "ServiceAccount"; secrets?: ObjectReference[]; automountServiceAccountToken?: boolean }

export interface ResourceQuotaSpec { hard?: ResourceList; scopes?: string[]; scopeSelector?: { matchExpressions?: { scopeName: string; operator: string; values?: string[] }[] } }
export interface ResourceQuota extends TypedObject<ResourceQuotaSpec, { hard?: ResourceList; used?: ResourceList }> { kind: "ResourceQuota" }

/** core/v1 Event (events.k8s.io/v1 is served from the same storage). */
export interface Event extends KubeObject {
  kind: "Event";
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  type?: "Normal" | "Warning";
  source?: { component?: string; host?: string };
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  reportingComponent?: string;
  reportingInstance?: string;
  action?: string;
  series?: { count: number; lastObservedTime: string };
}
