// Server-side apply (application/apply-patch+yaml), after structured-merge-diff's Updater.Apply:
//  1. merge the applied configuration into the live object: maps by key, associative lists
//     (x-kubernetes-list-type map/set) item by item in the applied order, everything else replaced;
//  2. the manager's Apply entry becomes exactly the applied configuration's field set;
//  3. fields the manager applied last time but no longer applies are removed from the object,
//     unless another manager still owns them;
//  4. fields whose value changes and that other managers own are conflicts: 409 unless force,
//     in which case those managers lose them.
// Simplified: one apiVersion per kind (no conversion), no schema validation of the applied
// config, list-map keys only defaulted where the apiserver defaults them (ports' protocol),
// and pruning removes owned leaves and now-empty parents rather than rebuilding whole subtrees.

import type { KubeObject } from "../types";
import { badRequest, PatchError } from "./errors";
import {
  compare,
  dropNulls,
  FieldSet,
  indexItems,
  isAssociative,
  pathString,
  removePath,
  toFieldSet,
  type Path,
} from "./fieldpath";
import { decodeManagedFields, ignoreFields, managedView, managerKey, setManagedFields, toMetaTime, type Manager } from "./managed-fields";
import { elemSchema, fieldSchema, hasStatusSubresource, schemaFor, type SchemaNode } from "./patch-schema";
import { clone, deepEqual, isObject, type JsonObject } from "./util";

export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  opts: { manager: string; force: boolean; now: string },
): KubeObject {
  if (!isObject(applied)) throw badRequest("error decoding YAML: the applied configuration must be an object");
  if (applied.metadata?.managedFields != null) throw badRequest("metadata.managedFields must be nil");
  const { apiVersion, kind } = applied;
  const schema = schemaFor(apiVersion, kind);

  const config = clone(applied) as JsonObject;
  // Status is reset on writes to the main resource of kinds with a /status subresource.
  if (hasStatusSubresource(apiVersion, kind)) delete config.status;

  const liveView = live ? managedView(live) : { apiVersion, kind, metadata: {} };
  const managers = decodeManagedFields(live?.metadata?.managedFields);
  const merged = mergeValues(liveView, config, schema) as JsonObject;

  const key = managerKey({ manager: opts.manager, operation: "Apply", apiVersion });
  const previous = managers.get(key);
  const newSet = ignoreFields(toFieldSet(config, schema), apiVersion, kind);
  const entry: Manager = { manager: opts.manager, operation: "Apply", apiVersion, time: previous?.time, set: newSet };
  managers.set(key, entry);

  if (previous) prune(merged, previous.set.difference(newSet), managers, schema);

  // Ownership changes against the live object, as an Update by the applier would make them.
  const c = compare(liveView, merged, schema);
  const changed = ignoreFields(c.added.union(c.modified), apiVersion, kind);
  const removed = ignoreFields(c.removed, apiVersion, kind);
  const conflicts: { manager: Manager; paths: Path[] }[] = [];
  for (const [k, m] of managers) {
    if (k === key) continue;
    const lost = m.set.intersection(changed);
    if (!lost.isEmpty()) conflicts.push({ manager: m, paths: lost.list() });
  }
  if (conflicts.length && !opts.force) throw conflictError(conflicts);
  for (const [k, m] of managers) if (k !== key) m.set = m.set.difference(changed).difference(removed);

  // Like managedFieldsUpdater.Apply: the timestamp moves when the object changed.
  if (!live || !deepEqual(liveView, merged) || !entry.time) entry.time = toMetaTime(opts.now);
  const out = merged as KubeObject;
  out.metadata = (isObject(out.metadata) ? out.metadata : {}) as KubeObject["metadata"];
  setManagedFields(out, managers);
  return out;
}

/** Removes fields no longer applied by `applier` that no manager owns any more. */
function prune(obj: JsonObject, dropped: FieldSet, managers: Map<string, Manager>, schema: SchemaNode) {
  let owned = new FieldSet();
  for (const m of managers.values()) owned = owned.union(m.set);
  // Shallowest first: a list item goes as a whole (removing its key fields first would make it
  // unfindable); items that still have owned fields below them are skipped and trimmed field by field.
  const paths = dropped.list().sort((a, b) => a.length - b.length);
  for (const p of paths) {
    if (owned.has(p) || owned.hasDescendant(p)) continue;
    removePath(obj, p, schema, (parent) => owned.has(parent));
  }
}

/** The 409 the apiserver returns, with its message format and FieldManagerConflict causes. */
function conflictError(conflicts: { manager: Manager; paths: Path[] }[]): PatchError {
  const describe = (m: Manager) => {
    let s = JSON.stringify(m.manager);
    if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
    // Update managers name their version; the time is not part of a manager's identity.
    if (m.operation === "Update") s += ` using ${m.apiVersion}`;
    return s;
  };
  const flat = conflicts.flatMap(({ manager, paths }) =>
    paths.sort((a, b) => (pathString(a) < pathString(b) ? -1 : 1)).map((p) => ({ manager, path: pathString(p) })),
  );
  const causes = flat.map(({ manager, path }) => ({ reason: "FieldManagerConflict", message: `conflict with ${describe(manager)}`, field: path }));
  let message: string;
  if (flat.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describe(flat[0].manager)}: ${flat[0].path}`;
  } else {
    const lines: string[] = [];
    const sorted = [...conflicts].sort((a, b) => (describe(a.manager) < describe(b.manager) ? -1 : 1));
    for (const { manager, paths } of sorted) {
      lines.push(`conflicts with ${describe(manager)}:`);
      for (const p of paths) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${flat.length} conflicts: ${lines.join("\n")}`;
  }
  return new PatchError(message, 409, "Conflict", causes);
}

/** typed.Merge with "keep right-hand side" leaves: `rhs` (applied) wins, `lhs` (live) fills in. */
function mergeValues(lhs: unknown, rhs: unknown, schema: SchemaNode): unknown {
  if (rhs === undefined) return clone(lhs);
  if (lhs === undefined) return dropNulls(rhs);
  if (isObject(lhs) && isObject(rhs) && !schema.atomic) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(lhs)) {
      if (!(k in rhs)) out[k] = clone(v);
      else if (rhs[k] !== null) out[k] = mergeValues(v, rhs[k], fieldSchema(schema, k));
    }
    for (const [k, v] of Object.entries(rhs)) if (!(k in lhs) && v !== null) out[k] = dropNulls(v);
    return out;
  }
  if (Array.isArray(lhs) && Array.isArray(rhs) && isAssociative(schema)) return mergeLists(lhs, rhs, schema);
  return dropNulls(rhs);
}

/**
 * Associative list merge, ordered as structured-merge-diff does: applied items keep the applied
 * order, live-only items keep their place relative to the shared items around them.
 */
function mergeLists(lhs: unknown[], rhs: unknown[], schema: SchemaNode): unknown[] {
  const elem = elemSchema(schema);
  const lIdx = indexItems(lhs, schema);
  const rIdx = indexItems(rhs, schema);
  const lOrder = [...lIdx.keys()];
  const rOrder = [...rIdx.keys()];
  const shared = rOrder.filter((pe) => lIdx.has(pe));
  let nextShared = 0;
  const out: unknown[] = [];
  const take = (pe: string) => out.push(mergeValues(lIdx.get(pe), rIdx.get(pe), elem));
  let l = 0;
  let r = 0;
  while (l < lOrder.length || r < rOrder.length) {
    if (l < lOrder.length && r < rOrder.length) {
      const pe = lOrder[l];
      if (pe === rOrder[r]) {
        take(pe);
        l++;
        r++;
        nextShared++;
        continue;
      }
      // A shared item that the applied order places later: skip it here, it is merged in order.
      if (rIdx.has(pe) && nextShared < shared.length && shared[nextShared] !== pe) {
        l++;
        continue;
      }
    }
    if (l < lOrder.length && !rIdx.has(lOrder[l])) {
      take(lOrder[l]);
      l++;
      continue;
    }
    if (r < rOrder.length) {
      const pe = rOrder[r];
      take(pe);
      r++;
      if (nextShared < shared.length && shared[nextShared] === pe) nextShared++;
      continue;
    }
    l++; // a shared live item already merged via the applied order
  }
  return out;
}
