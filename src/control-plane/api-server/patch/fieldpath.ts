// Field sets as structured-merge-diff models them, and their FieldsV1 wire form.
// A path is a list of path elements: "f:<field>" (struct field or map key), "k:<json>" (item of an
// associative list, by its key fields), "v:<json>" (item of a set), "i:<n>" (list index; unused here
// because untagged Kubernetes lists are atomic). In FieldsV1 a path is a member of the set when its
// node is empty ({}) or carries a "." child.

import { elemSchema, fieldSchema, type SchemaNode } from "./patch-schema";
import { clone, deepEqual, isObject, type JsonObject } from "./util";

export type Path = string[];

export class FieldSet {
  private readonly paths = new Map<string, Path>();

  static of(paths: Iterable<Path>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length) this.paths.set(JSON.stringify(path), path.slice());
  }
  has(path: Path): boolean {
    return this.paths.has(JSON.stringify(path));
  }
  get size(): number {
    return this.paths.size;
  }
  isEmpty(): boolean {
    return this.paths.size === 0;
  }
  list(): Path[] {
    return [...this.paths.values()];
  }
  union(other: FieldSet): FieldSet {
    return FieldSet.of([...this.list(), ...other.list()]);
  }
  difference(other: FieldSet): FieldSet {
    return FieldSet.of(this.list().filter((p) => !other.has(p)));
  }
  intersection(other: FieldSet): FieldSet {
    return FieldSet.of(this.list().filter((p) => other.has(p)));
  }
  /** Drops every path equal to or below one of `prefixes`. */
  withoutPrefixes(prefixes: Path[]): FieldSet {
    return FieldSet.of(this.list().filter((p) => !prefixes.some((pre) => isPrefix(pre, p))));
  }
  /** Keeps only paths equal to or below one of `prefixes`. */
  onlyPrefixes(prefixes: Path[]): FieldSet {
    return FieldSet.of(this.list().filter((p) => prefixes.some((pre) => isPrefix(pre, p))));
  }
  /** Whether some member lies strictly below `path`. */
  hasDescendant(path: Path): boolean {
    return this.list().some((p) => p.length > path.length && isPrefix(path, p));
  }

  /** The FieldsV1 object: "." first, then f:, k:, v:, i: children, each group sorted. */
  toFieldsV1(): JsonObject {
    interface Node {
      member: boolean;
      children: Map<string, Node>;
    }
    const root: Node = { member: false, children: new Map() };
    for (const path of this.paths.values()) {
      let n = root;
      for (const pe of path) {
        let c = n.children.get(pe);
        if (!c) n.children.set(pe, (c = { member: false, children: new Map() }));
        n = c;
      }
      n.member = true;
    }
    const render = (n: Node): JsonObject => {
      const out: JsonObject = {};
      if (n.member && n.children.size) out["."] = {};
      for (const k of [...n.children.keys()].sort(comparePathElements)) out[k] = render(n.children.get(k)!);
      return out;
    };
    return render(root);
  }

  static fromFieldsV1(obj: unknown): FieldSet {
    const s = new FieldSet();
    const walk = (node: unknown, path: Path) => {
      if (!isObject(node)) return;
      const keys = Object.keys(node);
      if (keys.length === 0) s.insert(path);
      for (const k of keys) {
        if (k === ".") s.insert(path);
        else walk(node[k], [...path, k]);
      }
    };
    walk(obj, []);
    return s;
  }
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((pe, i) => pe === path[i]);
}

const ELEMENT_ORDER = "fkvi";
function comparePathElements(a: string, b: string): number {
  const ta = ELEMENT_ORDER.indexOf(a[0]);
  const tb = ELEMENT_ORDER.indexOf(b[0]);
  if (ta !== tb) return ta - tb;
  if (a[0] === "i") return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** fieldpath.Path.String(): .spec.containers[name="nginx"].image */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case "f":
          return `.${body}`;
        case "k": {
          const key = JSON.parse(body) as JsonObject;
          return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}]`;
        }
        case "v":
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}

// --- values under a schema ---------------------------------------------------------------------

/** Whether a list is merged item by item under SSA (otherwise it is atomic). */
export function isAssociative(schema: SchemaNode): boolean {
  return schema.listType === "map" || schema.listType === "set";
}

/** The path element naming one item of an associative list. */
export function itemElement(item: unknown, schema: SchemaNode): string {
  if (schema.listType === "map" && isObject(item)) {
    const key: JsonObject = {};
    for (const k of [...(schema.listMapKeys ?? [])].sort()) {
      const v = item[k] ?? schema.keyDefaults?.[k];
      if (v !== undefined) key[k] = v;
    }
    return `k:${JSON.stringify(key)}`;
  }
  return `v:${JSON.stringify(item)}`;
}

/** typed.ToFieldSet: the fields an applied configuration sets. */
export function toFieldSet(value: unknown, schema: SchemaNode): FieldSet {
  const set = new FieldSet();
  const walk = (v: unknown, s: SchemaNode, path: Path) => {
    if (Array.isArray(v)) {
      if (!isAssociative(s)) return set.insert(path);
      for (const item of v) {
        const p = [...path, itemElement(item, s)];
        if (isObject(item)) walk(item, elemSchema(s), p);
        set.insert(p);
      }
      return;
    }
    if (isObject(v)) {
      if (s.atomic) return set.insert(path);
      for (const [k, cv] of Object.entries(v)) {
        const p = [...path, `f:${k}`];
        walk(cv, fieldSchema(s, k), p);
        // Empty maps and map entries (as opposed to struct fields) are members themselves.
        if ((isObject(cv) && Object.keys(cv).length === 0) || s.freeMap) set.insert(p);
      }
      return;
    }
    set.insert(path); // scalars and nulls
  };
  walk(value, schema, []);
  return set;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** typed.Compare: which paths were added, modified or removed going from `lhs` to `rhs`. */
export function compare(lhs: unknown, rhs: unknown, schema: SchemaNode): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: unknown, r: unknown, path: Path) => {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!deepEqual(l, r)) c.modified.insert(path);
  };
  const walk = (l: unknown, r: unknown, s: SchemaNode, path: Path) => {
    if (l === undefined && r === undefined) return;
    const ls = l === undefined ? r : l;
    const rs = r === undefined ? l : r;
    const maps = isObject(ls) && isObject(rs) && !s.atomic;
    const lists = Array.isArray(ls) && Array.isArray(rs) && isAssociative(s);
    const bothEmpty = isEmptyValue(l) && isEmptyValue(r);
    if ((!maps && !lists) || bothEmpty) return leaf(l, r, path);
    if (maps) {
      const lo = (l ?? {}) as JsonObject;
      const ro = (r ?? {}) as JsonObject;
      for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
        walk(lo[k], ro[k], fieldSchema(s, k), [...path, `f:${k}`]);
      }
    } else {
      const li = indexItems((l ?? []) as unknown[], s);
      const ri = indexItems((r ?? []) as unknown[], s);
      for (const pe of new Set([...li.keys(), ...ri.keys()])) walk(li.get(pe), ri.get(pe), elemSchema(s), [...path, pe]);
    }
    // Non-leaf nodes count as added/removed themselves; Go value structs always exist, so never do.
    if (s.valueStruct) return;
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  };
  walk(lhs, rhs, schema, []);
  return c;
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** Items of an associative list by path element (first occurrence wins). */
export function indexItems(list: unknown[], schema: SchemaNode): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const item of list) {
    const pe = itemElement(item, schema);
    if (!m.has(pe)) m.set(pe, item);
  }
  return m;
}

/**
 * Removes the value at `path` from `obj` (in place). Then drops parent maps that became empty,
 * unless `keep` says a parent is itself owned.
 */
export function removePath(obj: JsonObject, path: Path, schema: SchemaNode, keep: (p: Path) => boolean): void {
  const chain: { container: JsonObject | unknown[]; pe: string; schema: SchemaNode }[] = [];
  let cur: unknown = obj;
  let s = schema;
  for (const pe of path) {
    if (isObject(cur) && pe.startsWith("f:")) {
      chain.push({ container: cur, pe, schema: s });
      cur = cur[pe.slice(2)];
      s = fieldSchema(s, pe.slice(2));
    } else if (Array.isArray(cur) && (pe.startsWith("k:") || pe.startsWith("v:"))) {
      chain.push({ container: cur, pe, schema: s });
      cur = cur.find((item) => itemElement(item, s) === pe);
      s = elemSchema(s);
    } else return;
    if (cur === undefined) return;
  }
  for (let depth = chain.length - 1; depth >= 0; depth--) {
    const { container, pe, schema: cs } = chain[depth];
    if (depth < chain.length - 1) {
      // Only prune a parent that is now empty and not owned in its own right.
      const child = Array.isArray(container) ? undefined : container[pe.slice(2)];
      if (!isObject(child) || Object.keys(child).length > 0 || keep(path.slice(0, depth + 1))) return;
    }
    if (Array.isArray(container)) {
      const i = container.findIndex((item) => itemElement(item, cs) === pe);
      if (i >= 0) container.splice(i, 1);
      return; // list items are never auto-pruned upwards
    }
    delete container[pe.slice(2)];
  }
}

/** A copy of `v` with object members that are null removed (a null in applied config clears a field). */
export function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
    return out;
  }
  return clone(v);
}
