// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps spec.replicas active
// pods matching the selector, adopting orphans and releasing strays, creating in slow-start
// batches and deleting the least valuable pods first; then reports counts in status.
import type { Registry, WriteCtx } from "../api-server/registry/store";
import { rfc3339 } from "../api-server/registry/store";
import { recordEvent } from "../api-server/events";
import { ApiError } from "../api-server/status";
import type { ObjectMeta } from "../api-server/types";
import type { Pod, PodSpec, PodTemplateSpec } from "../api-server/objects/core";
import type { ReplicaSet, ReplicaSetStatus } from "../api-server/objects/apps";
import { listerOf, watchOf, type Controller, type ReconcileCtx } from "./manager";
import type { Lister } from "./informers";
import { availableAt, claim, controllerOf, deepEqual, isPodActive, isPodAvailable, isPodReady, isTerminating, keyOf, newControllerRef, omitEmpty, readyCondition, selectorOf, specReplicas, splitKey, tolerate, type Condition } from "./controller-utils";
import { PODS, REPLICA_SETS } from "../api-server/resources";

const COMPONENT = "replicaset-controller";
const BURST_REPLICAS = 500; // upstream's burstReplicas: at most this many creates or deletes per sync
/**
 * Here a sync stops after this many and is queued again at once: the classroom's one thread
 * answers API requests between two controller slices (classroom/sim-pace.ts), and 500 creates in
 * one sync held it for half a second. The pods come as fast; only the grouping differs.
 */
export const REPLICAS_PER_SYNC = 64;
const SLOW_START_INITIAL_BATCH = 1;
const DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

export function replicaSetController(_reg: Registry): Controller {
  return {
    name: "replicaset",
    watches: [
      watchOf(REPLICA_SETS, (rs) => [keyOf(rs)]),
      watchOf(PODS, (pod, prev, ev) => rsKeysForPod(ev.cache, pod, prev)),
    ],
    resync: (r) => r.list(REPLICA_SETS, undefined).items.map(keyOf),
    reconcile: (key, ctx) => syncReplicaSet(key, ctx),
  };
}

/** The owning ReplicaSet (now or before); for an orphan, every ReplicaSet that could adopt it. */
function rsKeysForPod(cache: Lister, pod: Pod, prev?: Pod): string[] {
  const ns = pod.metadata.namespace!;
  const keys = new Set<string>();
  for (const p of [pod, prev]) {
    const ref = p && controllerOf(p);
    if (ref?.kind === "ReplicaSet") keys.add(`${ns}/${ref.name}`);
  }
  if (!controllerOf(pod) && !isTerminating(pod)) {
    for (const rs of cache.list(REPLICA_SETS, ns)) {
      if (selectorOf(rs)?.matches(pod.metadata.labels)) keys.add(keyOf(rs));
    }
  }
  return [...keys];
}

function syncReplicaSet(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const { reg, now, write } = ctx;
  // The pods come from the informer's store (podLister.Pods(ns)), which is current at every write.
  const cache = listerOf(ctx);
  const [ns, name] = splitKey(key);
  const rs = reg.tryGet(REPLICA_SETS, ns, name);
  if (!rs) return; // the garbage collector takes its pods
  const sel = selectorOf(rs);
  if (!sel || sel.empty) return; // an empty or invalid selector selects nothing here

  const active = cache.list(PODS, ns).filter(isPodActive);
  let pods = claim(reg, PODS, rs, sel, active, write);

  let failure: Condition | undefined;
  let more = false;
  if (!isTerminating(rs)) {
    const res = manageReplicas(reg, cache, rs, pods, active, now, write);
    failure = res.failure;
    more = res.more === true;
    pods = cache.list(PODS, ns).filter((p) => isPodActive(p) && controllerOf(p)?.uid === rs.metadata.uid);
  }

  const minReady = rs.spec?.minReadySeconds ?? 0;
  const status = calculateStatus(rs, pods, failure, now);
  if (!deepEqual(status, rs.status ?? {})) {
    tolerate(() => reg.guaranteedUpdate(REPLICA_SETS, ns, name, write, (cur) => ({ ...cur, status }), "status"));
  }
  // Pods ready but not yet available: look again when minReadySeconds has passed.
  if (failure) return { requeueAfter: 10_000 };
  if (more) return { requeueAfter: 0 };
  if (minReady > 0) {
    const next = pods.filter((p) => isPodReady(p) && !isPodAvailable(p, minReady, now)).map((p) => availableAt(p, minReady)!).filter((t) => t !== undefined);
    if (next.length) return { requeueAfter: Math.max(1, Math.min(...next) - now) };
  }
}

function manageReplicas(reg: Registry, cache: Lister, rs: ReplicaSet, pods: Pod[], active: Pod[], now: number, write: WriteCtx): { failure?: Condition; more?: boolean } {
  const diff = pods.length - specReplicas(rs);
  const at = new Date(now);
  if (diff < 0) {
    const want = Math.min(-diff, BURST_REPLICAS, REPLICAS_PER_SYNC);
    let err: string | undefined;
    // slowStartBatch: 1, 2, 4, ... creates; the first failing batch ends it, so a quota or a
    // broken template costs a few requests rather than hundreds.
    let remaining = want;
    let batch = Math.min(remaining, SLOW_START_INITIAL_BATCH);
    while (batch > 0) {
      let failed = false;
      for (let i = 0; i < batch; i++) {
        try {
          const pod = reg.create(PODS, rs.metadata.namespace, podFromTemplate(rs), write);
          recordEvent(reg, { regarding: rs, reason: "SuccessfulCreate", message: `Created pod: ${pod.metadata.name}`, component: COMPONENT, now: at });
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          failed = true;
          err = e.status.message ?? String(e);
          recordEvent(reg, { regarding: rs, reason: "FailedCreate", type: "Warning", message: `Error creating: ${err}`, component: COMPONENT, now: at });
        }
      }
      remaining -= batch;
      if (failed) break;
      batch = Math.min(2 * batch, remaining);
    }
    if (err) return { failure: { type: "ReplicaFailure", status: "True", lastTransitionTime: rfc3339(at), reason: "FailedCreate", message: err } };
    return { more: -diff > want };
  }
  if (diff > 0) {
    const n = Math.min(diff, BURST_REPLICAS, REPLICAS_PER_SYNC);
    const related = relatedPods(cache, rs, active);
    for (const pod of podsToDelete(pods, related, n, now)) {
      try {
        tolerate(() => reg.delete(PODS, pod.metadata.namespace, pod.metadata.name!, write));
        recordEvent(reg, { regarding: rs, reason: "SuccessfulDelete", message: `Deleted pod: ${pod.metadata.name}`, component: COMPONENT, now: at });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        const msg = e.status.message ?? String(e);
        recordEvent(reg, { regarding: rs, reason: "FailedDelete", type: "Warning", message: `Error deleting: ${msg}`, component: COMPONENT, now: at });
        return { failure: { type: "ReplicaFailure", status: "True", lastTransitionTime: rfc3339(at), reason: "FailedDelete", message: msg } };
      }
    }
    return { more: diff > n };
  }
  return {};
}

/** GetPodFromTemplate: the template's labels, annotations and spec, owned by the ReplicaSet. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const t: Partial<PodTemplateSpec> = rs.spec?.template ?? {};
  const metadata: ObjectMeta = { generateName: `${rs.metadata.name}-`, namespace: rs.metadata.namespace, ownerReferences: [newControllerRef(rs)] };
  if (t.metadata?.labels) metadata.labels = structuredClone(t.metadata.labels);
  if (t.metadata?.annotations) metadata.annotations = structuredClone(t.metadata.annotations);
  if (t.metadata?.finalizers) metadata.finalizers = structuredClone(t.metadata.finalizers);
  // Without a template the pod has an empty spec, which the API server refuses.
  return { apiVersion: "v1", kind: "Pod", metadata, spec: structuredClone(t.spec ?? ({} as PodSpec)) };
}

/** getIndirectlyRelatedPods: pods of every ReplicaSet with the same controller (one Deployment's). */
function relatedPods(cache: Lister, rs: ReplicaSet, active: Pod[]): Pod[] {
  const owner = controllerOf(rs);
  if (!owner) return active.filter((p) => controllerOf(p)?.uid === rs.metadata.uid);
  const siblings = new Set(cache.list(REPLICA_SETS, rs.metadata.namespace).filter((x) => controllerOf(x)?.uid === owner.uid).map((x) => x.metadata.uid));
  siblings.add(rs.metadata.uid);
  return active.filter((p) => siblings.has(controllerOf(p)?.uid));
}

/**
 * getPodsToDelete with ActivePodsWithRanks' order: unassigned before assigned; Pending before
 * Unknown before Running; not ready before ready; lower deletion cost first; pods doubled up on a
 * node (with related pods) first; ready more recently first; more restarts first; newer first.
 * Times compare on a log2 scale (LogarithmicScaleDown) so near-equal ages tie.
 */
export function podsToDelete(pods: Pod[], related: Pod[], n: number, now: number): Pod[] {
  if (n >= pods.length) return pods;
  const perNode = new Map<string, number>();
  for (const p of related) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const rank = (p: Pod) => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  const phaseOrder: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
  const cost = (p: Pod) => Number(p.metadata.annotations?.[DELETION_COST] ?? 0) || 0;
  const restarts = (p: Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  const bucket = (t: string | undefined) => {
    if (!t) return -Infinity; // no time: first to go
    const age = Math.max(0, now - Date.parse(t)) / 1000;
    return age <= 0 ? 0 : Math.floor(Math.log2(age + 1));
  };
  const readySince = (p: Pod) => (isPodReady(p) ? readyCondition(p)?.lastTransitionTime : undefined);
  const cmp = (a: Pod, b: Pod): number => {
    const assignedA = a.spec?.nodeName ? 1 : 0;
    const assignedB = b.spec?.nodeName ? 1 : 0;
    if (assignedA !== assignedB) return assignedA - assignedB;
    const pa = phaseOrder[a.status?.phase ?? "Pending"] ?? 0;
    const pb = phaseOrder[b.status?.phase ?? "Pending"] ?? 0;
    if (pa !== pb) return pa - pb;
    const ra = isPodReady(a) ? 1 : 0;
    const rb = isPodReady(b) ? 1 : 0;
    if (ra !== rb) return ra - rb;
    if (cost(a) !== cost(b)) return cost(a) - cost(b);
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (ra && rb) {
      const ba = bucket(readySince(a));
      const bb = bucket(readySince(b));
      if (ba !== bb) return ba - bb; // the more recently ready goes first
    }
    if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
    const ca = bucket(a.metadata.creationTimestamp);
    const cb = bucket(b.metadata.creationTimestamp);
    if (ca !== cb) return ca - cb; // the newer goes first
    return 0;
  };
  return [...pods].sort(cmp).slice(0, n);
}

/** calculateStatus: counts over the pods the ReplicaSet owns. */
function calculateStatus(rs: ReplicaSet, pods: Pod[], failure: Condition | undefined, now: number): Partial<ReplicaSetStatus> {
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fully = 0, ready = 0, available = 0;
  for (const p of pods) {
    if (Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)) fully++;
    if (isPodReady(p)) ready++;
    if (isPodAvailable(p, minReady, now)) available++;
  }
  // calculateStatus: a ReplicaFailure condition is set once and kept as it is while failures go on
  // (whatever the next error says), then removed: a retry never rewrites the status by itself.
  let conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== "ReplicaFailure");
  if (failure) conditions = [...conditions, getFailure(rs) ?? failure];
  const status = omitEmpty<ReplicaSetStatus>({
    replicas: pods.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available,
    observedGeneration: rs.metadata.generation, conditions,
  }, ["replicas"]);
  return status;
}

const getFailure = (rs: ReplicaSet): Condition | undefined => rs.status?.conditions?.find((c) => c.type === "ReplicaFailure");
