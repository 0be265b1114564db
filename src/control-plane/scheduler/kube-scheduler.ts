// kube-scheduler as a component: an informer over pods and nodes feeds the scheduling queue;
// each cycle takes the next pod, runs the framework (filters, scores, preemption) on a snapshot,
// binds through pods/binding and records the Events and a decision record students can read.
// Containment: the informer is a reflector (a closed watch means list again) and, as in
// k8s.io/apimachinery's HandleCrash, a pod or node that cannot be handled is recorded and
// skipped (per event, per pod in the cycle), so it never stops the scheduling of the others.
import type { Etcd } from "../etcd/store";
import type { Watch, WatchEvent } from "../etcd/watch";
import { recordEvent } from "../api-server/events";
import { bindPod } from "../api-server/registry/binding";
import { rfc3339, type Registry } from "../api-server/registry/store";
import { registryPrefix, type ResourceType, NODES, PODS, PRIORITY_CLASSES } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";
import type { Pod } from "../api-server/objects/core";
import { backoff, FaultLog, type FaultReport, type FaultStage } from "../faults";
import { assume, buildSnapshot, scheduleOne, SchedulingQueue, type SchedulerProfile, type SchedulingRecord } from "./index";
import { buildNodeInfo, buildPodInfo } from "./snapshot";

const SCHEDULER = { username: "system:kube-scheduler", groups: ["system:masters"] };
const COMPONENT = "default-scheduler";
/** Pods scheduled per cycle batch before yielding to other work (keeps one alarm run short). */
const MAX_PER_RUN = 500;
// A failed list is retried as client-go's reflector does: 800 ms doubling to 30 s.
const LIST_BASE_BACKOFF_MS = 800;
const LIST_MAX_BACKOFF_MS = 30_000;

export interface SchedulerHooks {
  /** A pod changed on a node in a way its kubelet must act on (bound, deleted, spec changed). */
  nodeDirty(node: string): void;
  /**
   * Any other write to a pod bound to `node` (a status write: the kubelet's own, or the node
   * lifecycle controller marking it not ready): its kubelet must read it at its next sync.
   */
  podWritten?(node: string): void;
  /** The scheduler has work due at `at` (simulated ms). */
  due(at: number): void;
  /** Keep the latest decision about a pod (for "why is my pod here / Pending?"). */
  record(r: SchedulingRecord): void;
}

function unscheduled(p: Pod): boolean {
  return !p.spec?.nodeName && !p.metadata.deletionTimestamp && (p.spec?.schedulerName ?? COMPONENT) === COMPONENT &&
    p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && !(p.spec?.schedulingGates?.length);
}

export class KubeScheduler {
  private queue = new SchedulingQueue();
  private watches: Watch[] = [];
  /** Listed and watching; false after a closed watch or a failed list, until listed again. */
  private synced = false;
  private listFailures = 0;
  private listRetryAt = 0;
  stopped = false;
  /** Pods bound and cycles run since start-up, for the architecture view. */
  stats = { cycles: 0, bound: 0, unschedulable: 0 };
  /** Faults (bounded), for the architecture view. */
  readonly faults = new FaultLog();
  /** Times the informer listed again after its watch was closed (etcd restore, compaction). */
  relists = 0;

  constructor(private readonly reg: Registry, private readonly etcd: Etcd, private readonly hooks: SchedulerHooks, private readonly now: () => number) {}

  /** Lists, then watches, as an informer does; level-triggered, so a restart loses nothing. */
  start(): void {
    const now = this.now();
    // A watch the store ended while our onClose failed: deaf all the same, so list again now.
    const ended = this.synced ? this.watches.find((w) => w.closed) : undefined;
    if (ended) this.watchClosed(ended);
    if (this.synced || this.listRetryAt > now) return;
    for (const w of this.watches) w.cancel();
    this.watches = [];
    const watches: Watch[] = [];
    try {
      // A fresh queue: after a restore the old entries may name pods that no longer exist.
      const queue = new SchedulingQueue();
      for (const p of this.listTolerant(PODS, now)) if (this.guard("list", keyOfPod(p), now, () => unscheduled(p))) queue.add(p, now);
      const podWatch = this.etcd.watch("/registry/pods/", this.etcd.revision, (events) => this.onPodEvents(events));
      podWatch.onClose = () => this.watchClosed(podWatch);
      watches.push(podWatch);
      const nodeWatch = this.etcd.watch("/registry/nodes/", this.etcd.revision, (events) => this.onNodeEvents(events));
      nodeWatch.onClose = () => this.watchClosed(nodeWatch);
      watches.push(nodeWatch);
      this.queue = queue;
    } catch (e) {
      for (const w of watches) w.cancel();
      this.listFailures++;
      this.listRetryAt = now + backoff(this.listFailures, LIST_BASE_BACKOFF_MS, LIST_MAX_BACKOFF_MS);
      this.fault("list", "/registry/pods/", e, now);
      this.hooks.due(this.listRetryAt);
      return;
    }
    this.watches = watches;
    this.synced = true;
    this.listFailures = 0;
    if (this.queue.stats().active > 0) this.hooks.due(now);
  }

  stop(): void {
    for (const w of this.watches) w.cancel();
    this.watches = [];
    this.synced = false;
    this.listRetryAt = 0;
    this.queue = new SchedulingQueue();
  }

  /** Totals and the latest faults of the scheduler. */
  faultReport(): FaultReport {
    return this.faults.report();
  }

  /** A closed watch leaves the scheduler deaf to new pods: list again on the next run. */
  private watchClosed(watch: Watch): void {
    if (!this.watches.includes(watch)) return;
    for (const w of this.watches) if (w !== watch) w.cancel();
    this.watches = [];
    this.synced = false;
    this.listRetryAt = 0;
    this.relists++;
    this.hooks.due(this.now());
  }

  private onPodEvents(events: WatchEvent[]): void {
    const t = this.now();
    for (const e of events) {
      this.guard("informer", e.kv.key, t, () => {
        // The informer watches the pods' prefix: what it decodes are Pods.
        const cur = e.type === "DELETE" ? undefined : (this.reg.decode(e.kv) as Pod);
        const prev = (e.prev ? this.reg.decode(e.prev) : e.type === "DELETE" ? this.reg.decode(e.kv) : undefined) as Pod | undefined;
        this.onPod(cur, prev);
      });
    }
  }

  private onNodeEvents(events: WatchEvent[]): void {
    const t = this.now();
    for (const e of events) {
      this.guard("informer", e.kv.key, t, () => {
        if (e.type === "PUT") this.queue.onClusterEvent(e.prev ? "NodeUpdate" : "NodeAdd", t);
      });
    }
    this.hooks.due(t);
  }

  /** Runs fn; a throw is recorded as a fault and comes back as undefined. */
  private guard<T>(stage: FaultStage, key: string, t: number, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.fault(stage, key, e, t);
      return undefined;
    }
  }

  private fault(stage: FaultStage, key: string, err: unknown, t: number): void {
    this.faults.record("kube-scheduler", stage, key, err, t);
  }

  /** Every object under a resource that can be decoded; one that cannot is reported once and left out. */
  private listTolerant<T extends KubeObject>(r: ResourceType<T>, t: number): T[] {
    const out: T[] = [];
    for (const kv of this.etcd.range(registryPrefix(r)).kvs) {
      try {
        out.push(this.reg.decode(kv) as T); // a key under r's prefix holds an r
      } catch (e) {
        this.faults.recordOnce(`${kv.key}@${kv.modRevision}`, "kube-scheduler", "list", kv.key, e, t);
      }
    }
    return out;
  }

  private onPod(cur: Pod | undefined, prev: Pod | undefined): void {
    const t = this.now();
    const node = cur?.spec?.nodeName || prev?.spec?.nodeName;
    if (!cur) {
      this.queue.delete(prev!.metadata.uid!);
      if (prev?.spec?.nodeName) {
        this.queue.onClusterEvent("PodDelete", t);
        this.hooks.due(t);
      }
    } else if (unscheduled(cur)) {
      if (prev) this.queue.update(cur, t);
      else this.queue.add(cur, t);
      this.hooks.due(t);
    } else {
      this.queue.delete(cur.metadata.uid!);
      if (cur.spec?.nodeName) this.queue.onClusterEvent(prev?.spec?.nodeName ? "AssignedPodUpdate" : "AssignedPodAdd", t);
      if (cur.metadata.deletionTimestamp && !prev?.metadata.deletionTimestamp) this.queue.onClusterEvent("PodDelete", t);
    }
    // The kubelet acts on what others change about its pods, not on its own status writes.
    if (node && (!cur || !prev || kubeletRelevant(prev, cur))) this.hooks.nodeDirty(node);
    else if (node) this.hooks.podWritten?.(node);
  }

  /** Runs scheduling cycles for pods that are due, at most `limit`; returns when the queue is next due. */
  run(profile: SchedulerProfile, limit = MAX_PER_RUN): number | null {
    this.start();
    if (this.stopped) return null;
    const t = this.now();
    const cycle = { snapshot: undefined as ReturnType<typeof buildSnapshot> | undefined };
    for (let i = 0; i < limit; i++) {
      const pod = this.queue.pop(t);
      if (!pod) break;
      try {
        this.scheduleOnePod(pod, profile, t, cycle);
      } catch (e) {
        // This pod could not be handled: record it, retry it after back-off, go on with the others.
        this.fault("cycle", keyOfPod(pod), e, t);
        cycle.snapshot = undefined; // it may have been left half-updated
        this.guard("cycle", keyOfPod(pod), t, () => this.queue.requeueError(pod, t));
      }
    }
    const next = this.queue.nextDueAt(t);
    if (this.synced) return next;
    return next === null ? this.listRetryAt : Math.min(next, this.listRetryAt);
  }

  private scheduleOnePod(pod: Pod, profile: SchedulerProfile, t: number, cycle: { snapshot?: ReturnType<typeof buildSnapshot> }): void {
    const fresh = this.reg.tryGet(PODS, pod.metadata.namespace, pod.metadata.name!);
    if (!fresh || fresh.metadata.uid !== pod.metadata.uid || !unscheduled(fresh)) return;
    const snapshot = (cycle.snapshot ??= this.snapshot(t));
    this.stats.cycles++;
    const result = scheduleOne(fresh, snapshot, profile, t);
    this.hooks.record(result.record);
    if (result.kind === "bind") {
      try {
        const bound = bindPod(this.reg, fresh.metadata.namespace!, fresh.metadata.name!, result.node, { user: SCHEDULER, now: new Date(t) }, fresh.metadata.uid);
        assume(snapshot, bound, result.node);
        this.stats.bound++;
        recordEvent(this.reg, { regarding: bound, reason: "Scheduled", message: `Successfully assigned ${fresh.metadata.namespace}/${fresh.metadata.name} to ${result.node}`, component: COMPONENT, now: new Date(t) });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        this.queue.requeueError(fresh, t); // bound or deleted meanwhile: look again later
      }
      return;
    }
    this.stats.unschedulable++;
    this.markUnschedulable(fresh, result.message, result.nominatedNode, t);
    for (const v of result.victims ?? []) this.preempt(v, fresh, result.nominatedNode!, t);
    if (result.victims?.length) cycle.snapshot = undefined; // victims leave: rebuild for the next pod
    // Only cluster events that could help the plugins that said no will wake it.
    this.queue.requeueUnschedulable(fresh, t, [...new Set(result.record.filtered.map((f) => f.plugin))]);
  }

  /**
   * The cluster as the plugins see it. A node or pod the snapshot cannot take in (malformed) is
   * found, reported once and left out, so it does not stop every other pod's scheduling.
   */
  private snapshot(t: number): ReturnType<typeof buildSnapshot> {
    const nodeList = this.listTolerant(NODES, t);
    const podList = this.assignedPods(t);
    const pcs = this.listTolerant(PRIORITY_CLASSES, t);
    try {
      return buildSnapshot(nodeList, podList, pcs);
    } catch {
      const ok = (o: KubeObject, key: string, fn: () => unknown) => {
        try {
          fn();
          return true;
        } catch (e) {
          this.faults.recordOnce(`${key}@${o.metadata?.resourceVersion}`, "kube-scheduler", "cycle", key, e, t);
          return false;
        }
      };
      const goodPcs = pcs.filter((pc) => ok(pc, `priorityclasses/${pc.metadata?.name}`, () => buildSnapshot([], [], [pc])));
      const goodNodes = nodeList.filter((n) => ok(n, `nodes/${n.metadata?.name}`, () => buildNodeInfo(n)));
      const goodPods = podList.filter((p) => ok(p, `pods/${keyOfPod(p)}`, () => buildPodInfo(p)));
      return buildSnapshot(goodNodes, goodPods, goodPcs);
    }
  }

  queueStats() {
    return this.queue.stats();
  }

  private assignedPods(t: number): Pod[] {
    return this.listTolerant(PODS, t).filter((p) => (p.spec?.nodeName || p.status?.nominatedNodeName) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  }

  private markUnschedulable(pod: Pod, message: string, nominated: string | undefined, t: number): void {
    const ctx = { user: SCHEDULER, now: new Date(t) };
    const updated = this.reg.guaranteedUpdate(PODS, pod.metadata.namespace, pod.metadata.name!, ctx, (cur) => {
      const conditions = (cur.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      const old = (cur.status?.conditions ?? []).find((c) => c.type === "PodScheduled");
      const changed = !old || old.status !== "False" || old.message !== message;
      conditions.push({ type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: changed ? rfc3339(ctx.now) : old.lastTransitionTime, reason: "Unschedulable", message });
      cur.status = { ...cur.status, conditions };
      if (nominated) cur.status.nominatedNodeName = nominated;
      return cur;
    }, "status");
    recordEvent(this.reg, { regarding: updated, reason: "FailedScheduling", message, type: "Warning", component: COMPONENT, now: new Date(t) });
  }

  private preempt(victim: Pod, preemptor: Pod, node: string, t: number): void {
    try {
      const ctx = { user: SCHEDULER, now: new Date(t) };
      this.reg.delete(PODS, victim.metadata.namespace, victim.metadata.name!, ctx, { preconditions: { uid: victim.metadata.uid } });
      recordEvent(this.reg, { regarding: victim, reason: "Preempted", message: `Preempted by pod ${preemptor.metadata.uid} on node ${node}`, component: COMPONENT, now: new Date(t) });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e; // already gone
    }
  }
}

const keyOfPod = (p: Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

/** A change the kubelet must react to: anything but status (its own writes) and bookkeeping. */
function kubeletRelevant(prev: Pod, cur: Pod): boolean {
  if (prev.spec?.nodeName !== cur.spec?.nodeName) return true;
  if (prev.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp || prev.metadata.deletionGracePeriodSeconds !== cur.metadata.deletionGracePeriodSeconds) return true;
  // A readiness gate's condition is set by someone else; the kubelet folds it into Ready.
  if (gateConditions(prev) !== gateConditions(cur)) return true;
  return JSON.stringify(prev.spec) !== JSON.stringify(cur.spec);
}

function gateConditions(pod: Pod): string {
  const gates: unknown = pod.spec?.readinessGates;
  if (!Array.isArray(gates) || gates.length === 0) return "";
  const types = new Set(gates.map((g: { conditionType?: unknown }) => g?.conditionType));
  const conditions: unknown = pod.status?.conditions;
  return JSON.stringify(Array.isArray(conditions) ? conditions.filter((c: { type?: unknown }) => types.has(c?.type)).map((c: { type?: unknown; status?: unknown }) => [c.type, c.status]) : []);
}
