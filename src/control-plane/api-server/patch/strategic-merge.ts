// Strategic merge patch (application/strategic-merge-patch+json), following the apply half of
// k8s.io/apimachinery/pkg/util/strategicpatch: maps merge, null deletes, lists merge by their
// patchMergeKey (or as sets for merge-strategy primitive lists) or are replaced whole, and the
// directives $patch (replace|delete), $retainKeys, $setElementOrder/<f>, $deleteFromPrimitiveList/<f>.
//
// Where the Go code stores a directive verbatim into the result (a patch value for a field that is
// absent from the original, items of a replaced list) we instead apply it against an empty value:
// the apiserver would then fail to decode the object or silently drop the "$..." keys, so the
// outcome for well-formed patches is the same and the result never carries directive keys.
// `$patch: merge` is rejected, as the real apiserver does.

import type { KubeObject } from "../types";
import { badRequest, internal, unprocessable } from "./errors";
import { elemSchema, fieldSchema, schemaFor, type SchemaNode } from "./patch-schema";
import { clone, goFormat, isObject, type JsonObject } from "./util";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ORDER = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE = "$deleteFromPrimitiveList/";

const noMergeKey = (item: unknown, key: string) =>
  internal(`map: ${goFormat(item)} does not contain declared merge key: ${key}`);

/**
 * Applies a strategic merge patch to `original`, using the patch metadata of its apiVersion/kind
 * (unknown kinds and paths replace lists whole, but directives are still honoured).
 * Inputs are not mutated.
 */
export function applyStrategicMergePatch(original: KubeObject, patch: Record<string, unknown>): KubeObject {
  if (!isObject(patch)) {
    const what = Array.isArray(patch) ? "array" : patch === null ? "null" : typeof patch;
    throw badRequest(`json: cannot unmarshal ${what} into Go value of type map[string]interface {}`);
  }
  const schema = schemaFor(original.apiVersion, original.kind);
  return mergeMap(clone(original) as JsonObject, clone(patch), schema) as KubeObject;
}

type ElemKind = "map" | "scalar" | "none";

/** The common kind of the elements of some lists, as strategicpatch's sliceElementType checks. */
function elementKind(...lists: unknown[][]): ElemKind {
  let seen: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
      if (t === "array") throw internal("lists of lists are not supported");
      if (seen === undefined) seen = t;
      else if (seen !== t) throw internal(`list element types are not identical: ${lists.map(goFormat).join(" ")}`);
    }
  }
  if (seen === undefined) return "none";
  return seen === "object" ? "map" : "scalar";
}

function hasDirective(v: unknown): boolean {
  return isObject(v) && Object.prototype.hasOwnProperty.call(v, DIRECTIVE);
}

// --- maps --------------------------------------------------------------------------------------

/** Merges `patch` into `original` (both already private copies; `original` is updated in place). */
function mergeMap(original: JsonObject, patch: JsonObject, schema: SchemaNode): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === "replace") {
      const { [DIRECTIVE]: _ignored, ...rest } = patch;
      return mergeMap({}, rest, schema);
    }
    if (directive === "delete") return {};
    throw internal(`Unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
  }

  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);

  for (const [key, pv] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE)) {
      deleteFromPrimitiveList(original, key, pv);
      continue;
    }
    if (pv === null) {
      delete original[key];
      continue;
    }
    const fs = fieldSchema(schema, key);
    const ov = original[key];
    const bothMaps = isObject(ov) && isObject(pv);
    const bothLists = Array.isArray(ov) && Array.isArray(pv);
    if (!Object.prototype.hasOwnProperty.call(original, key) || !(bothMaps || bothLists)) {
      // Absent, or a different JSON type: the patch value wins (after resolving its directives).
      const fresh = freshValue(pv, fs);
      if (fresh === undefined) delete original[key];
      else original[key] = fresh;
    } else if (bothMaps) {
      original[key] = fs.strategy === "replace" ? freshValue(pv, fs) : mergeMap(ov as JsonObject, pv as JsonObject, fs);
    } else {
      original[key] = mergeListField(ov as unknown[], pv as unknown[], fs);
    }
  }
  return original;
}

/** A patch value for a field with nothing to merge into. `$patch: delete` then means "leave it absent". */
function freshValue(pv: unknown, schema: SchemaNode): unknown {
  if (isObject(pv)) {
    if (pv[DIRECTIVE] === "delete") return undefined;
    return mergeMap({}, pv, schema);
  }
  if (Array.isArray(pv)) return mergeListField([], pv, schema);
  return pv;
}

/** $retainKeys: drop original keys not listed; every non-null patch key must be listed. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const keep = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw badRequest("invalid patch format of retainKeys");
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE) || k.startsWith(SET_ORDER)) continue;
    if (!keep.includes(k)) throw unprocessable("patch content doesn't match retainKeys list");
  }
  for (const k of Object.keys(original)) if (!keep.includes(k)) delete original[k];
}

/** $deleteFromPrimitiveList/<field>: removes the listed values from a primitive list. */
function deleteFromPrimitiveList(original: JsonObject, key: string, pv: unknown): void {
  const field = key.slice(DELETE_FROM_PRIMITIVE.length);
  if (!field || !Array.isArray(pv)) throw badRequest("invalid patch format of primitive list");
  const cur = original[field];
  // The Go code would store the deletion list itself when the field is absent; there is nothing to delete.
  if (!Array.isArray(cur)) return;
  original[field] = cur.filter((x) => !pv.some((d) => d === x));
}

/** $setElementOrder/<field>: merge that field's list now, then order it as the directive says. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: SchemaNode): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    const field = key.slice(SET_ORDER.length);
    if (!field || !Array.isArray(order)) throw badRequest("invalid patch format of setElementOrder list");
    const fs = fieldSchema(schema, field);
    const mergeKey = fs.mergeKey ?? "";
    const hasOrig = Object.prototype.hasOwnProperty.call(original, field) && original[field] !== null;
    const hasPatch = Object.prototype.hasOwnProperty.call(patch, field) && patch[field] !== null;
    const origList = hasOrig ? original[field] : [];
    const patchList = hasPatch ? patch[field] : [];
    if (!Array.isArray(origList)) throw internal(`expected a []interface {}, but received a ${goFormat(origList)}`);
    if (!Array.isArray(patchList)) throw internal(`expected a []interface {}, but received a ${goFormat(patchList)}`);
    if (!hasOrig && !hasPatch) continue;
    const kind = elementKind(origList, patchList);
    validateSetOrder(patchList, order, kind === "map" ? mergeKey : "");
    const merged = hasPatch ? mergeListField(origList, patchList, fs) : origList;
    if (hasPatch) delete patch[field];
    if (kind === "none" || (kind === "map" && !mergeKey)) {
      original[field] = merged;
      continue;
    }
    const keyOf = valueOf(kind, mergeKey);
    const inOrder = (v: unknown) => order.some((o) => keyOf(o) === keyOf(v));
    original[field] = normalizeOrder(
      merged.filter(inOrder),
      merged.filter((v) => !inOrder(v)),
      order,
      origList,
      kind,
      mergeKey,
    );
  }
}

/** The patch list's items must appear in $setElementOrder in the same relative order. */
function validateSetOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((v) => !(isObject(v) && v[DIRECTIVE] === "delete")) : patchList;
  const keyOf = (v: unknown) => {
    if (!mergeKey) return v;
    if (!isObject(v) || !(mergeKey in v)) throw noMergeKey(v, mergeKey);
    return v[mergeKey];
  };
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    if (hasDirective(items[p])) {
      p++;
      continue;
    }
    if (keyOf(items[p]) === keyOf(order[s])) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw internal(`The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`);
  }
}

// --- lists -------------------------------------------------------------------------------------

/** Merges a list field according to its patch strategy. */
function mergeListField(original: unknown[], patch: unknown[], fs: SchemaNode): unknown[] {
  if (fs.strategy === "merge") return mergeSlice(original, patch, elemSchema(fs), fs.mergeKey ?? "");
  // No merge strategy: the patch list replaces the original. Directive items would be stored
  // verbatim by the Go code (and then rejected); drop them instead.
  return patch.filter((v) => !hasDirective(v));
}

function mergeSlice(original: unknown[], patch: unknown[], elem: SchemaNode, mergeKey: string): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  if (kind !== "map") {
    // A set of primitives: union without duplicates.
    merged = [];
    for (const v of [...original, ...patch]) if (!merged.includes(v)) merged.push(v);
  } else {
    if (!mergeKey) throw internal("cannot merge lists without merge key for type map");
    ({ original, patch } = applyListDirectives(original, patch, mergeKey));
    merged = original.slice();
    for (const item of patch as JsonObject[]) {
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
      const i = merged.findIndex((o) => isObject(o) && o[mergeKey] === item[mergeKey]);
      if (i >= 0) merged[i] = mergeMap(merged[i] as JsonObject, item, elem);
      else merged.push(mergeMap({}, item, elem));
    }
  }
  const keyOf = valueOf(kind, mergeKey);
  const inPatch = (v: unknown) => patch.some((p) => keyOf(p) === keyOf(v));
  return normalizeOrder(merged.filter(inPatch), merged.filter((v) => !inPatch(v)), patch, original, kind, mergeKey);
}

/** Handles `$patch: delete` and `$patch: replace` items of a merging list of maps. */
function applyListDirectives(original: unknown[], patch: unknown[], mergeKey: string) {
  const rest: unknown[] = [];
  let replace = false;
  for (const item of patch as JsonObject[]) {
    if (!hasDirective(item)) {
      rest.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === "delete") {
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
      original = original.filter((o) => {
        if (!isObject(o)) throw internal(`value for key ${mergeKey} is not a map.`);
        return o[mergeKey] !== item[mergeKey];
      });
    } else if (directive === "replace") {
      replace = true; // keep scanning so other directive items are pruned too
    } else if (directive === "merge") {
      throw internal("merging lists cannot yet be specified in the patch");
    } else {
      throw internal(`Unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);
    }
  }
  return replace ? { original: rest, patch: [] as unknown[] } : { original, patch: rest };
}

function valueOf(kind: ElemKind, mergeKey: string) {
  return (v: unknown): unknown => (kind === "map" ? (isObject(v) ? v[mergeKey] : undefined) : v);
}

/**
 * strategicpatch's normalizeElementOrder: patch items keep the patch's order, server-only items
 * keep the live order, and the two are interleaved using the live positions. A patch item that
 * is new to the list wins every comparison, so new items land before the remaining live ones.
 */
function normalizeOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  kind: ElemKind,
  mergeKey: string,
): unknown[] {
  const keyOf = valueOf(kind, mergeKey);
  const indexIn = (list: unknown[], v: unknown) => list.findIndex((x) => keyOf(x) === keyOf(v));
  const sortBy = (items: unknown[], order: unknown[]) => {
    let deletions: unknown[] = [];
    if (kind === "map") {
      for (const v of [...items, ...order]) if (!isObject(v) || !(mergeKey in v)) throw noMergeKey(v, mergeKey);
      deletions = items.filter((v) => (v as JsonObject)[DIRECTIVE] === "delete");
      items = items.filter((v) => (v as JsonObject)[DIRECTIVE] !== "delete");
    }
    const rank = (v: unknown) => {
      const i = indexIn(order, v);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    // Array.prototype.sort is stable, like Go's sort.SliceStable.
    return [...items.sort((a, b) => rank(a) - rank(b)), ...deletions];
  };
  const right = sortBy(patchItems, patchOrder);
  const left = sortBy(serverOnly, serverOrder);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i]);
      const ri = indexIn(serverOrder, right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
