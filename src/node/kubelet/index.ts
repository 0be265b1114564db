// The kubelet of one simulated node, with its container runtime: pure functions over a JSON state.
// The Node Durable Object calls syncPods whenever its pods change or nextWakeAt comes, persists the
// returned state and writes the statuses, deletions and events through the API server.

import type { Pod } from "../../control-plane/api-server/objects/core";
import { cpuAt, memoryAt } from "../container-runtime/behaviour";
import { parseImageRef, PAUSE_IMAGE, resolveImage } from "../container-runtime/images";
import { formatLogs, runLines } from "../container-runtime/logs";
import { boundState, POD_RETRY_MS, recordFault, type PodFault } from "./faults";
import { releaseIP } from "./ipam";
import { nodeObject } from "./node-status";
import { admitPod, advancePod, outOfWork, podNextAt, type SyncCtx } from "./pod-lifecycle";
import { buildStatus } from "./pod-status";
import { rand, type ContainerRecord, type KubeletState, type RunRecord } from "./state";
import type { KubeletEvent, NodeConfig, PodStatusUpdate } from "./types";

export type { KubeletEvent, NodeConfig, PodStatusUpdate } from "./types";
export type { KubeletState } from "./state";
export type { PodFault } from "./faults";
export { nodeObject };

export interface SyncOutput {
  state: KubeletState;
  statusUpdates: PodStatusUpdate[];
  deletions: { namespace: string; name: string; uid: string }[];
  events: KubeletEvent[];
  nextWakeAt: number | null;
  /** Pods whose sync threw this time (each recorded as a FailedSync event; the others went on). */
  faults: PodFault[];
  /** The cpu this sync spent (work units; NODE_SYNC_WORK bounds it, give or take one script). */
  work: number;
  /** Pods the sync ran out of cpu for (not advanced to now; they go first next time). */
  deferred: number;
}

/** A fresh node: the sandbox image and kube-proxy's image are there from provisioning. */
export function initialState(cfg: NodeConfig, seed: number): KubeletState {
  const state: KubeletState = { version: 1, seed: seed >>> 0, bootAt: null, images: {}, pullQueueFreeAt: 0, ipam: { last: 1, used: {} }, pods: {}, containerSeq: 0 };
  for (const name of [PAUSE_IMAGE, `registry.k8s.io/kube-proxy:${cfg.kubeletVersion}`]) {
    const ref = parseImageRef(name);
    if ("error" in ref) continue;
    const res = resolveImage(ref);
    if (res.ok) state.images[res.image.id] = { names: [res.image.tagName], repoDigests: [res.image.repoDigest], sizeBytes: res.image.sizeBytes, lastUsed: 0 };
  }
  return state;
}

const creation = (p: Pod) => String(p.metadata?.creationTimestamp ?? "");

export function syncPods(cfg: NodeConfig, prev: KubeletState, pods: Pod[], now: number): SyncOutput {
  const state: KubeletState = structuredClone(prev);
  if (state.bootAt === null) state.bootAt = now;
  const ctx: SyncCtx = { cfg, state, events: [], work: { used: 0 } };
  const out: SyncOutput = { state, statusUpdates: [], deletions: [], events: ctx.events, nextWakeAt: null, faults: [], work: 0, deferred: 0 };
  const seen = new Set<string>();
  const retryAt: number[] = [];
  const faulted = new Set<string>();
  const deferred: string[] = [];
  const sorted = [...pods].sort((a, b) => creation(a).localeCompare(creation(b)) || String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  // The pods the last sync had no cpu left for go first, so no pod waits behind a busy neighbour twice.
  ctx.overloaded = state.resumeFrom !== undefined;
  const from = state.resumeFrom === undefined ? -1 : sorted.findIndex((p) => p.metadata?.uid === state.resumeFrom);
  if (from > 0) sorted.push(...sorted.splice(0, from));
  delete state.resumeFrom;
  for (const pod of sorted) {
    const uid = pod.metadata?.uid;
    if (!uid || (pod.spec?.nodeName && pod.spec.nodeName !== cfg.name)) continue;
    seen.add(uid);
    if (outOfWork(ctx)) {
      deferred.push(uid); // kept as it was; advanced at the next sync
      continue;
    }
    const ref = { namespace: String(pod.metadata.namespace ?? "default"), name: String(pod.metadata.name ?? ""), uid };
    // One pod's failure is that pod's: its record, events and outputs of this attempt are rolled back,
    // a FailedSync event is recorded, and the pod worker retries after its back-off (pod_workers.go).
    const mark = { events: ctx.events.length, updates: out.statusUpdates.length, deletions: out.deletions.length, seq: state.containerSeq, pullFree: state.pullQueueFreeAt, ipam: structuredClone(state.ipam) };
    try {
      if (!syncOnePod(ctx, out, pod, ref, now)) deferred.push(uid);
    } catch (err) {
      ctx.events.length = mark.events;
      out.statusUpdates.length = mark.updates;
      out.deletions.length = mark.deletions;
      state.containerSeq = mark.seq;
      state.pullQueueFreeAt = mark.pullFree;
      state.ipam = mark.ipam;
      faulted.add(uid);
      if (prev.pods[uid]) state.pods[uid] = structuredClone(prev.pods[uid]);
      else delete state.pods[uid];
      const fault = recordFault(ctx, ref, err, now);
      out.faults.push(fault);
      retryAt.push(now + POD_RETRY_MS);
    }
  }
  // Pods gone from the API (deleted, or moved): forget them.
  for (const [uid, rec] of Object.entries(state.pods)) {
    if (seen.has(uid)) continue;
    releaseIP(state, rec.podIP, uid);
    delete state.pods[uid];
  }
  for (const rec of Object.values(state.pods)) {
    if (faulted.has(rec.uid)) continue; // retried after its back-off, not at once
    const t = podNextAt(rec);
    if (t !== null && (out.nextWakeAt === null || t < out.nextWakeAt)) out.nextWakeAt = Math.max(t, now);
  }
  for (const t of retryAt) if (out.nextWakeAt === null || t < out.nextWakeAt) out.nextWakeAt = t;
  if (deferred.length > 0) {
    state.resumeFrom = deferred[0];
    out.nextWakeAt = now; // the rest is due: the control loop runs this node again in a later slice
  }
  out.work = ctx.work.used;
  out.deferred = deferred.length;
  boundState(state);
  return out;
}

/** One pod worker's turn; false when the sync's cpu ran out before the pod reached `now`. */
function syncOnePod(ctx: SyncCtx, out: SyncOutput, pod: Pod, ref: { namespace: string; name: string; uid: string }, now: number): boolean {
  const { cfg, state } = ctx;
  const uid = ref.uid;
  {
    let rec = state.pods[uid];
    if (!rec) {
      // A pod already finished (by a previous node incarnation) is not run again.
      const phase = pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") {
        if (pod.metadata.deletionTimestamp) out.deletions.push(ref);
        return true;
      }
      rec = state.pods[uid] = admitPod(ctx, pod, now);
    }
    const complete = advancePod(ctx, rec, pod, now);
    const status = buildStatus(cfg, rec, pod, now);
    const fp = JSON.stringify(status);
    // As the status manager's isPodStatusByKubeletEqual: what the server holds may have been
    // changed by someone else (the node lifecycle controller's Ready=False), so it is compared too.
    const stale = pod.status?.phase !== status.phase || (pod.status?.containerStatuses?.length ?? 0) !== status.containerStatuses.length || pod.status?.podIP !== status.podIP
      || conditionsDiffer(pod.status?.conditions, status.conditions);
    if (fp !== rec.reported || stale) {
      rec.reported = fp;
      out.statusUpdates.push({ ...ref, status });
    }
    if (rec.terminating && rec.finished) out.deletions.push(ref);
    return complete;
  }
}

function findContainer(state: KubeletState, podUid: string, name: string): { rec: KubeletState["pods"][string]; c: ContainerRecord } | { error: string } {
  const rec = state.pods[podUid];
  if (!rec) return { error: `pod with UID "${podUid}" is not running on this node` };
  const c = [...rec.containers, ...rec.init].find((x) => x.name === name);
  if (!c) return { error: `container ${name} is not valid for pod ${rec.name}` };
  return { rec, c };
}

/** `kubectl logs` (validateContainerLogStatus picks the run from the container's status). */
export function podLogs(
  state: KubeletState,
  podUid: string,
  container: string,
  opts: { previous?: boolean; tailLines?: number; timestamps?: boolean; sinceSeconds?: number; sinceAt?: number; now: number },
): { text: string } | { error: string } {
  const found = findContainer(state, podUid, container);
  if ("error" in found) return found;
  const { rec, c } = found;
  const running = c.stage === "running" ? c.current : null;
  const terminated = c.stage !== "running" && c.current?.finishedAt != null && !(c.waiting && c.stage !== "exited") ? c.current : null;
  const lastState = running || terminated ? c.previous : c.current?.finishedAt != null ? c.current : null;
  let run: RunRecord | null;
  if (opts.previous) {
    run = lastState;
    if (!run) return { error: `previous terminated container ${JSON.stringify(container)} in pod ${JSON.stringify(rec.name)} not found` };
  } else {
    run = running ?? terminated ?? lastState;
    if (!run) {
      const reason = c.waiting?.reason ?? (rec.init.length > 0 ? "PodInitializing" : "ContainerCreating");
      const why = reason === "ErrImagePull" ? "image can't be pulled" : reason === "ImagePullBackOff" ? "trying and failing to pull image" : reason;
      return { error: `container ${JSON.stringify(container)} in pod ${JSON.stringify(rec.name)} is waiting to start: ${why}` };
    }
  }
  const since = opts.sinceAt ?? (opts.sinceSeconds !== undefined ? opts.now - opts.sinceSeconds * 1000 : -Infinity);
  const limit = opts.tailLines !== undefined && opts.tailLines >= 0 ? Math.min(opts.tailLines, 5000) : 5000;
  return { text: formatLogs(runLines(run, since, opts.now, limit), opts) };
}

/** metrics.k8s.io for `kubectl top`: what each running container uses now, with a little noise. */
export function usage(cfg: NodeConfig, state: KubeletState, now: number) {
  const minute = Math.floor(now / 60_000);
  const pods: { namespace: string; name: string; uid: string; containers: { name: string; cpuMillis: number; memoryBytes: number }[] }[] = [];
  let cpu = 0;
  let mem = 0;
  for (const rec of Object.values(state.pods)) {
    const containers: { name: string; cpuMillis: number; memoryBytes: number }[] = [];
    for (const c of [...rec.init, ...rec.containers]) {
      const run = c.current;
      if (c.stage !== "running" || !run) continue;
      const t = now - run.startedAt;
      const noise = 0.9 + 0.2 * rand(state, `usage|${run.id}|${minute}`);
      const cpuMillis = Math.round(cpuAt(run.behaviour, t) * noise);
      const memoryBytes = Math.round(memoryAt(run.behaviour, t) * (0.97 + 0.06 * rand(state, `mem|${run.id}|${minute}`)));
      containers.push({ name: c.name, cpuMillis, memoryBytes });
      cpu += cpuMillis;
      mem += memoryBytes;
    }
    if (containers.length > 0) pods.push({ namespace: rec.namespace, name: rec.name, uid: rec.uid, containers });
  }
  // The node itself: OS, containerd and kubelet.
  const sysNoise = 0.9 + 0.2 * rand(state, `usage|node|${minute}`);
  const nodeCpu = Math.round((40 + cfg.cpuMillis * 0.015) * sysNoise) + cpu;
  const nodeMem = Math.round((350 * 1024 * 1024 + cfg.memoryBytes * 0.1) * sysNoise) + mem;
  return { node: { cpuMillis: Math.min(nodeCpu, cfg.cpuMillis), memoryBytes: Math.min(nodeMem, cfg.memoryBytes) }, pods };
}

/** Whether the server's copy disagrees with the kubelet on any condition the kubelet sets. */
function conditionsDiffer(server: unknown, mine: { type: string; status: string }[] | undefined): boolean {
  if (!mine) return false;
  const held = new Map<unknown, unknown>();
  if (Array.isArray(server)) for (const c of server) held.set(c?.type, c?.status);
  return mine.some((c) => held.get(c.type) !== c.status);
}
