// The Deployment controller's own helpers (pkg/controller/deployment/util/deployment_util.go): its
// annotations, EqualIgnoreHash, the rolling-update fenceposts and the Deployment conditions. What
// other controllers share too lives in controller-utils.ts.
import { rfc3339 } from "../../api-server/registry/store";
import type { PodTemplateSpec } from "../../api-server/objects/core";
import type { Deployment } from "../../api-server/objects/apps";
import { deepEqual, scaledValue, specReplicas, type Condition } from "../controller-utils";

export const POD_TEMPLATE_HASH = "pod-template-hash";
export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
// Deployment annotations never copied onto its ReplicaSets (annotationsToSkip).
export const ANNOTATIONS_TO_SKIP = new Set([
  "kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to",
]);

/** EqualIgnoreHash: two pod templates equal once the pod-template-hash label is set aside. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const c: Partial<PodTemplateSpec> = structuredClone(t ?? {});
    if (c.metadata?.labels) {
      delete c.metadata.labels[POD_TEMPLATE_HASH];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
    return c;
  };
  return deepEqual(strip(a), strip(b));
}

// ---- fenceposts -----------------------------------------------------------------------------

export const isRollingUpdate = (d: Deployment) => (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";

/** ResolveFenceposts: surge rounds up, unavailable down; both zero would block, so unavailable is 1. */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? "25%", desired, true);
  let unavailable = scaledValue(maxUnavailable ?? "25%", desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

type RollingUpdate = { maxSurge?: number | string; maxUnavailable?: number | string };

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru: RollingUpdate = d.spec?.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, specReplicas(d))[0];
}

export function maxUnavailable(d: Deployment): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru: RollingUpdate = d.spec?.strategy?.rollingUpdate ?? {};
  return Math.min(replicas, resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas)[1]);
}

// ---- conditions ------------------------------------------------------------------------------

export function newCondition(type: string, status: Condition["status"], reason: string, message: string, now: number, withUpdateTime = true): Condition {
  const t = rfc3339(new Date(now));
  return withUpdateTime ? { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message } : { type, status, lastTransitionTime: t, reason, message };
}

/** A status with conditions (a Deployment's, or a ReplicaSet's). */
type WithConditions = { conditions?: Condition[] };

export const getCondition = (status: WithConditions | undefined, type: string): Condition | undefined => status?.conditions?.find((c) => c.type === type);

/** SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
export function setCondition(status: WithConditions, c: Condition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c = { ...c, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(status: WithConditions, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((x) => x.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}
