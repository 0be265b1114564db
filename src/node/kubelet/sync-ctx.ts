// Shared pieces of the pod worker: the sync context, event recording, container lookup and the
// order in which init and app containers are started.

import type { Container, Pod } from "../../control-plane/api-server/objects/core";
import { TIMING } from "./config";
import type { ContainerRecord, KubeletState, PodRecord } from "./state";
import type { KubeletEvent, NodeConfig } from "./types";
import type { WorkMeter } from "../container-runtime/budgets";

export interface SyncCtx {
  cfg: NodeConfig;
  state: KubeletState;
  events: KubeletEvent[];
  /** The cpu this sync has spent, across all pods (NODE_SYNC_WORK bounds it). */
  work: WorkMeter;
  /** The last sync ran out of cpu: missed probe ticks are dropped rather than replayed. */
  overloaded?: boolean;
}

/** A list field, or none when it is absent (or, from a malformed object, not a list). */
export const arr = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);

export const fieldPath = (c: ContainerRecord) => `spec.${c.init ? "initContainers" : "containers"}{${c.name}}`;

/** format.Pod: name_namespace(uid), as the kubelet names pods in messages. */
export const podRef = (rec: PodRecord) => `${rec.name}_${rec.namespace}(${rec.uid})`;

/** The container's spec in the pod (empty when the pod no longer has it). */
export function specOf(pod: Pod, c: ContainerRecord): Partial<Container> {
  return arr(c.init ? pod.spec?.initContainers : pod.spec?.containers).find((x) => x?.name === c.name) ?? {};
}

export function emit(ctx: SyncCtx, rec: PodRecord, c: ContainerRecord | undefined, type: "Normal" | "Warning", reason: string, message: string, at: number): void {
  ctx.events.push({
    regarding: { kind: "Pod", namespace: rec.namespace, name: rec.name, uid: rec.uid, apiVersion: "v1" },
    reason,
    message,
    type,
    ...(c ? { fieldPath: fieldPath(c) } : {}),
    at,
  });
}

/** The default waiting reason before a container exists (convertToAPIContainerStatuses). */
export function defaultWaiting(rec: PodRecord): string {
  return rec.init.length > 0 ? "PodInitializing" : "ContainerCreating";
}

/** Queue init container i (or the regular containers after the last). */
export function scheduleInit(rec: PodRecord, i: number, t: number): void {
  const c = rec.init[i];
  if (!c) {
    rec.initDoneAt = t;
    startRegular(rec, t);
    return;
  }
  c.stage = "waiting";
  c.at = t;
}

/** The regular containers start one after another in one pod sync (the first one now). */
export function startRegular(rec: PodRecord, t: number): void {
  const first = rec.containers[0];
  if (first && first.stage === "waiting" && first.current === null) first.at = t;
}

/** Once a regular container's start attempt is over, the next one in the pod sync begins. */
export function chainNext(rec: PodRecord, c: ContainerRecord, t: number): void {
  if (c.init) return;
  const i = rec.containers.indexOf(c);
  const next = rec.containers[i + 1];
  if (next && next.stage === "waiting" && next.current === null && next.at === null) next.at = t;
}

/** A sidecar that has started, or an init container that succeeded, lets the next init container go. */
export function advanceInitAfter(rec: PodRecord, c: ContainerRecord, t: number): void {
  const i = rec.init.indexOf(c);
  if (i < 0 || rec.initDoneAt !== null) return;
  const next = rec.init[i + 1];
  if (next && (next.current !== null || next.stage !== "waiting" || next.at !== null)) return;
  scheduleInit(rec, i + 1, t + TIMING.nextInitMs);
}

export function hostnameOf(pod: Pod): string {
  return String(pod.spec?.hostname ?? pod.metadata.name ?? "").slice(0, 63);
}

export function podGrace(pod: Pod): number {
  const g = pod.spec?.terminationGracePeriodSeconds;
  return typeof g === "number" ? g : TIMING.defaultGraceSeconds;
}

/** A container's run ends (exit, kill, OOM, a failed start): its record as the runtime reports it. */
export function finishRun(ctx: SyncCtx, rec: PodRecord, c: ContainerRecord, t: number, exitCode: number, reason: string, message?: string): void {
  const run = c.current!;
  run.finishedAt = t;
  run.exitCode = exitCode;
  run.reason = reason;
  if (message) run.message = message;
  for (const r of run.requests) if (r.untilAt === null || r.untilAt > t) r.untilAt = t;
  c.stage = "exited";
  c.started = false;
  // A completed init container counts as ready (that is what Initialized checks).
  c.ready = c.init && !c.sidecar && exitCode === 0;
  c.probes = {};
  c.kill = null;
  c.at = t + TIMING.observeMs;
  void ctx;
  // A successful init container lets the next one (or the app containers) start.
  if (c.init && !c.sidecar && exitCode === 0) {
    c.at = null;
    if (!rec.terminating) advanceInitAfter(rec, c, t);
  }
}
