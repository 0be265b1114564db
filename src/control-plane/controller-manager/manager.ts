// kube-controller-manager's machinery, in controller-runtime's shape: informers (etcd watches)
// turn changes into keys; a de-duplicating work queue holds each key once; reconcile is
// level-triggered (it reads the current state, never the event), retried with back-off on error.
// The queue lives in memory and is rebuilt by a full resync at start, so eviction loses nothing.
import type { Etcd } from "../etcd/store";
import type { Watch } from "../etcd/watch";
import type { Registry, WriteCtx } from "../api-server/registry/store";
import type { KubeObject } from "../api-server/types";

export interface ReconcileCtx {
  reg: Registry;
  now: number;
  write: WriteCtx;
}

export interface Controller {
  name: string;
  /** etcd prefixes to watch, and which keys a change there enqueues. */
  watches: { prefix: string; keys(obj: KubeObject, prev?: KubeObject): string[] }[];
  /** Every key that exists now: the initial list of the informers. */
  resync(reg: Registry): string[];
  /** Brings one key to its desired state; may ask to be looked at again later. */
  reconcile(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number };
}

const BASE_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 1000 * 1000; // client-go's default controller rate limiter: 5 ms doubling to 1000 s
const MAX_PER_RUN = 2000;

interface Item { controller: Controller; key: string; notBefore: number; failures: number }

export class ControllerManager {
  private readonly controllers: Controller[] = [];
  private readonly queue = new Map<string, Item>();
  private watches: Watch[] = [];
  private started = false;
  /** Reconciles run per controller, for the architecture view. */
  readonly reconciles = new Map<string, number>();
  stopped = false;

  constructor(
    private readonly reg: Registry,
    private readonly etcd: Etcd,
    private readonly hooks: { due(at: number): void },
    private readonly now: () => number,
    private readonly user = { username: "system:kube-controller-manager", groups: ["system:masters"] },
  ) {}

  register(c: Controller): void {
    this.controllers.push(c);
  }

  /** Drops controllers before start (a classroom on premises runs no cloud controllers). */
  unregister(names: string[]): void {
    if (this.started) throw new Error("controllers can only be removed before start");
    for (let i = this.controllers.length - 1; i >= 0; i--) if (names.includes(this.controllers[i].name)) this.controllers.splice(i, 1);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const t = this.now();
    for (const c of this.controllers) {
      for (const key of c.resync(this.reg)) this.enqueue(c, key, t);
      for (const w of c.watches) {
        this.watches.push(this.etcd.watch(w.prefix, this.etcd.revision, (events) => {
          const at = this.now();
          for (const e of events) {
            const obj = this.reg.decode(e.kv);
            const prev = e.prev ? this.reg.decode(e.prev) : undefined;
            for (const key of w.keys(obj, prev)) this.enqueue(c, key, at);
          }
        }));
      }
    }
  }

  stop(): void {
    for (const w of this.watches) w.cancel();
    this.watches = [];
    this.queue.clear();
    this.started = false;
  }

  private enqueue(c: Controller, key: string, at: number): void {
    const id = `${c.name}\u0000${key}`;
    const cur = this.queue.get(id);
    // Already queued: one entry per key, at the earlier time (de-duplication).
    if (cur) cur.notBefore = Math.min(cur.notBefore, at);
    else this.queue.set(id, { controller: c, key, notBefore: at, failures: 0 });
    this.hooks.due(Math.min(cur?.notBefore ?? at, at));
  }

  /** Reconciles every key that is due; returns when the queue is next due (null: empty). */
  run(): number | null {
    this.start();
    if (this.stopped) return null;
    const t = this.now();
    let n = 0;
    for (const [id, item] of [...this.queue].sort((a, b) => a[1].notBefore - b[1].notBefore)) {
      if (item.notBefore > t || n >= MAX_PER_RUN) break;
      this.queue.delete(id);
      n++;
      this.reconciles.set(item.controller.name, (this.reconciles.get(item.controller.name) ?? 0) + 1);
      try {
        const res = item.controller.reconcile(item.key, { reg: this.reg, now: t, write: { user: this.user, now: new Date(t), fieldManager: `kube-controller-manager/${item.controller.name}` } });
        if (res && res.requeueAfter !== undefined) this.enqueue(item.controller, item.key, t + res.requeueAfter);
      } catch (e) {
        // Level-triggered: a failed reconcile is simply tried again later, with back-off.
        console.warn(`controller ${item.controller.name}: reconcile ${item.key} failed: ${(e as Error).message}`);
        const failures = item.failures + 1;
        const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** failures);
        this.queue.set(id, { ...item, notBefore: t + delay, failures });
      }
    }
    let next: number | null = null;
    for (const item of this.queue.values()) next = next === null ? item.notBefore : Math.min(next, item.notBefore);
    return next;
  }

  pending(): number {
    return this.queue.size;
  }
}
