// kube-controller-manager's machinery, in controller-runtime's shape: informers (etcd watches)
// turn changes into keys; a de-duplicating work queue holds each key once; reconcile is
// level-triggered (it reads the current state, never the event), retried with back-off on error.
// The queue lives in memory and is rebuilt by a full resync at start, so eviction loses nothing.
// Containment follows client-go: each informer is a reflector (list, then watch; a closed watch
// means list again, a failed list is retried with back-off), and, as in HandleCrash, a fault in
// one event, one resync or one reconcile is recorded and never stops the other controllers.
// As client-go's shared informer factory, one watch per prefix decodes each event once for every
// controller, and keeps a store that reconciles list from instead of etcd (informers.ts).
import type { Etcd } from "../etcd/store";
import type { Registry, WriteCtx } from "../api-server/registry/store";
import type { KubeObject } from "../api-server/types";
import { recordEvent } from "../api-server/events";
import { findResource, registryKey, registryPrefix, type ResourceType } from "../api-server/resources";
import { backoff, FaultLog, type FaultReport, type FaultStage } from "../faults";
import { registryLister, SharedInformers, type Lister } from "./informers";

export interface ReconcileCtx {
  reg: Registry;
  now: number;
  write: WriteCtx;
  /** The informers' stores (objects shared by every controller: read, never change them). */
  cache?: Lister;
}

/** What a watch's keys() learns besides the objects: the event type, and the stores. */
export interface WatchCtx {
  type: "PUT" | "DELETE";
  cache: Lister;
}

/** The stores a reconcile reads: the manager's, or the registry itself when driven by hand. */
export const listerOf = (ctx: ReconcileCtx): Lister => ctx.cache ?? registryLister(ctx.reg);

export interface Controller {
  name: string;
  /** etcd prefixes to watch, and which keys a change there enqueues (obj and prev are shared and frozen). */
  watches: { prefix: string; keys(obj: KubeObject, prev: KubeObject | undefined, ev: WatchCtx): string[] }[];
  /** Every key that exists now: the initial list of the informers. */
  resync(reg: Registry): string[];
  /** Brings one key to its desired state; may ask to be looked at again later. */
  reconcile(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number };
}

/**
 * A watch on one resource's prefix, its events typed as that resource's objects: the narrowing is
 * here, once (a prefix holds only its resource's objects, and the informers hand out only values
 * with metadata; the rest of a value may still be malformed, and is read defensively).
 */
export function watchOf<T extends KubeObject>(r: ResourceType<T>, keys: (obj: T, prev: T | undefined, ev: WatchCtx) => string[]): Controller["watches"][number] {
  return { prefix: registryPrefix(r), keys };
}

const BASE_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 1000 * 1000; // client-go's default controller rate limiter: 5 ms doubling to 1000 s
// A reflector whose list fails waits 800 ms, doubling to 30 s (client-go's reflector back-off).
/** The longest an event makes a failing key wait (its back-off may be far longer; the event may mean the cause is gone). */
const EVENT_RETRY_MS = 5000;
const LIST_BASE_BACKOFF_MS = 800;
const LIST_MAX_BACKOFF_MS = 30_000;
const MAX_PER_RUN = 2000;
const COMPONENT = "kube-controller-manager";

/**
 * The object a controller's "namespace/name" key names, for a Warning Event when its reconcile
 * fails. Controllers whose keys name something else (nodes, namespaces, owners by uid) get none.
 */
const RECONCILED_KIND: Record<string, [string, string, string]> = {
  replicaset: ["apps", "v1", "replicasets"],
  deployment: ["apps", "v1", "deployments"],
  statefulset: ["apps", "v1", "statefulsets"],
  daemonset: ["apps", "v1", "daemonsets"],
  job: ["batch", "v1", "jobs"],
  cronjob: ["batch", "v1", "cronjobs"],
  horizontalpodautoscaler: ["autoscaling", "v2", "horizontalpodautoscalers"],
  endpoints: ["", "v1", "services"],
  endpointslice: ["", "v1", "services"],
  "service-lb-controller": ["", "v1", "services"],
};

interface Item { controller: Controller; key: string; notBefore: number; failures: number; retryOnEventAt?: number }

/** One controller's informers: listed (synced) and subscribed, or waiting to list again. */
interface Informer { controller: Controller; subs: (() => void)[]; synced: boolean; failures: number; retryAt: number }

export class ControllerManager {
  private readonly controllers: Controller[] = [];
  private readonly queue = new Map<string, Item>();
  private informers: Informer[] = [];
  /** The shared informers and their stores (one watch per prefix). */
  readonly shared: SharedInformers;
  private started = false;
  /** Reconciles run per controller, for the architecture view. */
  readonly reconciles = new Map<string, number>();
  /** Faults per controller and the latest ones (bounded), for the architecture view. */
  readonly faults = new FaultLog();
  /** Informers listed again after their watch was closed (etcd restore, compaction). */
  relists = 0;
  stopped = false;

  constructor(
    private readonly reg: Registry,
    private readonly etcd: Etcd,
    private readonly hooks: { due(at: number): void },
    private readonly now: () => number,
    private readonly user = { username: "system:kube-controller-manager", groups: ["system:masters"] },
  ) {
    this.shared = new SharedInformers(reg, etcd);
  }

  register(c: Controller): void {
    this.controllers.push(c);
  }

  /** Drops controllers before start (a classroom on premises runs no cloud controllers). */
  unregister(names: string[]): void {
    if (this.started) throw new Error("controllers can only be removed before start");
    for (let i = this.controllers.length - 1; i >= 0; i--) if (names.includes(this.controllers[i].name)) this.controllers.splice(i, 1);
  }

  /** Starts the informers, and lists again any whose watch closed or whose list is due for a retry. */
  start(): void {
    if (!this.started) {
      this.started = true;
      this.informers = this.controllers.map((controller) => ({ controller, subs: [], synced: false, failures: 0, retryAt: 0 }));
    }
    const t = this.now();
    for (const inf of this.informers) if (!inf.synced && inf.retryAt <= t) this.listAndWatch(inf, t);
  }

  stop(): void {
    for (const inf of this.informers) for (const unsub of inf.subs) unsub();
    this.informers = [];
    this.shared.stop();
    this.queue.clear();
    this.started = false;
  }

  /** Totals and the latest faults of every controller. */
  faultReport(): FaultReport {
    return this.faults.report();
  }

  /** Controllers whose informers are waiting to list again (a failed resync, a closed watch). */
  unsynced(): string[] {
    return this.informers.filter((i) => !i.synced).map((i) => i.controller.name);
  }

  private listAndWatch(inf: Informer, t: number): void {
    const c = inf.controller;
    const subs: (() => void)[] = [];
    try {
      const keys = c.resync(this.reg);
      for (const w of c.watches) {
        const unsub = this.shared.subscribe(w.prefix, {
          event: (ev) => {
            try {
              for (const key of w.keys(ev.obj, ev.prev, { type: ev.type, cache: this.shared })) this.enqueue(c, key, this.now());
            } catch (err) {
              this.fault(c, "informer", ev.key, err, this.now());
            }
          },
          error: (key, err) => this.fault(c, "informer", key, err, this.now()),
          closed: () => this.watchClosed(inf, unsub),
        });
        subs.push(unsub);
      }
      for (const key of keys) this.enqueue(c, key, t);
    } catch (e) {
      for (const unsub of subs) unsub();
      inf.failures++;
      inf.retryAt = t + backoff(inf.failures, LIST_BASE_BACKOFF_MS, LIST_MAX_BACKOFF_MS);
      this.fault(c, "list", "", e, t);
      this.hooks.due(inf.retryAt);
      return;
    }
    inf.subs = subs;
    inf.synced = true;
    inf.failures = 0;
  }

  /** A closed watch (restore, compaction, a dropped subscriber) leaves the informer deaf: list again. */
  private watchClosed(inf: Informer, sub: () => void): void {
    if (!inf.subs.includes(sub)) return; // an informer already stopped or listed again
    for (const unsub of inf.subs) unsub();
    inf.subs = [];
    inf.synced = false;
    inf.retryAt = 0;
    this.relists++;
    this.hooks.due(this.now());
  }

  private enqueue(c: Controller, key: string, at: number): void {
    const id = `${c.name}\u0000${key}`;
    const cur = this.queue.get(id);
    // Already queued: one entry per key, at the earlier time (de-duplication). A key that is failing
    // may be pulled forward by an event, but not before a short pause: a reconcile that writes
    // something and then fails would otherwise wake itself up forever at the same instant.
    if (cur) cur.notBefore = Math.min(cur.notBefore, cur.failures > 0 ? Math.max(at, cur.retryOnEventAt ?? at) : at);
    else this.queue.set(id, { controller: c, key, notBefore: at, failures: 0 });
    this.hooks.due(Math.min(cur?.notBefore ?? at, at));
  }

  /**
   * Reconciles keys that are due, at most `limit` of them (the control loop runs the simulation in
   * bounded slices); returns when the queue (or a relist) is next due (null: nothing).
   */
  run(limit = MAX_PER_RUN): number | null {
    this.start();
    if (this.stopped) return null;
    const t = this.now();
    let n = 0;
    // Only what is due is sorted (the queue holds a key per owner and pod: a slice must not sort it all).
    const due: [string, Item][] = [];
    for (const entry of this.queue) if (entry[1].notBefore <= t) due.push(entry);
    due.sort((a, b) => a[1].notBefore - b[1].notBefore);
    for (const [id, item] of due) {
      if (n >= limit) break;
      if (this.queue.get(id) !== item) continue; // replaced by a retry of the same key in this run
      this.queue.delete(id);
      n++;
      this.reconciles.set(item.controller.name, (this.reconciles.get(item.controller.name) ?? 0) + 1);
      try {
        const res = item.controller.reconcile(item.key, { reg: this.reg, now: t, cache: this.shared, write: { user: this.user, now: new Date(t), fieldManager: `kube-controller-manager/${item.controller.name}` } });
        if (res && res.requeueAfter !== undefined) this.enqueue(item.controller, item.key, t + res.requeueAfter);
      } catch (e) {
        // Level-triggered: a failed reconcile is simply tried again later, with back-off.
        const failures = Math.min(item.failures + 1, 64);
        const delay = backoff(failures, BASE_BACKOFF_MS, MAX_BACKOFF_MS);
        this.queue.set(id, { ...item, notBefore: t + delay, failures, retryOnEventAt: t + Math.min(delay, EVENT_RETRY_MS) });
        this.fault(item.controller, "reconcile", item.key, e, t);
        this.warnOn(item.controller, item.key, e, t);
      }
    }
    let next: number | null = null;
    for (const item of this.queue.values()) next = next === null ? item.notBefore : Math.min(next, item.notBefore);
    for (const inf of this.informers) if (!inf.synced) next = next === null ? inf.retryAt : Math.min(next, inf.retryAt);
    return next === null ? null : Math.max(next, t);
  }

  pending(): number {
    return this.queue.size;
  }

  private fault(c: Controller, stage: FaultStage, key: string, err: unknown, at: number): void {
    this.faults.record(`${COMPONENT}/${c.name}`, stage, key, err, at);
  }

  /** A Warning Event on the object whose reconcile failed, as controllers record theirs; repeats are counted on it. */
  private warnOn(c: Controller, key: string, err: unknown, t: number): void {
    const kind = RECONCILED_KIND[c.name];
    const slash = key.indexOf("/");
    if (!kind || slash <= 0) return;
    try {
      const r: ResourceType | undefined = findResource(...kind);
      const kv = r && this.etcd.get(registryKey(r, key.slice(0, slash), key.slice(slash + 1)));
      if (!kv) return;
      const obj = this.reg.decode(kv);
      const message = `reconcile failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1024);
      recordEvent(this.reg, { regarding: obj, reason: "ReconcileError", type: "Warning", message, component: c.name.endsWith("controller") ? c.name : `${c.name}-controller`, now: new Date(t) });
    } catch {
      // The Event is a courtesy; the fault is already recorded.
    }
  }
}
