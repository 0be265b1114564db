// What decoding a body into the kind's Go struct does to everything but the top-level metadata
// (metadata-decode.ts does that): a value of the wrong JSON type is an UnmarshalTypeError
// ("json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type
// []v1.Container") before any strategy or validation runs, and a null element of a list of
// structs is that struct's zero value. The field types come from the OpenAPI tables
// (openapi-schemas.ts), so every kind described there is covered the same way; fields they call
// plain "object" are only checked for shape where their Go type is named below. Unknown fields
// are kept (see README: fieldValidation=Strict is not enforced), and nothing else is rewritten.
import { DEFS } from "../openapi-schemas";
import type { ResourceType } from "../resources";
import { isObj, type Obj } from "./helpers";
import { DecodeError, decodeNestedObjectMeta, jsonKind, typeError } from "./metadata-decode";

/** int64 fields (the tables only say "integer"; Go's int32 is the default). */
const INT64 = new Set([
  "core.PodSpec.terminationGracePeriodSeconds", "core.PodSpec.activeDeadlineSeconds", "core.Toleration.tolerationSeconds",
  "batch.JobSpec.activeDeadlineSeconds", "batch.CronJobSpec.startingDeadlineSeconds", "apps.DeploymentStatus.observedGeneration",
]);

/** Go types of fields the tables leave as "object" / "[]object", where our code reads them. */
const OBJECT_TYPES: Record<string, string> = {
  "core.PodSpec.affinity": "v1.Affinity", "core.PodSpec.securityContext": "v1.PodSecurityContext",
  "core.PodSpec.imagePullSecrets": "[]v1.LocalObjectReference",
  "core.Container.envFrom": "[]v1.EnvFromSource", "core.Container.lifecycle": "v1.Lifecycle", "core.Container.securityContext": "v1.SecurityContext",
  "core.EnvVar.valueFrom": "v1.EnvVarSource",
  "core.Volume.emptyDir": "v1.EmptyDirVolumeSource", "core.Volume.configMap": "v1.ConfigMapVolumeSource", "core.Volume.secret": "v1.SecretVolumeSource",
  "core.Volume.hostPath": "v1.HostPathVolumeSource", "core.Volume.persistentVolumeClaim": "v1.PersistentVolumeClaimVolumeSource",
  "core.Volume.projected": "v1.ProjectedVolumeSource",
  "core.Probe.exec": "v1.ExecAction", "core.Probe.httpGet": "v1.HTTPGetAction", "core.Probe.tcpSocket": "v1.TCPSocketAction", "core.Probe.grpc": "v1.GRPCAction",
  "apps.StatefulSetSpec.volumeClaimTemplates": "[]v1.PersistentVolumeClaim", "apps.StatefulSetSpec.updateStrategy": "v1.StatefulSetUpdateStrategy",
  "apps.DaemonSetSpec.updateStrategy": "v1.DaemonSetUpdateStrategy",
  "core.ServiceAccount.secrets": "[]v1.ObjectReference", "core.ServiceAccount.imagePullSecrets": "[]v1.LocalObjectReference",
};

/** map[string][]byte fields (base64 strings): not map[string]string, left to validation. */
const SKIP = new Set(["core.Secret.data", "core.ConfigMap.binaryData"]);

const INT32_MAX = 2 ** 31 - 1;
// The Go package alias of each table's package (its types print as "v1.PodSpec").
const goPkg = (pkg: string) => (pkg === "autoscaling" ? "v2" : "v1");
const shortName = (r: ResourceType) => `${r.group === "" ? "core" : r.group.split(".")[0]}.${r.kind}`;

interface Walk { warn: (f: string) => void }

/** The Go type a table type prints as, for the error text. */
function goType(t: string, owner: string, field: string): string | undefined {
  if (t.startsWith("[]")) {
    const e = goType(t.slice(2), owner, field);
    return e && `[]${e}`;
  }
  const m = /^map\[(.+)\]$/.exec(t);
  if (m) return m[1] === "quantity" ? "v1.ResourceList" : m[1] === "string" ? "map[string]string" : undefined;
  switch (t) {
    case "string": return "string";
    case "boolean": return "bool";
    case "number": return "float64";
    case "integer": return INT64.has(`${owner}.${field}`) ? "int64" : "int32";
    case "object": return OBJECT_TYPES[`${owner}.${field}`];
    case "intstr": return "intstr.IntOrString";
    case "quantity": case "time": return undefined;
  }
  if (t === "meta.ObjectMeta") return "v1.ObjectMeta";
  return DEFS[t] ? `${goPkg(t.split(".")[0])}.${t.split(".")[1]}` : undefined;
}

/** Decodes `v` as table type `t` at `path` (inside Go struct `struct`); returns the value to keep. */
function decodeValue(v: unknown, t: string, owner: string, field: string, path: string, w: Walk): unknown {
  if (v === null || v === undefined) return v;
  const struct = owner.split(".")[1];
  const gt = goType(t, owner, field);
  if (t.startsWith("[]")) {
    if (!gt) return v;
    if (!Array.isArray(v)) throw typeError(v, struct, path, gt);
    const elem = t.slice(2);
    const structElem = elem === "object" || !!DEFS[elem];
    return v.map((x) => decodeValue(x === null && structElem ? {} : x, elem, owner, field, path, w));
  }
  const m = /^map\[(.+)\]$/.exec(t);
  if (m) {
    if (!gt) return v;
    if (!isObj(v)) throw typeError(v, struct, path, gt);
    if (m[1] === "string") for (const x of Object.values(v)) if (x !== null && typeof x !== "string") throw typeError(x, struct, path, "string");
    return v;
  }
  switch (t) {
    case "string": if (typeof v !== "string") throw typeError(v, struct, path, "string"); return v;
    case "boolean": if (typeof v !== "boolean") throw typeError(v, struct, path, "bool"); return v;
    case "number": if (typeof v !== "number") throw typeError(v, struct, path, "float64"); return v;
    case "integer": {
      if (typeof v !== "number") throw typeError(v, struct, path, gt!);
      const ok = gt === "int64" ? Number.isSafeInteger(v) : Number.isInteger(v) && v >= -INT32_MAX - 1 && v <= INT32_MAX;
      if (!ok) throw new DecodeError(`json: cannot unmarshal number ${v} into Go struct field ${struct}.${path} of type ${gt}`);
      return v;
    }
    case "intstr": {
      // IntOrString.UnmarshalJSON: a string, or json.Unmarshal into its int32.
      if (typeof v === "string") return v;
      if (typeof v !== "number") throw new DecodeError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`);
      if (!Number.isInteger(v) || Math.abs(v) > INT32_MAX + 1) throw new DecodeError(`json: cannot unmarshal number ${v} into Go value of type int32`);
      return v;
    }
    case "object":
      if (gt && !isObj(v)) throw typeError(v, struct, path, gt);
      return v;
    case "quantity": case "time": return v;
  }
  if (t === "meta.ObjectMeta") return decodeNestedObjectMeta(v, struct, path, w.warn);
  if (!DEFS[t]) return v;
  if (!isObj(v)) throw typeError(v, struct, path, gt!);
  return decodeDef(v, t, path, w);
}

function decodeDef(v: Obj, short: string, path: string, w: Walk): Obj {
  const fields = DEFS[short]?.f ?? {};
  for (const [k, x] of Object.entries(v)) {
    const spec = fields[k];
    if (spec === undefined || (path === "" && k === "metadata") || SKIP.has(`${short}.${k}`)) continue;
    const type = spec.slice(0, spec.indexOf("|"));
    const kept = decodeValue(x, type, short, k, path ? `${path}.${k}` : k, w);
    if (kept === undefined) delete v[k];
    else v[k] = kept;
  }
  return v;
}

/**
 * Decodes an object of kind `r` in place, as far as the tables describe it (top-level metadata
 * excepted): the UnmarshalTypeError text, or undefined when it decodes. Warnings are
 * `unknown field "spec.template.metadata.x"` texts from nested ObjectMeta.
 */
export function decodeTypedFields(r: ResourceType, obj: Obj, warn: (f: string) => void): string | undefined {
  const short = shortName(r);
  if (!DEFS[short]) return undefined;
  try {
    decodeDef(obj, short, "", { warn });
    return undefined;
  } catch (e) {
    if (e instanceof DecodeError) return e.message;
    throw e;
  }
}
