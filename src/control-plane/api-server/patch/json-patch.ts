// JSON patch, RFC 6902 (Content-Type application/json-patch+json), as `kubectl patch --type=json` sends.
// Error texts follow gopkg.in/evanphx/json-patch (what kube-apiserver uses); the apiserver answers
// 400 when the body is not a list of operations and 422 when an operation cannot be applied.

import { badRequest, unprocessable } from "./errors";
import { DepthError, depthOf, MAX_OBJECT_DEPTH } from "../depth";
import { clone, deepEqual, isObject } from "./util";

type Container = Record<string, unknown> | unknown[];

/** Splits an RFC 6901 pointer into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw unprocessable(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`);
  // ~1 must be decoded before ~0 so that "~01" means "~1" literally.
  return pointer.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

const INDEX = /^(0|[1-9][0-9]*)$/;

function arrayIndex(arr: unknown[], token: string, forAdd: boolean): number | undefined {
  if (forAdd && token === "-") return arr.length;
  if (!INDEX.test(token)) return undefined;
  const i = Number(token);
  return i < arr.length || (forAdd && i === arr.length) ? i : undefined;
}

/** Walks to the container holding the last token; undefined when an intermediate step is missing. */
function parentOf(doc: unknown, tokens: string[]): Container | undefined {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(cur, t, false);
      if (i === undefined) return undefined;
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = cur[t];
    } else return undefined;
  }
  return Array.isArray(cur) || isObject(cur) ? cur : undefined;
}

function has(con: Container, key: string): boolean {
  if (Array.isArray(con)) return arrayIndex(con, key, false) !== undefined;
  return Object.prototype.hasOwnProperty.call(con, key);
}

function get(con: Container, key: string): unknown {
  return Array.isArray(con) ? con[arrayIndex(con, key, false)!] : con[key];
}

function invalidIndex(key: string) {
  return unprocessable(`Unable to access invalid index: ${key}: invalid index referenced`);
}

/** Holds the document so that operations on the root ("" path) can replace it. */
interface Doc {
  root: unknown;
}

function addAt(doc: Doc, path: string, value: unknown, opName: string): void {
  const tokens = parsePointer(path);
  if (tokens.length === 0) {
    doc.root = value;
    return;
  }
  const con = parentOf(doc.root, tokens);
  if (!con) throw unprocessable(`${opName} operation does not apply: doc is missing path: "${path}": missing value`);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(con)) {
    const i = arrayIndex(con, key, true);
    if (i === undefined) throw unprocessable(`error in ${opName} for path: '${path}': ${invalidIndex(key).message}`);
    con.splice(i, 0, value);
  } else con[key] = value;
}

function removeAt(doc: Doc, path: string, opName: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw unprocessable(`${opName} operation does not apply: cannot remove the whole document`);
  const con = parentOf(doc.root, tokens);
  if (!con) throw unprocessable(`${opName} operation does not apply: doc is missing path: "${path}": missing value`);
  const key = tokens[tokens.length - 1];
  if (!has(con, key)) {
    if (Array.isArray(con)) throw unprocessable(`error in ${opName} for path: '${path}': ${invalidIndex(key).message}`);
    throw unprocessable(`error in ${opName} for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`);
  }
  const old = get(con, key);
  if (Array.isArray(con)) con.splice(arrayIndex(con, key, false)!, 1);
  else delete con[key];
  return old;
}

function valueAt(doc: Doc, path: string): { found: boolean; value?: unknown } {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return { found: true, value: doc.root };
  const con = parentOf(doc.root, tokens);
  const key = tokens[tokens.length - 1];
  if (!con || !has(con, key)) return { found: false };
  return { found: true, value: get(con, key) };
}

function str(op: Record<string, unknown>, field: "path" | "from", opName: string): string {
  const v = op[field];
  if (typeof v !== "string") throw unprocessable(`${opName} operation failed to decode ${field}: missing value`);
  return v;
}

function requireValue(op: Record<string, unknown>, opName: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(op, "value")) throw unprocessable(`${opName} operation does not apply: missing value`);
  return clone(op.value);
}

/**
 * Copies and adds can nest a document deeper with every operation (copy /a into /a/b/c, again and
 * again); stop as soon as one does, before the next would clone a value our recursion cannot.
 */
function bounded(d: Doc, path: string, value: unknown): void {
  if (parsePointer(path).length + depthOf(value) > MAX_OBJECT_DEPTH) throw new DepthError(Array.isArray(value) ? "[" : "{", d.root);
}

/**
 * Applies an RFC 6902 patch (add, remove, replace, move, copy, test; "-" appends; ~0/~1 escapes).
 * The operations run in order on a copy of `doc`; the first failure aborts the whole patch.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${ops === null ? "null" : typeof ops === "object" ? "object" : typeof ops} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (!isObject(op)) throw badRequest(`json: cannot unmarshal ${Array.isArray(op) ? "array" : typeof op} into Go value of type jsonpatch.Operation`);
  }
  const d: Doc = { root: clone(doc) };
  for (const op of ops as Record<string, unknown>[]) {
    const kind = typeof op.op === "string" ? op.op : "";
    switch (kind) {
      case "add": {
        const path = str(op, "path", kind);
        const value = requireValue(op, kind);
        addAt(d, path, value, kind);
        bounded(d, path, value);
        break;
      }
      case "remove":
        removeAt(d, str(op, "path", kind), kind);
        break;
      case "replace": {
        const path = str(op, "path", kind);
        const value = requireValue(op, kind);
        const tokens = parsePointer(path);
        if (tokens.length === 0) {
          d.root = value;
          break;
        }
        const con = parentOf(d.root, tokens);
        if (!con) throw unprocessable(`replace operation does not apply: doc is missing path: ${path}: missing value`);
        const key = tokens[tokens.length - 1];
        if (!has(con, key)) throw unprocessable(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        if (Array.isArray(con)) con[arrayIndex(con, key, false)!] = value;
        else con[key] = value;
        bounded(d, path, value);
        break;
      }
      case "move": {
        const from = str(op, "from", kind);
        const path = str(op, "path", kind);
        if (from === path) break;
        // RFC 6902 4.4: a location cannot be moved into one of its own children.
        if (path.startsWith(from + "/")) throw unprocessable(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
        if (!valueAt(d, from).found) throw unprocessable(`move operation does not apply: doc is missing from path: ${from}: missing value`);
        const v = removeAt(d, from, kind);
        addAt(d, path, v, kind);
        bounded(d, path, v);
        break;
      }
      case "copy": {
        const from = str(op, "from", kind);
        const path = str(op, "path", kind);
        const src = valueAt(d, from);
        if (!src.found) throw unprocessable(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
        addAt(d, path, clone(src.value), kind);
        bounded(d, path, src.value);
        break;
      }
      case "test": {
        const path = str(op, "path", kind);
        const want = Object.prototype.hasOwnProperty.call(op, "value") ? op.value : null;
        const got = valueAt(d, path);
        if (!got.found) {
          throw unprocessable(`test operation does not apply: is missing path: ${path}: missing value`);
        }
        if (!deepEqual(got.value, want)) throw unprocessable(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw unprocessable(`Unexpected kind: ${kind}`);
    }
  }
  return d.root;
}
