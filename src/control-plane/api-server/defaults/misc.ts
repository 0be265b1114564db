// Defaulting for the smaller kinds: Namespace, Secret, Node, PersistentVolume(Claim) from core/v1,
// HorizontalPodAutoscaler (autoscaling/v2 and v1) and PriorityClass (scheduling/v1).
import { defaultPVCSpec, roundResourceList } from "./pod";
import { type Obj, ensureObj, isObj, setIfEmpty, setIfNil } from "./util";

export function defaultNamespace(obj: Obj): void {
  const meta = ensureObj(obj, "metadata");
  // SetDefaults_Namespace: the name label is always (re)written so that namespace selectors can match by
  // name. A generateName request has no name yet and gets it later.
  if (meta && typeof meta.name === "string" && meta.name) {
    const labels = ensureObj(meta, "labels");
    if (labels) labels["kubernetes.io/metadata.name"] = meta.name;
  }
  // The namespace strategy requires the "kubernetes" finalizer on create only: the namespace controller
  // removes it via /finalize while deleting, so re-adding it on later writes would block deletion forever.
  // The store has not assigned a uid yet while creating.
  const creating = !meta?.uid && !meta?.deletionTimestamp;
  const spec = ensureObj(obj, "spec");
  if (spec && creating) {
    if (!Array.isArray(spec.finalizers)) spec.finalizers = [];
    if (!spec.finalizers.includes("kubernetes")) spec.finalizers.push("kubernetes");
  }
  const status = ensureObj(obj, "status");
  if (status) setIfEmpty(status, "phase", "Active");
}

/** ResourceQuota has no defaults of its own; its resource lists are rounded like every v1 ResourceList. */
export function defaultResourceQuota(obj: Obj): void {
  if (isObj(obj.spec)) roundResourceList(obj.spec.hard);
}

export function defaultSecret(obj: Obj): void {
  setIfEmpty(obj, "type", "Opaque");
}

export function defaultNode(obj: Obj): void {
  // SetDefaults_NodeStatus: a node that reports capacity but no allocatable can allocate all of it.
  const status = obj.status;
  if (isObj(status)) {
    roundResourceList(status.capacity);
    roundResourceList(status.allocatable);
  }
  if (isObj(status) && isObj(status.capacity) && (status.allocatable === undefined || status.allocatable === null)) {
    status.allocatable = { ...status.capacity };
  }
}

export function defaultPersistentVolumeClaim(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (spec) defaultPVCSpec(spec);
  const status = ensureObj(obj, "status");
  if (status) setIfEmpty(status, "phase", "Pending");
}

export function defaultPersistentVolume(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (spec) {
    setIfEmpty(spec, "persistentVolumeReclaimPolicy", "Retain");
    setIfNil(spec, "volumeMode", "Filesystem");
  }
  const status = ensureObj(obj, "status");
  if (status) setIfEmpty(status, "phase", "Pending");
}

export function defaultPriorityClass(obj: Obj): void {
  setIfNil(obj, "preemptionPolicy", "PreemptLowerPriority");
}

// The HPA controller's historic scaling speed, written out when a behavior section is present.
const scaleUpDefaults = (): Obj => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Pods", value: 4, periodSeconds: 15 },
    { type: "Percent", value: 100, periodSeconds: 15 },
  ],
});
// No stabilizationWindowSeconds: the scale-down window is a controller flag (default 300s), so it stays unset.
const scaleDownDefaults = (): Obj => ({
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
});

/** autoscaling/v2 SetDefaults_HorizontalPodAutoscaler. */
export function defaultHPAv2(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;
  setIfNil(spec, "minReplicas", 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    // No metrics means the classic target: 80% average CPU utilization.
    spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }];
  }
  // A behavior section, once present, is filled in completely so the effective rules are visible.
  if (isObj(spec.behavior)) {
    spec.behavior.scaleUp = fillScalingRules(spec.behavior.scaleUp, scaleUpDefaults());
    spec.behavior.scaleDown = fillScalingRules(spec.behavior.scaleDown, scaleDownDefaults());
  }
}

function fillScalingRules(given: unknown, defaults: Obj): Obj {
  if (!isObj(given)) return defaults;
  for (const k of ["selectPolicy", "stabilizationWindowSeconds", "policies"]) {
    if (given[k] !== undefined && given[k] !== null) defaults[k] = given[k];
  }
  // Keep any other field the client sent (e.g. a newer API's tolerance) rather than dropping it.
  return { ...given, ...defaults };
}

/** autoscaling/v1: only minReplicas; the CPU target default lives in conversion, not in the object. */
export function defaultHPAv1(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (spec) setIfNil(spec, "minReplicas", 1);
}
