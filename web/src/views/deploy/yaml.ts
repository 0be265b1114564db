// The YAML side of deploying: split the editor's text into documents, report syntax errors at
// their line, and find the line of a field the API server complained about
// (`spec.template.spec.containers[0].image`) in the document the student wrote.
// Pure functions (no DOM), so they can be unit-tested.
import { isMap, isScalar, isSeq, parseAllDocuments, type Document } from "yaml";

export type PathToken = string | number;

export interface SyntaxIssue {
  line: number; // 1-based
  col: number; // 1-based
  message: string;
}

export interface Manifest {
  /** Position among the non-empty documents, from 0. */
  index: number;
  /** The document as plain JSON-like data (what gets sent). */
  object: unknown;
  doc: Document.Parsed;
  /** The document's first line, 1-based. */
  line: number;
}

/** A problem pinned to a line of the editor. */
export interface LineError {
  line: number;
  field: string;
  message: string;
}

/** Offsets where each line starts (line 1 at index 0). */
export function lineStarts(src: string): number[] {
  const out = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

/** The 1-based line holding `offset` (binary search over lineStarts). */
export function offsetToLine(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The offset where a 1-based line starts (clamped to the text). */
export function lineOffset(starts: number[], line: number): number {
  return starts[Math.max(0, Math.min(starts.length - 1, line - 1))];
}

/**
 * A Kubernetes field path as the API reports it, split into steps:
 * `spec.containers[0].resources.requests[cpu]` → ["spec","containers",0,"resources","requests","cpu"].
 * Bracketed keys may hold dots (`metadata.labels[app.kubernetes.io/name]`).
 */
export function parseFieldPath(field: string): PathToken[] {
  const out: PathToken[] = [];
  let cur = "";
  for (let i = 0; i < field.length; i++) {
    const ch = field[i];
    if (ch === ".") {
      if (cur) out.push(cur);
      cur = "";
    } else if (ch === "[") {
      if (cur) out.push(cur);
      cur = "";
      const end = field.indexOf("]", i + 1);
      const inner = end < 0 ? field.slice(i + 1) : field.slice(i + 1, end);
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner);
      i = end < 0 ? field.length : end;
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Drops yaml's " at line N, column M:" suffix and its code excerpt: the editor shows the line itself. */
function shortMessage(message: string): string {
  return message.replace(/\s+at line \d+, column \d+:[\s\S]*$/, "").trim();
}

function isEmptyDoc(doc: Document.Parsed): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && (c.value === null || c.value === undefined));
}

/** Splits multi-document YAML; syntax errors (with their lines) come back instead of any manifest. */
export function parseManifests(src: string): { manifests: Manifest[]; syntax: SyntaxIssue[] } {
  const starts = lineStarts(src);
  const docs = parseAllDocuments(src);
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const syntax: SyntaxIssue[] = [];
  for (const d of list) {
    for (const e of d.errors) {
      const offset = e.pos?.[0] ?? 0;
      const line = offsetToLine(starts, offset);
      // One mistake often trips several errors at the same spot; the first says it best.
      if (syntax.some((s) => s.line === line)) continue;
      syntax.push({ line, col: offset - lineOffset(starts, line) + 1, message: shortMessage(e.message) });
    }
  }
  if (syntax.length) return { manifests: [], syntax };
  const manifests: Manifest[] = [];
  for (const doc of list) {
    if (isEmptyDoc(doc)) continue;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    manifests.push({ index: manifests.length, object: doc.toJS(), doc, line: offsetToLine(starts, start) });
  }
  return { manifests, syntax };
}

function keyOf(k: unknown): string {
  return isScalar(k) ? String(k.value) : String(k);
}

/**
 * The line of a field in a document: follows the path as far as the document has it, so a missing
 * field (`containers[0].image: Required value`) lands on its nearest ancestor (the container's
 * line). `exact` says whether the whole path was found.
 */
export function locateField(doc: Document.Parsed, path: PathToken[] | string, starts: number[]): { line: number; exact: boolean } {
  const steps = typeof path === "string" ? parseFieldPath(path) : path;
  let node: unknown = doc.contents;
  let line = offsetToLine(starts, doc.contents?.range?.[0] ?? doc.range[0]);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => keyOf(p.key) === String(step));
      if (!pair) return { line, exact: false };
      const at = (pair.key as { range?: [number, number, number] } | null)?.range?.[0];
      if (at !== undefined) line = offsetToLine(starts, at);
      node = pair.value;
      if (node === null || node === undefined) return { line, exact: i === steps.length - 1 };
    } else if (isSeq(node) && typeof step === "number") {
      const item = node.items[step] as { range?: [number, number, number] } | undefined;
      if (!item) return { line, exact: false };
      if (item.range) line = offsetToLine(starts, item.range[0]);
      node = item;
    } else {
      return { line, exact: false };
    }
  }
  return { line, exact: true };
}

/** The API's field causes as editor errors, each at its field's line in the document. */
export function causesToLines(m: Manifest, causes: { field?: string; message?: string; reason?: string }[], starts: number[]): LineError[] {
  return causes.map((c) => ({
    line: c.field ? locateField(m.doc, c.field, starts).line : m.line,
    field: c.field ?? "",
    message: c.message ?? c.reason ?? "",
  }));
}

/** "Deployment.apps \"web\" is invalid: [a: x, b: y]" → "Deployment.apps \"web\" is invalid" (causes are listed by line). */
export function invalidHeadline(message: string): string {
  const i = message.indexOf(" is invalid");
  return i < 0 ? message : message.slice(0, i + " is invalid".length);
}

/** Inserts two spaces for the Tab key at the selection, returning the new text and caret. */
export function insertIndent(text: string, start: number, end: number): { text: string; caret: number } {
  return { text: `${text.slice(0, start)}  ${text.slice(end)}`, caret: start + 2 };
}
