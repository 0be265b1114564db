// Helpers shared by the ReplicaSet and Deployment controllers, after pkg/controller/controller_utils.go,
// controller_ref_manager.go and pkg/controller/deployment/util/deployment_util.go.
import type { Registry, WriteCtx } from "../api-server/registry/store";
import { rfc3339 } from "../api-server/registry/store";
import type { ResourceType } from "../api-server/resources";
import { labelSelectorFromObject, type LabelSelector } from "../api-server/selectors";
import { ApiError } from "../api-server/status";
import type { KubeObject, OwnerReference } from "../api-server/types";

export const POD_TEMPLATE_HASH = "pod-template-hash";
export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
// Deployment annotations never copied onto its ReplicaSets (annotationsToSkip).
export const ANNOTATIONS_TO_SKIP = new Set([
  "kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to",
]);

import { keyOf, splitKey, tolerate } from "./controller-utils";
export { keyOf, splitKey };

export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** A selector that cannot be parsed selects nothing (the real controllers log and skip). */
export function selectorOf(o: KubeObject): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(o.spec?.selector ?? {});
  } catch {
    return undefined;
  }
}

// ---- pods ------------------------------------------------------------------------------------

export const isTerminating = (o: KubeObject) => !!o.metadata.deletionTimestamp;

/** FilterActivePods: neither finished nor being deleted. */
export function isPodActive(p: KubeObject): boolean {
  const phase = p.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !isTerminating(p);
}

export function readyCondition(p: KubeObject): { status?: string; lastTransitionTime?: string } | undefined {
  return (p.status?.conditions as any[] | undefined)?.find((c) => c.type === "Ready");
}

export const isPodReady = (p: KubeObject) => readyCondition(p)?.status === "True";

/** IsPodAvailable: ready for at least minReadySeconds (strictly before now). */
export function isPodAvailable(p: KubeObject, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(p);
  if (c?.status !== "True") return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now;
}

/** When a ready pod becomes available (for requeueing), or undefined. */
export function availableAt(p: KubeObject, minReadySeconds: number): number | undefined {
  const c = readyCondition(p);
  if (c?.status !== "True" || !c.lastTransitionTime) return undefined;
  return Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 + 1;
}

// ---- adoption and release (ControllerRefManager) ---------------------------------------------

/**
 * ClaimObjects: keeps what the owner controls and its selector still matches, releases what it
 * controls but no longer matches, adopts matching orphans. Returns the objects now owned.
 */
export function claim(reg: Registry, r: ResourceType, owner: KubeObject, sel: LabelSelector, candidates: KubeObject[], write: WriteCtx): KubeObject[] {
  const owned: KubeObject[] = [];
  const uid = owner.metadata.uid;
  const ownerDeleting = isTerminating(owner);
  for (const o of candidates) {
    const ref = controllerOf(o);
    const matches = sel.matches(o.metadata.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) { owned.push(o); continue; }
      if (ownerDeleting) continue;
      tolerate(() => reg.guaranteedUpdate(r, o.metadata.namespace, o.metadata.name!, write, (cur) => {
        const refs = (cur.metadata.ownerReferences ?? []).filter((x) => x.uid !== uid);
        if (refs.length) cur.metadata.ownerReferences = refs;
        else delete cur.metadata.ownerReferences;
        return cur;
      }));
      continue;
    }
    if (ownerDeleting || !matches || isTerminating(o)) continue;
    try {
      const adopted = reg.guaranteedUpdate(r, o.metadata.namespace, o.metadata.name!, write, (cur) => {
        if (controllerOf(cur)) throw new Error("already controlled");
        cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), newControllerRef(owner)];
        return cur;
      });
      owned.push(adopted);
    } catch (e) {
      if (!(e instanceof ApiError) && (e as Error).message !== "already controlled") throw e;
      if (e instanceof ApiError && e.status.code !== 404 && e.status.code !== 409) throw e;
    }
  }
  return owned;
}

// ---- comparison and hashing ------------------------------------------------------------------

/** Semantic equality of JSON values, ignoring key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

export function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "undefined";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
}

const SAFE_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/**
 * controller.ComputeHash: a 32-bit FNV-1a of the template (and the collision count), printed in
 * decimal and each digit mapped through rand.SafeEncodeString, so it looks like the real ones.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const feed = (s: string) => {
    for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  };
  feed(canonical(template));
  if (collisionCount !== undefined && collisionCount !== null) feed(`\u0000${collisionCount}`);
  return [...String(h >>> 0)].map((c) => SAFE_CHARS[c.charCodeAt(0) % SAFE_CHARS.length]).join("");
}

/** EqualIgnoreHash: two pod templates equal once the pod-template-hash label is set aside. */
export function equalIgnoreHash(a: any, b: any): boolean {
  const strip = (t: any) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) {
      delete c.metadata.labels[POD_TEMPLATE_HASH];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
    return c;
  };
  return deepEqual(strip(a), strip(b));
}

// ---- intOrPercent and fenceposts -------------------------------------------------------------

/** GetScaledValueFromIntOrPercent: "25%" of total, rounded up or down. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const m = /^(\d+)%$/.exec(v);
    if (m) {
      const x = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(x) : Math.floor(x);
    }
    const n = Number(v);
    if (Number.isInteger(n)) return n;
  }
  return 0;
}

export const isRollingUpdate = (d: KubeObject) => (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
export const specReplicas = (o: KubeObject): number => o.spec?.replicas ?? 1;

/** ResolveFenceposts: surge rounds up, unavailable down; both zero would block, so unavailable is 1. */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? "25%", desired, true);
  let unavailable = scaledValue(maxUnavailable ?? "25%", desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, specReplicas(d))[0];
}

export function maxUnavailable(d: KubeObject): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return Math.min(replicas, resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas)[1]);
}

// ---- conditions ------------------------------------------------------------------------------

export interface Condition { type: string; status: string; lastUpdateTime?: string; lastTransitionTime?: string; reason?: string; message?: string }

export function newCondition(type: string, status: string, reason: string, message: string, now: number, withUpdateTime = true): Condition {
  const t = rfc3339(new Date(now));
  return withUpdateTime ? { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message } : { type, status, lastTransitionTime: t, reason, message };
}

export const getCondition = (status: any, type: string): Condition | undefined => (status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

/** SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
export function setCondition(status: any, c: Condition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c = { ...c, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((x: Condition) => x.type !== c.type), c];
}

export function removeCondition(status: any, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((x: Condition) => x.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** Drops zero counters the way Go's omitempty does, so stored status looks like the real one. */
export function omitEmpty(status: Record<string, unknown>, keep: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status)) {
    if (v === undefined) continue;
    if (v === 0 && !keep.includes(k)) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

export const byCreation = (a: KubeObject, b: KubeObject) =>
  (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
