// The Job controller (pkg/controller/job/job_controller.go, v1.32): keeps `parallelism` pods running
// until `completions` succeed, counts failures against backoffLimit with the pod failure back-off
// (job-pods.ts), honours activeDeadlineSeconds, suspend and ttlSecondsAfterFinished.
// Terminated pods are counted through the batch.kubernetes.io/job-tracking finalizer and
// status.uncountedTerminatedPods, so a pod deleted after finishing is still counted exactly once.
// syncJob runs upstream's steps in order: trackJobStatusAndRemoveFinalizers, the finish target
// (FailureTarget or SuccessCriteriaMet), manageJob, then updateStatus with the final condition
// once no pod is terminating.
import type { Registry } from "../../api-server/registry/store";
import { rfc3339 } from "../../api-server/registry/store";
import { registryPrefix, JOBS, PODS } from "../../api-server/resources";
import type { Pod } from "../../api-server/objects/core";
import type { Job, JobSpec, JobStatus } from "../../api-server/objects/batch";
import type { Controller, ReconcileCtx } from "../manager";
import { controlledBy, controllerKeys, deletePod, emit, isPodReady, isTerminal, keyOf, ownerKey, selfKey, splitKey, tolerate, writeStatus, type Condition } from "../controller-utils";
import { formatIntervals, hasIndex, nextMissing, parseIndexesFromString, totalIndexes, withIndexes, type Intervals } from "./job-indexes";
import { condTrue, isJobFinished, podIndex, setCond, JOB_TRACKING_FINALIZER } from "./job-util";
import { backoffRemaining, COMPONENT, createJobPod, isPodFailed, removeTrackingFinalizer } from "./job-pods";

/** What the controller remembers between syncs; the real controller keeps its back-off records in memory too. */
export interface JobControllerState {
  /** When each pod was first seen terminated, for the back-off when no finish time is recorded. */
  seenDone: Map<string, number>;
}

export function jobController(_reg: Registry): Controller {
  const state: JobControllerState = { seenDone: new Map() };
  return {
    name: "job",
    watches: [
      { prefix: registryPrefix(JOBS), keys: selfKey },
      { prefix: registryPrefix(PODS), keys: controllerKeys("Job") },
    ],
    resync: (reg) => reg.list(JOBS, undefined).items.map(keyOf),
    reconcile: (key, ctx) => syncJob(state, key, ctx),
  };
}

/** One sync of one Job (upstream's syncJobCtx): what the steps read, and what they decide. */
interface SyncJobCtx {
  ctx: ReconcileCtx;
  job: Job;
  /** The Job after this sync's writes so far. */
  cur: Job;
  pods: Pod[];
  nowS: string;
  indexed: boolean;
  /** The stored status, as read at the start. */
  status: JobStatus;
  completed: Intervals;
  succeeded: number;
  failed: number;
  active: Pod[];
  terminating: number;
  conds: Condition[];
  startTime?: string;
  requeue?: number;
}

function syncJob(state: JobControllerState, key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const { reg } = ctx;
  const [ns, name] = splitKey(key);
  const job = reg.tryGet(JOBS, ns, name);
  const named = reg.list(PODS, ns).items.filter((p) => ownerKey(p, "Job")[0] === key);
  // As the garbage collector does too: the pods of a deleted (or same-name replaced) Job go with it.
  // An orphaning delete has stripped their owner references first, so they stay.
  for (const p of named) {
    if (job && controlledBy(p, job)) continue;
    removeTrackingFinalizer(reg, p, ctx);
    tolerate(() => reg.delete(PODS, ns, p.metadata.name!, ctx.write, { propagationPolicy: "Background" }));
  }
  if (!job || job.metadata.deletionTimestamp) return;
  const pods = named.filter((p) => controlledBy(p, job));

  if (isJobFinished(job)) {
    for (const p of pods) {
      removeTrackingFinalizer(reg, p, ctx);
      state.seenDone.delete(p.metadata.uid!);
    }
    return ttlAfterFinished(reg, job, ctx);
  }

  const jc = trackJobStatusAndRemoveFinalizers(state, job, pods, ctx);
  const target = finishTarget(jc);
  const { activeCount, ready } = syncActivePods(state, jc, target);
  return updateStatus(jc, target, activeCount, ready);
}

/**
 * trackJobStatusAndRemoveFinalizers: terminated pods go into uncountedTerminatedPods (written
 * first), then lose their finalizer, then count as succeeded or failed.
 */
function trackJobStatusAndRemoveFinalizers(state: JobControllerState, job: Job, pods: Pod[], ctx: ReconcileCtx): SyncJobCtx {
  const { reg, now } = ctx;
  const spec: Partial<JobSpec> = job.spec ?? {};
  const status: JobStatus = structuredClone(job.status ?? {});
  const indexed = spec.completionMode === "Indexed";
  const completions: number | undefined = spec.completions ?? undefined;
  const unc = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
  // Intervals bounded by completions (indexed_job_utils.go): whatever status.completedIndexes says.
  let completed = indexed ? parseIndexesFromString(status.completedIndexes, completions ?? 0) : [];
  const newlyCompleted: number[] = [];
  const succeededPrev = Number(status.succeeded ?? 0);
  let grew = false;
  for (const p of pods) {
    const uid = p.metadata.uid!;
    if (isTerminal(p) && !state.seenDone.has(uid)) state.seenDone.set(uid, now);
    if (!p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) || unc.succeeded.includes(uid) || unc.failed.includes(uid)) continue;
    if (p.status?.phase === "Succeeded") {
      const ix = podIndex(p);
      if (indexed && ix >= 0 && ix < (completions ?? 0)) newlyCompleted.push(ix);
      unc.succeeded.push(uid);
      grew = true;
    } else if (isPodFailed(p, job)) {
      unc.failed.push(uid);
      grew = true;
    }
  }
  completed = withIndexes(completed, newlyCompleted);
  let cur = job;
  if (grew) {
    // Recorded first, so a crash between here and the counts below loses and repeats nothing.
    cur = writeStatus(reg, JOBS, cur, { ...status, uncountedTerminatedPods: unc, ...(indexed ? { completedIndexes: formatIntervals(completed) } : {}) }, ctx);
  }
  for (const p of pods) if (unc.succeeded.includes(p.metadata.uid!) || unc.failed.includes(p.metadata.uid!)) removeTrackingFinalizer(reg, p, ctx);
  const active = pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
  return {
    ctx, job, cur, pods, nowS: rfc3339(new Date(now)), indexed, status, completed,
    succeeded: indexed ? totalIndexes(completed) : succeededPrev + unc.succeeded.length,
    failed: Number(status.failed ?? 0) + unc.failed.length,
    active,
    terminating: pods.filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp).length,
    conds: [...(status.conditions ?? [])],
    startTime: status.startTime,
  };
}

const targetOf = (conds: Condition[]) => conds.find((c) => (c.type === "FailureTarget" || c.type === "SuccessCriteriaMet") && c.status === "True");

/**
 * The finish target, set once: FailureTarget past backoffLimit (pastBackoffLimitOnFailure counts
 * container restarts with restartPolicy OnFailure) or the active deadline, SuccessCriteriaMet at
 * the completions. Otherwise, when the deadline would pass.
 */
function finishTarget(jc: SyncJobCtx): Condition | undefined {
  const spec: Partial<JobSpec> = jc.job.spec ?? {};
  const existing = targetOf(jc.conds);
  if (existing) return existing;
  let restarts = 0;
  if (spec.template?.spec?.restartPolicy === "OnFailure") for (const p of jc.active) for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += Number(cs.restartCount ?? 0);
  const backoffLimit = spec.backoffLimit ?? 6;
  const ads = spec.activeDeadlineSeconds;
  const suspended = spec.suspend === true;
  const completions: number | undefined = spec.completions ?? undefined;
  const elapsed = jc.startTime ? jc.ctx.now - Date.parse(jc.startTime) : 0;
  // With restartPolicy OnFailure, container restarts of running pods count as failures too.
  const pastOnFailure = backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit && restarts > 0;
  if (jc.failed > backoffLimit || pastOnFailure) {
    jc.conds = setCond(jc.conds, "FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", jc.nowS);
  } else if (ads != null && jc.startTime && !suspended && elapsed >= ads * 1000) {
    jc.conds = setCond(jc.conds, "FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline", jc.nowS);
  } else if (completions != null ? jc.succeeded >= completions : jc.succeeded > 0 && jc.active.length === 0) {
    jc.conds = setCond(jc.conds, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", jc.nowS);
  } else if (ads != null && jc.startTime && !suspended) {
    jc.requeue = ads * 1000 - elapsed;
  }
  return targetOf(jc.conds);
}

/** The active pods: all deleted once finishing or suspended (the Suspended condition), else manageJob. */
function syncActivePods(state: JobControllerState, jc: SyncJobCtx, target: Condition | undefined): { activeCount: number; ready: number } {
  const { job, ctx, active } = jc;
  const { reg, now } = ctx;
  if (target || job.spec?.suspend === true) {
    // Deleted pods are terminating now; the final condition waits for them to be counted and gone.
    for (const p of active) deletePod(reg, job, p, ctx, COMPONENT);
    jc.terminating += active.length;
    if (!target) {
      if (!condTrue(job, "Suspended")) emit(reg, job, "Suspended", "Job suspended", now, "Normal", COMPONENT);
      jc.conds = setCond(jc.conds, "Suspended", "True", "JobSuspended", "Job suspended", jc.nowS);
    }
    return { activeCount: 0, ready: 0 };
  }
  const ready = active.filter(isPodReady).length;
  if (condTrue(job, "Suspended")) {
    // Resuming restarts the activeDeadlineSeconds clock.
    jc.conds = setCond(jc.conds, "Suspended", "False", "JobResumed", "Job resumed", jc.nowS);
    emit(reg, job, "Resumed", "Job resumed", now, "Normal", COMPONENT);
    jc.startTime = jc.nowS;
  }
  jc.startTime ??= jc.nowS;
  const r = manageJob(state, jc);
  if (r.requeueAfter !== undefined) jc.requeue = Math.min(jc.requeue ?? Infinity, r.requeueAfter);
  return { activeCount: r.active, ready };
}

/** manageJob: creates or deletes pods toward the wanted number of active ones; returns how many are active. */
function manageJob(state: JobControllerState, jc: SyncJobCtx): { active: number; requeueAfter?: number } {
  const { job, ctx, active, completed } = jc;
  const reg = ctx.reg;
  const spec = job.spec;
  const parallelism = spec.parallelism ?? 1;
  let want: number;
  if (spec.completions == null) want = jc.succeeded > 0 ? Math.min(active.length, parallelism) : parallelism;
  else want = Math.max(0, Math.min(parallelism, spec.completions - jc.succeeded));
  // With podReplacementPolicy Failed, a terminating pod still holds its place.
  if (spec.podReplacementPolicy === "Failed") want = Math.max(0, want - jc.terminating);

  let keep = active;
  if (jc.indexed) {
    // One active pod per pending index; duplicates and finished or out-of-range indexes go.
    // (An Indexed Job has completions: validation requires them.)
    const seen = new Set<number>();
    keep = [];
    for (const p of [...active].sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)))) {
      const ix = podIndex(p);
      if (ix < 0 || ix >= spec.completions! || hasIndex(completed, ix) || seen.has(ix)) deletePod(reg, job, p, ctx, COMPONENT);
      else { seen.add(ix); keep.push(p); }
    }
  }
  if (keep.length > want) {
    // Not-ready and newest first, as the real controller's ActivePods ordering.
    const victims = [...keep].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
    for (const p of victims.slice(0, keep.length - want)) deletePod(reg, job, p, ctx, COMPONENT);
    return { active: want };
  }
  if (keep.length === want) return { active: keep.length };

  const wait = backoffRemaining(state, jc.pods, ctx.now);
  if (wait > 0) return { active: keep.length, requeueAfter: wait };

  const n = want - keep.length;
  if (jc.indexed) {
    const busy = new Set(keep.map(podIndex));
    let made = 0;
    // Jumps over completed intervals: steps are bounded by the pods made and the busy indexes.
    for (let ix = nextMissing(completed, 0); ix < spec.completions! && made < n; ix = nextMissing(completed, ix + 1)) {
      if (busy.has(ix)) continue;
      createJobPod(reg, job, ctx, ix);
      made++;
    }
    return { active: keep.length + made };
  }
  for (let i = 0; i < n; i++) createJobPod(reg, job, ctx, -1);
  return { active: want };
}

/** The status with this sync's counts; Complete or Failed (and completionTime) once no pod is terminating. */
function updateStatus(jc: SyncJobCtx, target: Condition | undefined, activeCount: number, ready: number): void | { requeueAfter?: number } {
  const { job, ctx, status } = jc;
  const { reg, now } = ctx;
  const finalNow = target && jc.terminating === 0;
  let completionTime: string | undefined = status.completionTime;
  if (finalNow && target) {
    const success = target.type === "SuccessCriteriaMet";
    jc.conds = setCond(jc.conds, success ? "Complete" : "Failed", "True", target.reason!, target.message!, jc.nowS);
    if (success) {
      completionTime = jc.nowS;
      emit(reg, job, "Completed", "Job completed", now, "Normal", COMPONENT);
    } else emit(reg, job, target.reason!, target.message!, now, "Warning", COMPONENT);
  }

  const next: JobStatus = {};
  if (jc.conds.length) next.conditions = jc.conds;
  if (jc.startTime) next.startTime = jc.startTime;
  if (completionTime) next.completionTime = completionTime;
  if (activeCount) next.active = activeCount;
  if (jc.succeeded) next.succeeded = jc.succeeded;
  if (jc.failed) next.failed = jc.failed;
  next.terminating = jc.terminating;
  if (jc.indexed && jc.completed.length) next.completedIndexes = formatIntervals(jc.completed);
  next.uncountedTerminatedPods = {};
  next.ready = ready;
  const cur = reg.tryGet(JOBS, job.metadata.namespace, job.metadata.name!) ?? jc.cur;
  writeStatus(reg, JOBS, cur, next, ctx);
  if (finalNow && job.spec?.ttlSecondsAfterFinished != null) return { requeueAfter: job.spec.ttlSecondsAfterFinished * 1000 };
  return jc.requeue !== undefined ? { requeueAfter: Math.max(0, jc.requeue) } : undefined;
}

/** The TTL-after-finished controller's part: delete a finished Job once its TTL has passed. */
function ttlAfterFinished(reg: Registry, job: Job, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null) return;
  const c = condTrue(job, "Complete") ?? condTrue(job, "Failed");
  const finishedAt = Date.parse(job.status?.completionTime ?? c?.lastTransitionTime ?? "");
  if (Number.isNaN(finishedAt)) return;
  const left = finishedAt + ttl * 1000 - ctx.now;
  if (left > 0) return { requeueAfter: left };
  tolerate(() => reg.delete(JOBS, job.metadata.namespace, job.metadata.name!, ctx.write, { propagationPolicy: "Background", preconditions: { uid: job.metadata.uid } }));
}
