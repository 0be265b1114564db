// The Job controller's pods (pkg/controller/job/job_controller.go and backoff_utils.go, v1.32): a pod
// from the template (with its index and the tracking finalizer), the finalizer's removal once the
// pod is counted, what counts as failed, and the pod failure back-off (10 s doubling, at most 10 min).
import type { Registry } from "../../api-server/registry/store";
import { PODS } from "../../api-server/resources";
import type { Pod, PodSpec, PodTemplateSpec } from "../../api-server/objects/core";
import type { Job } from "../../api-server/objects/batch";
import type { ReconcileCtx } from "../manager";
import { createPod, isTerminal, newControllerRef, tolerate } from "../controller-utils";
import { COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from "./job-util";
import type { JobControllerState } from "./job-controller";

export const COMPONENT = "job-controller";
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 600_000;

/** A pod from the Job's template; an index (>= 0) names it and sets JOB_COMPLETION_INDEX. */
export function createJobPod(reg: Registry, job: Job, ctx: ReconcileCtx, index: number): void {
  const tpl: Partial<PodTemplateSpec> = structuredClone(job.spec.template ?? {});
  const meta = tpl.metadata ?? {};
  const name = job.metadata.name!;
  const pod: Pod = {
    apiVersion: "v1", kind: "Pod",
    metadata: {
      ...meta,
      generateName: index >= 0 ? `${name}-${index}-` : `${name}-`,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}) },
      finalizers: [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER],
      ownerReferences: [newControllerRef(job)],
    },
    spec: tpl.spec ?? ({} as PodSpec), // without one, a pod the API server refuses
  };
  delete pod.metadata.name;
  if (index >= 0) {
    pod.metadata.annotations![COMPLETION_INDEX] = String(index);
    pod.metadata.labels![COMPLETION_INDEX] = String(index);
    if (!pod.spec.hostname) pod.spec.hostname = `${name}-${index}`;
    for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
      c.env = [...(c.env ?? []).filter((e) => e.name !== "JOB_COMPLETION_INDEX"), { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } }];
    }
  }
  if (Object.keys(pod.metadata.annotations!).length === 0) delete pod.metadata.annotations;
  createPod(reg, job, pod, ctx, COMPONENT);
}

/** removeTrackingFinalizerPatch: the pod is counted (or its Job gone), so it may go. */
export function removeTrackingFinalizer(reg: Registry, p: Pod, ctx: ReconcileCtx): void {
  if (!p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) return;
  tolerate(() => reg.guaranteedUpdate(PODS, p.metadata.namespace, p.metadata.name!, ctx.write, (cur) => {
    const f = (cur.metadata.finalizers ?? []).filter((x) => x !== JOB_TRACKING_FINALIZER);
    if (f.length) cur.metadata.finalizers = f;
    else delete cur.metadata.finalizers;
    return cur;
  }));
}

export function isPodFailed(p: Pod, job: Job): boolean {
  if (p.status?.phase === "Failed") return true;
  if (job.spec?.podReplacementPolicy === "Failed") return false;
  // Deleted pods count as failures: an orphan may never reach the Failed phase.
  return !!p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded";
}

/** The latest container finish time, or when the pod was first seen terminated. */
function finishTime(state: JobControllerState, p: Pod): number {
  let t = NaN;
  for (const cs of p.status?.containerStatuses ?? []) {
    const f = Date.parse(cs?.state?.terminated?.finishedAt ?? "");
    if (!Number.isNaN(f) && !(f <= t)) t = f;
  }
  return Number.isNaN(t) ? state.seenDone.get(p.metadata.uid!) ?? NaN : t;
}

/**
 * getRemainingTime of the back-off record: 10 s doubling per failure since the last success,
 * counted from the last failure. How long new pods must wait (0 or less: none).
 */
export function backoffRemaining(state: JobControllerState, pods: Pod[], now: number): number {
  const finished = pods.filter(isTerminal).map((p) => ({ ok: p.status?.phase === "Succeeded", t: finishTime(state, p) }));
  let failuresAfterSuccess = 0;
  let lastFailure = -Infinity;
  const lastSuccess = Math.max(-Infinity, ...finished.filter((f) => f.ok).map((f) => f.t));
  for (const f of finished) if (!f.ok && !(f.t < lastSuccess)) { failuresAfterSuccess++; if (!Number.isNaN(f.t)) lastFailure = Math.max(lastFailure, f.t); }
  if (failuresAfterSuccess === 0 || lastFailure === -Infinity) return 0;
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failuresAfterSuccess - 1));
  return lastFailure + delay - now;
}
