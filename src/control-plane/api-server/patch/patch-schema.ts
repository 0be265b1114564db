// Per-kind patch metadata: the struct tags of k8s.io/api (patchStrategy, patchMergeKey) that strategic
// merge patch reads, and the OpenAPI list/map annotations (x-kubernetes-list-type, -list-map-keys,
// -map-type) that server-side apply reads. Only nodes that need non-default behaviour are described;
// anything not listed is a plain struct/map (merged key by key) and lists default to
// "replace whole" (SMP) / atomic (SSA), which is what untagged lists do in Kubernetes.

import { resourceForKind } from "../resources";

export interface SchemaNode {
  /** Named struct fields with special behaviour. */
  fields?: Record<string, SchemaNode>;
  /** Element schema of a list, or value schema of a free-form map. */
  elem?: SchemaNode;
  /** SMP patchStrategy. "merge" on a list merges items (by mergeKey, or as a set for primitives). */
  strategy?: "merge" | "replace";
  /** SMP patchMergeKey. */
  mergeKey?: string;
  /** Field carries patchStrategy "retainKeys" (kubectl generates $retainKeys for it). */
  retainKeys?: boolean;
  /** SSA x-kubernetes-list-type; an undescribed list is atomic. */
  listType?: "map" | "set" | "atomic";
  /** SSA x-kubernetes-list-map-keys. */
  listMapKeys?: string[];
  /** Defaults the apiserver fills into key fields (ports' protocol), so keys match before defaulting. */
  keyDefaults?: Record<string, unknown>;
  /** SSA x-kubernetes-map-type / struct-type atomic: owned and replaced as one value. */
  atomic?: boolean;
  /** A map with user-chosen keys (labels, data, resource lists), as opposed to a struct. */
  freeMap?: boolean;
  /**
   * Always present in typed objects (a non-pointer struct, or a list without omitempty such as
   * containers), so an Update never "adds" it and managedFields shows no "." entry for it.
   */
  valueStruct?: boolean;
}

export const EMPTY: SchemaNode = Object.freeze({}) as SchemaNode;

/** Schema of a map/struct member. */
export function fieldSchema(node: SchemaNode, key: string): SchemaNode {
  return node.fields?.[key] ?? (node.freeMap ? node.elem : undefined) ?? EMPTY;
}

/** Schema of a list element. */
export function elemSchema(node: SchemaNode): SchemaNode {
  return node.elem ?? EMPTY;
}

const mapList = (key: string, elem: SchemaNode = {}, extra: Partial<SchemaNode> = {}): SchemaNode => ({
  strategy: "merge",
  mergeKey: key,
  listType: "map",
  listMapKeys: [key],
  elem,
  ...extra,
});
const setList: SchemaNode = { strategy: "merge", listType: "set" };
const freeMap: SchemaNode = { freeMap: true };
const atomicMap: SchemaNode = { freeMap: true, atomic: true };
const struct = (fields: Record<string, SchemaNode>, extra: Partial<SchemaNode> = {}): SchemaNode => ({ fields, ...extra });

const objectMeta = struct(
  {
    labels: freeMap,
    annotations: freeMap,
    finalizers: setList,
    ownerReferences: mapList("uid"),
  },
  { valueStruct: true },
);

const labelSelector: SchemaNode = { atomic: true }; // +structType=atomic
const conditions = mapList("type");

const container = struct({
  ports: mapList("containerPort", {}, { listMapKeys: ["containerPort", "protocol"], keyDefaults: { protocol: "TCP" } }),
  env: mapList("name"),
  volumeMounts: mapList("mountPath"),
  volumeDevices: mapList("devicePath"),
  resources: struct({ limits: freeMap, requests: freeMap, claims: { listType: "map", listMapKeys: ["name"] } }, { valueStruct: true }),
});

const podSpec = struct(
  {
    volumes: mapList("name", {}, { retainKeys: true }),
    initContainers: mapList("name", container),
    containers: mapList("name", container, { valueStruct: true }), // `json:"containers"`, no omitempty
    ephemeralContainers: mapList("name", container),
    imagePullSecrets: mapList("name"),
    hostAliases: mapList("ip"),
    nodeSelector: atomicMap,
    overhead: freeMap,
    topologySpreadConstraints: mapList("topologyKey", {}, { listMapKeys: ["topologyKey", "whenUnsatisfiable"] }),
    schedulingGates: mapList("name"),
    resourceClaims: mapList("name", {}, { retainKeys: true }),
  },
  { valueStruct: true },
);

const podTemplate = struct({ metadata: objectMeta, spec: podSpec }, { valueStruct: true });

const workloadStatus = struct({ conditions }, { valueStruct: true });

const jobSpec = struct({ selector: labelSelector, template: podTemplate }, { valueStruct: true });

const root = (spec?: SchemaNode, status: SchemaNode = workloadStatus, extra: Record<string, SchemaNode> = {}): SchemaNode =>
  struct({ metadata: objectMeta, ...(spec ? { spec } : {}), status, ...extra });

/** Schemas by "apiVersion/kind". */
const KINDS: Record<string, SchemaNode> = {
  "v1/Pod": root(
    podSpec,
    struct({ conditions, podIPs: mapList("ip"), hostIPs: { strategy: "merge", mergeKey: "ip" } }, { valueStruct: true }),
  ),
  "v1/Service": root(
    struct(
      {
        ports: mapList("port", {}, { listMapKeys: ["port", "protocol"], keyDefaults: { protocol: "TCP" } }),
        selector: atomicMap,
      },
      { valueStruct: true },
    ),
    struct({ conditions, loadBalancer: { valueStruct: true } }, { valueStruct: true }),
  ),
  "v1/Node": root(
    struct({ podCIDRs: setList }, { valueStruct: true }), // taints: no patch strategy → replaced whole
    struct(
      {
        conditions,
        addresses: mapList("type"),
        capacity: freeMap,
        allocatable: freeMap,
        nodeInfo: { valueStruct: true },
        daemonEndpoints: { valueStruct: true },
      },
      { valueStruct: true },
    ),
  ),
  "v1/Namespace": root(struct({}, { valueStruct: true })),
  "v1/ConfigMap": root(undefined, workloadStatus, { data: freeMap, binaryData: freeMap }),
  "v1/Secret": root(undefined, workloadStatus, { data: freeMap, stringData: freeMap }),
  "v1/ServiceAccount": root(undefined, workloadStatus, { secrets: mapList("name") }),
  "v1/ResourceQuota": root(struct({ hard: freeMap }, { valueStruct: true }), struct({ hard: freeMap, used: freeMap }, { valueStruct: true })),
  "apps/v1/Deployment": root(
    struct({ selector: labelSelector, template: podTemplate, strategy: { retainKeys: true, valueStruct: true } }, { valueStruct: true }),
  ),
  "apps/v1/ReplicaSet": root(struct({ selector: labelSelector, template: podTemplate }, { valueStruct: true })),
  "apps/v1/DaemonSet": root(
    struct({ selector: labelSelector, template: podTemplate, updateStrategy: { valueStruct: true } }, { valueStruct: true }),
  ),
  "apps/v1/StatefulSet": root(
    struct({ selector: labelSelector, template: podTemplate, updateStrategy: { valueStruct: true } }, { valueStruct: true }),
  ),
  "batch/v1/Job": root(jobSpec),
  "batch/v1/CronJob": root(
    struct({ jobTemplate: struct({ metadata: objectMeta, spec: jobSpec }, { valueStruct: true }) }, { valueStruct: true }),
  ),
  "autoscaling/v2/HorizontalPodAutoscaler": root(struct({}, { valueStruct: true })),
};

// Unknown kinds still get ObjectMeta's tags and status.conditions keyed by type.
const GENERIC = root(undefined, struct({ conditions }));

/** The patch schema for an object's apiVersion and kind. */
export function schemaFor(apiVersion: string, kind: string): SchemaNode {
  return KINDS[`${apiVersion}/${kind}`] ?? GENERIC;
}

/** Whether the kind serves a /status subresource (its main resource then ignores status changes). */
export function hasStatusSubresource(apiVersion: string, kind: string): boolean {
  return resourceForKind(apiVersion, kind)?.subresources?.some((s) => s.name === "status") ?? false;
}
