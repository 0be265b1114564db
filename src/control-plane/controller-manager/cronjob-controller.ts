// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go and utils.go, v1.32): at each
// scheduled time (simulated), creates a Job "<cronjob>-<minutes since epoch>" from the job template,
// honouring concurrencyPolicy, startingDeadlineSeconds and suspend; tracks active Jobs, last
// schedule and success times, and deletes finished Jobs beyond the history limits.
import type { Registry } from "../api-server/registry/store";
import { rfc3339 } from "../api-server/registry/store";
import { registryPrefix, CRON_JOBS, JOBS } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";
import { formatInZone, parseSchedule, type CronSchedule } from "./cron-schedule";
import { isJobFinished } from "./job/job-util";
import { controlledBy, controllerKeys, emit, keyOf, newControllerRef, ownerKey, selfKey, splitKey, tolerate, writeStatus } from "./controller-utils";
import type { Controller, ReconcileCtx } from "./manager";

export const SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
const COMPONENT = "cronjob-controller";
/** The real controller wakes 100 ms after the schedule time, so the time has surely passed. */
const NEXT_SCHEDULE_DELTA_MS = 100;
const MAX_MISSED = 100;

const finishedCondition = (j: KubeObject): string | undefined =>
  j.status?.conditions?.find((c: any) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")?.type;

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
  function reconcile(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
    const { reg, now } = ctx;
    const [ns, name] = splitKey(key);
    const cj = reg.tryGet(CRON_JOBS, ns, name);
    const named = reg.list(JOBS, ns).items.filter((j) => ownerKey(j, "CronJob")[0] === key);
    if (!cj) {
      // No garbage collector yet: the Jobs of a deleted CronJob go with it.
      for (const j of named) tolerate(() => reg.delete(JOBS, ns, j.metadata.name!, ctx.write, { propagationPolicy: "Background" }));
      return;
    }
    const jobs = named.filter((j) => controlledBy(j, cj));
    const spec = cj.spec ?? {};
    const status: Record<string, any> = structuredClone(cj.status ?? {});
    let active: any[] = [...(status.active ?? [])];
    const inActive = (uid: string) => active.some((r) => r.uid === uid);

    // ---- what happened to the Jobs ----
    for (const j of jobs) {
      const done = finishedCondition(j);
      if (!done && !inActive(j.metadata.uid!)) {
        emit(reg, cj, "UnexpectedJob", `Saw a job that the controller did not create or forgot: ${j.metadata.name}`, now, "Warning", COMPONENT);
      } else if (done && inActive(j.metadata.uid!)) {
        active = active.filter((r) => r.uid !== j.metadata.uid);
        emit(reg, cj, "SawCompletedJob", `Saw completed job: ${j.metadata.name}, condition: ${done}`, now, "Normal", COMPONENT);
      }
      if (done === "Complete" && j.status?.completionTime && (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime))) {
        status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    for (const r of [...active]) {
      if (jobs.some((j) => j.metadata.uid === r.uid)) continue;
      active = active.filter((x) => x !== r);
      emit(reg, cj, "MissingJob", `Active job went missing: ${r.name}`, now, "Warning", COMPONENT);
    }

    const save = () => {
      const next = { ...status, active: active.length ? active : undefined };
      if (!next.active) delete next.active;
      writeStatus(reg, CRON_JOBS, reg.get(CRON_JOBS, ns, name), next, ctx);
    };
    cleanupFinished(reg, cj, jobs, ctx);
    if (cj.metadata.deletionTimestamp || spec.suspend === true) return save();

    let sched: CronSchedule;
    try {
      sched = parseSchedule(String(spec.schedule ?? ""), spec.timeZone ?? undefined);
    } catch (e) {
      emit(reg, cj, "UnparseableSchedule", `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${(e as Error).message}`, now, "Warning", COMPONENT);
      return save();
    }

    // ---- is a run due? ----
    let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp);
    if (spec.startingDeadlineSeconds != null) earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
    const { count, latest } = missedSchedules(sched, earliest, now);
    const requeue = () => {
      const n = sched.next(Math.max(latest ?? earliest, earliest));
      return n === null ? undefined : { requeueAfter: Math.max(0, n + NEXT_SCHEDULE_DELTA_MS - now) };
    };
    if (count > MAX_MISSED) {
      emit(reg, cj, "TooManyMissedTimes", `too many missed start times: ${count}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`, now, "Warning", COMPONENT);
    }
    if (latest === null) {
      save();
      return requeue();
    }
    if (spec.startingDeadlineSeconds != null && latest + spec.startingDeadlineSeconds * 1000 < now) {
      emit(reg, cj, "MissSchedule", `Missed scheduled time to start a job: ${rfc1123z(latest)}`, now, "Warning", COMPONENT);
      save();
      return requeue();
    }
    const jobName = jobNameFor(name, latest);
    if (active.some((r) => r.name === jobName) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === latest)) {
      save();
      return requeue();
    }
    if (spec.concurrencyPolicy === "Forbid" && active.length > 0) {
      // lastScheduleTime stays, so the run starts late once the active one ends (within any deadline).
      emit(reg, cj, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", now, "Normal", COMPONENT);
      save();
      return requeue();
    }
    if (spec.concurrencyPolicy === "Replace") {
      for (const r of active) {
        tolerate(() => {
          reg.delete(JOBS, ns, r.name, ctx.write, { propagationPolicy: "Background" });
          emit(reg, cj, "SuccessfulDelete", `Deleted job ${r.name}`, now, "Normal", COMPONENT);
        });
      }
      active = [];
    }

    // ---- start the run ----
    const tpl = structuredClone(spec.jobTemplate ?? {});
    const job: KubeObject = {
      apiVersion: "batch/v1", kind: "Job",
      metadata: {
        name: jobName, namespace: ns,
        labels: { ...(tpl.metadata?.labels ?? {}) },
        annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: formatInZone(latest, spec.timeZone ?? undefined) },
        ownerReferences: [newControllerRef(cj)],
      },
      spec: tpl.spec ?? {},
    };
    if (Object.keys(job.metadata.labels!).length === 0) delete job.metadata.labels;
    let created: KubeObject;
    try {
      created = reg.create(JOBS, ns, job, ctx.write);
      emit(reg, cj, "SuccessfulCreate", `Created job ${jobName}`, now, "Normal", COMPONENT);
    } catch (e) {
      if (!(e instanceof ApiError && e.status.code === 409)) {
        emit(reg, cj, "FailedCreate", `Error creating job: ${(e as Error).message}`, now, "Warning", COMPONENT);
        throw e;
      }
      // Created before a crash, or by someone else: ours only if we own it.
      created = reg.get(JOBS, ns, jobName);
      if (!controlledBy(created, cj)) {
        save();
        return requeue();
      }
    }
    if (!isJobFinished(created) && !inActive(created.metadata.uid!)) {
      active.push({ kind: "Job", namespace: ns, name: created.metadata.name, uid: created.metadata.uid, apiVersion: "batch/v1", resourceVersion: created.metadata.resourceVersion });
    }
    status.lastScheduleTime = rfc3339(new Date(latest));
    save();
    const n = sched.next(latest);
    return n === null ? undefined : { requeueAfter: Math.max(0, n + NEXT_SCHEDULE_DELTA_MS - now) };
  }

  /** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
  function cleanupFinished(reg: Registry, cj: KubeObject, jobs: KubeObject[], ctx: ReconcileCtx): void {
    const spec = cj.spec ?? {};
    const byStart = (a: KubeObject, b: KubeObject) =>
      Date.parse(a.status?.startTime ?? a.metadata.creationTimestamp) - Date.parse(b.status?.startTime ?? b.metadata.creationTimestamp);
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

  return {
    name: "cronjob",
    watches: [
      { prefix: registryPrefix(CRON_JOBS), keys: selfKey },
      { prefix: registryPrefix(JOBS), keys: controllerKeys("CronJob") },
    ],
    resync: (reg) => reg.list(CRON_JOBS, undefined).items.map(keyOf),
    reconcile,
  };
}
