// Small pieces every controller uses, after pkg/controller/controller_utils.go (FilterActivePods,
// ComputeHash), controller_ref_manager.go (ClaimObjects), apimachinery's metav1 helpers
// (GetControllerOf, NewControllerRef), podutil (IsPodReady, IsPodAvailable) and intstr
// (GetScaledValueFromIntOrPercent): "namespace/name" work-queue keys, owners and controller
// references, writes that may find the object already gone (another controller, or the garbage
// collector, was first), status writes that skip no-ops, and the Events a controller records.
import type { Registry, WriteCtx } from "../api-server/registry/store";
import { recordEvent } from "../api-server/events";
import { isStored, registryPrefix, RESOURCES, storageResource, PODS, type ResourceType } from "../api-server/resources";
import { labelSelectorFromObject, type LabelSelector } from "../api-server/selectors";
import { ApiError } from "../api-server/status";
import type { KubeObject, OwnerReference } from "../api-server/types";
import type { Pod, PodCondition } from "../api-server/objects/core";
import type { Deployment, ReplicaSet, StatefulSet } from "../api-server/objects/apps";
import type { ReconcileCtx } from "./manager";

// ---- keys ------------------------------------------------------------------------------------

export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}

export const keyOf = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;

/** The key of the object an event is about (a DELETE may carry only the previous value's name). */
export const selfKey = (o: KubeObject, prev: KubeObject | undefined): string[] => [keyOf(o.metadata?.name ? o : prev!)];

/** Runs a write that may race a delete: a 404 (or another of `codes`) means someone was first. */
export function tolerate<T>(fn: () => T, codes: readonly number[] = [404]): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ApiError && codes.includes(e.status.code)) return undefined;
    throw e;
  }
}

/**
 * Every stored resource that `keep` accepts, once per storage location (versions of a group share
 * their objects), as its storage resource.
 */
export function storageResources(keep: (r: ResourceType) => boolean): ResourceType[] {
  const seen = new Map<string, ResourceType>();
  for (const r of RESOURCES) {
    if (!isStored(r) || !keep(r)) continue;
    const s = storageResource(r);
    if (!seen.has(registryPrefix(s))) seen.set(registryPrefix(s), s);
  }
  return [...seen.values()];
}

// ---- owners ----------------------------------------------------------------------------------

/** GetControllerOf: the reference with controller set (validation allows one). */
export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** NewControllerRef: a controller reference that blocks the owner's foreground deletion. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** The namespace/name key of obj's controlling owner of `kind`, if any (none for a value without metadata). */
export function ownerKey(obj: KubeObject | undefined, kind: string): string[] {
  const ref = obj?.metadata && controllerOf(obj);
  return ref && ref.kind === kind ? [`${obj!.metadata.namespace}/${ref.name}`] : [];
}

/** A watch's keys for a dependent: its controlling owner of `kind`, now and before. */
export const controllerKeys = (kind: string) => (obj: KubeObject, prev: KubeObject | undefined): string[] =>
  [...new Set([...ownerKey(obj, kind), ...ownerKey(prev, kind)])];

export function controlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return !!ref && ref.uid === owner.metadata.uid;
}

/** The workloads with spec.replicas and a label selector (the HPA's scale targets). */
export type Scalable = Deployment | ReplicaSet | StatefulSet;

/** A selector that cannot be parsed selects nothing (the real controllers log and skip). */
export function selectorOf(o: Scalable): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(o.spec?.selector ?? {});
  } catch {
    return undefined;
  }
}

/**
 * ClaimObjects: keeps what the owner controls and its selector still matches, releases what it
 * controls but no longer matches, adopts matching orphans. Returns the objects now owned.
 */
export function claim<T extends KubeObject>(reg: Registry, r: ResourceType<T>, owner: KubeObject, sel: LabelSelector, candidates: T[], write: WriteCtx): T[] {
  const owned: T[] = [];
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

// ---- pods ------------------------------------------------------------------------------------

export const isTerminating = (o: KubeObject) => !!o.metadata.deletionTimestamp;

export const isTerminal = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** FilterActivePods: neither finished nor being deleted. */
export function isPodActive(p: Pod): boolean {
  return !isTerminal(p) && !isTerminating(p);
}

/** GetPodReadyCondition: the pod's (first) Ready condition; conditions of any shape are read without throwing. */
export function readyCondition(p: Pod): PodCondition | undefined {
  // A stored pod's conditions may be no array, or hold nulls.
  const conds: (PodCondition | null)[] = Array.isArray(p.status?.conditions) ? p.status.conditions : [];
  return conds.find((c) => c?.type === "Ready") ?? undefined;
}

/** podutil.IsPodReady: the Ready condition is True. */
export const isPodReady = (p: Pod) => readyCondition(p)?.status === "True";

/** IsPodAvailable: ready for at least minReadySeconds (strictly before now). */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(p);
  if (c?.status !== "True") return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now;
}

/** When a ready pod becomes available (for requeueing), or undefined. */
export function availableAt(p: Pod, minReadySeconds: number): number | undefined {
  const c = readyCondition(p);
  if (c?.status !== "True" || !c.lastTransitionTime) return undefined;
  return Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 + 1;
}

/** apps.ControllerRevisionHashLabelKey: the revision a DaemonSet's or StatefulSet's pod was made from. */
export const REVISION_HASH = "controller-revision-hash";

/** spec.replicas with its default. */
export const specReplicas = (o: Scalable): number => o.spec?.replicas ?? 1;

/** Oldest first; the name breaks ties. */
export const byCreation = (a: KubeObject, b: KubeObject) =>
  (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");

/** Creates a pod for its owner and records SuccessfulCreate (RealPodControl.CreatePods). */
export function createPod(reg: Registry, owner: KubeObject, pod: Pod, ctx: ReconcileCtx, component: string): Pod {
  const created = reg.create(PODS, owner.metadata.namespace, pod, ctx.write);
  emit(reg, owner, "SuccessfulCreate", `Created pod: ${created.metadata.name}`, ctx.now, "Normal", component);
  return created;
}

/** Deletes an owner's pod and records SuccessfulDelete (RealPodControl.DeletePod); gone already is fine. */
export function deletePod(reg: Registry, owner: KubeObject, p: Pod, ctx: ReconcileCtx, component: string): void {
  tolerate(() => {
    reg.delete(PODS, p.metadata.namespace, p.metadata.name!, ctx.write);
    emit(reg, owner, "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`, ctx.now, "Normal", component);
  });
}

// ---- values ----------------------------------------------------------------------------------

/** Deep equality on JSON values, key order ignored (apiequality.Semantic.DeepEqual): writes that change nothing are skipped. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
  const ka = Object.keys(x).filter((k) => x[k] !== undefined);
  const kb = Object.keys(y).filter((k) => y[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual(x[k], y[k]));
}

/** A JSON value as text with sorted keys: the same value always hashes the same. */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "undefined";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
}

const SAFE_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/**
 * ComputeHash: a 32-bit FNV-1a of the template (and the collision count), printed in decimal and
 * each digit mapped through rand.SafeEncodeString, so it looks like the real ones.
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

/** Drops zero counters the way Go's omitempty does, so stored status looks like the real one. */
export function omitEmpty<T extends object>(status: T, keep: (keyof T & string)[] = []): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (v === 0 && !keep.includes(k as keyof T & string)) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as Partial<T>; // status's own fields, fewer
}

// ---- status and events -----------------------------------------------------------------------

/** A status condition, as the workload APIs write them. */
export type { Condition } from "../api-server/objects/meta";

export function emit(reg: Registry, obj: KubeObject, reason: string, message: string, now: number, type: "Normal" | "Warning", component: string): void {
  recordEvent(reg, { regarding: obj, reason, message, type, component, now: new Date(now) });
}

/** Writes status only when it differs from what is stored. */
export function writeStatus<T extends KubeObject>(reg: Registry, r: ResourceType<T>, obj: T, status: NonNullable<T["status"]>, ctx: ReconcileCtx): T {
  if (deepEqual(obj.status ?? {}, status)) return obj;
  return reg.update(r, obj.metadata.namespace, obj.metadata.name!, { ...obj, status }, ctx.write, "status").object;
}
