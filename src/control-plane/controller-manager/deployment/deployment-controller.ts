// The Deployment controller (pkg/controller/deployment): owns ReplicaSets, one per pod template
// (named <deployment>-<pod-template-hash>), and moves replicas from the old ones to the new one by
// the strategy (rolling.go, recreate.go), or proportionally on a plain scale (sync.go). Status and
// the Available/Progressing conditions follow progress.go (deployment-sync.ts, with the revisions).
import type { Registry } from "../../api-server/registry/store";
import { recordEvent } from "../../api-server/events";
import type { Pod } from "../../api-server/objects/core";
import type { DeploymentStatus, ReplicaSet } from "../../api-server/objects/apps";
import { listerOf, watchOf, type Controller, type ReconcileCtx } from "../manager";
import type { Lister } from "../informers";
import { getCondition, newCondition, setCondition, DESIRED_REPLICAS } from "./deployment-util";
import { claim, controllerOf, isTerminating, keyOf, selectorOf, specReplicas, splitKey } from "../controller-utils";
import { cleanupDeployment, rolloutRecreate, rolloutRolling, scale } from "./deployment-rollout";
import { COMPONENT, type DSync, updateStatus, hasProgressDeadline, getAllReplicaSetsAndSyncRevision, syncDeploymentStatus, isActive } from "./deployment-sync";
import { DEPLOYMENTS, PODS, REPLICA_SETS } from "../../api-server/resources";

export function deploymentController(_reg: Registry): Controller {
  return {
    name: "deployment",
    watches: [
      watchOf(DEPLOYMENTS, (d) => [keyOf(d)]),
      watchOf(REPLICA_SETS, (rs, prev, ev) => deploymentKeysForRS(ev.cache, rs, prev)),
      // Recreate waits for old pods to be gone, so it hears about pods of its ReplicaSets.
      watchOf(PODS, (pod, _prev, ev) => recreateKeyForPod(ev.cache, pod)),
    ],
    resync: (r) => r.list(DEPLOYMENTS, undefined).items.map(keyOf),
    reconcile: (key, ctx) => syncDeployment(key, ctx),
  };
}

function deploymentKeysForRS(cache: Lister, rs: ReplicaSet, prev?: ReplicaSet): string[] {
  const ns = rs.metadata.namespace!;
  const keys = new Set<string>();
  for (const o of [rs, prev]) {
    const ref = o && controllerOf(o);
    if (ref?.kind === "Deployment") keys.add(`${ns}/${ref.name}`);
  }
  if (!controllerOf(rs) && !isTerminating(rs)) {
    for (const d of cache.list(DEPLOYMENTS, ns)) if (selectorOf(d)?.matches(rs.metadata.labels)) keys.add(keyOf(d));
  }
  return [...keys];
}

function recreateKeyForPod(cache: Lister, pod: Pod): string[] {
  const ref = controllerOf(pod);
  if (ref?.kind !== "ReplicaSet") return [];
  const rs = cache.get(REPLICA_SETS, pod.metadata.namespace, ref.name);
  const dref = rs && controllerOf(rs);
  if (dref?.kind !== "Deployment") return [];
  const d = cache.get(DEPLOYMENTS, pod.metadata.namespace, dref.name);
  return d?.spec?.strategy?.type === "Recreate" ? [keyOf(d)] : [];
}

function syncDeployment(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const { reg, now, write } = ctx;
  const [ns, name] = splitKey(key);
  const d = reg.tryGet(DEPLOYMENTS, ns, name);
  if (!d) return;
  const c: DSync = { reg, write, now, d };
  const sel = selectorOf(d);
  if (!sel) return;
  if (sel.empty) {
    recordEvent(reg, { regarding: d, reason: "SelectingAll", type: "Warning", message: "This deployment is selecting all pods. A non-empty selector is required.", component: COMPONENT, now: new Date(now) });
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) updateStatus(c, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
    return;
  }
  const rsList = claim(reg, REPLICA_SETS, d, sel, reg.list(REPLICA_SETS, ns).items, write);

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
function podMapFor(c: DSync, cache: Lister, rsList: ReplicaSet[]): Map<string, Pod[]> {
  const sel = selectorOf(c.d)!;
  const map = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata.uid!, []]));
  for (const p of cache.list(PODS, c.d.metadata.namespace)) {
    if (!sel.matches(p.metadata.labels)) continue;
    const ref = controllerOf(p);
    if (ref && map.has(ref.uid)) map.get(ref.uid)!.push(p);
  }
  return map;
}

/** Pausing or resuming shows as an Unknown Progressing condition (checkPausedConditions). */
function checkPausedConditions(c: DSync): void {
  if (!hasProgressDeadline(c.d)) return;
  const cond = getCondition(c.d.status, "Progressing");
  if (cond?.reason === "ProgressDeadlineExceeded") return;
  const pausedExists = cond?.reason === "DeploymentPaused";
  const status: DeploymentStatus = structuredClone(c.d.status ?? {});
  if (c.d.spec?.paused && !pausedExists) setCondition(status, newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", c.now));
  else if (!c.d.spec?.paused && pausedExists) setCondition(status, newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", c.now));
  else return;
  updateStatus(c, status);
}

/** A scaling event: some active ReplicaSet was sized for a different spec.replicas. */
function isScalingEvent(c: DSync, rsList: ReplicaSet[]): boolean {
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
function syncScale(c: DSync, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(c, rsList, false);
  scale(c, newRS, oldRSs);
  if (c.d.spec?.paused) cleanupDeployment(c, oldRSs);
  syncDeploymentStatus(c, [...oldRSs, newRS], newRS);
}
