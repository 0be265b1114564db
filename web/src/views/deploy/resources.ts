// Where a manifest goes: apiVersion + kind → the REST collection, as kubectl's RESTMapper finds it.
// A small table covers what students write; other kinds are looked up in the API's discovery.
// Pure functions (no DOM), so they can be unit-tested.

export interface ResourceInfo {
  group: string; // "" for core
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

type Entry = [group: string, kind: string, plural: string, namespaced: boolean];

const TABLE: Entry[] = [
  ["", "Pod", "pods", true],
  ["", "Service", "services", true],
  ["", "ConfigMap", "configmaps", true],
  ["", "Secret", "secrets", true],
  ["", "ServiceAccount", "serviceaccounts", true],
  ["", "ResourceQuota", "resourcequotas", true],
  ["", "LimitRange", "limitranges", true],
  ["", "PersistentVolumeClaim", "persistentvolumeclaims", true],
  ["", "Endpoints", "endpoints", true],
  ["", "Namespace", "namespaces", false],
  ["", "Node", "nodes", false],
  ["", "PersistentVolume", "persistentvolumes", false],
  ["apps", "Deployment", "deployments", true],
  ["apps", "ReplicaSet", "replicasets", true],
  ["apps", "StatefulSet", "statefulsets", true],
  ["apps", "DaemonSet", "daemonsets", true],
  ["batch", "Job", "jobs", true],
  ["batch", "CronJob", "cronjobs", true],
  ["networking.k8s.io", "Ingress", "ingresses", true],
  ["networking.k8s.io", "NetworkPolicy", "networkpolicies", true],
  ["autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true],
  ["policy", "PodDisruptionBudget", "poddisruptionbudgets", true],
  ["scheduling.k8s.io", "PriorityClass", "priorityclasses", false],
  ["rbac.authorization.k8s.io", "Role", "roles", true],
  ["rbac.authorization.k8s.io", "RoleBinding", "rolebindings", true],
  ["rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false],
  ["rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", false],
];

/** "apps/v1" → {group: "apps", version: "v1"}; "v1" → core. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The resource for apiVersion + kind from the built-in table, or undefined (then ask discovery). */
export function resourceFor(apiVersion: string, kind: string): ResourceInfo | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  const e = TABLE.find(([g, k]) => g === group && k === kind);
  return e && { group, version, plural: e[2], kind, namespaced: e[3] };
}

/** The resource for a kind in an APIResourceList (GET /api/v1, /apis/<group>/<version>). */
export function resourceFromDiscovery(apiVersion: string, kind: string, list: { resources?: { name: string; kind: string; namespaced: boolean }[] }): ResourceInfo | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  const r = list.resources?.find((x) => x.kind === kind && !x.name.includes("/"));
  return r && { group, version, plural: r.name, kind, namespaced: r.namespaced };
}

/** The discovery document that lists a group version's resources. */
export function discoveryPath(apiVersion: string): string {
  const { group, version } = splitApiVersion(apiVersion);
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** The collection's path: /apis/apps/v1/namespaces/ns/deployments (namespace ignored for cluster-scoped kinds). */
export function collectionPath(r: ResourceInfo, namespace: string | undefined): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
}

/** One object's path. */
export function objectPath(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}

/** A list of at most the one object by that name (no 404 when it does not exist yet). */
export function existsPath(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${collectionPath(r, namespace)}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`;
}

/** The server-side apply request for an object: PATCH <object>?fieldManager=kubeclass-web&force=true. */
export function applyPath(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${objectPath(r, namespace, name)}?fieldManager=kubeclass-web&force=true`;
}

/** How kubectl names an object in its output: "deployment.apps/web", "pod/nginx". */
export function kubectlRef(r: Pick<ResourceInfo, "group" | "kind">, name: string): string {
  const type = r.group ? `${r.kind.toLowerCase()}.${r.group}` : r.kind.toLowerCase();
  return `${type}/${name}`;
}

/** The namespace an object lands in: its own metadata.namespace, else the user's default. */
export function targetNamespace(r: Pick<ResourceInfo, "namespaced">, metadataNamespace: unknown, fallback: string): string | undefined {
  if (!r.namespaced) return undefined;
  return typeof metadataNamespace === "string" && metadataNamespace ? metadataNamespace : fallback;
}

/** The default namespace for this user: a student's own, "default" for the instructor. */
export function defaultNamespace(me: { role: string; namespace?: string }): string {
  return me.role === "student" && me.namespace ? me.namespace : "default";
}
