// What the Job and CronJob controllers both read of a Job (pkg/controller/job/util/utils.go,
// v1.32: FinishedCondition, IsJobFinished), the Job controller's finalizer and index annotation,
// and its conditions as ensureJobConditionStatus writes them.
import type { Pod } from "../../api-server/objects/core";
import type { Job } from "../../api-server/objects/batch";
import type { Condition } from "../controller-utils";

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
export const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

/** The condition of `type` that is True, if any. */
export const condTrue = (job: Job, type: string): Condition | undefined =>
  job.status?.conditions?.find((c) => c.type === type && c.status === "True");

/** FinishedCondition: "Complete" or "Failed" once either is True. */
export const finishedCondition = (job: Job): string | undefined =>
  job.status?.conditions?.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")?.type;

export const isJobFinished = (job: Job) => finishedCondition(job) !== undefined;

/** ensureJobConditionStatus: the same condition is no change; any change makes a new one, both times now. */
export function setCond(conds: Condition[], type: string, status: Condition["status"], reason: string, message: string, now: string): Condition[] {
  const cur = conds.find((c) => c.type === type);
  if (cur && cur.status === status && cur.reason === reason && cur.message === message) return conds;
  const next: Condition = { type, status, lastProbeTime: now, lastTransitionTime: now, reason, message };
  return cur ? conds.map((c) => (c === cur ? next : c)) : [...conds, next];
}

/** The pod's index in an Indexed Job (getCompletionIndex), or -1. */
export function podIndex(p: Pod): number {
  const v = p.metadata.annotations?.[COMPLETION_INDEX] ?? p.metadata.labels?.[COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : -1;
}
