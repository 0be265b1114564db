// How a Deployment moves replicas between its ReplicaSets: rolling.go (surge the new one, then
// scale old ones down while minimum availability holds), recreate.go (all old pods gone first),
// sync.go's proportional scale and revision-history cleanup, and the annotations they keep.
import { recordEvent } from "../../api-server/events";
import type { Pod } from "../../api-server/objects/core";
import type { Deployment } from "../../api-server/objects/apps";
import { COMPONENT, type DSync, type RS, specOf, revisionOf, getAllReplicaSetsAndSyncRevision, deploymentComplete, syncRolloutStatus, isActive, sumSpec, sumStatus, sumAvailable, setReplicasAnnotations, newRSNewReplicas } from "./deployment-sync";
import { maxUnavailable, DESIRED_REPLICAS, MAX_REPLICAS, isRollingUpdate, maxSurge } from "./deployment-util";
import { byCreation, specReplicas, tolerate } from "../controller-utils";
import { REPLICA_SETS } from "../../api-server/resources";

const present = (rss: (RS | undefined)[]): RS[] => rss.filter((x): x is RS => !!x);

// ---- scaling ---------------------------------------------------------------------------------

/** scaleReplicaSet: size and the replicas annotations in one write; an event when the size moved. */
function scaleReplicaSet(c: DSync, rs: RS, newScale: number, op: string): boolean {
  const oldScale = specOf(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  const desired = specReplicas(c.d);
  const max = desired + maxSurge(c.d);
  const annotationsNeedUpdate = rs.metadata.annotations?.[DESIRED_REPLICAS] !== String(desired) || rs.metadata.annotations?.[MAX_REPLICAS] !== String(max);
  if (!sizeNeedsUpdate && !annotationsNeedUpdate) return false;
  const updated = c.reg.guaranteedUpdate(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name!, c.write, (cur) => {
    cur.spec.replicas = newScale;
    setReplicasAnnotations(cur, desired, max);
    return cur;
  });
  // Shared references (allRSs, oldRSs) see the new state.
  for (const k of Object.keys(rs)) delete rs[k];
  Object.assign(rs, updated);
  if (!sizeNeedsUpdate) return false;
  recordEvent(c.reg, { regarding: c.d, reason: "ScalingReplicaSet", message: `Scaled ${op} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`, component: COMPONENT, now: new Date(c.now) });
  return true;
}

function scaleAndRecord(c: DSync, rs: RS, newScale: number): boolean {
  if (specOf(rs) === newScale) return false;
  return scaleReplicaSet(c, rs, newScale, specOf(rs) < newScale ? "up" : "down");
}

/** FindActiveOrLatest: the one active ReplicaSet, or the newest when none is; undefined if several. */
export function findActiveOrLatest(newRS: RS | undefined, oldRSs: RS[]): RS | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort(byCreation).reverse();
  const active = present([...olds, newRS]).filter(isActive);
  if (active.length === 0) return newRS ?? olds[0];
  return active.length === 1 ? active[0] : undefined;
}

const isSaturated = (d: Deployment, rs: RS | undefined) =>
  !!rs && specOf(rs) === specReplicas(d) && rs.metadata.annotations?.[DESIRED_REPLICAS] === String(specReplicas(d)) && (rs.status?.availableReplicas ?? 0) === specReplicas(d);

/** scale(): a resize mid-rollout spreads the change over active ReplicaSets by their size. */
export function scale(c: DSync, newRS: RS | undefined, oldRSs: RS[]): void {
  const d = c.d;
  const one = findActiveOrLatest(newRS, oldRSs);
  if (one) {
    if (specOf(one) !== specReplicas(d)) scaleAndRecord(c, one, specReplicas(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of oldRSs.filter(isActive)) scaleAndRecord(c, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = present([...oldRSs, newRS]).filter(isActive);
  const allowed = specReplicas(d) > 0 ? specReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumSpec(all);
  let op = "";
  if (toAdd > 0) {
    // Larger first; equal sizes: newer first when growing, older first when shrinking.
    all.sort((a, b) => specOf(b) - specOf(a) || byCreation(b, a));
    op = "up";
  } else if (toAdd < 0) {
    all.sort((a, b) => specOf(b) - specOf(a) || byCreation(a, b));
    op = "down";
  }
  let added = 0;
  const size = new Map<RS, number>();
  for (const rs of all) {
    if (toAdd === 0) { size.set(rs, specOf(rs)); continue; }
    const p = proportion(d, rs, toAdd, added);
    size.set(rs, specOf(rs) + p);
    added += p;
  }
  all.forEach((rs, i) => {
    // Leftovers from rounding go to the largest.
    if (i === 0 && toAdd !== 0) size.set(rs, Math.max(0, size.get(rs)! + toAdd - added));
    scaleReplicaSet(c, rs, size.get(rs)!, op);
  });
}

function proportion(d: Deployment, rs: RS, toAdd: number, added: number): number {
  if (specOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (specReplicas(d) === 0) fraction = -specOf(rs);
  else {
    const target = specReplicas(d) + maxSurge(d);
    const ann = Number(rs.metadata.annotations?.[MAX_REPLICAS]);
    const annotated = Number.isInteger(ann) && rs.metadata.annotations?.[MAX_REPLICAS] !== undefined ? ann : d.status?.replicas ?? 0;
    fraction = annotated ? roundHalfAway((specOf(rs) * target) / annotated) - specOf(rs) : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

const roundHalfAway = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));

// ---- RollingUpdate ---------------------------------------------------------------------------

export function rolloutRolling(c: DSync, rsList: RS[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(c, rsList, true);
  const all = present([...oldRSs, newRS]);
  if (newRS && reconcileNewReplicaSet(c, all, newRS)) return syncRolloutStatus(c, all, newRS);
  if (newRS && reconcileOldReplicaSets(c, all, oldRSs.filter(isActive), newRS)) return syncRolloutStatus(c, all, newRS);
  if (deploymentComplete(c.d, c.d.status)) cleanupDeployment(c, oldRSs);
  syncRolloutStatus(c, all, newRS);
}

function reconcileNewReplicaSet(c: DSync, all: RS[], newRS: RS): boolean {
  const want = specReplicas(c.d);
  if (specOf(newRS) === want) return false;
  if (specOf(newRS) > want) return scaleAndRecord(c, newRS, want);
  return scaleAndRecord(c, newRS, newRSNewReplicas(c.d, all, newRS));
}

/** Scale old ReplicaSets down only as far as keeps replicas - maxUnavailable pods available. */
function reconcileOldReplicaSets(c: DSync, all: RS[], oldRSs: RS[], newRS: RS): boolean {
  if (sumSpec(oldRSs) === 0) return false;
  const minAvailable = specReplicas(c.d) - maxUnavailable(c.d);
  const newUnavailable = specOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = sumSpec(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // Unhealthy old replicas go first: they cost no availability and would block the rollout.
  const cleaned = cleanupUnhealthyReplicas(c, oldRSs, maxScaledDown);
  const scaled = scaleDownOldForRollingUpdate(c, present([...oldRSs, newRS]), oldRSs);
  return cleaned + scaled > 0;
}

function cleanupUnhealthyReplicas(c: DSync, oldRSs: RS[], maxCleanup: number): number {
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= maxCleanup) break;
    const available = rs.status?.availableReplicas ?? 0;
    if (specOf(rs) === 0 || specOf(rs) === available) continue;
    const n = Math.min(maxCleanup - total, specOf(rs) - available);
    scaleAndRecord(c, rs, specOf(rs) - n);
    total += n;
  }
  return total;
}

function scaleDownOldForRollingUpdate(c: DSync, all: RS[], oldRSs: RS[]): number {
  const minAvailable = specReplicas(c.d) - maxUnavailable(c.d);
  const available = sumAvailable(all);
  if (available <= minAvailable) return 0;
  const want = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= want) break;
    if (specOf(rs) === 0) continue;
    const n = Math.min(specOf(rs), want - total);
    scaleAndRecord(c, rs, specOf(rs) - n);
    total += n;
  }
  return total;
}

// ---- Recreate --------------------------------------------------------------------------------

export function rolloutRecreate(c: DSync, rsList: RS[], podMap: Map<string, Pod[]>): void {
  // No new ReplicaSet yet: it is not created until the old pods are gone.
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(c, rsList, false);
  let all = present([...oldRSs, newRS]);
  let scaledDown = false;
  for (const rs of oldRSs.filter(isActive)) if (scaleAndRecord(c, rs, 0)) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(c, all, newRS);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(c, all, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(c, rsList, true));
    all = present([...oldRSs, newRS]);
  }
  if (newRS) scaleAndRecord(c, newRS, specReplicas(c.d));
  if (deploymentComplete(c.d, c.d.status)) cleanupDeployment(c, oldRSs);
  syncRolloutStatus(c, all, newRS);
}

function oldPodsRunning(newRS: RS | undefined, oldRSs: RS[], podMap: Map<string, Pod[]>): boolean {
  if (sumStatus(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== "Failed" && p.status?.phase !== "Succeeded")) return true;
  }
  return false;
}

// ---- history ---------------------------------------------------------------------------------

/** cleanupDeployment: keep revisionHistoryLimit old ReplicaSets; delete the oldest empty ones. */
export function cleanupDeployment(c: DSync, oldRSs: RS[]): void {
  const limit = c.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return;
  const byRevision = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  for (const rs of byRevision.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || specOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    tolerate(() => c.reg.delete(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name!, c.write));
  }
}
