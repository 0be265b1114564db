// Small pieces every controller uses (after pkg/controller/controller_utils.go): "namespace/name"
// work-queue keys, owners and controller references, writes that may find the object already gone
// (another controller, or the garbage collector, was first), status writes that skip no-ops, and
// the Events a controller records.
import type { Registry } from "../api-server/registry/store";
import { recordEvent } from "../api-server/events";
import type { ResourceType } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { KubeObject, OwnerReference } from "../api-server/types";
import type { ReconcileCtx } from "./manager";

export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}

export const keyOf = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;

/** Runs a write that may race a delete: a 404 means the object is already gone. */
export function tolerate<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ApiError && e.status.code === 404) return undefined;
    throw e;
  }
}


/** The namespace/name key of obj's controlling owner of `kind`, if any. */
export function ownerKey(obj: KubeObject | undefined, kind: string): string[] {
  const ref = obj?.metadata?.ownerReferences?.find((r: any) => r.controller && r.kind === kind);
  return ref ? [`${obj!.metadata.namespace}/${ref.name}`] : [];
}

export function controlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return !!obj.metadata.ownerReferences?.some((r: any) => r.controller && r.uid === owner.metadata.uid);
}

export function ownerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}


/** Deep equality on JSON values, key order ignored: writes that change nothing are skipped. */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as any)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as any)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJSON((a as any)[k], (b as any)[k]));
}

export function isPodReady(p: KubeObject): boolean {
  return !!p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
}

export const isTerminal = (p: KubeObject) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

export function emit(reg: Registry, obj: KubeObject, reason: string, message: string, now: number, type: "Normal" | "Warning", component: string): void {
  recordEvent(reg, { regarding: obj, reason, message, type, component, now: new Date(now) });
}

/** Writes status only when it differs from what is stored. */
export function writeStatus<T extends KubeObject>(reg: Registry, r: ResourceType<T>, obj: T, status: Record<string, unknown>, ctx: ReconcileCtx): T {
  if (sameJSON(obj.status ?? {}, status)) return obj;
  return reg.update(r, obj.metadata.namespace, obj.metadata.name!, { ...obj, status }, ctx.write, "status").object;
}
