// JSON merge patch, RFC 7386 (Content-Type application/merge-patch+json).
// kubectl uses it for label/annotate, scale and `patch --type=merge`.

import { clone, deepEqual, isObject } from "./util";

/**
 * Applies an RFC 7386 merge patch. An object patch merges key by key (null deletes);
 * any other patch value (array, scalar, null) replaces the target wholesale.
 * Neither argument is mutated.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, pv] of Object.entries(patch)) {
    if (pv === null) {
      delete out[k];
    } else {
      // Recursing also strips nulls out of values that were absent from the target.
      out[k] = applyMergePatch(out[k], pv);
    }
  }
  // Untouched members are shared with the input above; copy them so callers may mutate the result.
  for (const k of Object.keys(out)) if (!(k in patch)) out[k] = clone(out[k]);
  return out;
}

/**
 * The merge patch that turns `from` into `to` (what `kubectl` would compute for
 * --type=merge). Values that are null in `to` cannot be expressed and are treated as deletions.
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) return clone(to);
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (!(k in from)) patch[k] = clone(v);
    else if (!deepEqual(from[k], v)) {
      patch[k] = isObject(from[k]) && isObject(v) ? createMergePatch(from[k], v) : clone(v);
    }
  }
  return patch;
}
