// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go and utils.go, v1.32): at each
// scheduled time (simulated), creates a Job "<cronjob>-<minutes since epoch>" from the job template,
// honouring concurrencyPolicy, startingDeadlineSeconds and suspend; tracks active Jobs, last
// schedule and success times, and deletes finished Jobs beyond the history limits. syncCronJob's
// steps: the Jobs' fate into status.active, cleanupFinishedJobs, whether a run is due, and the run.
import type { Registry } from "../../api-server/registry/store";
import { rfc3339 } from "../../api-server/registry/store";
import { registryPrefix, CRON_JOBS, JOBS } from "../../api-server/resources";
import { ApiError } from "../../api-server/status";
import type { CronJob, CronJobSpec, CronJobStatus, Job, JobSpec } from "../../api-server/objects/batch";
import { formatInZone, parseSchedule, type CronSchedule } from "./cron-schedule";
import { finishedCondition, isJobFinished } from "../job/job-util";
import { controlledBy, controllerKeys, emit, keyOf, newControllerRef, ownerKey, selfKey, splitKey, tolerate, writeStatus } from "../controller-utils";
import type { Controller, ReconcileCtx } from "../manager";

export const SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
const COMPONENT = "cronjob-controller";
/** The real controller wakes 100 ms after the schedule time, so the time has surely passed. */
const NEXT_SCHEDULE_DELTA_MS = 100;
const MAX_MISSED = 100;

/** RFC 1123Z, as Go prints the missed schedule time. */
function rfc1123z(t: number): string {
  const d = new Date(t);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

/** The schedule times in (earliest, now]: how many, and the latest. */
function missedSchedules(sched: CronSchedule, earliest: number, now: number): { count: number; latest: number | null } {
  let count = 0;
  let latest: number | null = null;
  for (let t = sched.next(earliest); t !== null && t <= now; t = sched.next(t)) {
    count++;
    latest = t;
    if (count > 100_000) break; // the real controller only needs to know it is "too many"
  }
  return { count, latest };
}

export function cronJobController(_reg: Registry): Controller {
  return {
    name: "cronjob",
    watches: [
      { prefix: registryPrefix(CRON_JOBS), keys: selfKey },
      { prefix: registryPrefix(JOBS), keys: controllerKeys("CronJob") },
    ],
    resync: (reg) => reg.list(CRON_JOBS, undefined).items.map(keyOf),
    reconcile: syncCronJob,
  };
}

/** An ObjectReference in status.active. */
type ActiveRef = NonNullable<CronJobStatus["active"]>[number];

/** One sync of one CronJob: its status as it will be written, and its active Jobs. */
interface CronSync {
  ctx: ReconcileCtx;
  cj: CronJob;
  status: CronJobStatus;
  active: ActiveRef[];
}

function syncCronJob(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const { reg, now } = ctx;
  const [ns, name] = splitKey(key);
  const cj = reg.tryGet(CRON_JOBS, ns, name);
  const named = reg.list(JOBS, ns).items.filter((j) => ownerKey(j, "CronJob")[0] === key);
  if (!cj) {
    // As the garbage collector does too: the Jobs of a deleted CronJob go with it (an orphaning
    // delete has stripped their owner references first, so they stay).
    for (const j of named) tolerate(() => reg.delete(JOBS, ns, j.metadata.name!, ctx.write, { propagationPolicy: "Background" }));
    return;
  }
  const jobs = named.filter((j) => controlledBy(j, cj));
  const spec: Partial<CronJobSpec> = cj.spec ?? {};
  const status: CronJobStatus = structuredClone(cj.status ?? {});
  const c: CronSync = { ctx, cj, status, active: [...(status.active ?? [])] };
  updateActiveJobs(c, jobs);
  cleanupFinishedJobs(reg, cj, jobs, ctx);
  if (cj.metadata.deletionTimestamp || spec.suspend === true) return save(c);

  let sched: CronSchedule;
  try {
    sched = parseSchedule(String(spec.schedule ?? ""), spec.timeZone ?? undefined);
  } catch (e) {
    emit(reg, cj, "UnparseableSchedule", `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${(e as Error).message}`, now, "Warning", COMPONENT);
    return save(c);
  }
  const run = dueRun(c, sched);
  if (run.latest === undefined) {
    save(c);
    return requeueAt(sched, run.from, now);
  }
  const created = startJob(c, run.latest);
  if (!created) {
    save(c);
    return requeueAt(sched, run.from, now);
  }
  if (!isJobFinished(created) && !c.active.some((r) => r.uid === created.metadata.uid)) {
    c.active.push({ kind: "Job", namespace: ns, name: created.metadata.name!, uid: created.metadata.uid!, apiVersion: "batch/v1", resourceVersion: created.metadata.resourceVersion });
  }
  status.lastScheduleTime = rfc3339(new Date(run.latest));
  save(c);
  return requeueAt(sched, run.latest, now);
}

/** What happened to the Jobs: finished ones leave status.active, unknown and missing ones are reported. */
function updateActiveJobs(c: CronSync, jobs: Job[]): void {
  const { cj, status } = c;
  const { reg, now } = c.ctx;
  const inActive = (uid: string) => c.active.some((r) => r.uid === uid);
  for (const j of jobs) {
    const done = finishedCondition(j);
    if (!done && !inActive(j.metadata.uid!)) {
      emit(reg, cj, "UnexpectedJob", `Saw a job that the controller did not create or forgot: ${j.metadata.name}`, now, "Warning", COMPONENT);
    } else if (done && inActive(j.metadata.uid!)) {
      c.active = c.active.filter((r) => r.uid !== j.metadata.uid);
      emit(reg, cj, "SawCompletedJob", `Saw completed job: ${j.metadata.name}, condition: ${done}`, now, "Normal", COMPONENT);
    }
    if (done === "Complete" && j.status?.completionTime && (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime))) {
      status.lastSuccessfulTime = j.status.completionTime;
    }
  }
  for (const r of [...c.active]) {
    if (jobs.some((j) => j.metadata.uid === r.uid)) continue;
    c.active = c.active.filter((x) => x !== r);
    emit(reg, cj, "MissingJob", `Active job went missing: ${r.name}`, now, "Warning", COMPONENT);
  }
}

function save(c: CronSync): void {
  const { reg } = c.ctx;
  const next = { ...c.status, active: c.active.length ? c.active : undefined };
  if (!next.active) delete next.active;
  writeStatus(reg, CRON_JOBS, reg.get(CRON_JOBS, c.cj.metadata.namespace, c.cj.metadata.name!), next, c.ctx);
}

/** Look again just after the first schedule time past `from`. */
function requeueAt(sched: CronSchedule, from: number, now: number): { requeueAfter: number } | undefined {
  const n = sched.next(from);
  return n === null ? undefined : { requeueAfter: Math.max(0, n + NEXT_SCHEDULE_DELTA_MS - now) };
}

/**
 * getNextScheduleTime and the checks before a run: the latest missed schedule time, unless it is
 * past the starting deadline, already run, or held back by concurrencyPolicy Forbid (Replace
 * deletes the active Jobs). `from` is where the next schedule time is counted from.
 */
function dueRun(c: CronSync, sched: CronSchedule): { latest?: number; from: number } {
  const { cj, status } = c;
  const { reg, now } = c.ctx;
  const spec: Partial<CronJobSpec> = cj.spec ?? {};
  let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp!);
  if (spec.startingDeadlineSeconds != null) earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
  const { count, latest } = missedSchedules(sched, earliest, now);
  const from = Math.max(latest ?? earliest, earliest);
  if (count > MAX_MISSED) {
    emit(reg, cj, "TooManyMissedTimes", `too many missed start times: ${count}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`, now, "Warning", COMPONENT);
  }
  if (latest === null) return { from };
  if (spec.startingDeadlineSeconds != null && latest + spec.startingDeadlineSeconds * 1000 < now) {
    emit(reg, cj, "MissSchedule", `Missed scheduled time to start a job: ${rfc1123z(latest)}`, now, "Warning", COMPONENT);
    return { from };
  }
  const jobName = jobNameFor(cj.metadata.name!, latest);
  if (c.active.some((r) => r.name === jobName) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === latest)) return { from };
  if (spec.concurrencyPolicy === "Forbid" && c.active.length > 0) {
    // lastScheduleTime stays, so the run starts late once the active one ends (within any deadline).
    emit(reg, cj, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", now, "Normal", COMPONENT);
    return { from };
  }
  if (spec.concurrencyPolicy === "Replace") {
    for (const r of c.active) {
      tolerate(() => {
        reg.delete(JOBS, cj.metadata.namespace, r.name!, c.ctx.write, { propagationPolicy: "Background" });
        emit(reg, cj, "SuccessfulDelete", `Deleted job ${r.name}`, now, "Normal", COMPONENT);
      });
    }
    c.active = [];
  }
  return { latest, from };
}

/** getJobFromTemplate2 and its create; a Job of that name already there is the run only if ours. */
function startJob(c: CronSync, scheduled: number): Job | undefined {
  const { cj } = c;
  const { reg, now } = c.ctx;
  const ns = cj.metadata.namespace!;
  const spec: Partial<CronJobSpec> = cj.spec ?? {};
  const jobName = jobNameFor(cj.metadata.name!, scheduled);
  const tpl: Partial<CronJobSpec["jobTemplate"]> = structuredClone(spec.jobTemplate ?? {});
  const job: Job = {
    apiVersion: "batch/v1", kind: "Job",
    metadata: {
      name: jobName, namespace: ns,
      labels: { ...(tpl.metadata?.labels ?? {}) },
      annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: formatInZone(scheduled, spec.timeZone ?? undefined) },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: tpl.spec ?? ({} as JobSpec), // without one, a Job the API server refuses
  };
  if (Object.keys(job.metadata.labels!).length === 0) delete job.metadata.labels;
  try {
    const created = reg.create(JOBS, ns, job, c.ctx.write);
    emit(reg, cj, "SuccessfulCreate", `Created job ${jobName}`, now, "Normal", COMPONENT);
    return created;
  } catch (e) {
    if (!(e instanceof ApiError && e.status.code === 409)) {
      emit(reg, cj, "FailedCreate", `Error creating job: ${(e as Error).message}`, now, "Warning", COMPONENT);
      throw e;
    }
    // Created before a crash, or by someone else: ours only if we own it.
    const existing = reg.get(JOBS, ns, jobName);
    return controlledBy(existing, cj) ? existing : undefined;
  }
}

/** cleanupFinishedJobs: deletes the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
function cleanupFinishedJobs(reg: Registry, cj: CronJob, jobs: Job[], ctx: ReconcileCtx): void {
  const spec: Partial<CronJobSpec> = cj.spec ?? {};
  const byStart = (a: Job, b: Job) =>
    Date.parse(a.status?.startTime ?? a.metadata.creationTimestamp!) - Date.parse(b.status?.startTime ?? b.metadata.creationTimestamp!);
  for (const [type, limit] of [["Complete", spec.successfulJobsHistoryLimit], ["Failed", spec.failedJobsHistoryLimit]] as const) {
    if (limit == null) continue;
    const done = jobs.filter((j) => finishedCondition(j) === type && !j.metadata.deletionTimestamp).sort(byStart);
    for (const j of done.slice(0, Math.max(0, done.length - limit))) {
      tolerate(() => {
        reg.delete(JOBS, j.metadata.namespace, j.metadata.name!, ctx.write, { propagationPolicy: "Background" });
        emit(reg, cj, "SuccessfulDelete", `Deleted job ${j.metadata.name}`, ctx.now, "Normal", COMPONENT);
      });
    }
  }
}
