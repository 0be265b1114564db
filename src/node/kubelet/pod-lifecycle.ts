// The pod worker: moves one pod through sandbox creation, image pulls, init containers, container
// starts, exits, restarts with back-off, probes and graceful termination, step by step in simulated
// time. Each step happens at its own timestamp, so a late sync replays what happened in between.

import type { Container, Pod } from "../../control-plane/api-server/objects/core";
import { LIFECYCLE_STEP_WORK, NODE_SYNC_WORK, PROBE_CATCHUP_MS } from "../container-runtime/budgets";
import { appendExtra } from "../container-runtime/logs";
import { backoffNext, goDuration, inBackoffSince } from "./backoff";
import { TIMING } from "./config";
import { beginStart, containerEnv, finishPull, startRun } from "./container-start";
import { releaseIP, allocateIP } from "./ipam";
import { applyResult, evaluateProbe, httpTarget, PROBE_KINDS, probeSpec, scheduleNext, tickAtOrAfter, type ProbeTarget } from "./probes";
import { between, type ContainerRecord, type PodRecord } from "./state";
import { advanceInitAfter, arr, emit, finishRun, hostnameOf, podGrace, podRef, scheduleInit, specOf, startRegular, type SyncCtx } from "./sync-ctx";

export type { SyncCtx } from "./sync-ctx";

const MAX_STEPS_PER_SYNC = 20_000;

function newContainer(spec: Container, init: boolean): ContainerRecord {
  return {
    name: String(spec?.name ?? ""),
    init,
    sidecar: init && spec?.restartPolicy === "Always",
    stage: "waiting",
    at: null,
    waiting: null,
    imageBackoff: null,
    crashBackoff: null,
    restartCount: 0,
    current: null,
    previous: null,
    kill: null,
    probes: {},
    started: false,
    ready: false,
    specImage: String(spec?.image ?? ""),
  };
}

/** Admission: the kubelet takes the pod and starts its sandbox. */
export function admitPod(ctx: SyncCtx, pod: Pod, now: number): PodRecord {
  const uid = String(pod.metadata.uid ?? "");
  const rp = pod.spec?.restartPolicy;
  return {
    uid,
    namespace: String(pod.metadata.namespace ?? "default"),
    name: String(pod.metadata.name ?? ""),
    admittedAt: now,
    sandboxReadyAt: now + between(ctx.state, `sandbox|${uid}`, TIMING.sandboxMs, TIMING.sandboxMs * 1.5),
    sandboxUp: false,
    podIP: null,
    hostNetwork: pod.spec?.hostNetwork === true,
    restartPolicy: rp === "OnFailure" || rp === "Never" ? rp : "Always",
    init: arr(pod.spec?.initContainers).map((s) => newContainer(s, true)),
    containers: arr(pod.spec?.containers).map((s) => newContainer(s, false)),
    initDoneAt: null,
    nextInitAt: null,
    terminating: null,
    finished: false,
    conditions: {},
    reported: null,
  };
}

const allContainers = (rec: PodRecord) => [...rec.init, ...rec.containers];

function exitAtOf(c: ContainerRecord): number | null {
  const r = c.current;
  if (c.stage !== "running" || !r) return null;
  const natural = r.behaviour.exitAtMs === null ? null : r.startedAt + r.behaviour.exitAtMs;
  const killed = c.kill?.exitAt ?? null;
  if (natural === null) return killed;
  if (killed === null) return natural;
  return Math.min(natural, killed);
}

function containerNextAt(c: ContainerRecord): number | null {
  let t: number | null = c.stage === "running" ? exitAtOf(c) : c.at;
  if (c.stage === "running") for (const p of Object.values(c.probes)) if (p?.nextAt != null && (t === null || p.nextAt < t)) t = p.nextAt;
  return t;
}

/** Earliest time something in this pod changes by itself. */
export function podNextAt(rec: PodRecord): number | null {
  let t: number | null = null;
  const consider = (x: number | null) => {
    if (x !== null && (t === null || x < t)) t = x;
  };
  if (!rec.sandboxUp && !rec.finished && !rec.terminating) consider(rec.sandboxReadyAt);
  for (const c of allContainers(rec)) consider(containerNextAt(c));
  return t;
}

/** The sync's cpu is spent (budgets.ts NODE_SYNC_WORK): what is left waits for the next sync. */
export const outOfWork = (ctx: SyncCtx) => ctx.work.used >= NODE_SYNC_WORK;

/**
 * Advance the pod to `now`, step by step. Returns false when the node's cpu for this sync ran out
 * first: the pod stays at its last step (its next step is due, so the node syncs again soon).
 */
export function advancePod(ctx: SyncCtx, rec: PodRecord, pod: Pod, now: number): boolean {
  if (ctx.overloaded) dropMissedProbeTicks(rec, pod, now - PROBE_CATCHUP_MS);
  for (let i = 0; i < MAX_STEPS_PER_SYNC; i++) {
    const t = podNextAt(rec);
    if (t === null || t > now) break;
    if (outOfWork(ctx)) return false;
    ctx.work.used += LIFECYCLE_STEP_WORK;
    step(ctx, rec, pod, t);
  }
  // Things noticed at sync time: deletion, spec changes, images that appeared for Never pulls.
  if (pod.metadata.deletionTimestamp && !rec.terminating) beginTermination(ctx, rec, pod, now);
  if (!rec.terminating) {
    checkSpecChanges(ctx, rec, pod, now);
    for (const c of allContainers(rec)) if (c.stage === "blocked") beginStart(ctx, rec, pod, c, now);
  }
  ctx.work.used += LIFECYCLE_STEP_WORK;
  step(ctx, rec, pod, now);
  return true;
}

/**
 * A node that ran out of cpu runs its probes late and drops the ticks it missed, as the prober's
 * time.Ticker drops ticks for a slow receiver: a backlog older than `cutoff` is not replayed.
 */
function dropMissedProbeTicks(rec: PodRecord, pod: Pod, cutoff: number): void {
  for (const c of allContainers(rec)) {
    if (c.stage !== "running") continue;
    for (const kind of PROBE_KINDS) {
      const st = c.probes[kind];
      const ps = st?.nextAt != null && st.nextAt < cutoff ? probeSpec(specOf(pod, c), kind) : undefined;
      if (st && ps) st.nextAt = tickAtOrAfter(st.nextAt!, ps.periodMs, cutoff);
    }
  }
}

function step(ctx: SyncCtx, rec: PodRecord, pod: Pod, t: number): void {
  if (!rec.sandboxUp && !rec.finished && !rec.terminating && rec.sandboxReadyAt <= t) {
    rec.sandboxUp = true;
    rec.podIP = rec.hostNetwork ? ctx.cfg.internalIP : allocateIP(ctx.state, ctx.cfg.podCIDR, rec.uid);
    if (rec.init.length > 0) scheduleInit(rec, 0, t);
    else startRegular(rec, t);
  }
  for (const c of allContainers(rec)) stepContainer(ctx, rec, pod, c, t);
  settle(ctx, rec, t);
}

function stepContainer(ctx: SyncCtx, rec: PodRecord, pod: Pod, c: ContainerRecord, t: number): void {
  if (c.stage === "running") {
    stepRunning(ctx, rec, pod, c, t);
    return;
  }
  if (c.at === null || c.at > t) return;
  switch (c.stage) {
    case "waiting":
    case "imagePullBackOff":
      beginStart(ctx, rec, pod, c, t);
      return;
    case "pulling":
      finishPull(ctx, rec, c, t);
      return;
    case "creating":
      startRun(ctx, rec, pod, c, t);
      return;
    case "errImagePull": {
      // The next sync finds the pull still backing off.
      const spec = specOf(pod, c);
      c.stage = "imagePullBackOff";
      c.waiting = { reason: "ImagePullBackOff", message: `Back-off pulling image ${JSON.stringify(spec.image)}` };
      c.at = c.imageBackoff ? c.imageBackoff.lastUpdate + c.imageBackoff.backoffMs : t;
      emit(ctx, rec, c, "Normal", "BackOff", `Back-off pulling image ${JSON.stringify(spec.image)}`, t);
      emit(ctx, rec, c, "Warning", "Failed", "Error: ImagePullBackOff", t);
      return;
    }
    case "exited":
      decideRestart(ctx, rec, pod, c, t);
      return;
    case "crashBackOff":
      c.crashBackoff = backoffNext(c.crashBackoff, c.current?.finishedAt ?? t, t);
      beginStart(ctx, rec, pod, c, t);
      return;
  }
}

function probeTarget(rec: PodRecord, pod: Pod, c: ContainerRecord): ProbeTarget {
  const spec = specOf(pod, c);
  return { behaviour: c.current!.behaviour, startedAt: c.current!.startedAt, podIP: rec.podIP ?? "", ports: arr(spec.ports), env: containerEnv(rec, pod, spec), hostname: hostnameOf(pod) };
}

function stepRunning(ctx: SyncCtx, rec: PodRecord, pod: Pod, c: ContainerRecord, t: number): void {
  const run = c.current!;
  const exitAt = exitAtOf(c);
  if (exitAt !== null && exitAt <= t) {
    const b = run.behaviour;
    const natural = b.exitAtMs === null ? null : run.startedAt + b.exitAtMs;
    if (c.kill && c.kill.exitAt <= (natural ?? Infinity)) {
      finishRun(ctx, rec, c, exitAt, c.kill.exitCode, c.kill.exitCode === 0 ? "Completed" : "Error");
    } else if (b.oomAtMs !== null && natural === run.startedAt + b.oomAtMs) {
      finishRun(ctx, rec, c, exitAt, 137, "OOMKilled");
    } else {
      finishRun(ctx, rec, c, exitAt, b.exitCode, b.exitCode === 0 ? "Completed" : "Error");
    }
    return;
  }
  const spec = specOf(pod, c);
  for (const kind of PROBE_KINDS) {
    const st = c.probes[kind];
    if (!st || st.nextAt === null || st.nextAt > t) continue;
    const ps = probeSpec(spec, kind);
    if (!ps) {
      st.nextAt = null;
      continue;
    }
    // Liveness and readiness wait for the startup probe; nothing probes a container being killed for it.
    const gated = kind !== "startup" && !c.started;
    const target = probeTarget(rec, pod, c);
    if (gated || (c.kill && c.kill.cause !== "delete") || rec.terminating) {
      st.nextAt = rec.terminating || c.kill ? null : t + ps.periodMs;
      continue;
    }
    const ans = evaluateProbe(ps, target, t, ctx.work);
    const out = applyResult(st, ps, ans);
    if (out.event) emit(ctx, rec, c, "Warning", "Unhealthy", out.event.message, t);
    switch (out.transition) {
      case "ready":
        c.ready = true;
        break;
      case "unready":
        c.ready = false;
        break;
      case "started":
        c.started = true;
        c.ready = (!c.init || c.sidecar) && !c.probes.readiness;
        for (const k of ["liveness", "readiness"] as const) {
          const other = c.probes[k];
          const os = probeSpec(spec, k);
          if (other && os) other.nextAt = Math.max(other.nextAt ?? t, t);
        }
        for (const r of run.requests) if (r.untilAt === null && probeSpec(spec, "startup") && httpTarget(probeSpec(spec, "startup")!, arr(spec.ports))?.path === r.path) r.untilAt = t;
        if (c.sidecar) advanceInitAfter(rec, c, t);
        break;
      case "kill": {
        const label = kind === "liveness" ? "liveness" : "startup";
        emit(ctx, rec, c, "Normal", "Killing", `Container ${c.name} failed ${label} probe, will be restarted`, t);
        const grace = ps.terminationGracePeriodSeconds ?? podGrace(pod);
        beginKill(rec, c, t, grace, kind === "liveness" ? "liveness" : "startup");
        break;
      }
    }
    if (st.nextAt !== null) scheduleNext(st, ps, rec.admittedAt, target, t);
  }
}

/** Send the stop signal: the program exits after its own delay, or is SIGKILLed at the grace end. */
function beginKill(rec: PodRecord, c: ContainerRecord, t: number, graceSeconds: number, cause: "delete" | "liveness" | "startup" | "spec"): void {
  const run = c.current!;
  const stop = run.behaviour.stop;
  const graceMs = Math.max(0, graceSeconds) * 1000;
  const honoured = stop.afterMs !== null && stop.afterMs <= graceMs;
  const exitAt = t + (honoured ? stop.afterMs! : graceMs);
  if (c.kill && c.kill.exitAt <= exitAt) return;
  c.kill = { at: t, exitAt, exitCode: honoured ? stop.exitCode : 137, cause };
  if (honoured) for (const line of stop.logs) appendExtra(run, t + Math.min(stop.afterMs!, 50), line);
}

function restartAllowed(rec: PodRecord, c: ContainerRecord, exitCode: number): boolean {
  if (rec.terminating || rec.finished) return false;
  if (c.sidecar) return true;
  if (c.init) return exitCode !== 0 && rec.restartPolicy !== "Never";
  if (rec.restartPolicy === "Always") return true;
  if (rec.restartPolicy === "OnFailure") return exitCode !== 0;
  return false;
}

function decideRestart(ctx: SyncCtx, rec: PodRecord, pod: Pod, c: ContainerRecord, t: number): void {
  const run = c.current!;
  const code = run.exitCode ?? 0;
  c.at = null;
  if (!restartAllowed(rec, c, code)) return;
  if (inBackoffSince(c.crashBackoff, run.finishedAt!, t)) {
    const d = goDuration(c.crashBackoff!.backoffMs);
    c.stage = "crashBackOff";
    c.waiting = { reason: "CrashLoopBackOff", message: `back-off ${d} restarting failed container=${c.name} pod=${podRef(rec)}` };
    c.at = run.finishedAt! + c.crashBackoff!.backoffMs;
    emit(ctx, rec, c, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${podRef(rec)}`, t);
    return;
  }
  c.crashBackoff = backoffNext(c.crashBackoff, run.finishedAt!, t);
  beginStart(ctx, rec, pod, c, t);
}

/** kubectl set image on a bare pod: the kubelet kills the container and starts the new spec. */
function checkSpecChanges(ctx: SyncCtx, rec: PodRecord, pod: Pod, t: number): void {
  for (const c of allContainers(rec)) {
    const image = String(specOf(pod, c).image ?? "");
    if (image === c.specImage || rec.finished) continue;
    if (c.stage === "running" && !c.kill) {
      emit(ctx, rec, c, "Normal", "Killing", `Container ${c.name} definition changed, will be restarted`, t);
      beginKill(rec, c, t, podGrace(pod), "spec");
      c.specImage = image;
    } else if (["blocked", "imagePullBackOff", "errImagePull", "crashBackOff"].includes(c.stage)) {
      c.imageBackoff = null;
      c.stage = "waiting";
      c.at = t;
      c.specImage = image;
    }
  }
}

/** Deletion seen: stop everything within the grace period. */
function beginTermination(ctx: SyncCtx, rec: PodRecord, pod: Pod, t: number): void {
  const g = pod.metadata.deletionGracePeriodSeconds;
  const grace = typeof g === "number" ? g : podGrace(pod);
  rec.terminating = { at: t, graceEndAt: t + grace * 1000 };
  for (const c of allContainers(rec)) {
    if (c.stage === "running") {
      emit(ctx, rec, c, "Normal", "Killing", `Stopping container ${c.name}`, t);
      beginKill(rec, c, t, grace, "delete");
      for (const p of Object.values(c.probes)) if (p) p.nextAt = null;
    } else if (c.stage !== "exited") {
      c.at = null; // pulls and back-offs are abandoned
    } else {
      c.at = null;
    }
  }
}

/** After a step: has the pod finished for good (all stopped, nothing restarts)? */
function settle(ctx: SyncCtx, rec: PodRecord, t: number): void {
  if (rec.finished || !rec.sandboxUp && !rec.terminating) return;
  const all = allContainers(rec);
  if (all.some((c) => c.stage === "running")) return;
  const initFailed = rec.restartPolicy === "Never" && rec.init.some((c) => c.stage === "exited" && (c.current?.exitCode ?? 0) !== 0 && !c.sidecar);
  const regularDone = rec.containers.length > 0 && rec.containers.every((c) => c.stage === "exited" && c.at === null && c.current !== null);
  if (rec.terminating || initFailed || (regularDone && rec.restartPolicy !== "Always")) {
    if (!rec.terminating && !initFailed && rec.containers.some((c) => c.at !== null)) return;
    rec.finished = true;
    for (const c of all) c.at = null;
    releaseIP(ctx.state, rec.hostNetwork ? null : rec.podIP, rec.uid);
    rec.sandboxUp = false;
    void t;
  }
}
