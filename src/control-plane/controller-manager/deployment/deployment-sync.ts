// The Deployment controller's sync (pkg/controller/deployment/sync.go and progress.go): the new
// ReplicaSet and its revision, the annotations it carries (deployment_util.go), and the status and
// Progressing/Available conditions. The strategies (deployment-rollout.ts) and the controller
// (deployment-controller.ts) build on it; it imports neither.
import type { Registry, WriteCtx } from "../../api-server/registry/store";
import { recordEvent } from "../../api-server/events";
import { ApiError } from "../../api-server/status";
import type { Deployment, DeploymentStatus, ReplicaSet } from "../../api-server/objects/apps";
import { equalIgnoreHash, getCondition, maxUnavailable, newCondition, POD_TEMPLATE_HASH, removeCondition, REVISION, setCondition, DESIRED_REPLICAS, ANNOTATIONS_TO_SKIP, MAX_REPLICAS, REVISION_HISTORY, isRollingUpdate, maxSurge } from "./deployment-util";
import { byCreation, computeHash, controllerOf, deepEqual, newControllerRef, omitEmpty, specReplicas, type Condition } from "../controller-utils";
import { DEPLOYMENTS, REPLICA_SETS } from "../../api-server/resources";

export const COMPONENT = "deployment-controller";
const MAX_INT32 = 2147483647;

/** One sync of one Deployment: the current object (refreshed after each write) and the clock. */
export interface DSync {
  reg: Registry;
  write: WriteCtx;
  now: number;
  d: Deployment;
  requeueAfter?: number;
}

export function updateStatus(c: DSync, status: DeploymentStatus): void {
  const clean = omitEmpty(status, ["collisionCount"]);
  if (deepEqual(clean, c.d.status ?? {})) return;
  c.d = c.reg.guaranteedUpdate(DEPLOYMENTS, c.d.metadata.namespace, c.d.metadata.name!, c.write, (cur) => ({ ...cur, status: clean }), "status");
}

export const hasProgressDeadline = (d: Deployment) => d.spec?.progressDeadlineSeconds != null && d.spec.progressDeadlineSeconds !== MAX_INT32;

// ---- ReplicaSets and revisions ---------------------------------------------------------------

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rsList: RS[]): RS | undefined {
  const sorted = [...rsList].sort(byCreation);
  return sorted.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export const revisionOf = (o: RS | undefined): number => {
  const v = Number(o?.metadata.annotations?.[REVISION] ?? 0);
  return Number.isFinite(v) ? v : 0;
};

/**
 * getAllReplicaSetsAndSyncRevision + getNewReplicaSet: the new ReplicaSet (created when asked),
 * its revision max(old)+1, copied to the Deployment's annotation; and every other ReplicaSet.
 */
export function getAllReplicaSetsAndSyncRevision(c: DSync, rsList: RS[], create: boolean): { newRS?: RS; oldRSs: RS[] } {
  const existing = findNewReplicaSet(c.d, rsList);
  const oldRSs = rsList.filter((rs) => rs !== existing);
  const newRevision = String(Math.max(0, ...oldRSs.map(revisionOf)) + 1);
  if (existing) return { newRS: syncNewReplicaSet(c, existing, newRevision), oldRSs };
  if (!create) return { oldRSs };
  return { newRS: createNewReplicaSet(c, oldRSs, newRevision), oldRSs };
}

/** getNewReplicaSet, when it exists: its annotations and minReadySeconds follow the Deployment. */
function syncNewReplicaSet(c: DSync, existing: RS, newRevision: string): RS {
  const d = c.d;
  const copy = structuredClone(existing);
  const changed = setNewReplicaSetAnnotations(d, copy, newRevision, true);
  const minReady = d.spec?.minReadySeconds ?? 0;
  if (changed || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
    const updated = c.reg.guaranteedUpdate(REPLICA_SETS, d.metadata.namespace, existing.metadata.name!, c.write, (cur) => {
      cur.metadata.annotations = copy.metadata.annotations;
      if (minReady) cur.spec.minReadySeconds = minReady;
      else delete cur.spec.minReadySeconds;
      return cur;
    });
    Object.assign(existing, updated);
    return existing;
  }
  setDeploymentRevision(c, existing.metadata.annotations?.[REVISION] ?? newRevision);
  if (hasProgressDeadline(c.d) && !getCondition(c.d.status, "Progressing")) {
    const status: DeploymentStatus = structuredClone(c.d.status ?? {});
    setCondition(status, newCondition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${existing.metadata.name}"`, c.now));
    updateStatus(c, status);
  }
  return existing;
}

/** getNewReplicaSet, when it does not: created from the template, named by its hash (a collision bumps collisionCount). */
function createNewReplicaSet(c: DSync, oldRSs: RS[], newRevision: string): RS {
  const d = c.d;
  const ns = d.metadata.namespace!;
  const collisionCount: number | undefined = d.status?.collisionCount;
  const hash = computeHash(d.spec.template, collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const rs: RS = {
    apiVersion: "apps/v1", kind: "ReplicaSet",
    metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d)] },
    spec: { replicas: 0, selector, template, ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: RS;
  let alreadyExisted = false;
  try {
    created = c.reg.create(REPLICA_SETS, ns, rs, c.write);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status.code === 409 && e.status.reason === "AlreadyExists") {
      const other = c.reg.tryGet(REPLICA_SETS, ns, rs.metadata.name!);
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
        const status: DeploymentStatus = structuredClone(c.d.status ?? {});
        setCondition(status, newCondition("Progressing", "False", "ReplicaSetCreateError", msg, c.now));
        updateStatus(c, status);
      }
      recordEvent(c.reg, { regarding: c.d, reason: "ReplicaSetCreateError", type: "Warning", message: msg, component: COMPONENT, now: new Date(c.now) });
      throw e;
    }
  }
  if (!alreadyExisted && (created.spec.replicas ?? 0) > 0) {
    recordEvent(c.reg, { regarding: c.d, reason: "ScalingReplicaSet", message: `Scaled up replica set ${created.metadata.name} from 0 to ${created.spec.replicas}`, component: COMPONENT, now: new Date(c.now) });
  }
  setDeploymentRevision(c, newRevision);
  if (!alreadyExisted && hasProgressDeadline(c.d)) {
    const status: DeploymentStatus = structuredClone(c.d.status ?? {});
    setCondition(status, newCondition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${created.metadata.name}"`, c.now));
    updateStatus(c, status);
  }
  return created;
}

/** The Deployment's revision annotation follows its new ReplicaSet's (a metadata write). */
function setDeploymentRevision(c: DSync, revision: string): void {
  if (c.d.metadata.annotations?.[REVISION] === revision) return;
  c.d = c.reg.guaranteedUpdate(DEPLOYMENTS, c.d.metadata.namespace, c.d.metadata.name!, c.write, (cur) => {
    cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [REVISION]: revision };
    return cur;
  });
}

// ---- status ----------------------------------------------------------------------------------

/** calculateStatus: counts summed over the ReplicaSets, plus the Available condition. */
function calculateStatus(c: DSync, allRSs: (RS | undefined)[], newRS: RS | undefined): DeploymentStatus {
  const d = c.d;
  const rss = allRSs.filter((x): x is RS => !!x);
  const available = sumAvailable(rss);
  const total = sumSpec(rss);
  const status: DeploymentStatus = {
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

export function syncDeploymentStatus(c: DSync, allRSs: (RS | undefined)[], newRS: RS | undefined): void {
  updateStatus(c, calculateStatus(c, allRSs, newRS));
}

const num = (s: DeploymentStatus | undefined, k: "observedGeneration" | "replicas" | "updatedReplicas" | "readyReplicas" | "availableReplicas"): number => s?.[k] ?? 0;

export function deploymentComplete(d: Deployment, s: DeploymentStatus | undefined): boolean {
  const want = specReplicas(d);
  return num(s, "updatedReplicas") === want && num(s, "replicas") === want && num(s, "availableReplicas") === want && num(s, "observedGeneration") >= (d.metadata.generation ?? 0);
}

function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  return num(s, "updatedReplicas") > num(old, "updatedReplicas")
    || num(s, "replicas") - num(s, "updatedReplicas") < num(old, "replicas") - num(old, "updatedReplicas")
    || num(s, "readyReplicas") > num(old, "readyReplicas")
    || num(s, "availableReplicas") > num(old, "availableReplicas");
}

function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, "Progressing");
  if (!cond || cond.reason === "NewReplicaSetAvailable") return false;
  if (cond.reason === "ProgressDeadlineExceeded") return true;
  return Date.parse(cond.lastUpdateTime ?? "") + d.spec.progressDeadlineSeconds! * 1000 < now; // set: hasProgressDeadline
}

/** syncRolloutStatus: status plus the Progressing condition, and when to look again if stuck. */
export function syncRolloutStatus(c: DSync, allRSs: (RS | undefined)[], newRS: RS | undefined): void {
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
    const after = Date.parse(now.lastUpdateTime ?? "") + d.spec.progressDeadlineSeconds! * 1000 - c.now; // set: hasProgressDeadline
    if (Number.isFinite(after)) c.requeueAfter = after < 1000 ? 1000 : after + 1000;
  }
}

/** getReplicaFailures: a ReplicaSet's ReplicaFailure (the new one's first) becomes the Deployment's. */
function replicaFailure(allRSs: (RS | undefined)[], newRS: RS | undefined): Condition | undefined {
  for (const rs of [newRS, ...allRSs.filter((x) => x !== newRS)]) {
    const f = getCondition(rs?.status, "ReplicaFailure");
    if (f) return { type: "ReplicaFailure", status: f.status, lastUpdateTime: f.lastTransitionTime, lastTransitionTime: f.lastTransitionTime, reason: f.reason, message: f.message };
  }
  return undefined;
}

const MAX_REV_HISTORY_CHARS = 2000;

export type RS = ReplicaSet;
/** A ReplicaSet's spec.replicas, 0 when unset (as the Deployment controller reads it). */
export const specOf = (rs: RS | undefined): number => rs?.spec?.replicas ?? 0;
export const isActive = (rs: RS | undefined) => !!rs && specOf(rs) > 0;
export const sumSpec = (rss: RS[]) => rss.reduce((n, rs) => n + specOf(rs), 0);
export const sumStatus = (rss: RS[]) => rss.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
export const sumReady = (rss: RS[]) => rss.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: RS[]) => rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);

// ---- annotations -----------------------------------------------------------------------------

/** SetReplicasAnnotations: desired-replicas and max-replicas (replicas + surge) on a ReplicaSet. */
export function setReplicasAnnotations(rs: RS, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  if (a[DESIRED_REPLICAS] === String(desired) && a[MAX_REPLICAS] === String(max)) return false;
  a[DESIRED_REPLICAS] = String(desired);
  a[MAX_REPLICAS] = String(max);
  return true;
}

/**
 * SetNewReplicaSetAnnotations: the Deployment's own annotations, the revision (only ever raised;
 * a raised one remembers the old in revision-history, as a rollback does) and, on create, sizes.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: RS, newRevision: string, exists: boolean): boolean {
  let changed = false;
  const a = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldRevision = a[REVISION];
  let oldInt = 0;
  if (oldRevision !== undefined && oldRevision !== "") {
    if (!/^\d+$/.test(oldRevision)) return changed;
    oldInt = Number(oldRevision);
  }
  const newInt = Number(newRevision);
  if (oldInt < newInt) {
    a[REVISION] = newRevision;
    changed = true;
    if (oldRevision !== undefined) {
      const history = a[REVISION_HISTORY] ?? "";
      if (!history) a[REVISION_HISTORY] = oldRevision;
      else {
        const parts = history.split(",");
        let total = history.length + oldRevision.length + 1;
        while (total > MAX_REV_HISTORY_CHARS && parts.length) total -= parts.shift()!.length + 1;
        if (total <= MAX_REV_HISTORY_CHARS) a[REVISION_HISTORY] = [...parts, oldRevision].join(",");
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, specReplicas(d), specReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: Deployment, allRSs: RS[], newRS: RS): number {
  if (!isRollingUpdate(d)) return specReplicas(d);
  const surge = maxSurge(d);
  const current = sumSpec(allRSs);
  const maxTotal = specReplicas(d) + surge;
  if (current >= maxTotal) return specOf(newRS);
  return specOf(newRS) + Math.min(maxTotal - current, specReplicas(d) - specOf(newRS));
}
