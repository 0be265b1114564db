// Workload defaulting: apps/v1 (pkg/apis/apps/v1/defaults.go) and batch/v1 (pkg/apis/batch/v1/defaults.go),
// plus the Job strategy's selector generation. Pod templates get SetDefaults_PodSpec only (see pod.ts).
import { defaultPodTemplate, defaultPVCSpec } from "./pod";
import { type Obj, ensureObj, isObj, objs, setIfEmpty, setIfNil } from "./util";

export function defaultDeployment(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;
  setIfNil(spec, "replicas", 1);
  const strategy = ensureObj(spec, "strategy");
  if (strategy) {
    setIfEmpty(strategy, "type", "RollingUpdate");
    // Only RollingUpdate carries parameters; Recreate stays bare.
    if (strategy.type === "RollingUpdate") {
      const ru = ensureObj(strategy, "rollingUpdate");
      if (ru) {
        setIfNil(ru, "maxUnavailable", "25%");
        setIfNil(ru, "maxSurge", "25%");
      }
    }
  }
  setIfNil(spec, "revisionHistoryLimit", 10);
  setIfNil(spec, "progressDeadlineSeconds", 600);
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;
  setIfNil(spec, "replicas", 1);
  defaultPodTemplate(spec.template);
}

export function defaultDaemonSet(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;
  const strategy = ensureObj(spec, "updateStrategy");
  if (strategy) {
    setIfEmpty(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      const ru = ensureObj(strategy, "rollingUpdate");
      if (ru) {
        // Integers here, unlike the Deployment's percentages.
        setIfNil(ru, "maxUnavailable", 1);
        setIfNil(ru, "maxSurge", 0);
      }
    }
  }
  setIfNil(spec, "revisionHistoryLimit", 10);
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;
  setIfEmpty(spec, "podManagementPolicy", "OrderedReady");
  const strategy = ensureObj(spec, "updateStrategy");
  if (strategy) {
    // rollingUpdate is created only when the type itself was defaulted; an explicit RollingUpdate without
    // parameters keeps rollingUpdate unset (and then gets no partition), as in SetDefaults_StatefulSet.
    if (!strategy.type) {
      strategy.type = "RollingUpdate";
      setIfNil(strategy, "rollingUpdate", {});
    }
    if (strategy.type === "RollingUpdate" && isObj(strategy.rollingUpdate)) {
      setIfNil(strategy.rollingUpdate, "partition", 0);
    }
  }
  // StatefulSetAutoDeletePVC is on by default in v1.32.
  const retention = ensureObj(spec, "persistentVolumeClaimRetentionPolicy");
  if (retention) {
    setIfEmpty(retention, "whenDeleted", "Retain");
    setIfEmpty(retention, "whenScaled", "Retain");
  }
  setIfNil(spec, "replicas", 1);
  setIfNil(spec, "revisionHistoryLimit", 10);
  defaultPodTemplate(spec.template);
  // Claim templates are embedded PersistentVolumeClaims and get their defaults, status included.
  for (const pvc of objs(spec, "volumeClaimTemplates")) {
    if (isObj(pvc.spec)) defaultPVCSpec(pvc.spec);
    const status = ensureObj(pvc, "status");
    if (status) setIfEmpty(status, "phase", "Pending");
  }
}

export function defaultJob(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;
  const unset = (v: unknown) => v === undefined || v === null;
  // A non-parallel Job may leave both unset; then both are 1.
  if (unset(spec.completions) && unset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setIfNil(spec, "parallelism", 1);
  if (unset(spec.backoffLimit)) {
    // With a per-index limit the global limit is effectively off (MaxInt32).
    spec.backoffLimit = unset(spec.backoffLimitPerIndex) ? 6 : 2147483647;
  }
  setIfNil(spec, "completionMode", "NonIndexed");
  setIfNil(spec, "suspend", false);
  if (isObj(spec.podFailurePolicy)) {
    for (const rule of objs(spec.podFailurePolicy, "rules")) {
      for (const pattern of objs(rule, "onPodConditions")) setIfEmpty(pattern, "status", "True");
    }
  }
  // JobPodReplacementPolicy is beta and on in v1.32: pods are replaced once terminating, or once fully
  // failed when a podFailurePolicy needs to see their final state.
  setIfNil(spec, "podReplacementPolicy", isObj(spec.podFailurePolicy) ? "Failed" : "TerminatingOrFailed");
  // Defaulted since v1.29 (kubernetes#120206), so `-o yaml` shows manualSelector: false.
  setIfNil(spec, "manualSelector", false);

  // Job labels default to the template's labels: once as the request is decoded (the user's template
  // labels), and again, as Go defaults on every read from storage, after generateSelector; so a Job created
  // without labels shows the generated ones, as in `kubectl get job -o yaml`.
  copyTemplateLabels(obj, spec);
  generateJobSelector(obj, spec);
  copyTemplateLabels(obj, spec);
  defaultPodTemplate(spec.template);
}

function copyTemplateLabels(obj: Obj, spec: Obj): void {
  const tplLabels = isObj(spec.template) && isObj(spec.template.metadata) ? spec.template.metadata.labels : undefined;
  if (!isObj(tplLabels) || Object.keys(tplLabels).length === 0) return;
  const meta = ensureObj(obj, "metadata");
  if (meta && (!isObj(meta.labels) || Object.keys(meta.labels).length === 0)) meta.labels = { ...tplLabels };
}

/**
 * The Job strategy's generateSelector (pkg/registry/batch/job/strategy.go): unless manualSelector is true,
 * pods are labelled with the Job's uid and name and selected by the uid. Needs the uid, so it does nothing
 * until the store has assigned one.
 */
function generateJobSelector(obj: Obj, spec: Obj): void {
  const uid = obj.metadata?.uid;
  const name = obj.metadata?.name;
  if (spec.manualSelector === true || typeof uid !== "string" || !uid) return;
  const template = ensureObj(spec, "template");
  const meta = template && ensureObj(template, "metadata");
  const labels = meta && ensureObj(meta, "labels");
  if (!labels) return;
  // Labels the user already set are kept; a conflict is for validation to reject.
  if (typeof name === "string" && name) {
    for (const k of ["job-name", "batch.kubernetes.io/job-name"]) if (!(k in labels)) labels[k] = name;
  }
  for (const k of ["controller-uid", "batch.kubernetes.io/controller-uid"]) if (!(k in labels)) labels[k] = uid;
  const selector = ensureObj(spec, "selector");
  const matchLabels = selector && ensureObj(selector, "matchLabels");
  if (matchLabels && !("batch.kubernetes.io/controller-uid" in matchLabels)) {
    matchLabels["batch.kubernetes.io/controller-uid"] = uid;
  }
}

export function defaultCronJob(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;
  setIfEmpty(spec, "concurrencyPolicy", "Allow");
  setIfNil(spec, "suspend", false);
  setIfNil(spec, "successfulJobsHistoryLimit", 3);
  setIfNil(spec, "failedJobsHistoryLimit", 1);
  // The job template's JobSpec is not run through SetDefaults_Job (that happens when the Job is created);
  // only its pod template is defaulted.
  const jt = spec.jobTemplate;
  if (isObj(jt) && isObj(jt.spec)) defaultPodTemplate(jt.spec.template);
}
