// What decoding a body into metav1.ObjectMeta does before any validation runs: Go's
// encoding/json (sigs.k8s.io/json, as apimachinery's serializer uses it) refuses a value of the
// wrong JSON type with an UnmarshalTypeError ("json: cannot unmarshal string into Go struct field
// ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference"), turns null into the zero
// value, and drops fields ObjectMeta does not have (reported as `unknown field "metadata.x"`
// warnings, fieldValidation=Warn). metav1.Time has its own UnmarshalJSON (RFC 3339 strings).
// The object that comes out is well-typed, so nothing downstream meets a string where a list
// belongs.
import { isObj, type Obj } from "./helpers";

type FieldType =
  | { t: "string" } | { t: "int64" } | { t: "bool" } | { t: "time" } | { t: "raw" }
  | { t: "map" } // map[string]string
  | { t: "strings" } // []string
  | { t: "structs"; struct: string; goType: string; fields: Record<string, FieldType> };

const S: FieldType = { t: "string" };
const I64: FieldType = { t: "int64" };
const B: FieldType = { t: "bool" };
const TIME: FieldType = { t: "time" };

const OWNER_REFERENCE: Record<string, FieldType> = { apiVersion: S, kind: S, name: S, uid: S, controller: B, blockOwnerDeletion: B };
const MANAGED_FIELDS_ENTRY: Record<string, FieldType> = {
  manager: S, operation: S, apiVersion: S, time: TIME, fieldsType: S, fieldsV1: { t: "raw" }, subresource: S,
};

/** metav1.ObjectMeta's JSON fields and their Go types. */
const OBJECT_META: Record<string, FieldType> = {
  name: S, generateName: S, namespace: S, selfLink: S, uid: S, resourceVersion: S,
  generation: I64, creationTimestamp: TIME, deletionTimestamp: TIME, deletionGracePeriodSeconds: I64,
  labels: { t: "map" }, annotations: { t: "map" },
  ownerReferences: { t: "structs", struct: "OwnerReference", goType: "v1.OwnerReference", fields: OWNER_REFERENCE },
  finalizers: { t: "strings" },
  managedFields: { t: "structs", struct: "ManagedFieldsEntry", goType: "v1.ManagedFieldsEntry", fields: MANAGED_FIELDS_ENTRY },
};

const GO_TYPE: Record<FieldType["t"], string> = {
  string: "string", int64: "int64", bool: "bool", time: "v1.Time", raw: "v1.FieldsV1", map: "map[string]string", strings: "[]string", structs: "",
};

/** The JSON kind Go names in an UnmarshalTypeError. */
export function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  return "string";
}

export class DecodeError extends Error {}

export const typeError = (v: unknown, struct: string, path: string, goType: string) =>
  new DecodeError(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${struct}.${path} of type ${goType}`);

// time.RFC3339 as layout elements, for the "cannot parse" message time.Parse gives.
const RFC3339_STEPS: [string, RegExp][] = [
  ["2006", /^\d{4}/], ["-", /^-/], ["01", /^\d{2}/], ["-", /^-/], ["02", /^\d{2}/], ["T", /^T/],
  ["15", /^\d{2}/], [":", /^:/], ["04", /^\d{2}/], [":", /^:/], ["05", /^\d{2}(\.\d+)?/], ["Z07:00", /^(Z|[+-]\d{2}:\d{2})/],
];
const RFC3339 = "2006-01-02T15:04:05Z07:00";

/** metav1.Time.UnmarshalJSON: null is the zero time; anything else must be an RFC 3339 string. */
function checkTime(v: unknown): void {
  if (typeof v !== "string") throw new DecodeError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
  let rest = v;
  for (const [elem, re] of RFC3339_STEPS) {
    const m = re.exec(rest);
    if (!m) throw new DecodeError(`parsing time ${JSON.stringify(v)} as ${JSON.stringify(RFC3339)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`);
    rest = rest.slice(m[0].length);
  }
  if (rest) throw new DecodeError(`parsing time ${JSON.stringify(v)} as ${JSON.stringify(RFC3339)}: extra text: ${JSON.stringify(rest)}`);
}

/** Decodes one value in place of its Go type; returns the value to keep (undefined: the zero value, omitted). */
function decodeValue(v: unknown, ft: FieldType, struct: string, path: string, warn: (f: string) => void): unknown {
  if (v === null || v === undefined) return undefined;
  switch (ft.t) {
    case "string": if (typeof v !== "string") throw typeError(v, struct, path, "string"); return v;
    case "bool": if (typeof v !== "boolean") throw typeError(v, struct, path, "bool"); return v;
    case "int64": {
      if (typeof v !== "number") throw typeError(v, struct, path, "int64");
      if (!Number.isSafeInteger(v)) throw new DecodeError(`json: cannot unmarshal number ${v} into Go struct field ${struct}.${path} of type int64`);
      return v;
    }
    case "time": checkTime(v); return v;
    case "raw": return v;
    case "map": {
      if (!isObj(v)) throw typeError(v, struct, path, GO_TYPE.map);
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x !== null && typeof x !== "string") throw typeError(x, struct, path, "string");
        out[k] = x ?? "";
      }
      return out;
    }
    case "strings": {
      if (!Array.isArray(v)) throw typeError(v, struct, path, GO_TYPE.strings);
      return v.map((x) => {
        if (x !== null && typeof x !== "string") throw typeError(x, struct, path, "string");
        return x ?? "";
      });
    }
    case "structs": {
      if (!Array.isArray(v)) throw typeError(v, struct, path, `[]${ft.goType}`);
      return v.map((x) => {
        if (x !== null && !isObj(x)) throw typeError(x, struct, path, ft.goType);
        return decodeStruct(x ?? {}, ft.fields, ft.struct, path, warn);
      });
    }
  }
}

function decodeStruct(v: Obj, fields: Record<string, FieldType>, struct: string, path: string, warn: (f: string) => void): Obj {
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const ft = fields[k];
    if (!ft) { warn(`${path}.${k}`); continue; }
    const kept = decodeValue(x, ft, struct, `${path}.${k}`, warn);
    // omitempty: an empty string or a zero generation is not written back; pointers keep 0 and false.
    if (kept === undefined || kept === "" || (k === "generation" && kept === 0)) continue;
    out[k] = kept;
  }
  return out;
}

/** ObjectMeta nested in a spec (a pod template's), at `path`; throws DecodeError. */
export function decodeNestedObjectMeta(meta: unknown, struct: string, path: string, warn: (f: string) => void): Obj | undefined {
  if (meta === null || meta === undefined) return undefined;
  if (!isObj(meta)) throw typeError(meta, struct, path, "v1.ObjectMeta");
  return decodeStruct(meta, OBJECT_META, "ObjectMeta", path, (f) => warn(`unknown field "${f}"`));
}

export interface DecodedMeta {
  /** The UnmarshalTypeError text when the metadata cannot be decoded; nothing else is set then. */
  error?: string;
  meta?: Obj;
  /** `unknown field "metadata.x"` texts for fields ObjectMeta does not have. */
  unknown: string[];
}

/** Decodes `metadata` as ObjectMeta: the well-typed copy, or the decoding error. */
export function decodeObjectMeta(meta: unknown, kind: string): DecodedMeta {
  const unknown: string[] = [];
  if (meta === null || meta === undefined) return { meta: {}, unknown };
  if (!isObj(meta)) return { error: `json: cannot unmarshal ${jsonKind(meta)} into Go struct field ${kind}.metadata of type v1.ObjectMeta`, unknown };
  try {
    const out = decodeStruct(meta, OBJECT_META, "ObjectMeta", "metadata", (f) => unknown.push(`unknown field "${f}"`));
    return { meta: out, unknown };
  } catch (e) {
    if (e instanceof DecodeError) return { error: e.message, unknown: [] };
    throw e;
  }
}
