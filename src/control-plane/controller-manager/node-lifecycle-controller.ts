// The node lifecycle controller and its taint eviction (pkg/controller/nodelifecycle/
// node_lifecycle_controller.go and pkg/controller/tainteviction/taint_eviction.go, v1.32): a node
// whose kubelet stops renewing its Lease is marked Ready=Unknown after the grace period and tainted
// unreachable (NoExecute); pods that do not tolerate the taint are evicted at once, the others after
// their tolerationSeconds (300 s by default). When the kubelet is back, the conditions and taints go.
import { recordEvent } from "../api-server/events";
import { rfc3339, type Registry } from "../api-server/registry/store";
import { LEASES, NODES, PODS } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { Condition } from "../api-server/objects/meta";
import type { Node, Pod, Taint } from "../api-server/objects/core";
import { listerOf, type Controller, type ReconcileCtx } from "./manager";

/** --node-monitor-grace-period's default. */
export const NODE_MONITOR_GRACE_MS = 40_000;
const UNREACHABLE = "node.kubernetes.io/unreachable";
const NOT_READY = "node.kubernetes.io/not-ready";
const PRESSURE_CONDITIONS = ["MemoryPressure", "DiskPressure", "PIDPressure"];

const ms = (t?: string) => (t ? Date.parse(t) : 0);

export function nodeLifecycleController(_reg: Registry): Controller {
  return {
    name: "node-lifecycle",
    watches: [
      { prefix: "/registry/nodes/", keys: (n) => [n.metadata.name!] },
      { prefix: "/registry/coordination.k8s.io/leases/kube-node-lease/", keys: (l) => [l.metadata.name!] },
    ],
    resync: (reg) => reg.list(NODES, undefined).items.map((n) => n.metadata.name!),
    reconcile: monitorNodeHealth,
  };
}

/** monitorNodeHealth for one node, then its taints and the evictions they cause. */
function monitorNodeHealth(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const node = ctx.reg.tryGet(NODES, undefined, key);
  if (!node) return;
  const lease = ctx.reg.tryGet(LEASES, "kube-node-lease", key);
  const ready = conditionOf(node, "Ready");
  const lastSeen = Math.max(ms(lease?.spec?.renewTime), ms(ready?.lastHeartbeatTime), ms(node.metadata.creationTimestamp));
  const stale = ctx.now - lastSeen > NODE_MONITOR_GRACE_MS;
  let current: Node = node;
  if (stale && ready?.status !== "Unknown") current = markUnknown(ctx, node);
  current = syncTaints(ctx, current);
  const evictAt = evictPods(ctx, current);
  // Look again when the lease would expire, or when the next toleration runs out.
  const next = Math.min(stale ? Infinity : lastSeen + NODE_MONITOR_GRACE_MS + 1, evictAt);
  return next === Infinity ? undefined : { requeueAfter: Math.max(1, next - ctx.now) };
}

function conditionOf(node: Node, type: string): Condition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === type);
}

/** What monitorNodeHealth does when the kubelet has gone quiet. */
function markUnknown(ctx: ReconcileCtx, node: Node): Node {
  const now = rfc3339(new Date(ctx.now));
  const updated = ctx.reg.guaranteedUpdate(NODES, undefined, node.metadata.name!, ctx.write, (cur) => {
    const conditions = (cur.status?.conditions ?? []).map((c): Condition =>
      c.type === "Ready" || PRESSURE_CONDITIONS.includes(c.type)
        ? { ...c, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: now }
        : c);
    cur.status = { ...cur.status, conditions };
    return cur;
  }, "status");
  recordEvent(ctx.reg, { regarding: updated, reason: "NodeNotReady", message: `Node ${node.metadata.name} status is now: NodeNotReady`, component: "node-controller", now: new Date(ctx.now) });
  // MarkPodsNotReady: the pods there are no longer known to be ready.
  for (const pod of podsOn(ctx, node.metadata.name!)) {
    try {
      ctx.reg.guaranteedUpdate(PODS, pod.metadata.namespace, pod.metadata.name!, ctx.write, (cur) => {
        const conditions = (cur.status?.conditions ?? []).map((c): Condition => (c.type === "Ready" && c.status !== "False" ? { ...c, status: "False", lastTransitionTime: now } : c));
        cur.status = { ...cur.status, conditions };
        return cur;
      }, "status");
      recordEvent(ctx.reg, { regarding: pod, reason: "NodeNotReady", message: "Node is not ready", type: "Warning", component: "node-controller", now: new Date(ctx.now) });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }
  return updated;
}

/** Taints follow the Ready condition (TaintNodesByCondition and the NoExecute taint manager). */
function syncTaints(ctx: ReconcileCtx, node: Node): Node {
  const ready = conditionOf(node, "Ready")?.status;
  const want = ready === "Unknown" ? UNREACHABLE : ready === "False" ? NOT_READY : undefined;
  const taints: Taint[] = node.spec?.taints ?? [];
  const others = taints.filter((t) => t.key !== UNREACHABLE && t.key !== NOT_READY);
  const keep = taints.filter((t) => t.key === want);
  const desired: Taint[] = want
    ? [...others, ...(keep.some((t) => t.effect === "NoSchedule") ? keep.filter((t) => t.effect === "NoSchedule") : [{ key: want, effect: "NoSchedule" as const }]),
       ...(keep.some((t) => t.effect === "NoExecute") ? keep.filter((t) => t.effect === "NoExecute") : [{ key: want, effect: "NoExecute" as const, timeAdded: rfc3339(new Date(ctx.now)) }])]
    : others;
  if (JSON.stringify(desired) === JSON.stringify(taints)) return node;
  return ctx.reg.guaranteedUpdate(NODES, undefined, node.metadata.name!, ctx.write, (cur) => {
    cur.spec = { ...cur.spec, taints: desired.length ? desired : undefined };
    if (!desired.length) delete cur.spec.taints;
    return cur;
  });
}

function podsOn(ctx: ReconcileCtx, node: string): Pod[] {
  return listerOf(ctx).list(PODS, undefined).filter((p) => p.spec?.nodeName === node && !p.metadata.deletionTimestamp);
}

function tolerates(pod: Pod, taint: Taint): { forever: boolean; seconds?: number } | undefined {
  for (const t of pod.spec?.tolerations ?? []) {
    const keyOk = t.operator === "Exists" ? !t.key || t.key === taint.key : t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
    const effectOk = !t.effect || t.effect === taint.effect;
    if (keyOk && effectOk) return t.tolerationSeconds === undefined || t.tolerationSeconds === null ? { forever: true } : { forever: false, seconds: Math.max(0, t.tolerationSeconds) };
  }
  return undefined;
}

/** The taint eviction controller: returns when the next pending eviction is due (Infinity: none). */
function evictPods(ctx: ReconcileCtx, node: Node): number {
  const noExecute = (node.spec?.taints ?? []).filter((t) => t.effect === "NoExecute");
  if (noExecute.length === 0) return Infinity;
  let next = Infinity;
  for (const pod of podsOn(ctx, node.metadata.name!)) {
    let evictAt = -Infinity;
    let tolerated = true;
    for (const taint of noExecute) {
      const tol = tolerates(pod, taint);
      if (!tol) { tolerated = false; break; }
      if (!tol.forever) evictAt = Math.max(evictAt, ms(taint.timeAdded) + (tol.seconds ?? 0) * 1000);
    }
    if (tolerated && evictAt === -Infinity) continue; // tolerates forever
    const due = tolerated ? evictAt : ctx.now;
    if (due > ctx.now) { next = Math.min(next, due); continue; }
    try {
      ctx.reg.guaranteedUpdate(PODS, pod.metadata.namespace, pod.metadata.name!, ctx.write, (cur) => {
        const conditions = (cur.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget");
        conditions.push({ type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint", lastTransitionTime: rfc3339(new Date(ctx.now)) });
        cur.status = { ...cur.status, conditions };
        return cur;
      }, "status");
      ctx.reg.delete(PODS, pod.metadata.namespace, pod.metadata.name!, ctx.write, { preconditions: { uid: pod.metadata.uid } });
      recordEvent(ctx.reg, { regarding: pod, reason: "TaintManagerEviction", message: `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`, component: "taint-eviction-controller", now: new Date(ctx.now) });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }
  return next;
}
