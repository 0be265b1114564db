// The resource types this API server serves, as discovery, OpenAPI and routing see them.
// Names, short names, categories and verbs follow a real v1.32 cluster.

import type { KubeObject } from "./types";
import type { ConfigMap, Endpoints, Event, Namespace, Node, Pod, ResourceQuota, Service, ServiceAccount } from "./objects/core";
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "./objects/apps";
import type { CronJob, Job } from "./objects/batch";
import type { EndpointSlice, HorizontalPodAutoscaler, Lease, PriorityClass } from "./objects/others";

export interface SubresourceType {
  name: string; // e.g. "status", "scale", "log"
  kind: string;
  group?: string; // when the subresource's kind lives in another group (Scale: autoscaling, Eviction: policy)
  version?: string;
  verbs: string[];
}

/** A resource; T is the object type its handle reads back (see the named handles below). */
export interface ResourceType<T extends KubeObject = KubeObject> {
  group: string; // "" for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources?: SubresourceType[];
  /** Type-only: never set. Makes a handle carry the type of its objects (PODS reads Pods). */
  readonly objectType?: T;
}

const CRUD = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const CRUD_NO_COLLECTION = ["create", "delete", "get", "list", "patch", "update", "watch"];
const status = (kind: string): SubresourceType => ({ name: "status", kind, verbs: ["get", "patch", "update"] });
const scale: SubresourceType = { name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] };

export const RESOURCES: ResourceType[] = [
  { group: "", version: "v1", plural: "bindings", singular: "binding", kind: "Binding", namespaced: true, verbs: ["create"] },
  { group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true, shortNames: ["cm"], verbs: CRUD },
  { group: "", version: "v1", plural: "endpoints", singular: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"], verbs: CRUD },
  { group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"], verbs: CRUD },
  { group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false, shortNames: ["ns"], verbs: CRUD_NO_COLLECTION, subresources: [{ name: "finalize", kind: "Namespace", verbs: ["update"] }, status("Namespace")] },
  { group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node", namespaced: false, shortNames: ["no"], verbs: CRUD, subresources: [status("Node")] },
  {
    group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"], categories: ["all"], verbs: CRUD,
    subresources: [
      { name: "binding", kind: "Binding", verbs: ["create"] },
      { name: "eviction", kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] },
      { name: "log", kind: "Pod", verbs: ["get"] },
      status("Pod"),
    ],
  },
  { group: "", version: "v1", plural: "resourcequotas", singular: "resourcequota", kind: "ResourceQuota", namespaced: true, shortNames: ["quota"], verbs: CRUD, subresources: [status("ResourceQuota")] },
  { group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true, verbs: CRUD },
  { group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"], verbs: CRUD },
  { group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true, shortNames: ["svc"], categories: ["all"], verbs: CRUD, subresources: [status("Service")] },
  { group: "apps", version: "v1", plural: "daemonsets", singular: "daemonset", kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"], verbs: CRUD, subresources: [status("DaemonSet")] },
  { group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], verbs: CRUD, subresources: [scale, status("Deployment")] },
  { group: "apps", version: "v1", plural: "replicasets", singular: "replicaset", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"], verbs: CRUD, subresources: [scale, status("ReplicaSet")] },
  { group: "apps", version: "v1", plural: "statefulsets", singular: "statefulset", kind: "StatefulSet", namespaced: true, shortNames: ["sts"], categories: ["all"], verbs: CRUD, subresources: [scale, status("StatefulSet")] },
  { group: "authorization.k8s.io", version: "v1", plural: "selfsubjectaccessreviews", singular: "selfsubjectaccessreview", kind: "SelfSubjectAccessReview", namespaced: false, verbs: ["create"] },
  { group: "authorization.k8s.io", version: "v1", plural: "selfsubjectrulesreviews", singular: "selfsubjectrulesreview", kind: "SelfSubjectRulesReview", namespaced: false, verbs: ["create"] },
  { group: "autoscaling", version: "v1", plural: "horizontalpodautoscalers", singular: "horizontalpodautoscaler", kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"], verbs: CRUD, subresources: [status("HorizontalPodAutoscaler")] },
  { group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", singular: "horizontalpodautoscaler", kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"], verbs: CRUD, subresources: [status("HorizontalPodAutoscaler")] },
  { group: "batch", version: "v1", plural: "cronjobs", singular: "cronjob", kind: "CronJob", namespaced: true, shortNames: ["cj"], categories: ["all"], verbs: CRUD, subresources: [status("CronJob")] },
  { group: "batch", version: "v1", plural: "jobs", singular: "job", kind: "Job", namespaced: true, categories: ["all"], verbs: CRUD, subresources: [status("Job")] },
  { group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease", namespaced: true, verbs: CRUD },
  { group: "discovery.k8s.io", version: "v1", plural: "endpointslices", singular: "endpointslice", kind: "EndpointSlice", namespaced: true, verbs: CRUD },
  { group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"], verbs: CRUD },
  // Served by the kubelets' measurements (metrics-server's API), not stored.
  { group: "metrics.k8s.io", version: "v1beta1", plural: "nodes", singular: "", kind: "NodeMetrics", namespaced: false, verbs: ["get", "list"] },
  { group: "metrics.k8s.io", version: "v1beta1", plural: "pods", singular: "", kind: "PodMetrics", namespaced: true, verbs: ["get", "list"] },
  { group: "scheduling.k8s.io", version: "v1", plural: "priorityclasses", singular: "priorityclass", kind: "PriorityClass", namespaced: false, shortNames: ["pc"], verbs: CRUD },
];

/** Preferred version per group when a group serves several (first in discovery). */
const PREFERRED: Record<string, string> = { autoscaling: "v2" };

/** Group → versions served, in discovery order (preferred first). Core ("") is served under /api. */
export function groupVersions(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of RESOURCES) {
    const vs = out.get(r.group) ?? [];
    if (!vs.includes(r.version)) vs.push(r.version);
    out.set(r.group, vs);
  }
  for (const [g, v] of Object.entries(PREFERRED)) {
    const vs = out.get(g);
    if (vs?.includes(v)) out.set(g, [v, ...vs.filter((x) => x !== v)]);
  }
  return out;
}

/**
 * The version an object of this resource is stored in. Kubernetes stores one version per kind
 * and converts on the way in and out: events.k8s.io Events are core Events, autoscaling/v1 HPAs are v2.
 */
export function storageResource(r: ResourceType): ResourceType {
  if (r.group === "events.k8s.io") return findResource("", "v1", "events")!;
  if (r.group === "autoscaling") return findResource("autoscaling", "v2", r.plural)!;
  return r;
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

const byPath = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));
const byKind = new Map(RESOURCES.map((r) => [`${apiVersionOf(r)}/${r.kind}`, r]));

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

/** The resource for an object's apiVersion and kind, e.g. ("apps/v1", "Deployment"). */
/** A resource the components name in code: one missing from RESOURCES fails at load, not in use. */
function known<T extends KubeObject>(group: string, version: string, plural: string): ResourceType<T> {
  const r = findResource(group, version, plural);
  if (!r) throw new Error(`no resource ${plural}.${version}.${group}`);
  return r as ResourceType<T>;
}

// The resources the control plane's components read and write, named once.
export const PODS = known<Pod>("", "v1", "pods");
export const NODES = known<Node>("", "v1", "nodes");
export const NAMESPACES = known<Namespace>("", "v1", "namespaces");
export const SERVICES = known<Service>("", "v1", "services");
export const ENDPOINTS = known<Endpoints>("", "v1", "endpoints");
export const EVENTS = known<Event>("", "v1", "events");
export const CONFIG_MAPS = known<ConfigMap>("", "v1", "configmaps");
export const SERVICE_ACCOUNTS = known<ServiceAccount>("", "v1", "serviceaccounts");
export const RESOURCE_QUOTAS = known<ResourceQuota>("", "v1", "resourcequotas");
export const ENDPOINT_SLICES = known<EndpointSlice>("discovery.k8s.io", "v1", "endpointslices");
export const LEASES = known<Lease>("coordination.k8s.io", "v1", "leases");
export const JOBS = known<Job>("batch", "v1", "jobs");
export const CRON_JOBS = known<CronJob>("batch", "v1", "cronjobs");
export const HORIZONTAL_POD_AUTOSCALERS = known<HorizontalPodAutoscaler>("autoscaling", "v2", "horizontalpodautoscalers");
export const STATEFUL_SETS = known<StatefulSet>("apps", "v1", "statefulsets");
export const REPLICA_SETS = known<ReplicaSet>("apps", "v1", "replicasets");
export const DEPLOYMENTS = known<Deployment>("apps", "v1", "deployments");
export const DAEMON_SETS = known<DaemonSet>("apps", "v1", "daemonsets");
export const PRIORITY_CLASSES = known<PriorityClass>("scheduling.k8s.io", "v1", "priorityclasses");

export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** Kinds that are stored (have a registry key), as opposed to virtual ones like Binding, reviews or metrics. */
export function isStored(r: ResourceType): boolean {
  return r.verbs.includes("get") && r.group !== "metrics.k8s.io";
}

/** etcd key prefix for a resource, as kube-apiserver lays it out: /registry/<group-qualified plural>/. */
export function registryPrefix(r: ResourceType): string {
  const name = r.group === "" || r.group === "apps" || r.group === "batch" ? r.plural : `${r.group}/${r.plural}`;
  // Core and events.k8s.io events share storage in Kubernetes; so do they here.
  if (r.plural === "events") return "/registry/events/";
  return `/registry/${name}/`;
}

export function registryKey(r: ResourceType, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${registryPrefix(r)}${namespace}/${name}` : `${registryPrefix(r)}${name}`;
}
