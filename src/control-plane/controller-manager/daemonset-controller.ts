// The DaemonSet controller (pkg/controller/daemon/daemon_controller.go and update.go, v1.32): one pod
// per eligible node (node selector and affinity, taints against the pod's tolerations plus those every
// daemon pod gets), each pinned by a metadata.name matchFields node affinity so the scheduler binds it
// there; a RollingUpdate (maxUnavailable, no surge) replaces pods whose controller-revision-hash is
// not the template's. ControllerRevisions are not served, so the hash lives on the pods only.
// syncDaemonSet runs upstream's manage, rollingUpdate and updateDaemonSetStatus in turn.
import type { Registry } from "../api-server/registry/store";
import { registryPrefix, DAEMON_SETS, NODES, PODS } from "../api-server/resources";
import type { Node, Pod, PodSpec, PodTemplateSpec, Toleration as PodToleration } from "../api-server/objects/core";
import type { DaemonSet, DaemonSetSpec, DaemonSetStatus } from "../api-server/objects/apps";
import type { NodeInfo, PodInfo, Taint, Toleration } from "../scheduler/snapshot";
import { compile, requiredMatches } from "../scheduler/plugins/node-affinity";
import { tolerationsTolerateTaint } from "../scheduler/plugins/taint-toleration";
import { REVISION_HASH, computeHash, controlledBy, controllerKeys, createPod, deepEqual, deletePod, emit, isPodReady, keyOf, newControllerRef, ownerKey, readyCondition, scaledValue, selfKey, splitKey, tolerate, writeStatus } from "./controller-utils";
import { watchOf, type Controller, type ReconcileCtx } from "./manager";

const TEMPLATE_GENERATION = "pod-template-generation";
const COMPONENT = "daemonset-controller";

/** util.AddOrUpdateDaemonPodTolerations: daemon pods ride out node conditions other pods are evicted for. */
const DAEMON_TOLERATIONS: PodToleration[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", value: "", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", value: "", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", value: "", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", value: "", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", value: "", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", value: "", effect: "NoSchedule" },
];
const NETWORK_UNAVAILABLE: PodToleration = { key: "node.kubernetes.io/network-unavailable", operator: "Exists", value: "", effect: "NoSchedule" };

/** The tolerations of a daemon pod: the template's plus the daemon ones it lacks (a spec read defensively). */
export function daemonTolerations(podSpec: Partial<PodSpec> | undefined): PodToleration[] {
  const out: PodToleration[] = [...(podSpec?.tolerations ?? [])];
  const extra = podSpec?.hostNetwork ? [...DAEMON_TOLERATIONS, NETWORK_UNAVAILABLE] : DAEMON_TOLERATIONS;
  for (const t of extra) {
    const same = out.some((o) => (o.key ?? "") === t.key && (o.operator ?? "Equal") === t.operator && (o.value ?? "") === t.value && (o.effect ?? "") === t.effect);
    if (!same) out.push({ key: t.key, operator: t.operator, effect: t.effect });
  }
  return out;
}

const norm = (t: PodToleration): Toleration => ({ key: t.key ?? "", operator: t.operator ?? "", value: t.value ?? "", effect: t.effect ?? "" });

/** NodeShouldRunDaemonPod: whether a pod should be created there, and whether one there may stay. */
export function shouldRunOn(podSpec: Partial<PodSpec> | undefined, node: Node): { run: boolean; stay: boolean } {
  const name = node.metadata.name!;
  if (podSpec?.nodeName && podSpec.nodeName !== name) return { run: false, stay: false };
  const state = compile({ pod: { spec: podSpec } } as unknown as PodInfo);
  if (!requiredMatches(state, { name, labels: node.metadata.labels ?? {} } as NodeInfo)) return { run: false, stay: false };
  const tols = daemonTolerations(podSpec).map(norm);
  const taints: Taint[] = (node.spec?.taints ?? []).map((t) => ({ key: t.key ?? "", value: t.value ?? "", effect: t.effect ?? "" }));
  let run = true, stay = true;
  for (const t of taints) {
    if ((t.effect !== "NoSchedule" && t.effect !== "NoExecute") || tolerationsTolerateTaint(tols, t)) continue;
    run = false;
    // An untolerated NoSchedule taint keeps new pods off but lets a running one stay.
    if (t.effect === "NoExecute") stay = false;
  }
  return { run, stay };
}

/** The pod template's hash (ComputeHash, with no collision count: ControllerRevisions are not served). */
export const templateHash = (template: unknown): string => computeHash(template);

/** The node a daemon pod is for: where it is bound, or where its matchFields affinity pins it. */
function targetNode(p: Pod): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName;
  for (const term of p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term?.matchFields ?? []) if (f.key === "metadata.name" && f.operator === "In" && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

function nodeMatters(n: Node, prev?: Node): boolean {
  if (!prev) return true;
  if (!deepEqual(n.metadata?.labels, prev.metadata?.labels) || !deepEqual(n.spec, prev.spec)) return true;
  // A DELETE event carries the last value as both: identical apart from the resourceVersion.
  const bare = (o: Node) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(bare(n), bare(prev));
}

export function daemonSetController(reg: Registry): Controller {
  return {
    name: "daemonset",
    watches: [
      { prefix: registryPrefix(DAEMON_SETS), keys: selfKey },
      { prefix: registryPrefix(PODS), keys: controllerKeys("DaemonSet") },
      // A node added, removed, relabelled or (un)tainted may change where daemon pods belong: every
      // DaemonSet looks again. Status-only changes (heartbeats) cannot, and are skipped.
      watchOf(NODES, (n, prev) => (nodeMatters(n, prev) ? reg.list(DAEMON_SETS, undefined).items.map(keyOf) : [])),
    ],
    resync: (reg) => reg.list(DAEMON_SETS, undefined).items.map(keyOf),
    reconcile: syncDaemonSet,
  };
}

/** One sync of one DaemonSet: its nodes, where its pods should run, and the template's hash. */
interface DsSync {
  ctx: ReconcileCtx;
  ds: DaemonSet;
  key: string;
  nodes: Node[];
  eligibility: Map<string, { run: boolean; stay: boolean }>;
  hash: string;
  minReady: number;
}

function syncDaemonSet(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const { reg } = ctx;
  const [ns, name] = splitKey(key);
  const ds = reg.tryGet(DAEMON_SETS, ns, name);
  if (!ds || ds.metadata.deletionTimestamp) {
    // As the garbage collector does too: the pods of a deleted DaemonSet go with it (an orphaning
    // delete has stripped their owner references first, so they stay).
    if (!ds) for (const p of listPods(ctx, key)) tolerate(() => reg.delete(PODS, ns, p.metadata.name!, ctx.write));
    return;
  }
  const nodes = reg.list(NODES, undefined).items;
  const podSpec = ds.spec?.template?.spec ?? {};
  const s: DsSync = {
    ctx, ds, key, nodes,
    eligibility: new Map(nodes.map((n) => [n.metadata.name!, shouldRunOn(podSpec, n)])),
    hash: templateHash(ds.spec?.template ?? {}),
    minReady: Number(ds.spec?.minReadySeconds ?? 0),
  };
  manage(s);
  rollingUpdate(s);
  return updateDaemonSetStatus(s);
}

const listPods = (ctx: ReconcileCtx, key: string) => ctx.reg.list(PODS, splitKey(key)[0]).items.filter((p) => ownerKey(p, "DaemonSet")[0] === key);

/** getNodesToDaemonPods: the DaemonSet's pods by the node they are for, oldest first. */
function podsByNode(s: DsSync): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of listPods(s.ctx, s.key)) {
    if (!controlledBy(p, s.ds)) continue;
    const n = targetNode(p);
    if (n) m.set(n, [...(m.get(n) ?? []), p]);
  }
  for (const ps of m.values()) ps.sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
  return m;
}

/** manage: create where missing; delete failed, duplicate and misplaced pods. */
function manage(s: DsSync): void {
  const { ctx, ds, eligibility } = s;
  const { reg, now } = ctx;
  const pods = podsByNode(s);
  for (const n of s.nodes) {
    const nodeName = n.metadata.name!;
    const { run, stay } = eligibility.get(nodeName)!;
    const all = pods.get(nodeName) ?? [];
    const here = all.filter((p) => !p.metadata.deletionTimestamp);
    // A pod still terminating holds the node: the replacement comes once it is gone (no surge).
    if (run && all.length === 0) newDaemonPod(reg, ds, nodeName, s.hash, ctx);
    else if (stay) {
      const live = here.filter((p) => p.status?.phase !== "Failed");
      for (const p of here) {
        if (p.status?.phase !== "Failed") continue;
        emit(reg, ds, "FailedDaemonPod", `Found failed daemon pod ${ds.metadata.namespace}/${p.metadata.name} on node ${nodeName}, will try to kill it`, now, "Warning", COMPONENT);
        deletePod(reg, ds, p, ctx, COMPONENT);
      }
      // Keep the oldest; duplicates go.
      for (const p of live.slice(1)) deletePod(reg, ds, p, ctx, COMPONENT);
    } else for (const p of here) deletePod(reg, ds, p, ctx, COMPONENT);
  }
  // Pods for nodes that no longer exist.
  for (const [nodeName, ps] of pods) if (!eligibility.has(nodeName)) for (const p of ps) if (!p.metadata.deletionTimestamp) deletePod(reg, ds, p, ctx, COMPONENT);
}

/** rollingUpdate: replace old-hash pods, at most maxUnavailable nodes down at a time. */
function rollingUpdate(s: DsSync): void {
  const { ctx, ds, hash, minReady } = s;
  const strategy: NonNullable<DaemonSetSpec["updateStrategy"]> = ds.spec?.updateStrategy ?? {};
  if ((strategy.type ?? "RollingUpdate") !== "RollingUpdate") return;
  const wantNodes = s.nodes.filter((n) => s.eligibility.get(n.metadata.name!)!.run).map((n) => n.metadata.name!);
  const pods = podsByNode(s);
  const maxUnavailable = Math.max(1, scaledValue(strategy.rollingUpdate?.maxUnavailable ?? 1, wantNodes.length, true));
  let unavailable = 0;
  const replaceNow: Pod[] = [];
  const candidates: Pod[] = [];
  for (const nodeName of wantNodes) {
    const here = (pods.get(nodeName) ?? []).filter((p) => !p.metadata.deletionTimestamp);
    const fresh = here.filter((p) => p.metadata.labels?.[REVISION_HASH] === hash);
    const old = here.filter((p) => p.metadata.labels?.[REVISION_HASH] !== hash);
    if (here.length !== 1) { unavailable++; continue; }
    if (fresh.length) { if (!available(fresh[0], minReady, ctx.now).ok) unavailable++; continue; }
    if (!available(old[0], minReady, ctx.now).ok) replaceNow.push(old[0]);
    else candidates.push(old[0]);
  }
  const room = Math.max(0, maxUnavailable - unavailable);
  for (const p of [...replaceNow, ...candidates.slice(0, room)]) deletePod(ctx.reg, ds, p, ctx, COMPONENT);
}

/** updateDaemonSetStatus: counts per node, and when the next pod becomes available. */
function updateDaemonSetStatus(s: DsSync): void | { requeueAfter?: number } {
  const { ctx, ds, hash, minReady } = s;
  const { reg, now } = ctx;
  let requeue: number | undefined;
  const pods = podsByNode(s);
  const st = { desired: 0, current: 0, misscheduled: 0, ready: 0, available: 0, updated: 0 };
  for (const n of s.nodes) {
    const nodeName = n.metadata.name!;
    const here = (pods.get(nodeName) ?? []).filter((p) => !p.metadata.deletionTimestamp);
    const { run } = s.eligibility.get(nodeName)!;
    if (run) st.desired++;
    if (here.length === 0) continue;
    if (!run) { st.misscheduled++; continue; }
    st.current++;
    const p = here[0];
    if (isPodReady(p)) {
      st.ready++;
      const a = available(p, minReady, now);
      if (a.ok) st.available++;
      else if (a.wait !== undefined) requeue = Math.min(requeue ?? Infinity, a.wait);
    }
    if (p.metadata.labels?.[REVISION_HASH] === hash) st.updated++;
  }
  const status: DaemonSetStatus = {
    currentNumberScheduled: st.current, desiredNumberScheduled: st.desired, numberMisscheduled: st.misscheduled, numberReady: st.ready,
  };
  if (ds.metadata.generation) status.observedGeneration = ds.metadata.generation;
  if (st.updated) status.updatedNumberScheduled = st.updated;
  if (st.available) status.numberAvailable = st.available;
  if (st.desired - st.available > 0) status.numberUnavailable = st.desired - st.available;
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
  if (!deepEqual(ds.status ?? {}, status)) writeStatus(reg, DAEMON_SETS, reg.get(DAEMON_SETS, ds.metadata.namespace, ds.metadata.name!), status, ctx);
  return requeue !== undefined ? { requeueAfter: requeue } : undefined;
}

/** Ready for minReadySeconds, or how long until it is. */
function available(p: Pod, minReady: number, now: number): { ok: boolean; wait?: number } {
  if (!isPodReady(p) || p.metadata.deletionTimestamp) return { ok: false };
  if (!minReady) return { ok: true };
  const since = Date.parse(readyCondition(p)?.lastTransitionTime ?? "");
  if (Number.isNaN(since)) return { ok: true };
  const left = since + minReady * 1000 - now;
  return left <= 0 ? { ok: true } : { ok: false, wait: left };
}

/** A pod from the template, pinned to the node (ReplaceDaemonSetPodNodeNameNodeAffinity), with the daemon tolerations. */
function newDaemonPod(reg: Registry, ds: DaemonSet, node: string, hash: string, ctx: ReconcileCtx): void {
  const tpl: Partial<PodTemplateSpec> = structuredClone(ds.spec.template ?? {});
  const meta = tpl.metadata ?? {};
  // A template without a spec makes a pod the API server refuses.
  const spec = tpl.spec ?? ({} as PodSpec);
  spec.tolerations = daemonTolerations(spec);
  // The required terms become "this node"; preferences stay.
  spec.affinity = { ...(spec.affinity ?? {}) };
  spec.affinity.nodeAffinity = {
    ...(spec.affinity.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] },
  };
  const pod: Pod = {
    apiVersion: "v1", kind: "Pod",
    metadata: {
      ...meta,
      generateName: `${ds.metadata.name}-`,
      labels: { ...(meta.labels ?? {}), [REVISION_HASH]: hash, [TEMPLATE_GENERATION]: String(ds.metadata.generation ?? 1) },
      ownerReferences: [newControllerRef(ds)],
    },
    spec,
  };
  delete pod.metadata.name;
  createPod(reg, ds, pod, ctx, COMPONENT);
}
