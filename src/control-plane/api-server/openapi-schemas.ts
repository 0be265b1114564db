// Component schemas for the OpenAPI v3 documents: enough structure and wording for
// `kubectl explain` on the kinds students touch. Written as a compact table:
//   field spec  = "<type>|<description>"
//   <type>      = string | integer | boolean | number | object | intstr | quantity | time
//               | []<type> | map[<type>] (string keys) | <pkg>.<Name> (another entry here)
// Kinds served by RESOURCES but not described here get a generic apiVersion/kind/metadata/
// spec/status schema, so explain still answers for them.

import { groupVersions, RESOURCES, type ResourceType } from "./resources";

type Fields = Record<string, string>;
interface Def { d: string; f?: Fields; req?: string[]; enumOf?: Record<string, string[]> }

const API_VERSION = "string|APIVersion names the versioned schema of this object, e.g. apps/v1.";
const KIND = "string|Kind names the REST resource this object represents, in CamelCase.";
const META = "meta.ObjectMeta|Standard object metadata: name, namespace, labels, annotations and server-set fields.";
const LIST_META = "meta.ListMeta|Standard list metadata: resourceVersion and continue token.";
const top = (spec?: string, status?: string): Fields => ({
  apiVersion: API_VERSION, kind: KIND, metadata: META,
  ...(spec ? { spec: spec } : {}), ...(status ? { status: status } : {}),
});

export const DEFS: Record<string, Def> = {
  // --- meta ---
  "meta.ObjectMeta": { d: "ObjectMeta is the metadata every persisted object carries.", f: {
    name: "string|Unique name within the namespace. Required when creating, unless generateName is used.",
    generateName: "string|Prefix the server uses to make a unique name when name is empty.",
    namespace: "string|Namespace the object lives in. Empty for cluster-scoped objects.",
    labels: "map[string]|Key/value pairs used to organize and select objects.",
    annotations: "map[string]|Unstructured key/value data for tools; not used for selection.",
    uid: "string|Server-assigned unique id of this object. Read-only.",
    resourceVersion: "string|Opaque version for optimistic concurrency and watches. Read-only.",
    generation: "integer|Sequence number of the desired state; bumped on spec changes. Read-only.",
    creationTimestamp: "time|When the object was created. Read-only.",
    deletionTimestamp: "time|When the object will be deleted; set once deletion is requested. Read-only.",
    deletionGracePeriodSeconds: "integer|Seconds allowed for graceful termination before removal. Read-only.",
    ownerReferences: "[]meta.OwnerReference|Objects this one depends on; garbage collection follows these.",
    finalizers: "[]string|Names that must be removed before the object is deleted from storage.",
    managedFields: "[]object|Which field manager owns which fields (server-side apply). Internal bookkeeping.",
  } },
  "meta.ListMeta": { d: "ListMeta is the metadata of a list response.", f: {
    resourceVersion: "string|Version of the collection when it was read; start a watch from here.",
    continue: "string|Token to fetch the next page when the list was limited.",
    remainingItemCount: "integer|How many items remain after this page, when known.",
  } },
  "meta.OwnerReference": { d: "OwnerReference identifies an object that owns this one.", req: ["apiVersion", "kind", "name", "uid"], f: {
    apiVersion: "string|API version of the owner.", kind: "string|Kind of the owner.", name: "string|Name of the owner.",
    uid: "string|UID of the owner.", controller: "boolean|True if the owner is the managing controller.",
    blockOwnerDeletion: "boolean|If true, the owner cannot be deleted (foreground) until this reference is removed.",
  } },
  "meta.LabelSelector": { d: "A label selector: matchLabels and matchExpressions are ANDed. An empty selector matches everything; a null one matches nothing.", f: {
    matchLabels: "map[string]|Exact key=value matches.",
    matchExpressions: "[]meta.LabelSelectorRequirement|Set-based requirements.",
  } },
  "meta.LabelSelectorRequirement": { d: "A key, an operator and values.", req: ["key", "operator"], enumOf: { operator: ["DoesNotExist", "Exists", "In", "NotIn"] }, f: {
    key: "string|The label key.", operator: "string|How the key relates to the values: In, NotIn, Exists or DoesNotExist.",
    values: "[]string|Values for In and NotIn; must be empty for Exists and DoesNotExist.",
  } },
  // --- core: pods ---
  "core.Pod": { d: "Pod is a group of containers that run together on one node, sharing network and storage.", f: top(
    "core.PodSpec|Desired behavior of the pod.", "core.PodStatus|Most recently observed state of the pod. Read-only.") },
  "core.PodSpec": { d: "PodSpec describes a pod's containers, volumes and scheduling.", req: ["containers"], enumOf: {
    restartPolicy: ["Always", "Never", "OnFailure"], dnsPolicy: ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] }, f: {
    containers: "[]core.Container|Containers in the pod. At least one is required.",
    initContainers: "[]core.Container|Containers run to completion, in order, before the app containers start.",
    volumes: "[]core.Volume|Volumes the containers can mount.",
    restartPolicy: "string|Restart policy for all containers: Always (default), OnFailure or Never.",
    terminationGracePeriodSeconds: "integer|Seconds to wait after SIGTERM before killing the containers. Defaults to 30.",
    activeDeadlineSeconds: "integer|Seconds the pod may run before the system fails it.",
    dnsPolicy: "string|How DNS is configured for the pod. Defaults to ClusterFirst.",
    nodeSelector: "map[string]|Labels a node must have for the pod to be scheduled there.",
    serviceAccountName: "string|Service account the pod runs as.",
    automountServiceAccountToken: "boolean|Whether to mount the service account token.",
    nodeName: "string|Node the pod is bound to. Set by the scheduler, or directly to skip scheduling.",
    hostNetwork: "boolean|Use the node's network namespace.",
    hostname: "string|Hostname of the pod; defaults to the pod name.",
    subdomain: "string|Subdomain, for a fully qualified hostname with a headless service.",
    schedulerName: "string|Scheduler that places the pod. Defaults to default-scheduler.",
    tolerations: "[]core.Toleration|Taints the pod tolerates.",
    priorityClassName: "string|PriorityClass giving the pod its priority.",
    priority: "integer|Priority value, filled from priorityClassName.",
    affinity: "object|Node and pod (anti-)affinity scheduling constraints.",
    securityContext: "object|Pod-level security attributes.",
    imagePullSecrets: "[]object|Secrets used to pull images.",
  } },
  "core.Container": { d: "A single application container in a pod.", req: ["name"], enumOf: { imagePullPolicy: ["Always", "IfNotPresent", "Never"] }, f: {
    name: "string|Container name, unique in the pod (DNS label).",
    image: "string|Container image name.",
    imagePullPolicy: "string|Always, Never or IfNotPresent. Defaults to Always for :latest, otherwise IfNotPresent.",
    command: "[]string|Entrypoint array; replaces the image's ENTRYPOINT.",
    args: "[]string|Arguments to the entrypoint; replace the image's CMD.",
    workingDir: "string|Working directory of the container.",
    ports: "[]core.ContainerPort|Ports the container exposes (informational).",
    env: "[]core.EnvVar|Environment variables to set.",
    envFrom: "[]object|Sources (ConfigMaps, Secrets) to populate environment variables from.",
    resources: "core.ResourceRequirements|Compute resources requested and limited.",
    volumeMounts: "[]core.VolumeMount|Volumes to mount into the filesystem.",
    livenessProbe: "core.Probe|Restart the container when this check fails.",
    readinessProbe: "core.Probe|Remove the pod from service endpoints when this check fails.",
    startupProbe: "core.Probe|Hold other probes until this one succeeds.",
    lifecycle: "object|Actions to take on container start and stop.",
    securityContext: "object|Container-level security options.",
    stdin: "boolean|Keep a stdin buffer open.", tty: "boolean|Allocate a TTY.",
  } },
  "core.ContainerPort": { d: "A network port in a single container.", req: ["containerPort"], enumOf: { protocol: ["SCTP", "TCP", "UDP"] }, f: {
    containerPort: "integer|Port number on the pod's IP address.", name: "string|Name services can refer to (IANA_SVC_NAME).",
    protocol: "string|TCP (default), UDP or SCTP.", hostPort: "integer|Port to expose on the host.",
  } },
  "core.EnvVar": { d: "An environment variable in a container.", req: ["name"], f: {
    name: "string|Variable name.", value: "string|Literal value; $(VAR) references are expanded.",
    valueFrom: "object|Source for the value: a ConfigMap or Secret key, or a pod field.",
  } },
  "core.ResourceRequirements": { d: "Compute resource requests and limits.", f: {
    limits: "map[quantity]|Maximum amount of each resource the container may use.",
    requests: "map[quantity]|Minimum amount of each resource the container needs; used for scheduling.",
  } },
  "core.VolumeMount": { d: "Where a volume is mounted in a container.", req: ["name", "mountPath"], f: {
    name: "string|Name of the volume.", mountPath: "string|Path in the container.",
    readOnly: "boolean|Mount read-only.", subPath: "string|Path within the volume to mount instead of its root.",
  } },
  "core.Volume": { d: "A named volume in a pod.", req: ["name"], f: {
    name: "string|Volume name; containers mount it by this name.", emptyDir: "object|A temporary directory that lives as long as the pod.",
    configMap: "object|Files from a ConfigMap.", secret: "object|Files from a Secret.", hostPath: "object|A path on the host node.",
    persistentVolumeClaim: "object|A claimed persistent volume.", projected: "object|Several sources in one directory.",
  } },
  "core.Probe": { d: "A health check run against a container.", f: {
    exec: "object|Run a command; exit status 0 is healthy.", httpGet: "object|HTTP GET; 2xx or 3xx is healthy.",
    tcpSocket: "object|Open a TCP connection.", grpc: "object|gRPC health check.",
    initialDelaySeconds: "integer|Seconds after start before the first probe.", periodSeconds: "integer|Seconds between probes. Default 10.",
    timeoutSeconds: "integer|Seconds before a probe times out. Default 1.", successThreshold: "integer|Consecutive successes to count as healthy.",
    failureThreshold: "integer|Consecutive failures to count as failed. Default 3.",
  } },
  "core.Toleration": { d: "Allows scheduling onto nodes with a matching taint.", f: {
    key: "string|Taint key; empty with Exists matches all.", operator: "string|Exists or Equal (default).", value: "string|Taint value for Equal.",
    effect: "string|NoSchedule, PreferNoSchedule or NoExecute; empty matches all.", tolerationSeconds: "integer|How long a NoExecute taint is tolerated.",
  } },
  "core.PodStatus": { d: "Observed state of a pod.", enumOf: { phase: ["Failed", "Pending", "Running", "Succeeded", "Unknown"] }, f: {
    phase: "string|Pending, Running, Succeeded, Failed or Unknown.", conditions: "[]core.PodCondition|Current service state of the pod.",
    hostIP: "string|IP of the node.", podIP: "string|IP of the pod.", podIPs: "[]object|IPs of the pod.", startTime: "time|When the kubelet acknowledged the pod.",
    containerStatuses: "[]object|One entry per container.", qosClass: "string|Guaranteed, Burstable or BestEffort.",
    message: "string|Why the pod is in this condition.", reason: "string|Brief reason, e.g. Evicted.",
  } },
  "core.PodCondition": { d: "A condition of a pod.", req: ["type", "status"], f: {
    type: "string|PodScheduled, Initialized, ContainersReady or Ready.", status: "string|True, False or Unknown.",
    lastTransitionTime: "time|Last change of status.", reason: "string|Machine-readable reason.", message: "string|Human-readable details.",
  } },
  "core.PodTemplateSpec": { d: "The pod an owner creates: metadata and spec.", f: {
    metadata: META, spec: "core.PodSpec|Desired behavior of the pods created from this template.",
  } },
  // --- core: other kinds ---
  "core.Service": { d: "Service gives a stable virtual IP and DNS name to a set of pods chosen by a selector.", f: top(
    "core.ServiceSpec|Desired behavior of the service.", "object|Observed state, e.g. load balancer ingress. Read-only.") },
  "core.ServiceSpec": { d: "ServiceSpec describes a service's ports, selector and type.", enumOf: { type: ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"] }, f: {
    ports: "[]core.ServicePort|Ports the service exposes.", selector: "map[string]|Route traffic to pods with these labels.",
    type: "string|ClusterIP (default), NodePort, LoadBalancer or ExternalName.",
    clusterIP: "string|Virtual IP; assigned if empty; None makes a headless service.", clusterIPs: "[]string|Virtual IPs, one per family.",
    externalName: "string|DNS name returned for ExternalName services.", sessionAffinity: "string|ClientIP or None (default).",
    externalTrafficPolicy: "string|Cluster or Local.", internalTrafficPolicy: "string|Cluster or Local.",
  } },
  "core.ServicePort": { d: "A port a service exposes.", req: ["port"], f: {
    name: "string|Port name; required when there are several ports.", protocol: "string|TCP (default), UDP or SCTP.",
    port: "integer|Port the service listens on.", targetPort: "intstr|Number or name of the port on the pods. Defaults to port.",
    nodePort: "integer|Port on every node for NodePort and LoadBalancer services.", appProtocol: "string|Application protocol hint.",
  } },
  "core.ConfigMap": { d: "ConfigMap holds non-confidential configuration data for pods to consume.", f: {
    ...top(), data: "map[string]|UTF-8 configuration entries.", binaryData: "map[string]|Binary entries, base64 encoded.",
    immutable: "boolean|If true, data cannot be changed after creation.",
  } },
  "core.Secret": { d: "Secret holds a small amount of sensitive data such as a password, token or key.", f: {
    ...top(), data: "map[string]|Secret entries, base64 encoded.", stringData: "map[string]|Write-only plain-text entries, merged into data.",
    type: "string|Type used for programmatic handling, e.g. Opaque or kubernetes.io/tls.", immutable: "boolean|If true, data cannot be changed.",
  } },
  "core.Namespace": { d: "Namespace provides a scope for names; most objects live in one.", f: top(
    "object|Desired state: the finalizers that must be cleared before the namespace is removed.", "object|phase: Active or Terminating. Read-only.") },
  "core.Node": { d: "Node is a worker machine that runs pods.", f: top("core.NodeSpec|How the node is configured.", "object|Observed state: capacity, conditions, addresses. Read-only.") },
  "core.NodeSpec": { d: "NodeSpec describes how a node is set up.", f: {
    unschedulable: "boolean|If true, new pods are not scheduled here (cordon).", taints: "[]core.Taint|Taints repelling pods that do not tolerate them.",
    podCIDR: "string|Pod IP range assigned to the node.", providerID: "string|Cloud provider id.",
  } },
  "core.Taint": { d: "A taint on a node.", req: ["key", "effect"], f: {
    key: "string|Taint key.", value: "string|Taint value.", effect: "string|NoSchedule, PreferNoSchedule or NoExecute.", timeAdded: "time|When a NoExecute taint was added.",
  } },
  "core.ServiceAccount": { d: "ServiceAccount is an identity for processes running in pods.", f: {
    ...top(), secrets: "[]object|Secrets pods using this account may use.", imagePullSecrets: "[]object|Secrets used to pull images.",
    automountServiceAccountToken: "boolean|Whether pods mount a token by default.",
  } },
  "core.Event": { d: "Event is a report of something that happened to an object.", req: ["metadata", "involvedObject"], f: {
    ...top(), involvedObject: "core.ObjectReference|The object this event is about.", reason: "string|Short, machine-readable reason.",
    message: "string|Human-readable description.", type: "string|Normal or Warning.", count: "integer|Times this event occurred.",
    firstTimestamp: "time|First time it occurred.", lastTimestamp: "time|Most recent time it occurred.", source: "object|Component reporting the event.",
    reportingComponent: "string|Controller that emitted the event.", reportingInstance: "string|Instance of that controller.",
  } },
  "core.ObjectReference": { d: "A reference to an object.", f: {
    kind: "string|Kind of the referent.", namespace: "string|Namespace of the referent.", name: "string|Name of the referent.", uid: "string|UID of the referent.",
    apiVersion: "string|API version of the referent.", resourceVersion: "string|Resource version of the referent.", fieldPath: "string|Part of the object, e.g. spec.containers{app}.",
  } },
  // --- apps ---
  "apps.Deployment": { d: "Deployment declares a replicated, rolling-updated set of pods managed through ReplicaSets.", f: top(
    "apps.DeploymentSpec|Desired behavior of the Deployment.", "apps.DeploymentStatus|Most recently observed status. Read-only.") },
  "apps.DeploymentSpec": { d: "DeploymentSpec is the desired state of a Deployment.", req: ["selector", "template"], f: {
    replicas: "integer|Number of desired pods. Defaults to 1.",
    selector: "meta.LabelSelector|Label selector for the pods; must match the template's labels. Immutable.",
    template: "core.PodTemplateSpec|Template of the pods to create.",
    strategy: "apps.DeploymentStrategy|How to replace existing pods with new ones.",
    minReadySeconds: "integer|Seconds a new pod must be ready before it counts as available.",
    revisionHistoryLimit: "integer|Old ReplicaSets to keep for rollback. Defaults to 10.",
    paused: "boolean|Pause rollouts.", progressDeadlineSeconds: "integer|Seconds before a stalled rollout is reported as failed. Defaults to 600.",
  } },
  "apps.DeploymentStrategy": { d: "How a Deployment rolls out new pods.", enumOf: { type: ["Recreate", "RollingUpdate"] }, f: {
    type: "string|Recreate or RollingUpdate (default).", rollingUpdate: "apps.RollingUpdateDeployment|Rolling update parameters.",
  } },
  "apps.RollingUpdateDeployment": { d: "Rolling update parameters.", f: {
    maxUnavailable: "intstr|Pods that may be unavailable during the update (number or percent). Default 25%.",
    maxSurge: "intstr|Pods that may be created above the desired count (number or percent). Default 25%.",
  } },
  "apps.DeploymentStatus": { d: "Observed state of a Deployment.", f: {
    observedGeneration: "integer|Generation last acted on.", replicas: "integer|Pods targeted by this Deployment.",
    updatedReplicas: "integer|Pods with the current template.", readyReplicas: "integer|Ready pods.",
    availableReplicas: "integer|Pods available for at least minReadySeconds.", unavailableReplicas: "integer|Pods not yet available.",
    conditions: "[]object|Available, Progressing and ReplicaFailure conditions.",
  } },
  "apps.ReplicaSet": { d: "ReplicaSet keeps a given number of pod replicas running.", f: top(
    "apps.ReplicaSetSpec|Desired behavior.", "object|Observed replica counts. Read-only.") },
  "apps.ReplicaSetSpec": { d: "Desired state of a ReplicaSet.", req: ["selector"], f: {
    replicas: "integer|Desired pods. Defaults to 1.", selector: "meta.LabelSelector|Pods this ReplicaSet counts.",
    template: "core.PodTemplateSpec|Pods to create when too few exist.", minReadySeconds: "integer|Seconds ready before available.",
  } },
  "apps.StatefulSet": { d: "StatefulSet runs pods with stable identities and, optionally, stable storage.", f: top(
    "apps.StatefulSetSpec|Desired behavior.", "object|Observed state. Read-only.") },
  "apps.StatefulSetSpec": { d: "Desired state of a StatefulSet.", req: ["selector", "template"], f: {
    replicas: "integer|Desired pods. Defaults to 1.", selector: "meta.LabelSelector|Pods this StatefulSet owns.",
    template: "core.PodTemplateSpec|Pods to create, named <set>-<ordinal>.", serviceName: "string|Headless service giving the pods DNS names.",
    volumeClaimTemplates: "[]object|Claims each pod gets a stable copy of.", podManagementPolicy: "string|OrderedReady (default) or Parallel.",
    updateStrategy: "object|RollingUpdate (default) or OnDelete.", minReadySeconds: "integer|Seconds ready before available.",
  } },
  "apps.DaemonSet": { d: "DaemonSet runs a copy of a pod on every (selected) node.", f: top(
    "apps.DaemonSetSpec|Desired behavior.", "object|Observed state. Read-only.") },
  "apps.DaemonSetSpec": { d: "Desired state of a DaemonSet.", req: ["selector", "template"], f: {
    selector: "meta.LabelSelector|Pods this DaemonSet owns.", template: "core.PodTemplateSpec|Pod to run on each node.",
    updateStrategy: "object|RollingUpdate (default) or OnDelete.", minReadySeconds: "integer|Seconds ready before available.",
  } },
  // --- batch ---
  "batch.Job": { d: "Job runs pods until a given number of them complete successfully.", f: top(
    "batch.JobSpec|Desired behavior.", "object|Observed state: active, succeeded, failed, conditions. Read-only.") },
  "batch.JobSpec": { d: "Desired state of a Job.", req: ["template"], f: {
    template: "core.PodTemplateSpec|Pods to run; restartPolicy must be Never or OnFailure.", completions: "integer|Successful pods needed.",
    parallelism: "integer|Pods running at once.", backoffLimit: "integer|Retries before the Job fails. Defaults to 6.",
    activeDeadlineSeconds: "integer|Seconds before the Job is terminated.", ttlSecondsAfterFinished: "integer|Delete the Job this long after it finishes.",
    selector: "meta.LabelSelector|Pods the Job counts; generated by default.", suspend: "boolean|Suspend the Job.",
  } },
  "batch.CronJob": { d: "CronJob creates Jobs on a schedule.", f: top("batch.CronJobSpec|Desired behavior.", "object|Active jobs and last schedule time. Read-only.") },
  "batch.CronJobSpec": { d: "Desired state of a CronJob.", req: ["schedule", "jobTemplate"], f: {
    schedule: "string|Cron schedule, e.g. */5 * * * *.", jobTemplate: "batch.JobTemplateSpec|Job to create.",
    concurrencyPolicy: "string|Allow (default), Forbid or Replace.", suspend: "boolean|Stop creating Jobs.",
    successfulJobsHistoryLimit: "integer|Finished Jobs to keep. Default 3.", failedJobsHistoryLimit: "integer|Failed Jobs to keep. Default 1.",
    startingDeadlineSeconds: "integer|Deadline for starting a missed run.", timeZone: "string|Time zone for the schedule.",
  } },
  "batch.JobTemplateSpec": { d: "The Job a CronJob creates.", f: { metadata: META, spec: "batch.JobSpec|Desired behavior of the Job." } },
  // --- scheduling ---
  "scheduling.PriorityClass": { d: "PriorityClass maps a name to a pod priority.", req: ["value"], f: {
    ...top(), value: "integer|Priority of pods using this class; higher is more important.", globalDefault: "boolean|Default for pods without a class.",
    description: "string|When to use this class.", preemptionPolicy: "string|PreemptLowerPriority (default) or Never.",
  } },
};

const PRIMITIVE_REFS: Record<string, object> = {
  // oneOf without a top-level type, as the real v3 documents publish them; explain then shows
  // <IntOrString> / <Quantity> instead of <string>.
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { description: "A number or a string, e.g. 8080 or \"http\" or \"25%\".", format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { description: "A fixed-point quantity such as 500m, 2 or 1Gi.", oneOf: [{ type: "string" }, { type: "number" }] },
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": { description: "An RFC 3339 timestamp.", type: "string", format: "date-time" },
};
const ALIASES: Record<string, string> = {
  intstr: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
  quantity: "io.k8s.apimachinery.pkg.api.resource.Quantity",
  time: "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
};

/** The Go package a group's types live in, as the real schema names spell it. */
const pkgOf = (group: string) => (group === "" ? "core" : group.split(".")[0]);
// Shared definitions are described once, in the group's preferred version (autoscaling: v2).
const versionOfPkg = (pkg: string) => {
  const group = RESOURCES.find((r) => pkgOf(r.group) === pkg)?.group;
  return group === undefined ? "v1" : groupVersions().get(group)?.[0] ?? "v1";
};

export function schemaName(short: string): string {
  if (ALIASES[short]) return ALIASES[short];
  const [pkg, name] = short.split(".");
  return pkg === "meta" ? `io.k8s.apimachinery.pkg.apis.meta.v1.${name}` : `io.k8s.api.${pkg}.${versionOfPkg(pkg)}.${name}`;
}
export const kindSchemaName = (r: ResourceType) => `io.k8s.api.${pkgOf(r.group)}.${r.version}.${r.kind}`;
const ref = (full: string) => ({ $ref: `#/components/schemas/${full}` });

/** Turn one field spec into a JSON schema, recording referenced definitions in `seen`. */
function fieldSchema(type: string, seen: Set<string>): Record<string, unknown> {
  if (type.startsWith("[]")) return { type: "array", items: fieldSchema(type.slice(2), seen) };
  const m = /^map\[(.+)\]$/.exec(type);
  if (m) return { type: "object", additionalProperties: fieldSchema(m[1], seen) };
  if (["string", "integer", "boolean", "number"].includes(type)) return { type, ...(type === "integer" ? { format: "int32" } : {}) };
  if (type === "object") return { type: "object" };
  seen.add(type);
  // Struct-valued fields are wrapped in allOf, as the real documents do.
  return ALIASES[type] ? ref(schemaName(type)) : { allOf: [ref(schemaName(type))], default: {} };
}

function defSchema(short: string, def: Def, seen: Set<string>, gvk?: ResourceType): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(def.f ?? {})) {
    const bar = spec.indexOf("|");
    const s: Record<string, unknown> = { ...fieldSchema(spec.slice(0, bar), seen), description: spec.slice(bar + 1) };
    if (def.enumOf?.[k]) s.enum = def.enumOf[k];
    properties[k] = s;
  }
  const out: Record<string, unknown> = { description: def.d, type: "object", properties };
  if (def.req) out.required = def.req;
  if (gvk) out["x-kubernetes-group-version-kind"] = [{ group: gvk.group, kind: gvk.kind, version: gvk.version }];
  return out;
}

/** Component schemas for the kinds of one group-version: each kind, its List, and everything they reference. */
export function componentSchemas(resources: ResourceType[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>(["meta.ListMeta"]);
  for (const r of resources) {
    const short = `${pkgOf(r.group)}.${r.kind}`;
    const def = DEFS[short] ?? { d: `${r.kind} is a ${r.namespaced ? "namespaced" : "cluster-scoped"} ${r.group || "core"} resource.`, f: top(
      `object|Desired state of the ${r.kind}.`, `object|Observed state of the ${r.kind}. Read-only.`) };
    out[kindSchemaName(r)] = defSchema(short, def, seen, r);
    const list = defSchema(`${short}List`, { d: `A list of ${r.kind} objects.`, req: ["items"], f: {
      apiVersion: API_VERSION, kind: KIND, metadata: LIST_META, items: `[]${short}|The ${r.kind} objects.`,
    } }, new Set(), { ...r, kind: `${r.kind}List` });
    // A list's items are this version's kind, also where the group prefers another version.
    out[`${kindSchemaName(r)}List`] = JSON.parse(JSON.stringify(list).split(`#/components/schemas/${schemaName(short)}"`).join(`#/components/schemas/${kindSchemaName(r)}"`));
  }
  // Transitively add referenced definitions (not kinds themselves, already added above).
  const queue = [...seen];
  while (queue.length) {
    const short = queue.pop()!;
    const full = schemaName(short);
    if (out[full]) continue;
    if (PRIMITIVE_REFS[full]) { out[full] = PRIMITIVE_REFS[full]; continue; }
    const def = DEFS[short];
    if (!def) continue;
    const more = new Set<string>();
    out[full] = defSchema(short, def, more);
    queue.push(...more);
  }
  return out;
}
