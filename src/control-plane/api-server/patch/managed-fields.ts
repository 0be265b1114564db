// metadata.managedFields bookkeeping for Update operations (create, update, non-apply patch), after
// k8s.io/apimachinery/pkg/util/managedfields and structured-merge-diff's Updater.Update:
// the fields an Update added or changed now belong to its manager and are taken from every other
// manager; fields it removed are dropped from everyone's sets.
//
// Simplified: no "before-first-apply" adoption, no cap of 10 Update managers ("ancient-changes"),
// a single version per kind (so no conversion between apiVersions), and fields the Go types would
// add as zero values are not invented.

import type { KubeObject, ManagedFieldsEntry } from "../types";
import { compare, FieldSet, type Path } from "./fieldpath";
import { hasStatusSubresource, schemaFor } from "./patch-schema";
import { isObject, type JsonObject } from "./util";

export interface Manager {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/**
 * Identity of a manager entry. Appliers are identified regardless of apiVersion, so re-applying
 * with another version keeps one entry (as BuildManagerIdentifier does).
 */
export function managerKey(m: Pick<Manager, "manager" | "operation" | "apiVersion" | "subresource">): string {
  return JSON.stringify([m.manager, m.operation, m.operation === "Apply" ? "" : m.apiVersion, m.subresource ?? ""]);
}

export function decodeManagedFields(entries: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (!Array.isArray(entries)) return out;
  for (const e of entries) {
    if (!isObject(e) || typeof e.manager !== "string" || (e.operation !== "Apply" && e.operation !== "Update")) continue;
    const m: Manager = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === "string" ? e.apiVersion : "",
      subresource: typeof e.subresource === "string" && e.subresource ? e.subresource : undefined,
      time: typeof e.time === "string" ? e.time : undefined,
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    const key = managerKey(m);
    const prev = out.get(key);
    if (prev) prev.set = prev.set.union(m.set);
    else out.set(key, m);
  }
  return out;
}

/** Encodes managers sorted as the apiserver does: operation, then time, manager, apiVersion, subresource. */
export function encodeManagedFields(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const list = [...managers.values()].filter((m) => !m.set.isEmpty());
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? "", q.subresource ?? ""),
  );
  return list.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion } as ManagedFieldsEntry;
    if (m.time) e.time = m.time;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** metav1.Time has second precision. */
export function toMetaTime(now: string): string {
  return now.replace(/\.\d+(?=Z$)/, "");
}

// Paths stripped from every manager's set (k8s managedfields stripMeta), exact paths only.
const STRIPPED: Path[] = [
  ["f:apiVersion"],
  ["f:kind"],
  ["f:metadata"],
  ...["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"].map(
    (f) => ["f:metadata", `f:${f}`],
  ),
];

/**
 * Removes what field management ignores: the stripped metadata, and status for the main resource
 * of kinds with a /status subresource (or everything but status for /status itself).
 */
export function ignoreFields(set: FieldSet, apiVersion: string, kind: string, subresource?: string): FieldSet {
  let s = FieldSet.of(set.list().filter((p) => !STRIPPED.some((x) => x.length === p.length && x.every((pe, i) => pe === p[i]))));
  if (subresource === "status") s = s.onlyPrefixes([["f:status"]]);
  else if (hasStatusSubresource(apiVersion, kind)) s = s.withoutPrefixes([["f:status"]]);
  return s;
}

/** The part of an object that field management looks at. */
export function managedView(obj: KubeObject | undefined): JsonObject {
  if (!obj) return {};
  const { metadata, ...rest } = obj;
  const { managedFields: _mf, ...meta } = (metadata ?? {}) as JsonObject;
  return { ...rest, metadata: meta };
}

/**
 * Records an Update by `opts.manager` in newObj.metadata.managedFields (in place), starting from the
 * managed fields carried by newObj (a client may rewrite them) or else those of oldObj.
 */
export function updateManagedFields(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  opts: { manager: string; operation: "Update"; now: string; subresource?: string },
): void {
  const { apiVersion, kind } = newObj;
  const schema = schemaFor(apiVersion, kind);
  let managers = decodeManagedFields(newObj.metadata?.managedFields);
  if (managers.size === 0 || opts.subresource) managers = decodeManagedFields(oldObj?.metadata?.managedFields);

  const c = compare(managedView(oldObj), managedView(newObj), schema);
  const ignore = (s: FieldSet) => ignoreFields(s, apiVersion, kind, opts.subresource);
  const changed = ignore(c.added.union(c.modified));
  const removed = ignore(c.removed);

  const key = managerKey({ manager: opts.manager, operation: "Update", apiVersion, subresource: opts.subresource });
  for (const [k, m] of managers) {
    if (k !== key) m.set = m.set.difference(changed).difference(removed);
  }
  const prev = managers.get(key);
  const set = (prev?.set ?? new FieldSet()).difference(removed).union(changed);
  managers.set(key, {
    manager: opts.manager,
    operation: "Update",
    apiVersion,
    subresource: opts.subresource,
    // The timestamp moves only when this operation took ownership of something.
    time: changed.isEmpty() ? prev?.time : toMetaTime(opts.now),
    set,
  });
  setManagedFields(newObj, managers);
}

/** Writes managers into obj.metadata.managedFields, omitting the field when nobody manages anything. */
export function setManagedFields(obj: KubeObject, managers: Map<string, Manager>): void {
  const entries = encodeManagedFields(managers);
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}
