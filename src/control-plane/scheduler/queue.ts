// SchedulingQueue after kube-scheduler's PriorityQueue: activeQ ordered by priority then queue time
// (PrioritySort), backoffQ with per-pod exponential backoff (1s doubling to 10s), and the unschedulable
// pool that cluster events (or 5 minutes) move back. Times are passed in (ms); the state serializes to JSON
// so the Durable Object can persist it between alarms.
import type { Pod } from "../api-server/objects/core";

export type ClusterEvent = "NodeAdd" | "NodeUpdate" | "PodDelete" | "AssignedPodUpdate" | "AssignedPodAdd";

export const POD_INITIAL_BACKOFF_MS = 1000;
export const POD_MAX_BACKOFF_MS = 10000;
/** podMaxInUnschedulablePodsDuration. */
export const MAX_IN_UNSCHEDULABLE_MS = 5 * 60 * 1000;

const ALL_FILTERS = ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity"];
/** Which plugins' rejections an event may resolve (the plugins' EventsToRegister, coarsely). */
const EVENT_PLUGINS: Record<ClusterEvent, string[]> = {
  NodeAdd: ALL_FILTERS,
  NodeUpdate: ALL_FILTERS,
  PodDelete: ["NodeResourcesFit", "NodePorts", "PodTopologySpread", "InterPodAffinity", "DefaultPreemption"],
  AssignedPodUpdate: ["NodeResourcesFit", "PodTopologySpread", "InterPodAffinity"],
  AssignedPodAdd: ["PodTopologySpread", "InterPodAffinity"],
};

type State = "active" | "backoff" | "unschedulable" | "inflight";

interface Entry {
  pod: Pod;
  uid: string;
  priority: number;
  /** When the pod last entered the queue (ordering and backoff start). */
  timestamp: number;
  attempts: number;
  backoffUntil: number;
  unschedulableSince: number;
  rejectedBy: string[];
  state: State;
  /** Scheduling cycle in which the pod was last popped. */
  cycle: number;
  seq: number;
}

const uidOf = (p: Pod) => p.metadata.uid ?? `${p.metadata.namespace}/${p.metadata.name}`;
const prioOf = (p: Pod) => (typeof p.spec?.priority === "number" ? p.spec.priority : 0);
const schedulingRelevant = (p: Pod) => JSON.stringify([p.metadata.labels, p.spec]);

/** calculateBackoffDuration: initial × 2^(attempts−1), capped. */
export function backoffDuration(attempts: number): number {
  let d = POD_INITIAL_BACKOFF_MS;
  for (let i = 1; i < attempts; i++) {
    if (d > POD_MAX_BACKOFF_MS - d) return POD_MAX_BACKOFF_MS;
    d += d;
  }
  return d;
}

/** Binary heap with lazy deletion: an item is live while its seq matches the entry's. */
class Heap {
  private items: { e: Entry; seq: number }[] = [];
  constructor(private less: (a: Entry, b: Entry) => boolean) {}
  push(e: Entry): void {
    const a = this.items;
    a.push({ e, seq: e.seq });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i].e, a[p].e)) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  /** The top live entry (stale ones are dropped). */
  peek(state: State): Entry | undefined {
    while (this.items.length) {
      const top = this.items[0];
      if (top.seq === top.e.seq && top.e.state === state) return top.e;
      this.pop();
    }
    return undefined;
  }
  pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l].e, a[m].e)) m = l;
      if (r < a.length && this.less(a[r].e, a[m].e)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}

export interface QueueJSON { entries: Omit<Entry, "seq">[]; schedulingCycle: number; moveRequestCycle: number }

export class SchedulingQueue {
  private entries = new Map<string, Entry>();
  private active = new Heap((a, b) => (a.priority !== b.priority ? a.priority > b.priority : a.timestamp < b.timestamp));
  private backoff = new Heap((a, b) => a.backoffUntil < b.backoffUntil);
  private schedulingCycle = 0;
  /** Cycle of the last cluster event: pods popped before it may now fit, so they retry after backoff. */
  private moveRequestCycle = -1;

  private toActive(e: Entry): void { e.state = "active"; e.seq++; this.active.push(e); }
  private toBackoff(e: Entry): void { e.state = "backoff"; e.seq++; this.backoff.push(e); }
  /** moveToActiveOrBackoff: a pod whose backoff has not run out waits in backoffQ. */
  private wake(e: Entry, now: number): void {
    if (e.attempts > 0 && e.backoffUntil > now) this.toBackoff(e); else this.toActive(e);
  }

  add(pod: Pod, now: number): void {
    const uid = uidOf(pod);
    if (this.entries.has(uid)) return this.update(pod, now);
    const e: Entry = { pod, uid, priority: prioOf(pod), timestamp: now, attempts: 0, backoffUntil: 0, unschedulableSince: 0, rejectedBy: [], state: "active", cycle: 0, seq: 0 };
    this.entries.set(uid, e);
    this.active.push(e);
  }

  update(pod: Pod, now: number): void {
    const e = this.entries.get(uidOf(pod));
    if (!e) return this.add(pod, now);
    const changed = schedulingRelevant(e.pod) !== schedulingRelevant(pod);
    e.pod = pod;
    const prio = prioOf(pod);
    if (e.state === "active" && prio !== e.priority) { e.priority = prio; this.toActive(e); return; }
    e.priority = prio;
    // An update to an unschedulable pod may make it schedulable (e.g. a relaxed nodeSelector).
    if (e.state === "unschedulable" && changed) this.wake(e, now);
  }

  delete(uid: string): void {
    const e = this.entries.get(uid);
    if (e) { e.seq++; this.entries.delete(uid); }
  }

  private flush(now: number): void {
    for (let e = this.backoff.peek("backoff"); e && e.backoffUntil <= now; e = this.backoff.peek("backoff")) this.toActive(e);
    for (const e of this.entries.values()) {
      if (e.state === "unschedulable" && now - e.unschedulableSince >= MAX_IN_UNSCHEDULABLE_MS) this.wake(e, now);
    }
  }

  /** The highest-priority pod ready to be scheduled; it stays "in flight" until requeued or deleted. */
  pop(now: number): Pod | undefined {
    this.flush(now);
    const e = this.active.peek("active");
    if (!e) return undefined;
    this.active.pop();
    e.state = "inflight";
    e.seq++;
    e.attempts++;
    e.cycle = ++this.schedulingCycle;
    return e.pod;
  }

  private requeue(pod: Pod, now: number): Entry {
    const uid = uidOf(pod);
    let e = this.entries.get(uid);
    if (!e) {
      e = { pod, uid, priority: prioOf(pod), timestamp: now, attempts: 1, backoffUntil: 0, unschedulableSince: 0, rejectedBy: [], state: "inflight", cycle: this.schedulingCycle, seq: 0 };
      this.entries.set(uid, e);
    }
    e.pod = pod;
    e.priority = prioOf(pod);
    e.timestamp = now;
    e.backoffUntil = now + backoffDuration(Math.max(1, e.attempts));
    return e;
  }

  /** After an unschedulable attempt; `rejectedBy` (plugin names) limits which events wake the pod. */
  requeueUnschedulable(pod: Pod, now: number, rejectedBy: string[] = []): void {
    const e = this.requeue(pod, now);
    e.rejectedBy = rejectedBy;
    // A cluster event during the attempt may already have fixed what failed: retry after backoff.
    if (this.moveRequestCycle >= e.cycle) { this.toBackoff(e); return; }
    e.state = "unschedulable";
    e.seq++;
    e.unschedulableSince = now;
  }

  /** After an error (e.g. the bind failed): retry after backoff. */
  requeueError(pod: Pod, now: number): void {
    const e = this.requeue(pod, now);
    e.rejectedBy = [];
    this.toBackoff(e);
  }

  onClusterEvent(event: ClusterEvent, now: number): void {
    this.moveRequestCycle = this.schedulingCycle;
    const plugins = EVENT_PLUGINS[event];
    for (const e of this.entries.values()) {
      if (e.state !== "unschedulable") continue;
      if (e.rejectedBy.length === 0 || e.rejectedBy.some((p) => plugins.includes(p))) this.wake(e, now);
    }
  }

  /** When pop() could next return a pod: now if one is ready, else the earliest backoff or flush; null when idle. */
  nextDueAt(now: number): number | null {
    if (this.active.peek("active")) return now;
    let due = Infinity;
    const b = this.backoff.peek("backoff");
    if (b) due = b.backoffUntil;
    for (const e of this.entries.values()) if (e.state === "unschedulable") due = Math.min(due, e.unschedulableSince + MAX_IN_UNSCHEDULABLE_MS);
    return due === Infinity ? null : Math.max(due, now);
  }

  stats(): { active: number; backoff: number; unschedulable: number } {
    const s = { active: 0, backoff: 0, unschedulable: 0 };
    for (const e of this.entries.values()) if (e.state !== "inflight") s[e.state]++;
    return s;
  }

  has(uid: string): boolean { return this.entries.has(uid); }

  toJSON(): QueueJSON {
    return {
      entries: [...this.entries.values()].map(({ seq: _seq, ...rest }) => rest),
      schedulingCycle: this.schedulingCycle,
      moveRequestCycle: this.moveRequestCycle,
    };
  }

  static fromJSON(json: QueueJSON): SchedulingQueue {
    const q = new SchedulingQueue();
    q.schedulingCycle = json.schedulingCycle ?? 0;
    q.moveRequestCycle = json.moveRequestCycle ?? -1;
    for (const raw of json.entries ?? []) {
      const e: Entry = { ...raw, rejectedBy: [...(raw.rejectedBy ?? [])], seq: 0 };
      // A pod in flight when the state was saved never got its result: schedule it again.
      if (e.state === "inflight") e.state = "active";
      q.entries.set(e.uid, e);
      if (e.state === "active") q.active.push(e);
      else if (e.state === "backoff") q.backoff.push(e);
    }
    return q;
  }
}
