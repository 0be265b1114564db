// kube-scheduler as a component: an informer over pods and nodes feeds the scheduling queue;
// each cycle takes the next pod, runs the framework (filters, scores, preemption) on a snapshot,
// binds through pods/binding and records the Events and a decision record students can read.
import type { Etcd } from "../etcd/store";
import type { Watch } from "../etcd/watch";
import { recordEvent } from "../api-server/events";
import { bindPod } from "../api-server/registry/binding";
import { rfc3339, type Registry } from "../api-server/registry/store";
import { findResource } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";
import { assume, buildSnapshot, scheduleOne, SchedulingQueue, type SchedulerProfile, type SchedulingRecord } from "./index";

const SCHEDULER = { username: "system:kube-scheduler", groups: ["system:masters"] };
const COMPONENT = "default-scheduler";
/** Pods scheduled per cycle batch before yielding to other work (keeps one alarm run short). */
const MAX_PER_RUN = 500;

export interface SchedulerHooks {
  /** A pod changed on a node in a way its kubelet must act on (bound, deleted, spec changed). */
  nodeDirty(node: string): void;
  /** The scheduler has work due at `at` (simulated ms). */
  due(at: number): void;
  /** Keep the latest decision about a pod (for "why is my pod here / Pending?"). */
  record(r: SchedulingRecord): void;
}

const pods = () => findResource("", "v1", "pods")!;
const nodes = () => findResource("", "v1", "nodes")!;
const priorityClasses = () => findResource("scheduling.k8s.io", "v1", "priorityclasses")!;

function unscheduled(p: KubeObject): boolean {
  return !p.spec?.nodeName && !p.metadata.deletionTimestamp && (p.spec?.schedulerName ?? COMPONENT) === COMPONENT &&
    p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && !(p.spec?.schedulingGates?.length);
}

export class KubeScheduler {
  private queue = new SchedulingQueue();
  private watches: Watch[] = [];
  private started = false;
  stopped = false;
  /** Pods bound and cycles run since start-up, for the architecture view. */
  stats = { cycles: 0, bound: 0, unschedulable: 0 };

  constructor(private readonly reg: Registry, private readonly etcd: Etcd, private readonly hooks: SchedulerHooks, private readonly now: () => number) {}

  /** Lists, then watches, as an informer does; level-triggered, so a restart loses nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.now();
    for (const p of this.reg.list(pods(), undefined).items) if (unscheduled(p)) this.queue.add(p, now);
    if (this.queue.stats().active > 0) this.hooks.due(now);
    this.watches.push(this.etcd.watch("/registry/pods/", this.etcd.revision, (events) => {
      for (const e of events) this.onPod(e.type === "DELETE" ? undefined : this.reg.decode(e.kv), e.prev ? this.reg.decode(e.prev) : e.type === "DELETE" ? this.reg.decode(e.kv) : undefined);
    }));
    this.watches.push(this.etcd.watch("/registry/nodes/", this.etcd.revision, (events) => {
      const t = this.now();
      for (const e of events) if (e.type === "PUT") this.queue.onClusterEvent(e.prev ? "NodeUpdate" : "NodeAdd", t);
      this.hooks.due(t);
    }));
  }

  stop(): void {
    for (const w of this.watches) w.cancel();
    this.watches = [];
    this.started = false;
    this.queue = new SchedulingQueue();
  }

  private onPod(cur: KubeObject | undefined, prev: KubeObject | undefined): void {
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
  }

  /** Runs scheduling cycles for every pod that is due; returns when the queue is next due. */
  run(profile: SchedulerProfile): number | null {
    this.start();
    if (this.stopped) return null;
    const t = this.now();
    let snapshot: ReturnType<typeof buildSnapshot> | undefined;
    for (let i = 0; i < MAX_PER_RUN; i++) {
      const pod = this.queue.pop(t);
      if (!pod) break;
      const fresh = this.reg.tryGet(pods(), pod.metadata.namespace, pod.metadata.name!);
      if (!fresh || fresh.metadata.uid !== pod.metadata.uid || !unscheduled(fresh)) continue;
      snapshot ??= buildSnapshot(this.activeNodes(), this.assignedPods(), this.reg.list(priorityClasses(), undefined).items);
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
        continue;
      }
      this.stats.unschedulable++;
      this.markUnschedulable(fresh, result.message, result.nominatedNode, t);
      for (const v of result.victims ?? []) this.preempt(v, fresh, result.nominatedNode!, t);
      if (result.victims?.length) snapshot = undefined; // victims leave: rebuild for the next pod
      // Only cluster events that could help the plugins that said no will wake it.
      this.queue.requeueUnschedulable(fresh, t, [...new Set(result.record.filtered.map((f) => f.plugin))]);
    }
    return this.queue.nextDueAt(t);
  }

  queueStats() {
    return this.queue.stats();
  }

  private activeNodes(): KubeObject[] {
    return this.reg.list(nodes(), undefined).items;
  }

  private assignedPods(): KubeObject[] {
    return this.reg.list(pods(), undefined).items.filter((p) => (p.spec?.nodeName || p.status?.nominatedNodeName) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  }

  private markUnschedulable(pod: KubeObject, message: string, nominated: string | undefined, t: number): void {
    const ctx = { user: SCHEDULER, now: new Date(t) };
    const updated = this.reg.guaranteedUpdate(pods(), pod.metadata.namespace, pod.metadata.name!, ctx, (cur) => {
      const conditions = (cur.status.conditions ?? []).filter((c: { type: string }) => c.type !== "PodScheduled");
      const old = (cur.status.conditions ?? []).find((c: { type: string }) => c.type === "PodScheduled");
      const changed = !old || old.status !== "False" || old.message !== message;
      conditions.push({ type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: changed ? rfc3339(ctx.now) : old.lastTransitionTime, reason: "Unschedulable", message });
      cur.status = { ...cur.status, conditions };
      if (nominated) cur.status.nominatedNodeName = nominated;
      return cur;
    }, "status");
    recordEvent(this.reg, { regarding: updated, reason: "FailedScheduling", message, type: "Warning", component: COMPONENT, now: new Date(t) });
  }

  private preempt(victim: KubeObject, preemptor: KubeObject, node: string, t: number): void {
    try {
      const ctx = { user: SCHEDULER, now: new Date(t) };
      this.reg.delete(pods(), victim.metadata.namespace, victim.metadata.name!, ctx, { preconditions: { uid: victim.metadata.uid } });
      recordEvent(this.reg, { regarding: victim, reason: "Preempted", message: `Preempted by pod ${preemptor.metadata.uid} on node ${node}`, component: COMPONENT, now: new Date(t) });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e; // already gone
    }
  }
}

/** A change the kubelet must react to: anything but status (its own writes) and bookkeeping. */
function kubeletRelevant(prev: KubeObject, cur: KubeObject): boolean {
  if (prev.spec?.nodeName !== cur.spec?.nodeName) return true;
  if (prev.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp || prev.metadata.deletionGracePeriodSeconds !== cur.metadata.deletionGracePeriodSeconds) return true;
  return JSON.stringify(prev.spec) !== JSON.stringify(cur.spec);
}
