// apps/v1 validation (pkg/apis/apps/validation/validation.go, v1.32) and the selector immutability
// the apps strategies add for every group version but the removed betas.
import type { StatusCause } from "../types";
import {
  arr, child, forbidden, goStringMap, IMMUTABLE, intOrStringRaw, invalid, isObj, labelSelectorString, nonNegative, notSupported,
  regexError, required, selectorMatches, str, validateLabelSelector, validateLabels, type Obj,
} from "./helpers";
import { validateAnnotations } from "./metadata";
import { validatePodTemplateSpec } from "./pod";

const specOf = (obj: Obj): Obj => (isObj(obj.spec) ? obj.spec : {});
const templateLabels = (spec: Obj) => (isObj(spec.template) && isObj(spec.template.metadata) ? spec.template.metadata.labels : undefined);
const selectorEmpty = (sel: Obj) => Object.keys(isObj(sel.matchLabels) ? sel.matchLabels : {}).length + arr(sel.matchExpressions).length === 0;

/** `selector` does not match template `labels` (a nil selector selects nothing, so it never matches). */
export function templateMismatch(spec: Obj, field: string): StatusCause[] {
  const labels = templateLabels(spec);
  if (selectorMatches(spec.selector, labels)) return [];
  return [invalid(child(field, "template", "metadata", "labels"), { raw: goStringMap(labels) }, "`selector` does not match template `labels`")];
}

/** Required + strict label-selector checks + the "empty selector" rule shared by apps controllers. */
function validateSelector(spec: Obj, field: string, emptyWord: string, requireIt = true): StatusCause[] {
  const p = child(field, "selector");
  if (!isObj(spec.selector)) return requireIt ? [required(p)] : [];
  const out = validateLabelSelector(spec.selector, p);
  if (selectorEmpty(spec.selector)) out.push(invalid(p, { raw: labelSelectorString(spec.selector) }, `empty selector is invalid for ${emptyWord}`));
  return out;
}

/** ValidatePodTemplateSpecForReplicaSet: template valid, labels selected, restartPolicy Always. */
function validateControllerTemplate(spec: Obj, field: string, kindWord: string): StatusCause[] {
  const tp = child(field, "template");
  const out: StatusCause[] = [];
  // An empty selector matches everything, so only non-empty ones are compared with the labels.
  if (!isObj(spec.selector) || !selectorEmpty(spec.selector)) out.push(...templateMismatch(spec, field));
  out.push(...validatePodTemplateSpec(spec.template, tp));
  const rp = str(spec.template?.spec?.restartPolicy);
  if (rp !== "Always") out.push(notSupported(child(tp, "spec", "restartPolicy"), rp, ["Always"]));
  const ads = spec.template?.spec?.activeDeadlineSeconds;
  if (ads != null) out.push(invalid(child(tp, "spec", "activeDeadlineSeconds"), ads, `activeDeadlineSeconds in ${kindWord} is not Supported`));
  return out;
}

const PERCENT_MSG = regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%");

function validatePositiveIntOrPercent(v: unknown, field: string): StatusCause[] {
  if (typeof v === "string") return /^[0-9]+%$/.test(v) ? [] : [invalid(field, intOrStringRaw(v), PERCENT_MSG)];
  return nonNegative(v, field);
}

const intOrPercentValue = (v: unknown): number => (typeof v === "number" ? v : typeof v === "string" && /^[0-9]+%$/.test(v) ? parseInt(v, 10) : 0);

function notMoreThan100Percent(v: unknown, field: string): StatusCause[] {
  return typeof v === "string" && /^[0-9]+%$/.test(v) && parseInt(v, 10) > 100 ? [invalid(field, intOrStringRaw(v), "must not be greater than 100%")] : [];
}

function validateDeploymentStrategy(strategy: unknown, field: string): StatusCause[] {
  const s: Obj = isObj(strategy) ? strategy : {};
  const out: StatusCause[] = [];
  if (s.type === "Recreate") {
    if (s.rollingUpdate != null) out.push(forbidden(child(field, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === "RollingUpdate") {
    const ru = s.rollingUpdate;
    const p = child(field, "rollingUpdate");
    if (!isObj(ru)) return [required(p, "this should be defaulted and never be nil")];
    out.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(p, "maxUnavailable")));
    out.push(...validatePositiveIntOrPercent(ru.maxSurge, child(p, "maxSurge")));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      out.push(invalid(child(p, "maxUnavailable"), intOrStringRaw(ru.maxUnavailable ?? 0), "may not be 0 when `maxSurge` is 0"));
    }
    out.push(...notMoreThan100Percent(ru.maxUnavailable, child(p, "maxUnavailable")));
  } else {
    // Go prints the internal struct with %#v; the pointer address is not reproducible.
    const ru = s.rollingUpdate == null ? "(*apps.RollingUpdateDeployment)(nil)" : "(*apps.RollingUpdateDeployment)(0xc000000000)";
    out.push(notSupported(field, { raw: `apps.DeploymentStrategy{Type:"${str(s.type)}", RollingUpdate:${ru}}` }, ["Recreate", "RollingUpdate"]));
  }
  return out;
}

export function validateDeployment(obj: Obj): StatusCause[] {
  const spec = specOf(obj);
  const out = nonNegative(spec.replicas, "spec.replicas");
  out.push(...validateSelector(spec, "spec", "deployment"));
  out.push(...validateControllerTemplate(spec, "spec", "ReplicaSet"));
  out.push(...validateDeploymentStrategy(spec.strategy, "spec.strategy"));
  out.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  out.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === "number") {
    out.push(...nonNegative(pds, "spec.progressDeadlineSeconds"));
    if (pds <= (typeof spec.minReadySeconds === "number" ? spec.minReadySeconds : 0)) {
      out.push(invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
    }
  }
  return out;
}

export function validateReplicaSet(obj: Obj): StatusCause[] {
  const spec = specOf(obj);
  const out = nonNegative(spec.replicas, "spec.replicas");
  out.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  // The real ReplicaSet validator says "deployment" here too (a copy of the Deployment check).
  out.push(...validateSelector(spec, "spec", "deployment"));
  out.push(...validateControllerTemplate(spec, "spec", "ReplicaSet"));
  return out;
}

export function validateDaemonSet(obj: Obj): StatusCause[] {
  const spec = specOf(obj);
  // DaemonSet has no Required check: a missing selector surfaces as the template-label mismatch.
  const out = validateSelector(spec, "spec", "daemonset", false);
  out.push(...validateControllerTemplate(spec, "spec", "DaemonSet"));
  out.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  out.push(...nonNegative(spec.templateGeneration, "spec.templateGeneration"));
  const us: Obj = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  const up = "spec.updateStrategy";
  if (us.type === "RollingUpdate") {
    const ru = us.rollingUpdate;
    if (!isObj(ru)) out.push(required(child(up, "rollingUpdate")));
    else {
      const p = child(up, "rollingUpdate");
      out.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(p, "maxUnavailable")));
      out.push(...validatePositiveIntOrPercent(ru.maxSurge, child(p, "maxSurge")));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        out.push(invalid(child(p, "maxUnavailable"), intOrStringRaw(ru.maxUnavailable ?? 0), "may not be 0 when `maxSurge` is 0"));
      }
      out.push(...notMoreThan100Percent(ru.maxUnavailable, child(p, "maxUnavailable")));
    }
  } else if (us.type !== "OnDelete") {
    const ru = us.rollingUpdate == null ? "(*apps.RollingUpdateDaemonSet)(nil)" : "(*apps.RollingUpdateDaemonSet)(0xc000000000)";
    out.push(notSupported(up, { raw: `apps.DaemonSetUpdateStrategy{Type:"${str(us.type)}", RollingUpdate:${ru}}` }, ["RollingUpdate", "OnDelete"]));
  }
  out.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  return out;
}

export function validateStatefulSet(obj: Obj): StatusCause[] {
  const spec = specOf(obj);
  const out: StatusCause[] = [];
  const pmp = str(spec.podManagementPolicy);
  if (pmp && pmp !== "OrderedReady" && pmp !== "Parallel") {
    out.push(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us: Obj = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  if (us.type === "OnDelete" && us.rollingUpdate != null) {
    out.push(invalid("spec.updateStrategy.rollingUpdate", { raw: "(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)" }, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === "RollingUpdate" && isObj(us.rollingUpdate)) {
    out.push(...nonNegative(us.rollingUpdate.partition, "spec.updateStrategy.rollingUpdate.partition"));
  } else if (us.type !== undefined && us.type !== "OnDelete" && us.type !== "RollingUpdate") {
    out.push(invalid("spec.updateStrategy", { raw: `apps.StatefulSetUpdateStrategy{Type:"${str(us.type)}", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}` }, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  out.push(...nonNegative(spec.replicas, "spec.replicas"));
  out.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  if (isObj(spec.ordinals)) out.push(...nonNegative(spec.ordinals.start, "spec.ordinals.start"));
  out.push(...validateSelector(spec, "spec", "statefulset"));
  if (!isObj(spec.selector) || !selectorEmpty(spec.selector)) out.push(...templateMismatch(spec, "spec"));
  // ValidatePodTemplateSpecForStatefulSet checks only template labels/annotations: its pod spec is left
  // to pod creation (volumeMounts may name volumeClaimTemplates, which a pod-spec check would reject).
  const tmeta = isObj(spec.template?.metadata) ? spec.template.metadata : {};
  out.push(...validateLabels(tmeta.labels, "spec.template.labels"));
  out.push(...validateAnnotations(tmeta.annotations, "spec.template.annotations"));
  const rp = str(spec.template?.spec?.restartPolicy);
  if (rp !== "Always") out.push(notSupported("spec.template.spec.restartPolicy", rp, ["Always"]));
  if (spec.template?.spec?.activeDeadlineSeconds != null) {
    out.push(forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in StatefulSet is not Supported"));
  }
  return out;
}

// --- updates -----------------------------------------------------------------------------------

/** Order-insensitive deep equality of JSON values (apiequality.Semantic.DeepEqual for our purposes). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** apps/v1 strategies: spec.selector is immutable (ValidateImmutableField prints the new selector). */
export function selectorImmutable(obj: Obj, old: Obj): StatusCause[] {
  const n = specOf(obj).selector, o = specOf(old).selector;
  return deepEqual(n, o) ? [] : [invalid("spec.selector", { raw: labelSelectorString(n) }, IMMUTABLE)];
}

const STS_MUTABLE = ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

export function validateStatefulSetUpdate(obj: Obj, old: Obj): StatusCause[] {
  const n = { ...specOf(obj) }, o = { ...specOf(old) };
  for (const k of STS_MUTABLE) { delete n[k]; delete o[k]; }
  if (deepEqual(n, o)) return [];
  return [forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}
