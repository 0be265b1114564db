// The scheduler's view of the cluster: NodeInfo per node (allocatable, requested, non-zero requested,
// used host ports, images, pods) and PodInfo per pod, precomputed once so that the per-pod hot path never
// parses quantities or walks pod specs again (the role of the real scheduler's cache + Snapshot).
import type { Node, Pod, PodAffinityTerm, Taint as NodeTaint, Toleration as PodToleration, WeightedPodAffinityTerm } from "../api-server/objects/core";
import type { PriorityClass } from "../api-server/objects/others";
import { type Resources, addList, addRes, cloneRes, emptyResources, podRequests, q } from "./resources";

import { type LabelSelector, labelSelectorFromObject } from "../api-server/selectors";

export { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, type Resources, emptyResources, podRequests } from "./resources";

export interface Taint { key: string; value: string; effect: string }
export interface Toleration { key: string; operator: string; value: string; effect: string }
export interface HostPort { ip: string; protocol: string; port: number }

/** framework.AffinityTerm: a PodAffinityTerm with its selectors compiled. */
export interface AffinityTerm {
  namespaces: Set<string>;
  selector: LabelSelector;
  nsSelector: LabelSelector;
  topologyKey: string;
  weight: number;
}

export interface PodInfo {
  pod: Pod;
  uid: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  priority: number;
  /** Bound node ("" while pending). */
  nodeName: string;
  /** status.nominatedNodeName of a pending pod. */
  nominatedNode: string;
  terminating: boolean;
  /** status.startTime in ms, or NaN when the pod has not started. */
  startTime: number;
  requests: Resources;
  nonZeroCpu: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  tolerations: Toleration[];
  /** Normalized image names of init and regular containers (ImageLocality). */
  images: string[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
}

export interface NodeInfo {
  name: string;
  node: Node;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  allocatable: Resources & { pods: number };
  requested: Resources;
  nonZeroCpu: number;
  nonZeroMemory: number;
  pods: PodInfo[];
  podsWithAffinity: number;
  podsWithRequiredAntiAffinity: number;
  /** "proto/port" → set of host IPs in use ("0.0.0.0" for all). */
  usedPorts: Map<string, string[]>;
  /** image name → size in bytes, from node.status.images. */
  images: Map<string, number>;
}

export interface ClusterSnapshot {
  nodes: NodeInfo[];
  byName: Map<string, NodeInfo>;
  pods: Map<string, PodInfo>;
  /** image name → number of nodes that report it (ImageLocality spread). */
  imageNodes: Map<string, number>;
  /** Pending pods nominated to a node (by preemption), by node name. */
  nominated: Map<string, PodInfo[]>;
  /** Where the next feasibility search starts, rotating like sched.nextStartNodeIndex. */
  nextStartNodeIndex: number;
  podsWithAffinity: number;
  podsWithRequiredAntiAffinity: number;
  priorityClasses: Map<string, { value: number; preemptionPolicy: string }>;
  /** PodInfo of objects already seen, so scheduleOne followed by assume parses the pod once. */
  cache: WeakMap<Pod, PodInfo>;
}

/** imagelocality.normalizedImageName: a reference without a tag gets ":latest". */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(":") <= name.lastIndexOf("/") ? `${name}:latest` : name;
}

function safeSelector(sel: unknown): LabelSelector {
  try {
    return labelSelectorFromObject(sel as never);
  } catch {
    return labelSelectorFromObject(null); // an invalid selector matches nothing
  }
}

function affinityTerms(pod: Pod, terms: PodAffinityTerm[] | WeightedPodAffinityTerm[] | undefined, weighted: boolean): AffinityTerm[] {
  if (!Array.isArray(terms)) return [];
  const out: AffinityTerm[] = [];
  for (const raw of terms) {
    const t: PodAffinityTerm | undefined = weighted ? (raw as WeightedPodAffinityTerm)?.podAffinityTerm : (raw as PodAffinityTerm);
    if (!t) continue;
    const nsList: string[] = Array.isArray(t.namespaces) ? t.namespaces : [];
    // getNamespacesFromPodAffinityTerm: no namespaces and no selector means the pod's own namespace.
    const namespaces = new Set(nsList.length === 0 && t.namespaceSelector == null ? [pod.metadata.namespace ?? "default"] : nsList);
    out.push({
      namespaces,
      selector: safeSelector(t.labelSelector),
      nsSelector: safeSelector(t.namespaceSelector),
      topologyKey: String(t.topologyKey ?? ""),
      weight: weighted ? Number((raw as WeightedPodAffinityTerm).weight ?? 0) : 1,
    });
  }
  return out;
}

/**
 * Namespace labels for namespaceSelector terms. Namespaces are not part of the snapshot, so this uses the
 * label every namespace carries automatically (kubernetes.io/metadata.name).
 */
const nsLabelCache = new Map<string, Record<string, string>>();
export function namespaceLabels(ns: string): Record<string, string> {
  let l = nsLabelCache.get(ns);
  if (!l) nsLabelCache.set(ns, (l = { "kubernetes.io/metadata.name": ns }));
  return l;
}

/** AffinityTerm.Matches: the pod is in the term's namespaces (or its namespace's labels match) and its labels match. */
export function termMatches(t: AffinityTerm, p: PodInfo): boolean {
  if (t.namespaces.has(p.namespace) || t.nsSelector.matches(namespaceLabels(p.namespace))) return t.selector.matches(p.labels);
  return false;
}

export function buildPodInfo(pod: Pod, priorityClasses?: ClusterSnapshot["priorityClasses"]): PodInfo {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let priority = typeof spec.priority === "number" ? spec.priority : undefined;
  if (priority === undefined && spec.priorityClassName && priorityClasses) priority = priorityClasses.get(spec.priorityClassName)?.value;
  const hostPorts: HostPort[] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c?.ports ?? []) {
      if (p && typeof p.hostPort === "number" && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || "0.0.0.0", protocol: p.protocol || "TCP", port: p.hostPort });
    }
  }
  const images: string[] = [];
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) images.push(typeof c?.image === "string" ? normalizedImageName(c.image) : "");
  const tolerations: Toleration[] = (Array.isArray(spec.tolerations) ? spec.tolerations : []).map((t: PodToleration) => ({
    key: t?.key ?? "", operator: t?.operator ?? "", value: t?.value ?? "", effect: t?.effect ?? "",
  }));
  const nz = podRequests(spec, true);
  const aff = spec.affinity ?? {};
  const started = status.startTime ? Date.parse(status.startTime) : NaN;
  return {
    pod,
    uid: pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`,
    namespace: pod.metadata.namespace ?? "default",
    name: pod.metadata.name ?? "",
    labels: pod.metadata.labels ?? {},
    priority: priority ?? 0,
    nodeName: spec.nodeName ?? "",
    nominatedNode: status.nominatedNodeName ?? "",
    terminating: !!pod.metadata.deletionTimestamp,
    startTime: started,
    requests: podRequests(spec),
    nonZeroCpu: nz.cpu,
    nonZeroMemory: nz.memory,
    hostPorts,
    tolerations,
    images,
    requiredAffinity: affinityTerms(pod, aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, false),
    requiredAntiAffinity: affinityTerms(pod, aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, false),
    preferredAffinity: affinityTerms(pod, aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, true),
    preferredAntiAffinity: affinityTerms(pod, aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, true),
  };
}

export const hasAffinity = (p: PodInfo) =>
  p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;

export function buildNodeInfo(node: Node): NodeInfo {
  const st = node.status ?? {};
  const alloc: Record<string, unknown> = st.allocatable ?? st.capacity ?? {};
  const allocatable = { ...emptyResources(), pods: 0 };
  addList(allocatable, alloc);
  allocatable.pods = q(alloc.pods)?.value ?? 0;
  const images = new Map<string, number>();
  for (const img of Array.isArray(st.images) ? st.images : []) {
    for (const n of img?.names ?? []) if (typeof n === "string") images.set(n, Number(img.sizeBytes ?? 0));
  }
  const taints: Taint[] = (Array.isArray(node.spec?.taints) ? node.spec.taints : []).map((t: NodeTaint) => ({
    key: t?.key ?? "", value: t?.value ?? "", effect: t?.effect ?? "",
  }));
  return {
    name: node.metadata.name ?? "",
    node,
    labels: node.metadata.labels ?? {},
    taints,
    unschedulable: node.spec?.unschedulable === true,
    allocatable,
    requested: emptyResources(),
    nonZeroCpu: 0,
    nonZeroMemory: 0,
    pods: [],
    podsWithAffinity: 0,
    podsWithRequiredAntiAffinity: 0,
    usedPorts: new Map(),
    images,
  };
}

/** NodeInfo.AddPod. */
export function addPodToNode(ni: NodeInfo, p: PodInfo): void {
  ni.pods.push(p);
  addRes(ni.requested, p.requests);
  ni.nonZeroCpu += p.nonZeroCpu;
  ni.nonZeroMemory += p.nonZeroMemory;
  if (hasAffinity(p)) ni.podsWithAffinity++;
  if (p.requiredAntiAffinity.length) ni.podsWithRequiredAntiAffinity++;
  for (const hp of p.hostPorts) {
    const k = `${hp.protocol}/${hp.port}`;
    const ips = ni.usedPorts.get(k);
    if (ips) ips.push(hp.ip); else ni.usedPorts.set(k, [hp.ip]);
  }
}

/** NodeInfo.RemovePod; false when the pod was not on the node. */
export function removePodFromNode(ni: NodeInfo, p: PodInfo): boolean {
  const i = ni.pods.findIndex((x) => x.uid === p.uid);
  if (i < 0) return false;
  const old = ni.pods[i];
  ni.pods.splice(i, 1);
  const r = ni.requested, o = old.requests;
  r.cpu -= o.cpu; r.memory -= o.memory; r.ephemeral -= o.ephemeral;
  if (o.scalar && r.scalar) for (const k in o.scalar) r.scalar[k] = (r.scalar[k] ?? 0) - o.scalar[k];
  ni.nonZeroCpu -= old.nonZeroCpu;
  ni.nonZeroMemory -= old.nonZeroMemory;
  if (hasAffinity(old)) ni.podsWithAffinity--;
  if (old.requiredAntiAffinity.length) ni.podsWithRequiredAntiAffinity--;
  for (const hp of old.hostPorts) {
    const ips = ni.usedPorts.get(`${hp.protocol}/${hp.port}`);
    const j = ips ? ips.indexOf(hp.ip) : -1;
    if (ips && j >= 0) { ips.splice(j, 1); if (ips.length === 0) ni.usedPorts.delete(`${hp.protocol}/${hp.port}`); }
  }
  return true;
}

/** A copy that preemption can remove pods from without touching the snapshot. */
export function cloneNodeInfo(ni: NodeInfo): NodeInfo {
  const usedPorts = new Map<string, string[]>();
  for (const [k, v] of ni.usedPorts) usedPorts.set(k, [...v]);
  return { ...ni, requested: cloneRes(ni.requested), pods: [...ni.pods], usedPorts };
}

/** Zone of a node as the node tree keys it (region + zone labels). */
function zoneKey(labels: Record<string, string>): string {
  const region = labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? "";
  const zone = labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? "";
  return `${region}:\x00:${zone}`;
}

const isTerminal = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

export function buildSnapshot(nodes: Node[], pods: Pod[], priorityClasses: PriorityClass[] = []): ClusterSnapshot {
  const pcs: ClusterSnapshot["priorityClasses"] = new Map();
  for (const pc of priorityClasses) {
    if (pc.metadata?.name) pcs.set(pc.metadata.name, { value: Number(pc.value ?? 0), preemptionPolicy: pc.preemptionPolicy ?? "PreemptLowerPriority" });
  }
  // The real snapshot lists nodes zone by zone in turn (nodeTree), so a partial search spreads over zones.
  const byZone = new Map<string, NodeInfo[]>();
  const byName = new Map<string, NodeInfo>();
  for (const n of nodes) {
    const ni = buildNodeInfo(n);
    if (byName.has(ni.name)) continue;
    byName.set(ni.name, ni);
    const z = zoneKey(ni.labels);
    const list = byZone.get(z);
    if (list) list.push(ni); else byZone.set(z, [ni]);
  }
  const zones = [...byZone.values()];
  const ordered: NodeInfo[] = [];
  for (let i = 0; ordered.length < byName.size; i++) for (const z of zones) if (i < z.length) ordered.push(z[i]);

  const imageNodes = new Map<string, number>();
  for (const ni of ordered) for (const name of ni.images.keys()) imageNodes.set(name, (imageNodes.get(name) ?? 0) + 1);

  const snap: ClusterSnapshot = {
    nodes: ordered, byName, pods: new Map(), imageNodes, nominated: new Map(), nextStartNodeIndex: 0,
    podsWithAffinity: 0, podsWithRequiredAntiAffinity: 0, priorityClasses: pcs, cache: new WeakMap(),
  };
  for (const p of pods) {
    if (isTerminal(p)) continue;
    const pi = buildPodInfo(p, pcs);
    if (pi.nodeName) {
      const ni = byName.get(pi.nodeName);
      if (!ni) continue; // bound to a node the scheduler does not know (yet)
      addPodToNode(ni, pi);
      snap.pods.set(pi.uid, pi);
      if (hasAffinity(pi)) snap.podsWithAffinity++;
      if (pi.requiredAntiAffinity.length) snap.podsWithRequiredAntiAffinity++;
    } else if (pi.nominatedNode) {
      addNominated(snap, pi);
    }
  }
  return snap;
}

function addNominated(snap: ClusterSnapshot, pi: PodInfo): void {
  const list = snap.nominated.get(pi.nominatedNode);
  if (list) list.push(pi); else snap.nominated.set(pi.nominatedNode, [pi]);
}

function removeNominated(snap: ClusterSnapshot, uid: string): void {
  for (const [node, list] of snap.nominated) {
    const i = list.findIndex((p) => p.uid === uid);
    if (i >= 0) { list.splice(i, 1); if (list.length === 0) snap.nominated.delete(node); return; }
  }
}

/** The PodInfo for a pod object, parsed once per object. */
export function podInfoOf(snap: ClusterSnapshot, pod: Pod): PodInfo {
  let pi = snap.cache.get(pod);
  if (!pi) { pi = buildPodInfo(pod, snap.priorityClasses); snap.cache.set(pod, pi); }
  return pi;
}

/** Account a just-bound pod on its node (the scheduler cache's AssumePod). */
export function assume(snap: ClusterSnapshot, pod: Pod, nodeName: string): void {
  const ni = snap.byName.get(nodeName);
  if (!ni) return;
  const base = podInfoOf(snap, pod);
  forgetUid(snap, base.uid);
  removeNominated(snap, base.uid);
  const pi: PodInfo = base.nodeName === nodeName ? base : { ...base, nodeName, nominatedNode: "" };
  addPodToNode(ni, pi);
  snap.pods.set(pi.uid, pi);
  if (hasAffinity(pi)) snap.podsWithAffinity++;
  if (pi.requiredAntiAffinity.length) snap.podsWithRequiredAntiAffinity++;
}

/** Undo assume (or drop a deleted pod): the node gets its resources back. */
export function forget(snap: ClusterSnapshot, pod: Pod): void {
  const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
  forgetUid(snap, uid);
  removeNominated(snap, uid);
}

function forgetUid(snap: ClusterSnapshot, uid: string): void {
  const old = snap.pods.get(uid);
  if (!old) return;
  const ni = snap.byName.get(old.nodeName);
  if (ni) removePodFromNode(ni, old);
  snap.pods.delete(uid);
  if (hasAffinity(old)) snap.podsWithAffinity--;
  if (old.requiredAntiAffinity.length) snap.podsWithRequiredAntiAffinity--;
}

/** Record a pending pod's nomination (after preemption) so lower-priority pods leave room for it. */
export function nominate(snap: ClusterSnapshot, pod: Pod, nodeName: string): void {
  const base = podInfoOf(snap, pod);
  removeNominated(snap, base.uid);
  if (nodeName) addNominated(snap, { ...base, nominatedNode: nodeName });
}
