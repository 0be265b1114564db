// What an apply attempt tells the student, sorted by where it belongs: created/configured lines,
// field errors at their YAML line or form input, and the server's other refusals verbatim.
// Pure functions (no DOM), so they can be unit-tested.
import { ApiError } from "../../api";
import { isUnservedKind, ManifestProblem, serverErrorTitle, type Applied, type ApplyOutcome } from "./apply";
import { formFieldFor, type FormField, type FormKind } from "./form";
import { causesToLines, invalidHeadline, locateField, type LineError, type Manifest, type SyntaxIssue } from "./yaml";

export interface Box {
  /** kubectl's prefix, e.g. "Error from server (Forbidden)". */
  title?: string;
  /** The server's message, verbatim. */
  message: string;
  hint?: string;
}

export interface Report {
  source: "yaml" | "form";
  applied: Applied[];
  syntax: SyntaxIssue[];
  /** YAML: field errors at editor lines. */
  lines: LineError[];
  /** Form: field errors at an input. */
  inputs: { input: FormField; field: string; message: string }[];
  /** Form: field errors no input stands for. */
  unmatched: { field: string; message: string }[];
  /** "Deployment.apps \"web\" is invalid", above the field errors. */
  headlines: string[];
  boxes: Box[];
}

/** Translates a message key with placeholders (the view's t()). */
export type Tr = (key: string, vars?: Record<string, string | number>) => string;

export function emptyReport(source: Report["source"]): Report {
  return { source, applied: [], syntax: [], lines: [], inputs: [], unmatched: [], headlines: [], boxes: [] };
}

function hasCauses(e: ApiError): boolean {
  return e.causes.some((c) => c.field);
}

function box(e: ApiError, obj: unknown, tr: Tr): Box {
  const o = (obj ?? {}) as { kind?: unknown; apiVersion?: unknown };
  const hint = isUnservedKind(e) ? tr("unserved", { kind: String(o.kind), version: String(o.apiVersion) }) : undefined;
  return { title: serverErrorTitle(e), message: e.message, hint };
}

/** A report for the YAML editor: field causes land on the line of the field in their document. */
export function yamlReport(manifests: Manifest[], outcomes: ApplyOutcome[], starts: number[], tr: Tr): Report {
  const r = emptyReport("yaml");
  for (const o of outcomes) {
    const m = manifests[o.index];
    if (o.ok) r.applied.push(o.applied);
    else if (o.error instanceof ManifestProblem) {
      const line = o.error.field ? locateField(m.doc, o.error.field, starts).line : m.line;
      r.lines.push({ line, field: o.error.field, message: tr(`problem.${o.error.code}`, o.error.vars) });
    } else if (hasCauses(o.error)) {
      r.headlines.push(invalidHeadline(o.error.message));
      r.lines.push(...causesToLines(m, o.error.causes, starts));
    } else r.boxes.push(box(o.error, m.object, tr));
  }
  r.lines.sort((a, b) => a.line - b.line);
  return r;
}

/** A report for the form: field causes at the matching input, the rest listed below it. */
export function formReport(kind: FormKind, manifest: unknown, outcomes: ApplyOutcome[], tr: Tr): Report {
  const r = emptyReport("form");
  for (const o of outcomes) {
    if (o.ok) r.applied.push(o.applied);
    else if (o.error instanceof ManifestProblem) r.unmatched.push({ field: o.error.field, message: tr(`problem.${o.error.code}`, o.error.vars) });
    else if (hasCauses(o.error)) {
      r.headlines.push(invalidHeadline(o.error.message));
      for (const c of o.error.causes) {
        const field = c.field ?? "";
        const message = c.message ?? c.reason ?? "";
        const input = formFieldFor(field, message, kind);
        if (input) r.inputs.push({ input, field, message });
        else r.unmatched.push({ field, message });
      }
    } else r.boxes.push(box(o.error, manifest, tr));
  }
  return r;
}
