// Field selectors with the grammar, matching and error texts of apimachinery v1.32
// (fields.ParseSelector) plus the per-kind field labels the real registry accepts
// (AddFieldLabelConversionFunc) and exposes (ToSelectableFields).
import { SelectorError } from "./selector-errors";
import type { KubeObject } from "./types";

export interface FieldRequirement { field: string; op: "=" | "!="; value: string }
export interface FieldSelector { matches(fields: Record<string, string>): boolean; requirements: FieldRequirement[]; empty: boolean; toString(): string }

const escapeFieldValue = (v: string) => v.replace(/[\\,=]/g, (c) => "\\" + c);

function makeFieldSelector(requirements: FieldRequirement[]): FieldSelector {
  return {
    requirements,
    empty: requirements.length === 0,
    // A field the object does not expose reads as "", as fields.Set.Get does.
    matches: (f) => requirements.every((r) => ((f[r.field] ?? "") === r.value) === (r.op === "=")),
    toString: () => requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(","),
  };
}

/** fields.ParseSelector: comma-separated `f=v`, `f==v`, `f!=v`; `\,` `\=` `\\` escape values. */
export function parseFieldSelector(s: string): FieldSelector {
  // Split on unescaped commas, keeping escapes for the value pass.
  const terms: string[] = [];
  let start = 0, slash = false;
  for (let i = 0; i < s.length; i++) {
    if (slash) slash = false;
    else if (s[i] === "\\") slash = true;
    else if (s[i] === ",") { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start)); // "" for an empty selector, skipped below
  terms.sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === "") continue;
    let split: [string, string, string] | undefined;
    for (let i = 0; i < term.length && !split; i++) {
      for (const op of ["!=", "==", "="]) {
        if (term.startsWith(op, i)) { split = [term.slice(0, i), op, term.slice(i + op.length)]; break; }
      }
    }
    if (!split) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const [field, op, raw] = split;
    reqs.push({ field, op: op === "!=" ? "!=" : "=", value: unescapeFieldValue(raw) });
  }
  return makeFieldSelector(reqs);
}

function unescapeFieldValue(raw: string): string {
  let out = "", slash = false;
  for (const c of raw) {
    if (slash && c !== "\\" && c !== "," && c !== "=") throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
    // Go prints the offending rune with %v, i.e. as its code point.
    if (!slash && (c === "," || c === "=")) throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    if (!slash && c === "\\") slash = true;
    else { out += c; slash = false; }
  }
  if (slash) throw new SelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

// Per-kind field labels (pkg/apis/<group>/<version>/conversion.go). Kinds without an entry use
// runtime.DefaultMetaV1FieldSelectorConversion. Keyed "group/Kind"; aliases map a label to the
// canonical one the selectable fields use.
interface FieldLabels { accepted: string[]; aliases?: Record<string, string>; reject: (f: string) => string }
const notSupported = (f: string) => `field label not supported: ${f}`;
const META = ["metadata.name", "metadata.namespace"];
const FIELD_LABELS: Record<string, FieldLabels> = {
  "/Pod": {
    accepted: [...META, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
      "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
    aliases: { "spec.host": "spec.nodeName" }, // legacy v1 clients
    reject: notSupported,
  },
  "/Node": { accepted: ["metadata.name", "spec.unschedulable"], reject: notSupported },
  "/Namespace": { accepted: ["status.phase", "metadata.name"], reject: notSupported },
  "/Secret": { accepted: ["type", ...META], reject: notSupported },
  "/Service": { accepted: [...META, "spec.clusterIP", "spec.type"], reject: notSupported },
  "/Event": {
    accepted: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
      "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type", ...META],
    reject: notSupported,
  },
  "events.k8s.io/Event": {
    accepted: ["reason", "type", ...META],
    aliases: Object.fromEntries([
      ...["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"].map((k) => [`regarding.${k}`, `involvedObject.${k}`]),
      ["reportingController", "reportingComponent"],
    ]),
    reject: notSupported,
  },
  "batch/Job": { accepted: [...META, "status.successful"], reject: (f) => `field label ${JSON.stringify(f)} not supported for Job` },
};
const DEFAULT_LABELS: FieldLabels = {
  accepted: META,
  reject: (f) => `${JSON.stringify(f)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};
const labelsFor = (kind: string, group: string) => FIELD_LABELS[`${group}/${kind}`] ?? DEFAULT_LABELS;

/** The real 400 message when `field` is not a selectable label of the kind, else undefined. */
export function unsupportedField(kind: string, field: string, group = ""): string | undefined {
  const l = labelsFor(kind, group);
  return l.accepted.includes(field) || l.aliases?.[field] !== undefined ? undefined : l.reject(field);
}

/**
 * Validate a parsed selector against a kind and rewrite aliased labels (spec.host, regarding.*)
 * to the names fieldsOf() exposes, as the apiserver's Transform step does. Throws SelectorError.
 */
export function convertFieldSelector(sel: FieldSelector, kind: string, group = ""): FieldSelector {
  const l = labelsFor(kind, group);
  return makeFieldSelector(sel.requirements.map((r) => {
    const msg = unsupportedField(kind, r.field, group);
    if (msg) throw new SelectorError(msg);
    return { ...r, field: l.aliases?.[r.field] ?? r.field };
  }));
}

const str = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

/**
 * The field set the registry matches selectors against (ToSelectableFields), from the JSON
 * object. Events of either API group yield the core names (involvedObject.*).
 */
export function fieldsOf(kind: string, obj: KubeObject): Record<string, string> {
  const md = obj?.metadata ?? {};
  const out: Record<string, string> = { "metadata.name": str(md.name) };
  if (md.namespace !== undefined) out["metadata.namespace"] = str(md.namespace);
  const spec = obj?.spec ?? {}, status = obj?.status ?? {};
  switch (kind) {
    case "Pod":
      for (const k of ["nodeName", "restartPolicy", "schedulerName", "serviceAccountName"]) out[`spec.${k}`] = str(spec[k]);
      Object.assign(out, {
        "spec.hostNetwork": String(spec.hostNetwork === true), "status.phase": str(status.phase),
        "status.podIP": str(status.podIPs?.[0]?.ip ?? status.podIP), "status.nominatedNodeName": str(status.nominatedNodeName),
      });
      break;
    case "Node": out["spec.unschedulable"] = String(spec.unschedulable === true); break;
    case "Namespace": Object.assign(out, { "status.phase": str(status.phase), name: str(md.name) }); break; // "name": upstream compat
    case "Secret": out["type"] = str(obj?.type); break;
    case "Service": Object.assign(out, { "spec.clusterIP": str(spec.clusterIP), "spec.type": str(spec.type) }); break;
    case "Job": out["status.successful"] = String(Number(status.succeeded ?? 0)); break;
    // Exposed by the registry, though apps/v1 registers no field-label conversion that accepts it.
    case "ReplicaSet": out["status.replicas"] = String(Number(status.replicas ?? 0)); break;
    case "Event": {
      // events.k8s.io/v1 spells involvedObject "regarding", source "deprecatedSource".
      const io = obj?.involvedObject ?? obj?.regarding ?? {};
      const reporting = str(obj?.reportingComponent ?? obj?.reportingController);
      const source = str((obj?.source ?? obj?.deprecatedSource)?.component);
      for (const k of ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"]) out[`involvedObject.${k}`] = str(io[k]);
      Object.assign(out, { reason: str(obj?.reason), reportingComponent: reporting, source: source || reporting, type: str(obj?.type) });
      break;
    }
  }
  return out;
}
