// The Deployment controller (pkg/controller/deployment): owns ReplicaSets, one per pod template
// (named <deployment>-<pod-template-hash>), and moves replicas from the old ones to the new one by
// the strategy (rolling.go, recreate.go), or proportionally on a plain scale (sync.go). Status and
// the Available/Progressing conditions follow progress.go; revisions live in annotations.
import type { Registry, WriteCtx } from "../api-server/registry/store";
import { recordEvent } from "../api-server/events";
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";
import { listerOf, type Controller, type ReconcileCtx } from "./manager";
import type { Lister } from "./informers";
import {
  claim, computeHash, controllerOf, deploymentsR, equalIgnoreHash, getCondition, isTerminating, keyOf, maxUnavailable,
  newCondition, newControllerRef, omitEmpty, podsR, POD_TEMPLATE_HASH, removeCondition, replicaSetsR, REVISION,
  selectorOf, setCondition, specReplicas, splitKey, deepEqual, type Condition, DESIRED_REPLICAS,
} from "./deployment-util";
import {
  cleanupDeployment, isActive, newRSNewReplicas, rolloutRecreate, rolloutRolling, scale,
  setNewReplicaSetAnnotations, sumAvailable, sumReady, sumSpec, sumStatus,
} from "./deployment-rollout";

export const COMPONENT = "deployment-controller";
const MAX_INT32 = 2147483647;

/** One sync of one Deployment: the current object (refreshed after each write) and the clock. */
export interface DSync {
  reg: Registry;
  write: WriteCtx;
  now: number;
  d: KubeObject;
  requeueAfter?: number;
}

export function deploymentController(_reg: Registry): Controller {
  return {
    name: "deployment",
    watches: [
      { prefix: "/registry/deployments/", keys: (d) => [keyOf(d)] },
      { prefix: "/registry/replicasets/", keys: (rs, prev, ev) => deploymentKeysForRS(ev.cache, rs, prev) },
      // Recreate waits for old pods to be gone, so it hears about pods of its ReplicaSets.
      { prefix: "/registry/pods/", keys: (pod, _prev, ev) => recreateKeyForPod(ev.cache, pod) },
    ],
    resync: (r) => r.list(deploymentsR(), undefined).items.map(keyOf),
    reconcile: (key, ctx) => syncDeployment(key, ctx),
  };
}

function deploymentKeysForRS(cache: Lister, rs: KubeObject, prev?: KubeObject): string[] {
  const ns = rs.metadata.namespace!;
  const keys = new Set<string>();
  for (const o of [rs, prev]) {
    const ref = o && controllerOf(o);
    if (ref?.kind === "Deployment") keys.add(`${ns}/${ref.name}`);
  }
  if (!controllerOf(rs) && !isTerminating(rs)) {
    for (const d of cache.list(deploymentsR(), ns)) if (selectorOf(d)?.matches(rs.metadata.labels)) keys.add(keyOf(d));
  }
  return [...keys];
}

function recreateKeyForPod(cache: Lister, pod: KubeObject): string[] {
  const ref = controllerOf(pod);
  if (ref?.kind !== "ReplicaSet") return [];
  const rs = cache.get(replicaSetsR(), pod.metadata.namespace, ref.name);
  const dref = rs && controllerOf(rs);
  if (dref?.kind !== "Deployment") return [];
  const d = cache.get(deploymentsR(), pod.metadata.namespace, dref.name);
  return d?.spec?.strategy?.type === "Recreate" ? [keyOf(d)] : [];
}

function syncDeployment(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const { reg, now, write } = ctx;
  const [ns, name] = splitKey(key);
  const d = reg.tryGet(deploymentsR(), ns, name);
  if (!d) return;
  const c: DSync = { reg, write, now, d };
  const sel = selectorOf(d);
  if (!sel) return;
  if (sel.empty) {
    recordEvent(reg, { regarding: d, reason: "SelectingAll", type: "Warning", message: "This deployment is selecting all pods. A non-empty selector is required.", component: COMPONENT, now: new Date(now) });
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) updateStatus(c, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
    return;
  }
  const rsList = claim(reg, replicaSetsR(), d, sel, reg.list(replicaSetsR(), ns).items, write);

  if (isTerminating(d)) {
    const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(c, rsList, false);
    syncDeploymentStatus(c, [...oldRSs, newRS], newRS);
    return;
  }
  checkPausedConditions(c);
  if (c.d.spec?.paused || isScalingEvent(c, rsList)) {
    syncScale(c, rsList);
  } else if (c.d.spec?.strategy?.type === "Recreate") {
    const podMap = podMapFor(c, listerOf(ctx), rsList);
    rolloutRecreate(c, rsList, podMap);
  } else {
    rolloutRolling(c, rsList);
  }
  return c.requeueAfter !== undefined ? { requeueAfter: c.requeueAfter } : undefined;
}

/** Pods of the Deployment's ReplicaSets, by ReplicaSet uid (getPodMapForDeployment). */
function podMapFor(c: DSync, cache: Lister, rsList: KubeObject[]): Map<string, KubeObject[]> {
  const sel = selectorOf(c.d)!;
  const map = new Map<string, KubeObject[]>(rsList.map((rs) => [rs.metadata.uid!, []]));
  for (const p of cache.list(podsR(), c.d.metadata.namespace)) {
    if (!sel.matches(p.metadata.labels)) continue;
    const ref = controllerOf(p);
    if (ref && map.has(ref.uid)) map.get(ref.uid)!.push(p);
  }
  return map;
}

/** A status write (subresource "status") when anything changed; c.d follows. */
export function updateStatus(c: DSync, status: Record<string, unknown>): void {
  const clean = omitEmpty(status, ["collisionCount"]);
  if (deepEqual(clean, c.d.status ?? {})) return;
  c.d = c.reg.guaranteedUpdate(deploymentsR(), c.d.metadata.namespace, c.d.metadata.name!, c.write, (cur) => ({ ...cur, status: clean }), "status");
}

const hasProgressDeadline = (d: KubeObject) => d.spec?.progressDeadlineSeconds != null && d.spec.progressDeadlineSeconds !== MAX_INT32;

/** Pausing or resuming shows as an Unknown Progressing condition (checkPausedConditions). */
function checkPausedConditions(c: DSync): void {
  if (!hasProgressDeadline(c.d)) return;
  const cond = getCondition(c.d.status, "Progressing");
  if (cond?.reason === "ProgressDeadlineExceeded") return;
  const pausedExists = cond?.reason === "DeploymentPaused";
  const status = structuredClone(c.d.status ?? {});
  if (c.d.spec?.paused && !pausedExists) setCondition(status, newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", c.now));
  else if (!c.d.spec?.paused && pausedExists) setCondition(status, newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", c.now));
  else return;
  updateStatus(c, status);
}

/** A scaling event: some active ReplicaSet was sized for a different spec.replicas. */
function isScalingEvent(c: DSync, rsList: KubeObject[]): boolean {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(c, rsList, false);
  for (const rs of [...oldRSs, newRS]) {
    if (!rs || !isActive(rs)) continue;
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
    if (desired === undefined || !/^-?\d+$/.test(desired)) continue;
    if (Number(desired) !== specReplicas(c.d)) return true;
  }
  return false;
}

/** sync(): scaling and paused deployments; no rollout, only proportional scaling and cleanup. */
function syncScale(c: DSync, rsList: KubeObject[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(c, rsList, false);
  scale(c, newRS, oldRSs);
  if (c.d.spec?.paused) cleanupDeployment(c, oldRSs);
  syncDeploymentStatus(c, [...oldRSs, newRS], newRS);
}

// ---- ReplicaSets and revisions ---------------------------------------------------------------

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: KubeObject, rsList: KubeObject[]): KubeObject | undefined {
  const sorted = [...rsList].sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") || a.metadata.name!.localeCompare(b.metadata.name!));
  return sorted.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export const revisionOf = (o: KubeObject | undefined): number => {
  const v = Number(o?.metadata.annotations?.[REVISION] ?? 0);
  return Number.isFinite(v) ? v : 0;
};

/**
 * getAllReplicaSetsAndSyncRevision + getNewReplicaSet: the new ReplicaSet (created when asked),
 * its revision max(old)+1, copied to the Deployment's annotation; and every other ReplicaSet.
 */
export function getAllReplicaSetsAndSyncRevision(c: DSync, rsList: KubeObject[], create: boolean): { newRS?: KubeObject; oldRSs: KubeObject[] } {
  const existing = findNewReplicaSet(c.d, rsList);
  const oldRSs = rsList.filter((rs) => rs !== existing);
  const newRevision = String(Math.max(0, ...oldRSs.map(revisionOf)) + 1);
  const d = c.d;
  const ns = d.metadata.namespace!;

  if (existing) {
    const copy = structuredClone(existing);
    const changed = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReady = d.spec?.minReadySeconds ?? 0;
    if (changed || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
      const updated = c.reg.guaranteedUpdate(replicaSetsR(), ns, existing.metadata.name!, c.write, (cur) => {
        cur.metadata.annotations = copy.metadata.annotations;
        if (minReady) cur.spec.minReadySeconds = minReady;
        else delete cur.spec.minReadySeconds;
        return cur;
      });
      Object.assign(existing, updated);
      return { newRS: existing, oldRSs };
    }
    setDeploymentRevision(c, existing.metadata.annotations?.[REVISION] ?? newRevision);
    if (hasProgressDeadline(c.d) && !getCondition(c.d.status, "Progressing")) {
      const status = structuredClone(c.d.status ?? {});
      setCondition(status, newCondition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${existing.metadata.name}"`, c.now));
      updateStatus(c, status);
    }
    return { newRS: existing, oldRSs };
  }
  if (!create) return { oldRSs };

  const collisionCount: number | undefined = d.status?.collisionCount;
  const hash = computeHash(d.spec.template, collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const rs: KubeObject = {
    apiVersion: "apps/v1", kind: "ReplicaSet",
    metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d)] },
    spec: { replicas: 0, selector, template, ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: KubeObject;
  let alreadyExisted = false;
  try {
    created = c.reg.create(replicaSetsR(), ns, rs, c.write);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status.code === 409 && e.status.reason === "AlreadyExists") {
      const other = c.reg.tryGet(replicaSetsR(), ns, rs.metadata.name!);
      if (other && controllerOf(other)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, other.spec?.template)) {
        created = other;
        alreadyExisted = true;
      } else {
        // A hash collision: bump collisionCount so the next sync hashes differently.
        updateStatus(c, { ...(c.d.status ?? {}), collisionCount: (collisionCount ?? 0) + 1 });
        throw e;
      }
    } else {
      const msg = `Failed to create new replica set "${rs.metadata.name}": ${e.status.message}`;
      if (hasProgressDeadline(c.d)) {
        const status = structuredClone(c.d.status ?? {});
        setCondition(status, newCondition("Progressing", "False", "ReplicaSetCreateError", msg, c.now));
        updateStatus(c, status);
      }
      recordEvent(c.reg, { regarding: c.d, reason: "ReplicaSetCreateError", type: "Warning", message: msg, component: COMPONENT, now: new Date(c.now) });
      throw e;
    }
  }
  if (!alreadyExisted && created.spec.replicas > 0) {
    recordEvent(c.reg, { regarding: c.d, reason: "ScalingReplicaSet", message: `Scaled up replica set ${created.metadata.name} from 0 to ${created.spec.replicas}`, component: COMPONENT, now: new Date(c.now) });
  }
  setDeploymentRevision(c, newRevision);
  if (!alreadyExisted && hasProgressDeadline(c.d)) {
    const status = structuredClone(c.d.status ?? {});
    setCondition(status, newCondition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${created.metadata.name}"`, c.now));
    updateStatus(c, status);
  }
  return { newRS: created, oldRSs };
}

/** The Deployment's revision annotation follows its new ReplicaSet's (a metadata write). */
function setDeploymentRevision(c: DSync, revision: string): void {
  if (c.d.metadata.annotations?.[REVISION] === revision) return;
  c.d = c.reg.guaranteedUpdate(deploymentsR(), c.d.metadata.namespace, c.d.metadata.name!, c.write, (cur) => {
    cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [REVISION]: revision };
    return cur;
  });
}

// ---- status ----------------------------------------------------------------------------------

/** calculateStatus: counts summed over the ReplicaSets, plus the Available condition. */
function calculateStatus(c: DSync, allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): Record<string, any> {
  const d = c.d;
  const rss = allRSs.filter((x): x is KubeObject => !!x);
  const available = sumAvailable(rss);
  const total = sumSpec(rss);
  const status: Record<string, any> = {
    observedGeneration: d.metadata.generation,
    replicas: sumStatus(rss),
    updatedReplicas: newRS ? sumStatus([newRS]) : 0,
    readyReplicas: sumReady(rss),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    conditions: structuredClone(d.status?.conditions ?? []),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= specReplicas(d) - maxUnavailable(d)) setCondition(status, newCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", c.now));
  else setCondition(status, newCondition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", c.now));
  return status;
}

export function syncDeploymentStatus(c: DSync, allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): void {
  updateStatus(c, calculateStatus(c, allRSs, newRS));
}

const num = (s: any, k: string): number => s?.[k] ?? 0;

export function deploymentComplete(d: KubeObject, s: any): boolean {
  const want = specReplicas(d);
  return num(s, "updatedReplicas") === want && num(s, "replicas") === want && num(s, "availableReplicas") === want && num(s, "observedGeneration") >= (d.metadata.generation ?? 0);
}

function deploymentProgressing(d: KubeObject, s: any): boolean {
  const old = d.status ?? {};
  return num(s, "updatedReplicas") > num(old, "updatedReplicas")
    || num(s, "replicas") - num(s, "updatedReplicas") < num(old, "replicas") - num(old, "updatedReplicas")
    || num(s, "readyReplicas") > num(old, "readyReplicas")
    || num(s, "availableReplicas") > num(old, "availableReplicas");
}

function deploymentTimedOut(d: KubeObject, s: any, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, "Progressing");
  if (!cond || cond.reason === "NewReplicaSetAvailable") return false;
  if (cond.reason === "ProgressDeadlineExceeded") return true;
  return Date.parse(cond.lastUpdateTime ?? "") + d.spec.progressDeadlineSeconds * 1000 < now;
}

/** syncRolloutStatus: status plus the Progressing condition, and when to look again if stuck. */
export function syncRolloutStatus(c: DSync, allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): void {
  const d = c.d;
  const status = calculateStatus(c, allRSs, newRS);
  if (!hasProgressDeadline(d)) removeCondition(status, "Progressing");
  const cur = getCondition(d.status, "Progressing");
  const complete = status.replicas === status.updatedReplicas && cur?.reason === "NewReplicaSetAvailable";
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition("Progressing", "True", "NewReplicaSetAvailable", `${subject} has successfully progressed.`, c.now));
    } else if (deploymentProgressing(d, status)) {
      // Progress moves lastUpdateTime even with the same reason; the transition time stays.
      const cond = newCondition("Progressing", "True", "ReplicaSetUpdated", `${subject} is progressing.`, c.now);
      if (cur?.status === "True") cond.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(status, "Progressing");
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, c.now)) {
      setCondition(status, newCondition("Progressing", "False", "ProgressDeadlineExceeded", `${subject} has timed out progressing.`, c.now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, "ReplicaFailure");
  updateStatus(c, status);

  // requeueStuckDeployment: look again when the deadline would pass.
  const now = getCondition(c.d.status, "Progressing");
  if (hasProgressDeadline(d) && now && now.reason !== "ProgressDeadlineExceeded" && !deploymentComplete(c.d, c.d.status)) {
    const after = Date.parse(now.lastUpdateTime ?? "") + d.spec.progressDeadlineSeconds * 1000 - c.now;
    if (Number.isFinite(after)) c.requeueAfter = after < 1000 ? 1000 : after + 1000;
  }
}

/** getReplicaFailures: a ReplicaSet's ReplicaFailure (the new one's first) becomes the Deployment's. */
function replicaFailure(allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): Condition | undefined {
  for (const rs of [newRS, ...allRSs.filter((x) => x !== newRS)]) {
    const f = getCondition(rs?.status, "ReplicaFailure");
    if (f) return { type: "ReplicaFailure", status: f.status, lastUpdateTime: f.lastTransitionTime, lastTransitionTime: f.lastTransitionTime, reason: f.reason, message: f.message };
  }
  return undefined;
}


