// ValidateObjectMeta (apimachinery/pkg/api/validation/objectmeta.go) and the per-kind choice of
// name rule and scope the real registries pass to it.
import type { StatusCause } from "../types";
import {
  child, entries, goStringSlice, index, invalid, invalidEach, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isObj,
  isQualifiedName, isValidPathSegmentName, nonNegative, required, str, tooLong, validateLabels, type Obj,
} from "./helpers";

export type NameRule = "subdomain" | "label" | "dns1035" | "path";

export interface KindInfo { namespaced: boolean; name: NameRule }

const ns = (name: NameRule = "subdomain"): KindInfo => ({ namespaced: true, name });
const cluster = (name: NameRule = "subdomain"): KindInfo => ({ namespaced: false, name });

/** Scope and name validator of each built-in kind (ValidateXName in the kind's validation package). */
export const KINDS: Record<string, KindInfo> = {
  Pod: ns(), PodTemplate: ns(), ReplicationController: ns(), Service: ns("dns1035"), Endpoints: ns(), ConfigMap: ns(),
  Secret: ns(), ServiceAccount: ns(), Event: ns(), LimitRange: ns(), ResourceQuota: ns(), PersistentVolumeClaim: ns(),
  Namespace: cluster("label"), Node: cluster(), PersistentVolume: cluster(),
  Deployment: ns(), ReplicaSet: ns(), DaemonSet: ns(), StatefulSet: ns(), ControllerRevision: ns(),
  Job: ns(), CronJob: ns(), HorizontalPodAutoscaler: ns(), Lease: ns(), EndpointSlice: ns(),
  Ingress: ns(), NetworkPolicy: ns(), PodDisruptionBudget: ns(), IngressClass: cluster(),
  PriorityClass: cluster(), StorageClass: cluster(), CSIDriver: cluster(), RuntimeClass: cluster(),
  Role: ns("path"), RoleBinding: ns("path"), ClusterRole: cluster("path"), ClusterRoleBinding: cluster("path"),
};

/** maskTrailingDash: a generateName prefix may end in '-' because a random suffix follows. */
const maskTrailingDash = (n: string) => (n.length > 1 && n.endsWith("-") ? n.slice(0, -1) + "a" : n);

export function nameErrors(rule: NameRule, name: string, prefix: boolean): string[] {
  const n = prefix ? maskTrailingDash(name) : name;
  switch (rule) {
    case "label": return isDNS1123Label(n);
    case "dns1035": return isDNS1035Label(n);
    case "path": return isValidPathSegmentName(name);
    default: return isDNS1123Subdomain(n);
  }
}

const TOTAL_ANNOTATION_SIZE = 256 * 1024;
const byteLen = (s: string) => new TextEncoder().encode(s).length;

/** ValidateAnnotations: keys are qualified names compared case-insensitively; total size ≤ 256 KiB. */
export function validateAnnotations(annotations: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  let total = 0;
  for (const [k, v] of entries(annotations)) {
    out.push(...invalidEach(field, k, isQualifiedName(k.toLowerCase())));
    total += byteLen(k) + byteLen(str(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE) out.push(tooLong(field, TOTAL_ANNOTATION_SIZE));
  return out;
}

/** validateOwnerReference + the single-controller rule. */
function validateOwnerReferences(refs: unknown, field: string): StatusCause[] {
  if (!Array.isArray(refs)) return [];
  const out: StatusCause[] = [];
  const controllers: string[] = [];
  refs.forEach((r: Obj, i) => {
    const p = index(field, i);
    const apiVersion = str(r?.apiVersion);
    // schema.FromAPIVersionAndKind: the version is what follows the last '/', or the whole string.
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    if (!version) out.push(invalid(child(p, "apiVersion"), apiVersion, "version must not be empty"));
    if (!str(r?.kind)) out.push(invalid(child(p, "kind"), str(r?.kind), "kind must not be empty"));
    if (!str(r?.name)) out.push(invalid(child(p, "name"), str(r?.name), "name must not be empty"));
    if (!str(r?.uid)) out.push(invalid(child(p, "uid"), str(r?.uid), "uid must not be empty"));
    if (r?.controller === true) controllers.push(str(r?.name));
  });
  if (controllers.length > 1) {
    out.push(invalid(field, { raw: "[]v1.OwnerReference{...}" },
      `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(" and ")}`));
  }
  return out;
}

/** ValidateFinalizers: qualified names, and not both ways of deleting dependents at once. */
function validateFinalizers(finalizers: unknown, field: string): StatusCause[] {
  if (!Array.isArray(finalizers)) return [];
  const out: StatusCause[] = [];
  for (const f of finalizers) out.push(...invalidEach(field, str(f), isQualifiedName(str(f))));
  if (finalizers.includes("orphan") && finalizers.includes("foregroundDeletion"))
    out.push(invalid(field, { raw: goStringSlice(finalizers) }, "finalizer orphan and foregroundDeletion cannot be both set"));
  return out;
}

/**
 * ValidateObjectMeta. `namespaced` decides between "namespace: Required value" and
 * "namespace: Forbidden: not allowed on this type".
 */
export function validateObjectMeta(meta: unknown, info: KindInfo, field = "metadata"): StatusCause[] {
  const m: Obj = isObj(meta) ? meta : {};
  const out: StatusCause[] = [];
  const generateName = str(m.generateName);
  if (generateName) out.push(...invalidEach(child(field, "generateName"), generateName, nameErrors(info.name, generateName, true)));
  const name = str(m.name);
  if (!name) out.push(required(child(field, "name"), "name or generateName is required"));
  else out.push(...invalidEach(child(field, "name"), name, nameErrors(info.name, name, false)));
  const namespace = str(m.namespace);
  if (info.namespaced) {
    if (!namespace) out.push(required(child(field, "namespace")));
    else out.push(...invalidEach(child(field, "namespace"), namespace, isDNS1123Label(namespace)));
  }
  // A namespace on a cluster-scoped object never reaches validation in the real server:
  // rest.BeforeCreate (EnsureObjectNamespaceMatchesRequestNamespace) clears it silently, so it is not
  // reported here ("Forbidden: not allowed on this type" is unreachable for API clients).
  out.push(...nonNegative(m.generation, child(field, "generation")));
  out.push(...validateLabels(m.labels, child(field, "labels")));
  out.push(...validateAnnotations(m.annotations, child(field, "annotations")));
  out.push(...validateOwnerReferences(m.ownerReferences, child(field, "ownerReferences")));
  out.push(...validateFinalizers(m.finalizers, child(field, "finalizers")));
  return out;
}
