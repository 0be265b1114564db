// The Job controller (pkg/controller/job/job_controller.go, v1.32): keeps `parallelism` pods running
// until `completions` succeed, counts failures against backoffLimit with the pod failure back-off
// (10 s doubling, at most 10 min), honours activeDeadlineSeconds, suspend and ttlSecondsAfterFinished.
// Terminated pods are counted through the batch.kubernetes.io/job-tracking finalizer and
// status.uncountedTerminatedPods, so a pod deleted after finishing is still counted exactly once.
import type { Registry } from "../api-server/registry/store";
import { rfc3339 } from "../api-server/registry/store";
import { registryPrefix, JOBS, PODS } from "../api-server/resources";
import type { KubeObject } from "../api-server/types";
import type { Controller, ReconcileCtx } from "./manager";
import { controlledBy, controllerKeys, createPod as createOwnedPod, deletePod as deleteOwnedPod, emit, isPodReady, isTerminal, keyOf, newControllerRef, ownerKey, selfKey, splitKey, tolerate, writeStatus } from "./controller-utils";
import { formatIntervals, hasIndex, nextMissing, parseIndexesFromString, totalIndexes, withIndexes, type Intervals } from "./job-indexes";

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
export const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
const COMPONENT = "job-controller";
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 600_000;

// ---- Job --------------------------------------------------------------------------------------

type Cond = { type: string; status: string; lastProbeTime?: string; lastTransitionTime?: string; reason?: string; message?: string };

const condTrue = (job: KubeObject, type: string): Cond | undefined =>
  (job.status?.conditions as Cond[] | undefined)?.find((c) => c.type === type && c.status === "True");

function setCond(conds: Cond[], type: string, status: string, reason: string, message: string, now: string): Cond[] {
  const cur = conds.find((c) => c.type === type);
  if (cur && cur.status === status && cur.reason === reason && cur.message === message) return conds;
  // As ensureJobConditionStatus: any change makes a new condition, both times now.
  const next: Cond = { type, status, lastProbeTime: now, lastTransitionTime: now, reason, message };
  return cur ? conds.map((c) => (c === cur ? next : c)) : [...conds, next];
}

export const isJobFinished = (job: KubeObject) => !!(condTrue(job, "Complete") || condTrue(job, "Failed"));

/** The pod's index in an Indexed Job, or -1. */
function podIndex(p: KubeObject): number {
  const v = p.metadata.annotations?.[COMPLETION_INDEX] ?? p.metadata.labels?.[COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : -1;
}

export function jobController(_reg: Registry): Controller {
  // When each pod was first seen terminated, for the back-off when no finish time is recorded;
  // the real controller keeps its back-off records in memory too.
  const seenDone = new Map<string, number>();

  function finishTime(p: KubeObject): number {
    let t = NaN;
    for (const cs of p.status?.containerStatuses ?? []) {
      const f = Date.parse(cs?.state?.terminated?.finishedAt ?? "");
      if (!Number.isNaN(f) && !(f <= t)) t = f;
    }
    return Number.isNaN(t) ? seenDone.get(p.metadata.uid!) ?? NaN : t;
  }

  function isPodFailed(p: KubeObject, job: KubeObject): boolean {
    if (p.status?.phase === "Failed") return true;
    if (job.spec?.podReplacementPolicy === "Failed") return false;
    // Deleted pods count as failures: an orphan may never reach the Failed phase.
    return !!p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded";
  }

  function createPod(reg: Registry, job: KubeObject, ctx: ReconcileCtx, index: number): void {
    const tpl = structuredClone(job.spec.template ?? {});
    const meta = tpl.metadata ?? {};
    const name = job.metadata.name!;
    const pod: KubeObject = {
      apiVersion: "v1", kind: "Pod",
      metadata: {
        ...meta,
        generateName: index >= 0 ? `${name}-${index}-` : `${name}-`,
        labels: { ...(meta.labels ?? {}) },
        annotations: { ...(meta.annotations ?? {}) },
        finalizers: [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER],
        ownerReferences: [newControllerRef(job)],
      },
      spec: tpl.spec ?? {},
    };
    delete pod.metadata.name;
    if (index >= 0) {
      pod.metadata.annotations![COMPLETION_INDEX] = String(index);
      pod.metadata.labels![COMPLETION_INDEX] = String(index);
      if (!pod.spec.hostname) pod.spec.hostname = `${name}-${index}`;
      for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
        c.env = [...(c.env ?? []).filter((e: any) => e.name !== "JOB_COMPLETION_INDEX"), { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } }];
      }
    }
    if (Object.keys(pod.metadata.annotations!).length === 0) delete pod.metadata.annotations;
    createOwnedPod(reg, job, pod, ctx, COMPONENT);
  }

  const deletePod = (reg: Registry, job: KubeObject, p: KubeObject, ctx: ReconcileCtx) => deleteOwnedPod(reg, job, p, ctx, COMPONENT);

  function removeFinalizer(reg: Registry, p: KubeObject, ctx: ReconcileCtx): void {
    if (!p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) return;
    tolerate(() => reg.guaranteedUpdate(PODS, p.metadata.namespace, p.metadata.name!, ctx.write, (cur) => {
      const f = (cur.metadata.finalizers ?? []).filter((x: string) => x !== JOB_TRACKING_FINALIZER);
      if (f.length) cur.metadata.finalizers = f;
      else delete cur.metadata.finalizers;
      return cur;
    }));
  }

  function reconcile(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
    const { reg, now } = ctx;
    const [ns, name] = splitKey(key);
    const job = reg.tryGet(JOBS, ns, name);
    const named = reg.list(PODS, ns).items.filter((p) => ownerKey(p, "Job")[0] === key);
    // No garbage collector yet: pods of a deleted (or replaced) Job go with it.
    for (const p of named) {
      if (job && controlledBy(p, job)) continue;
      removeFinalizer(reg, p, ctx);
      tolerate(() => reg.delete(PODS, ns, p.metadata.name!, ctx.write, { propagationPolicy: "Background" }));
    }
    if (!job || job.metadata.deletionTimestamp) return;
    const pods = named.filter((p) => controlledBy(p, job));
    const spec = job.spec ?? {};
    const nowS = rfc3339(new Date(now));

    if (isJobFinished(job)) {
      for (const p of pods) {
        removeFinalizer(reg, p, ctx);
        seenDone.delete(p.metadata.uid!);
      }
      return ttlAfterFinished(reg, job, ctx);
    }

    // ---- accounting: terminated pods into uncountedTerminatedPods, finalizers off, then counts ----
    const status: Record<string, any> = structuredClone(job.status ?? {});
    const indexed = spec.completionMode === "Indexed";
    const completions: number | undefined = spec.completions ?? undefined;
    const unc = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])] as string[], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] as string[] };
    // Intervals bounded by completions (indexed_job_utils.go): whatever status.completedIndexes says.
    let completed = indexed ? parseIndexesFromString(status.completedIndexes, completions ?? 0) : [];
    const newlyCompleted: number[] = [];
    const succeededPrev = Number(status.succeeded ?? 0);
    let grew = false;
    for (const p of pods) {
      const uid = p.metadata.uid!;
      if (isTerminal(p) && !seenDone.has(uid)) seenDone.set(uid, now);
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
    for (const p of pods) if (unc.succeeded.includes(p.metadata.uid!) || unc.failed.includes(p.metadata.uid!)) removeFinalizer(reg, p, ctx);
    const succeeded = indexed ? totalIndexes(completed) : succeededPrev + unc.succeeded.length;
    const failed = Number(status.failed ?? 0) + unc.failed.length;

    const active = pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    let terminating = pods.filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp).length;
    let conds: Cond[] = [...(status.conditions ?? [])];
    const suspended = spec.suspend === true;
    let startTime: string | undefined = status.startTime;
    let requeue: number | undefined;

    // ---- finishing: a target condition first, the final one once no pod is terminating ----
    let target = conds.find((c) => (c.type === "FailureTarget" || c.type === "SuccessCriteriaMet") && c.status === "True");
    if (!target) {
      let restarts = 0;
      if (spec.template?.spec?.restartPolicy === "OnFailure") for (const p of active) for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += Number(cs.restartCount ?? 0);
      const backoffLimit = spec.backoffLimit ?? 6;
      const ads = spec.activeDeadlineSeconds;
      const elapsed = startTime ? now - Date.parse(startTime) : 0;
      // With restartPolicy OnFailure, container restarts of running pods count as failures too.
      const pastOnFailure = backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit && restarts > 0;
      if (failed > backoffLimit || pastOnFailure) {
        conds = setCond(conds, "FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", nowS);
      } else if (ads != null && startTime && !suspended && elapsed >= ads * 1000) {
        conds = setCond(conds, "FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline", nowS);
      } else if (completions != null ? succeeded >= completions : succeeded > 0 && active.length === 0) {
        conds = setCond(conds, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", nowS);
      } else if (ads != null && startTime && !suspended) {
        requeue = ads * 1000 - elapsed;
      }
      target = conds.find((c) => (c.type === "FailureTarget" || c.type === "SuccessCriteriaMet") && c.status === "True");
    }

    let activeCount: number;
    let ready = active.filter(isPodReady).length;
    if (target) {
      // Deleted pods are terminating now; the final condition waits for them to be counted and gone.
      for (const p of active) deletePod(reg, job, p, ctx);
      terminating += active.length;
      activeCount = 0;
      ready = 0;
    } else if (suspended) {
      for (const p of active) deletePod(reg, job, p, ctx);
      terminating += active.length;
      activeCount = 0;
      ready = 0;
      if (!condTrue(job, "Suspended")) emit(reg, job, "Suspended", "Job suspended", now, "Normal", COMPONENT);
      conds = setCond(conds, "Suspended", "True", "JobSuspended", "Job suspended", nowS);
    } else {
      if (condTrue(job, "Suspended")) {
        // Resuming restarts the activeDeadlineSeconds clock.
        conds = setCond(conds, "Suspended", "False", "JobResumed", "Job resumed", nowS);
        emit(reg, job, "Resumed", "Job resumed", now, "Normal", COMPONENT);
        startTime = nowS;
      }
      startTime ??= nowS;
      const r = managePods(reg, job, ctx, pods, active, succeeded, completed, terminating);
      activeCount = r.active;
      if (r.requeueAfter !== undefined) requeue = Math.min(requeue ?? Infinity, r.requeueAfter);
    }

    const finalNow = target && terminating === 0;
    let completionTime: string | undefined = status.completionTime;
    if (finalNow && target) {
      const success = target.type === "SuccessCriteriaMet";
      conds = setCond(conds, success ? "Complete" : "Failed", "True", target.reason!, target.message!, nowS);
      if (success) {
        completionTime = nowS;
        emit(reg, job, "Completed", "Job completed", now, "Normal", COMPONENT);
      } else emit(reg, job, target.reason!, target.message!, now, "Warning", COMPONENT);
    }

    const next: Record<string, unknown> = {};
    if (conds.length) next.conditions = conds;
    if (startTime) next.startTime = startTime;
    if (completionTime) next.completionTime = completionTime;
    if (activeCount) next.active = activeCount;
    if (succeeded) next.succeeded = succeeded;
    if (failed) next.failed = failed;
    next.terminating = terminating;
    if (indexed && completed.length) next.completedIndexes = formatIntervals(completed);
    next.uncountedTerminatedPods = {};
    next.ready = ready;
    cur = reg.tryGet(JOBS, ns, name) ?? cur;
    writeStatus(reg, JOBS, cur, next, ctx);
    if (finalNow && spec.ttlSecondsAfterFinished != null) return { requeueAfter: spec.ttlSecondsAfterFinished * 1000 };
    return requeue !== undefined ? { requeueAfter: Math.max(0, requeue) } : undefined;
  }

  /** Creates or deletes pods toward the wanted number of active ones; returns how many are active. */
  function managePods(reg: Registry, job: KubeObject, ctx: ReconcileCtx, pods: KubeObject[], active: KubeObject[], succeeded: number, completed: Intervals, terminating: number): { active: number; requeueAfter?: number } {
    const spec = job.spec;
    const parallelism = spec.parallelism ?? 1;
    const indexed = spec.completionMode === "Indexed";
    let want: number;
    if (spec.completions == null) want = succeeded > 0 ? Math.min(active.length, parallelism) : parallelism;
    else want = Math.max(0, Math.min(parallelism, spec.completions - succeeded));
    // With podReplacementPolicy Failed, a terminating pod still holds its place.
    if (spec.podReplacementPolicy === "Failed") want = Math.max(0, want - terminating);

    let keep = active;
    if (indexed) {
      // One active pod per pending index; duplicates and finished or out-of-range indexes go.
      const seen = new Set<number>();
      keep = [];
      for (const p of [...active].sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)))) {
        const ix = podIndex(p);
        if (ix < 0 || ix >= spec.completions || hasIndex(completed, ix) || seen.has(ix)) deletePod(reg, job, p, ctx);
        else { seen.add(ix); keep.push(p); }
      }
    }
    if (keep.length > want) {
      // Not-ready and newest first, as the real controller's ActivePods ordering.
      const victims = [...keep].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
      for (const p of victims.slice(0, keep.length - want)) deletePod(reg, job, p, ctx);
      return { active: want };
    }
    if (keep.length === want) return { active: keep.length };

    // Pod failure back-off: 10 s doubling per failure since the last success, from the last failure.
    const finished = pods.filter(isTerminal).map((p) => ({ ok: p.status?.phase === "Succeeded", t: finishTime(p) }));
    let failuresAfterSuccess = 0;
    let lastFailure = -Infinity;
    const lastSuccess = Math.max(-Infinity, ...finished.filter((f) => f.ok).map((f) => f.t));
    for (const f of finished) if (!f.ok && !(f.t < lastSuccess)) { failuresAfterSuccess++; if (!Number.isNaN(f.t)) lastFailure = Math.max(lastFailure, f.t); }
    if (failuresAfterSuccess > 0 && lastFailure > -Infinity) {
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failuresAfterSuccess - 1));
      const wait = lastFailure + delay - ctx.now;
      if (wait > 0) return { active: keep.length, requeueAfter: wait };
    }

    const n = want - keep.length;
    if (indexed) {
      const busy = new Set(keep.map(podIndex));
      let made = 0;
      // Jumps over completed intervals: steps are bounded by the pods made and the busy indexes.
      for (let ix = nextMissing(completed, 0); ix < spec.completions && made < n; ix = nextMissing(completed, ix + 1)) {
        if (busy.has(ix)) continue;
        createPod(reg, job, ctx, ix);
        made++;
      }
      return { active: keep.length + made };
    }
    for (let i = 0; i < n; i++) createPod(reg, job, ctx, -1);
    return { active: want };
  }

  /** The TTL-after-finished controller's part: delete a finished Job once its TTL has passed. */
  function ttlAfterFinished(reg: Registry, job: KubeObject, ctx: ReconcileCtx): void | { requeueAfter?: number } {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl == null) return;
    const c = condTrue(job, "Complete") ?? condTrue(job, "Failed");
    const finishedAt = Date.parse(job.status?.completionTime ?? c?.lastTransitionTime ?? "");
    if (Number.isNaN(finishedAt)) return;
    const left = finishedAt + ttl * 1000 - ctx.now;
    if (left > 0) return { requeueAfter: left };
    tolerate(() => reg.delete(JOBS, job.metadata.namespace, job.metadata.name!, ctx.write, { propagationPolicy: "Background", preconditions: { uid: job.metadata.uid } }));
  }

  return {
    name: "job",
    watches: [
      { prefix: registryPrefix(JOBS), keys: selfKey },
      { prefix: registryPrefix(PODS), keys: controllerKeys("Job") },
    ],
    resync: (reg) => reg.list(JOBS, undefined).items.map(keyOf),
    reconcile,
  };
}
