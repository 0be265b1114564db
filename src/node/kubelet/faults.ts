// Containment: one pod's failure in the kubelet's sync stays that pod's. The real kubelet runs each
// pod in its own pod worker (pkg/kubelet/pod_workers.go): an error syncing one pod is logged, a
// Warning event with reason FailedSync (pkg/kubelet/events/event.go) is recorded on the pod, and the
// worker retries after its back-off, while the other pods and the node's status go on.
// Also the bound of each pod's record: it is persisted in a storage row of its own (kubelet-store.ts).

import { keepNewest, FAULTS_KEPT, POD_STATE_MAX_BYTES } from "../container-runtime/budgets";
import type { KubeletState, PodRecord, RunRecord } from "./state";
import type { SyncCtx } from "./sync-ctx";

/** A pod whose sync threw. */
export interface PodFault {
  namespace: string;
  name: string;
  uid: string;
  at: number;
  message: string;
}

/** The pod worker's back-off before a failed pod is synced again (backOffPeriod, 10 s). */
export const POD_RETRY_MS = 10_000;

const MESSAGE_MAX = 512;

/** Record a pod's sync failure: a FailedSync event, and the node's fault counter and newest faults. */
export function recordFault(ctx: SyncCtx, ref: { namespace: string; name: string; uid: string }, err: unknown, now: number): PodFault {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const message = text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX)}...` : text;
  const fault: PodFault = { ...ref, at: now, message };
  ctx.events.push({
    regarding: { kind: "Pod", namespace: ref.namespace, name: ref.name, uid: ref.uid, apiVersion: "v1" },
    reason: "FailedSync",
    message: `error syncing pod: ${message}`,
    type: "Warning",
    at: now,
  });
  const f = (ctx.state.faults ??= { total: 0, recent: [] });
  f.total++;
  f.recent.push(fault);
  if (f.recent.length > FAULTS_KEPT) f.recent.splice(0, f.recent.length - FAULTS_KEPT);
  return fault;
}

function runs(rec: PodRecord): { run: RunRecord; previous: boolean }[] {
  const out: { run: RunRecord; previous: boolean }[] = [];
  for (const c of [...rec.init, ...rec.containers]) {
    if (c.previous) out.push({ run: c.previous, previous: true });
    if (c.current) out.push({ run: c.current, previous: false });
  }
  return out;
}

/**
 * Keep each pod's record under `maxBytes`: like log rotation under disk pressure, the retained
 * output of that pod's runs is cut to ever fewer newest bytes, previous runs first. Other pods are
 * not touched. Returns the smallest cap applied (or null when nothing had to be cut).
 */
export function boundState(state: KubeletState, maxBytes = POD_STATE_MAX_BYTES): number | null {
  let applied: number | null = null;
  for (const rec of Object.values(state.pods)) {
    const cap = boundPod(rec, maxBytes);
    if (cap !== null && (applied === null || cap < applied)) applied = cap;
  }
  return applied;
}

function boundPod(rec: PodRecord, maxBytes: number): number | null {
  if (JSON.stringify(rec).length <= maxBytes) return null;
  for (const keep of [16 * 1024, 4 * 1024, 1024, 0]) {
    for (const pass of [true, false]) {
      for (const { run, previous } of runs(rec)) {
        if (previous !== pass) continue;
        keepNewest(run.behaviour.logs, keep);
        keepNewest(run.extra, keep);
        for (const p of run.behaviour.periodic) keepNewest(p.lines, keep);
        for (const f of run.behaviour.files) if (f.content.length > keep) f.content = f.content.slice(0, keep);
      }
      if (JSON.stringify(rec).length <= maxBytes) return keep;
    }
  }
  return 0;
}
