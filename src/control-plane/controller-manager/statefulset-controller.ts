// The StatefulSet controller (pkg/controller/statefulset/stateful_set_control.go, v1.32): pods with
// stable names <set>-<ordinal>, created in ordinal order and each only once its predecessors are
// Running and Ready (OrderedReady), or all at once (Parallel); scaled down from the highest ordinal;
// a failed or deleted pod replaced under the same name; a RollingUpdate replacing pods from the
// highest ordinal down to the partition. ControllerRevisions are not served here, so a revision is
// the template's hash, and the templates of revisions seen are remembered in memory (to recreate
// pods below the partition at the old revision). volumeClaimTemplates are ignored:
// PersistentVolumeClaims are not served either. A sync is upstream's updateStatefulSet (create,
// replace, condemn, roll) then updateStatefulSetStatus.
import type { Registry } from "../api-server/registry/store";
import { registryPrefix, PODS, STATEFUL_SETS } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { LabelSelector } from "../api-server/selectors";
import type { Pod, PodSpec, PodTemplateSpec } from "../api-server/objects/core";
import type { StatefulSet, StatefulSetSpec, StatefulSetStatus } from "../api-server/objects/apps";
import type { Controller, ReconcileCtx } from "./manager";
import { computeHash, controlledBy, REVISION_HASH, controllerKeys, deepEqual, emit, isPodReady, isTerminating, keyOf, newControllerRef, readyCondition, selectorOf, selfKey, splitKey, tolerate } from "./controller-utils";

export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
const COMPONENT = "statefulset-controller";

const isCreated = (p: Pod) => !!p.status?.phase; // the real isCreated: the pod has a phase
const isFailed = (p: Pod) => p.status?.phase === "Failed";
const isSucceeded = (p: Pod) => p.status?.phase === "Succeeded";
const isRunningAndReady = (p: Pod) => p.status?.phase === "Running" && isPodReady(p);
const isHealthy = (p: Pod) => isRunningAndReady(p) && !isTerminating(p);
const podRevision = (p: Pod) => p.metadata.labels?.[REVISION_HASH] ?? "";

const readySince = (p: Pod): number => Date.parse(readyCondition(p)?.lastTransitionTime ?? "");

/** isRunningAndAvailable: ready for at least minReadySeconds (a missing time counts as long ago). */
function isAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  if (!isRunningAndReady(p)) return false;
  if (minReadySeconds <= 0) return true;
  const t = readySince(p);
  return Number.isNaN(t) || t + minReadySeconds * 1000 <= now;
}

/** The ordinal in <set>-<ordinal>, or -1 when the name is not the set's. */
export function ordinalOf(set: string, pod: Pod): number {
  const name = pod.metadata.name ?? "";
  if (!name.startsWith(`${set}-`)) return -1;
  const rest = name.slice(set.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

/** What the controller remembers: revision name -> pod template, for every revision seen (the ControllerRevision history). */
export interface StatefulSetControllerState { templates: Map<string, PodTemplateSpec | undefined> }

export function statefulSetController(_reg: Registry): Controller {
  const state: StatefulSetControllerState = { templates: new Map() };
  return {
    name: "statefulset",
    watches: [
      { prefix: registryPrefix(STATEFUL_SETS), keys: selfKey },
      { prefix: registryPrefix(PODS), keys: controllerKeys("StatefulSet") },
    ],
    resync: (reg) => reg.list(STATEFUL_SETS, undefined).items.map(keyOf),
    reconcile: (key, ctx) => syncStatefulSet(state, key, ctx),
  };
}

/** One sync of one StatefulSet: its spec as read, and the revisions it rolls between. */
interface SetSync {
  ctx: ReconcileCtx;
  set: StatefulSet;
  name: string;
  sel: LabelSelector;
  replicaCount: number;
  /** OrderedReady: one pod at a time, each waiting for its predecessors. */
  monotonic: boolean;
  rolling: boolean;
  partitionSet?: number;
  minReady: number;
  updateRevision: string;
  currentRevision: string;
  currentReplicasBefore: number;
}

function syncStatefulSet(state: StatefulSetControllerState, key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const { reg } = ctx;
  const [ns, name] = splitKey(key);
  const set = reg.tryGet(STATEFUL_SETS, ns, name);
  if (!set || isTerminating(set)) return; // the garbage collector takes its pods
  const sel = selectorOf(set);
  if (!sel || sel.empty) return;
  const spec: Partial<StatefulSetSpec> = set.spec ?? {};
  const rolling = (spec.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
  const updateRevision = `${name}-${computeHash(spec.template)}`;
  state.templates.set(updateRevision, structuredClone(spec.template));
  let currentRevision: string = set.status?.currentRevision || updateRevision;
  // A revision whose template is no longer known cannot be rebuilt: treat it as the update one.
  if (!state.templates.has(currentRevision)) currentRevision = updateRevision;
  const s: SetSync = {
    ctx, set, name, sel, rolling, updateRevision, currentRevision,
    replicaCount: spec.replicas ?? 1,
    monotonic: (spec.podManagementPolicy ?? "OrderedReady") !== "Parallel",
    partitionSet: rolling ? spec.updateStrategy?.rollingUpdate?.partition ?? undefined : undefined,
    minReady: spec.minReadySeconds ?? 0,
    currentReplicasBefore: set.status?.currentReplicas ?? 0,
  };
  updateStatefulSet(state, s);
  return updateStatefulSetStatus(s);
}

const ownedPods = (s: SetSync) => s.ctx.reg.list(PODS, s.set.metadata.namespace).items.filter((p) => controlledBy(p, s.set) && ordinalOf(s.name, p) >= 0 && s.sel.matches(p.metadata.labels));

/** newVersionedStatefulSetPod: ordinals below the partition (or the not yet rolled) keep the current revision. */
function revisionFor(s: SetSync, ordinal: number): string {
  if (!s.rolling || s.currentRevision === s.updateRevision) return s.updateRevision;
  const keepCurrent = s.partitionSet === undefined ? ordinal < s.currentReplicasBefore : ordinal < s.partitionSet;
  return keepCurrent ? s.currentRevision : s.updateRevision;
}

/** updateStatefulSet: replicas in ordinal order, then scale down from the highest, then the rolling update. */
function updateStatefulSet(state: StatefulSetControllerState, s: SetSync): void {
  const { ctx, set, name, replicaCount, monotonic } = s;
  const byOrdinal = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const p of ownedPods(s)) {
    const ord = ordinalOf(name, p);
    if (ord < replicaCount) byOrdinal.set(ord, p);
    else condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(name, a) - ordinalOf(name, b));
  const firstUnhealthy = [...[...byOrdinal.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]), ...condemned].find((p) => !isHealthy(p));

  // Replicas, in ordinal order.
  for (let ord = 0; ord < replicaCount; ord++) {
    let pod = byOrdinal.get(ord);
    if (pod && (isFailed(pod) || isSucceeded(pod)) && !isTerminating(pod)) {
      // A finished pod is deleted and replaced under the same name.
      deletePod(set, pod, ctx);
      pod = ctx.reg.tryGet(PODS, set.metadata.namespace, pod.metadata.name!);
      if (pod) { if (monotonic) return; continue; } // still going (grace period): wait for it
    }
    if (!pod) {
      const rev = revisionFor(s, ord);
      const ok = createPod(set, newPod(set, ord, rev, state.templates.get(rev) ?? set.spec?.template), ctx);
      if (!ok || monotonic) return; // OrderedReady: the next waits until this one is Running and Ready
      continue;
    }
    if (isTerminating(pod)) { if (monotonic) return; continue; }
    if (!isCreated(pod) || !isRunningAndReady(pod)) { if (monotonic) return; continue; }
    if (monotonic && !isAvailable(pod, s.minReady, ctx.now)) return;
  }

  // Scale down, from the highest ordinal.
  for (let i = condemned.length - 1; i >= 0; i--) {
    const pod = condemned[i];
    if (isTerminating(pod)) { if (monotonic) return; continue; }
    // Only the first unhealthy pod may go while others are unhealthy (it cannot get healthier).
    if (monotonic && !isHealthy(pod) && pod !== firstUnhealthy) return;
    deletePod(set, pod, ctx);
    if (monotonic) return;
  }
  if (condemned.length && monotonic) return;

  if (!s.rolling) return; // OnDelete: new pods take the new revision when deleted by hand
  // RollingUpdate: from the highest ordinal down to the partition, one pod at a time.
  for (let ord = replicaCount - 1; ord >= (s.partitionSet ?? 0); ord--) {
    const pod = byOrdinal.get(ord);
    if (!pod) return;
    if (podRevision(pod) !== s.updateRevision && !isTerminating(pod)) {
      deletePod(set, pod, ctx);
      return;
    }
    if (!isHealthy(pod)) return;
  }
}

/** updateStatefulSetStatus: counts over the pods now, and when to look again for availability. */
function updateStatefulSetStatus(s: SetSync): void | { requeueAfter?: number } {
  const { ctx, set, replicaCount, minReady, updateRevision } = s;
  const { reg, now } = ctx;
  const pods = ownedPods(s);
  let currentRevision = s.currentRevision;
  let replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const p of pods) {
    if (isCreated(p)) replicas++;
    if (isRunningAndReady(p)) {
      ready++;
      if (isAvailable(p, minReady, now)) available++;
    }
    if (isCreated(p) && !isTerminating(p)) {
      if (podRevision(p) === currentRevision) current++;
      if (podRevision(p) === updateRevision) updated++;
    }
  }
  // completeRollingUpdate: every pod updated and ready makes the update revision current.
  if (s.rolling && updated === replicaCount && ready === replicaCount && replicas === replicaCount) {
    currentRevision = updateRevision;
    current = updated;
  }
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation, replicas, availableReplicas: available,
    currentRevision, updateRevision, collisionCount: set.status?.collisionCount ?? 0,
  };
  if (ready) status.readyReplicas = ready;
  if (current) status.currentReplicas = current;
  if (updated) status.updatedReplicas = updated;
  const kept = set.status?.conditions;
  if (kept?.length) status.conditions = kept;
  if (!deepEqual(set.status ?? {}, status)) {
    tolerate(() => reg.guaranteedUpdate(STATEFUL_SETS, set.metadata.namespace, s.name, ctx.write, (cur) => ({ ...cur, status }), "status"));
  }
  // Ready but not yet available: look again once minReadySeconds has passed.
  if (minReady > 0) {
    const waits = pods.filter((p) => isRunningAndReady(p) && !isAvailable(p, minReady, now)).map((p) => readySince(p) + minReady * 1000 - now);
    if (waits.length) return { requeueAfter: Math.max(1, Math.min(...waits)) };
  }
}

function newPod(set: StatefulSet, ordinal: number, revision: string, template: PodTemplateSpec | undefined): Pod {
  const name = `${set.metadata.name}-${ordinal}`;
  const meta = template?.metadata ?? {};
  // A template without a spec makes a pod the API server refuses.
  const spec = structuredClone(template?.spec ?? ({} as PodSpec));
  // updateIdentity: the pod's DNS name under the governing Service.
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const pod: Pod = {
    apiVersion: "v1", kind: "Pod",
    metadata: {
      name, namespace: set.metadata.namespace,
      labels: { ...(meta.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_HASH]: revision },
      ownerReferences: [newControllerRef(set)],
    },
    spec,
  };
  if (meta.annotations) pod.metadata.annotations = structuredClone(meta.annotations);
  if (meta.finalizers) pod.metadata.finalizers = structuredClone(meta.finalizers);
  return pod;
}

/** Creates the pod; false (and a FailedCreate event) when the API refuses it. */
function createPod(set: StatefulSet, pod: Pod, ctx: ReconcileCtx): boolean {
  try {
    ctx.reg.create(PODS, set.metadata.namespace, pod, ctx.write);
    emit(ctx.reg, set, "SuccessfulCreate", `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`, ctx.now, "Normal", COMPONENT);
    return true;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    emit(ctx.reg, set, "FailedCreate", `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${e.status.message ?? e}`, ctx.now, "Warning", COMPONENT);
    return false;
  }
}

function deletePod(set: StatefulSet, pod: Pod, ctx: ReconcileCtx): void {
  tolerate(() => {
    ctx.reg.delete(PODS, pod.metadata.namespace, pod.metadata.name!, ctx.write, { preconditions: { uid: pod.metadata.uid } });
    emit(ctx.reg, set, "SuccessfulDelete", `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`, ctx.now, "Normal", COMPONENT);
  });
}
