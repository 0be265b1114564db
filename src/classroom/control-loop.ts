// The classroom's clock and timer. Work that is due in simulated time (a scheduling cycle, a
// node's kubelet sync, heartbeats) is kept in one table; the object's single alarm is set for the
// earliest row. Tests move simulated time by hand with advance(), deterministically.
// Requests before simulation (sim-pace.ts): work runs in bounded slices with a yield to waiting
// requests after each, and the clock is held back when the work cannot keep up with it.
// Containment (after k8s.io/apimachinery/pkg/util/runtime HandleCrash and client-go's
// rate-limited requeue): a due item that throws (a node's sync over RPC, the scheduler, the
// controllers) is recorded and tried again a little later; the rest of the run goes on.
import type { Registry } from "../control-plane/api-server/registry/store";
import type { Etcd } from "../control-plane/etcd/store";
import { KeyValueTable, type Sql } from "../control-plane/etcd/sql";
import { ControllerManager, defaultControllers } from "../control-plane/controller-manager";
import { cloudControllers } from "../control-plane/cloud-controller-manager";
import { KubeScheduler } from "../control-plane/scheduler/kube-scheduler";
import { defaultProfile, type SchedulerProfile, type SchedulingRecord } from "../control-plane/scheduler";
import type { PodUsage } from "../node/node-object";
import { backoff, FaultLog, mergeFaultReports, type FaultReport } from "../control-plane/faults";
import { DueWork } from "./due-work";
import { SchedulingRecords } from "./scheduling-records";
import { PodsDirty } from "../node/sync-hints";
import { EVENT_SWEEP_EVERY_MS, EventTtl } from "../control-plane/api-server/event-ttl";
import { advanceClock, newClock, realAt, setClock, simNow, type ClockState } from "./sim-clock";
import { holdBack, NODE_BEHIND_RETRY_REAL_MS, Pace, RUN_BUDGET_REAL_MS, SLICE, yieldToRequests, type PaceStats } from "./sim-pace";

export const HEARTBEAT_MS = 10_000; // the kubelet's lease renew interval
/** With no API request for this long (real time), heartbeats stop, the clock pauses and the alarm goes quiet. */
export const IDLE_AFTER_REAL_MS = 5 * 60_000;
/** A due item that failed runs again after 1 s of simulated time, doubling to 5 minutes. */
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 5 * 60_000;
/** Items with a failure streak remembered; beyond this the oldest streak is forgotten (it restarts at 1 s). */
export const MAX_RETRY_ITEMS = 256;
/** Rounds of due work one run goes through (a round: everything due at one instant). */
const MAX_ROUNDS = 50;
/** Pages are told of a held-back clock at most this often (real ms): they estimate it between. */
const HELD_NOTICE_REAL_MS = 2000;

export interface NodeRunner {
  /** Runs node's kubelet once at simulated `now`; returns when it next needs to run and its pods' use. */
  /**
   * podsChanged false: nothing but the kubelet itself changed this node's pods since its last sync
   * (its watch would have delivered nothing), so it may run on the pods it holds instead of a LIST.
   */
  sync(node: string, now: number, hint: { podsChanged?: boolean }): Promise<{ nextWakeAt: number | null; usage: PodUsage[]; faultsTotal?: number; deferred?: number }>;
  running(): string[];
  /** The machine exists (running or stopped): what the cloud provider knows. */
  exists(name: string): boolean;
}

export class ControlLoop {
  readonly due: DueWork;
  readonly scheduler: KubeScheduler;
  readonly controllers: ControllerManager;
  private cloudControllerNames: string[];
  private clock: ClockState;
  private lastActivityReal: number;
  private inFlight?: Promise<void>;
  /** The latest cpu and memory use each kubelet reported (what metrics-server would hold). */
  private readonly usageByNode = new Map<string, PodUsage[]>();
  private readonly eventTtl: EventTtl;
  /** Faults of the loop's own due items (bounded), for the architecture view. */
  readonly loopFaults = new FaultLog();
  /** Consecutive failures per due item, for its back-off; cleared when it succeeds. */
  private readonly failing = new Map<string, number>();
  /** The loop's own state, in the classroom's settings table under "loop:". */
  private readonly kv: KeyValueTable;
  /** The speed simulated time really runs at, and how often it was held back. */
  readonly pace = new Pace();
  readonly schedulingRecords: SchedulingRecords;
  /** Called (at most every HELD_NOTICE_REAL_MS) when the clock was held back: pages re-read it. */
  onClockHeld?: () => void;
  private heldNoticeAt = 0;
  private periodicCheckedAt = -Infinity;
  private periodicSeen = false;
  /** Which kubelets have news about their pods (bounded; forgetting only costs a LIST). */
  private podsDirty = new PodsDirty();
  /** The alarm's time as this object last set or read it (null: none; undefined: not known). */
  private armedAt: number | null | undefined;

  constructor(
    sql: Sql,
    reg: Registry,
    etcd: Etcd,
    private readonly nodes: NodeRunner,
    private readonly storage: Pick<DurableObjectStorage, "setAlarm" | "deleteAlarm" | "getAlarm">,
    private readonly realNow: () => number = () => Date.now(),
  ) {
    this.kv = new KeyValueTable(sql, "classroom", "loop:");
    this.due = new DueWork(sql);
    this.schedulingRecords = new SchedulingRecords(sql);
    this.eventTtl = new EventTtl(etcd);
    this.clock = this.kv.get<ClockState>("clock") ?? newClock(this.realNow());
    this.lastActivityReal = this.realNow();
    this.scheduler = new KubeScheduler(reg, etcd, {
      nodeDirty: (node) => {
        this.podsDirty.mark(node);
        this.due.at(`node:${node}`, this.now());
      },
      // Not worth a sync now, but the next one lists: a status written by someone else (the
      // node lifecycle controller's NotReady) must not be hidden by the kubelet's cached copy.
      // A LIST of one node's pods is cheap through the index by node.
      podWritten: (node) => this.podsDirty.mark(node),
      due: (at) => this.due.at("scheduler", at),
      record: (r) => this.schedulingRecords.save(r),
    }, () => this.now());
    this.scheduler.stopped = this.kv.get<boolean>("schedulerStopped") ?? false;
    this.controllers = new ControllerManager(reg, etcd, { due: (at) => this.due.at("controllers", at) }, () => this.now());
    for (const c of defaultControllers(reg, { podUsage: () => this.podUsage() })) this.controllers.register(c);
    // cloud-controller-manager: a separate component, on its own in a real cluster; here it shares
    // the loop. On premises (cloud: false) it does not run.
    this.cloudControllerNames = [];
    for (const c of cloudControllers(reg, { instanceExists: (name) => this.nodes.exists(name) })) {
      this.controllers.register(c);
      this.cloudControllerNames.push(c.name);
    }
    if (this.kv.get<boolean>("onPremises")) this.controllers.unregister(this.cloudControllerNames);
    this.controllers.stopped = this.kv.get<boolean>("controllersStopped") ?? false;
  }

  podUsage(): Map<string, { cpuMillis: number; memoryBytes: number }> {
    const out = new Map<string, { cpuMillis: number; memoryBytes: number }>();
    for (const [node, pods] of this.usageByNode) {
      if (!this.nodes.running().includes(node)) continue;
      for (const p of pods) out.set(`${p.namespace}/${p.name}`, { cpuMillis: p.cpuMillis, memoryBytes: p.memoryBytes });
    }
    return out;
  }

  now(): number {
    return simNow(this.clock, this.realNow());
  }

  clockState(): ClockState & { now: number } & PaceStats {
    return { ...this.clock, now: this.now(), ...this.pace.stats(this.clock, this.realNow()) };
  }

  setClock(change: { speed?: number; paused?: boolean }): void {
    this.clock = setClock(this.clock, this.realNow(), change);
    this.pace.reset();
    this.kv.put("clock", this.clock);
    this.kv.put("autoPaused", false); // the instructor's choice wins over an idle pause
  }

  profile(): SchedulerProfile {
    return this.kv.get<SchedulerProfile>("schedulerProfile") ?? defaultProfile();
  }

  setProfile(p: SchedulerProfile): void {
    this.kv.put("schedulerProfile", p);
  }

  /** Something happened (an API request, a connection): keep heartbeats going a while longer. */
  touch(): void {
    this.lastActivityReal = this.realNow();
    // An idle classroom paused itself; someone is back, so time runs again from where it stopped.
    if (this.clock.paused && this.kv.get<boolean>("autoPaused")) {
      this.clock = setClock(this.clock, this.realNow(), { paused: false });
      this.kv.put("clock", this.clock);
      this.kv.put("autoPaused", false);
    }
    this.startInformers();
    // Every request touches: once both periodic items are known to be there, they are checked
    // again (two reads) at most once a second; only the heartbeat removes itself, and says so.
    if (this.periodicSeen && this.lastActivityReal - this.periodicCheckedAt < 1000) return;
    this.periodicCheckedAt = this.lastActivityReal;
    const nodes = this.nodes.running().length > 0;
    if (nodes && !this.due.has("heartbeat")) this.due.at("heartbeat", this.now());
    if (!this.due.has("event-ttl")) this.due.at("event-ttl", this.now() + EVENT_SWEEP_EVERY_MS);
    this.periodicSeen = nodes;
  }

  /**
   * Runs what is due now, repeatedly, until nothing more is due at this instant: one slice at a
   * time, yielding to waiting requests after each. An alarm's run lets go after
   * RUN_BUDGET_REAL_MS of real time and holds the clock back if work still trails it; advance()
   * (tests, "skip ahead") runs without a budget and never holds the clock.
   */
  async runDue(opts: { budgetRealMs?: number } = {}): Promise<void> {
    // One run at a time: an alarm and a test's advance() wait for each other, never overlap.
    while (this.inFlight) await this.inFlight;
    // After an eviction the informers are gone: starting them again relists (level-triggered).
    this.startInformers();
    const budget = opts.budgetRealMs ?? RUN_BUDGET_REAL_MS;
    const started = this.realNow();
    const run = (async () => {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const now = this.now();
        const due = this.due.due(now);
        if (due.length === 0) break;
        for (const name of due) {
          const t0 = this.realNow();
          await this.runGuarded(name, now);
          await yieldToRequests();
          this.pace.slice(this.realNow() - t0);
          // Held back as soon as work trails, not only at the end of the run: at 100× one
          // run's 250 ms are 25 simulated seconds.
          if (budget !== Infinity) this.paceClock();
          if (this.realNow() - started >= budget) return;
        }
      }
    })();
    this.inFlight = run;
    try {
      await run;
    } finally {
      this.inFlight = undefined;
    }
    if (budget !== Infinity) this.paceClock();
    await this.arm();
  }

  /** Holds the clock back when due work trails it (the simulation cannot keep up), and samples the pace. */
  private paceClock(): void {
    const real = this.realNow();
    const held = holdBack(this.clock, real, this.due.earliest());
    if (held) {
      this.clock = held.clock;
      this.pace.heldBackMs += held.heldMs;
      this.kv.put("clock", this.clock);
      if (real - this.heldNoticeAt >= HELD_NOTICE_REAL_MS) {
        this.heldNoticeAt = real;
        this.onClockHeld?.();
      }
    }
    this.pace.sample(real, this.now());
  }

  /** Both components guard their own informers; this only keeps a surprise from stopping the loop. */
  private startInformers(): void {
    for (const [name, start] of [["scheduler", () => this.scheduler.start()], ["controllers", () => this.controllers.start()]] as const) {
      try {
        start();
      } catch (e) {
        this.loopFaults.record(componentOf(name), "run", name, e, this.now());
      }
    }
  }

  /** One due item; a throw is recorded and the item is due again after back-off, in simulated time. */
  private async runGuarded(name: string, now: number): Promise<void> {
    try {
      await this.runOne(name, now);
      this.failing.delete(name);
    } catch (e) {
      const failures = (this.failing.get(name) ?? 0) + 1;
      this.failing.delete(name); // re-inserted last: the map's order is oldest streak first
      this.failing.set(name, Math.min(failures, 64));
      if (this.failing.size > MAX_RETRY_ITEMS) this.failing.delete(this.failing.keys().next().value as string);
      this.loopFaults.record(componentOf(name), "run", name, e, now);
      this.due.at(name, now + backoff(failures, RETRY_BASE_MS, RETRY_MAX_MS));
    }
  }

  /** Every component's faults: totals per component and the latest ones, bounded. */
  faults(): FaultReport {
    return mergeFaultReports([this.loopFaults.report(), this.scheduler.faultReport(), this.controllers.faultReport()]);
  }

  /** Pod syncs each kubelet contained since its node booted (as its last sync reported; one entry per node). */
  readonly kubeletFaults = new Map<string, number>();

  /** Due items retrying after a failure, with their current streak (bounded by MAX_RETRY_ITEMS). */
  retrying(): Map<string, number> {
    return new Map(this.failing);
  }

  private async runOne(name: string, now: number): Promise<void> {
    if (name === "scheduler") {
      this.due.set("scheduler", null);
      const next = this.scheduler.run(this.profile(), SLICE.schedulerPods);
      if (next !== null) this.due.at("scheduler", Math.max(next, now));
    } else if (name === "controllers") {
      this.due.set("controllers", null);
      const next = this.controllers.run(SLICE.controllerKeys);
      if (next !== null) this.due.at("controllers", Math.max(next, now));
    } else if (name === "event-ttl") {
      this.eventTtl.sweep(now);
      this.due.set("event-ttl", now + EVENT_SWEEP_EVERY_MS);
    } else if (name === "heartbeat") {
      for (const n of this.nodes.running()) this.due.at(`node:${n}`, now);
      const active = this.realNow() - this.lastActivityReal < IDLE_AFTER_REAL_MS;
      this.due.set("heartbeat", active ? now + HEARTBEAT_MS : null);
      if (!active) this.periodicSeen = false;
      if (!active && !this.clock.paused) {
        // Nobody is here: stop simulated time, so leases do not go stale and nothing is due
        // (no alarm at all) until the next request resumes it.
        this.clock = setClock(this.clock, this.realNow(), { paused: true });
        this.kv.put("clock", this.clock);
        this.kv.put("autoPaused", true);
      }
    } else if (name.startsWith("node:")) {
      const node = name.slice(5);
      this.due.set(name, null);
      if (!this.nodes.running().includes(node)) return;
      const hint = this.podsDirty.take(node);
      let result: Awaited<ReturnType<NodeRunner["sync"]>>;
      try {
        result = await this.nodes.sync(node, now, hint);
      } catch (e) {
        this.podsDirty.failed(node, hint);
        throw e;
      }
      const { nextWakeAt: next, usage, faultsTotal, deferred } = result;
      this.usageByNode.set(node, usage);
      if (faultsTotal !== undefined) this.kubeletFaults.set(node, faultsTotal);
      // A node out of cpu goes on later, behind on its own, not holding the clock back (sim-pace.ts).
      if (deferred) this.due.at(name, now + Math.max(1, NODE_BEHIND_RETRY_REAL_MS * this.clock.speed));
      else if (next !== null) this.due.at(name, Math.max(next, now + 1));
    } else {
      this.due.set(name, null); // unknown work from an older version: drop it
    }
  }

  /**
   * Sets the alarm for the earliest due work, or none at all: an idle classroom costs nothing.
   * Every request ends here, so the alarm's time is remembered instead of read back each time
   * (a storage call per request), and an alarm that will fire in time is left alone.
   */
  async arm(): Promise<void> {
    const earliest = this.due.earliest();
    const real = earliest === null ? undefined : realAt(this.clock, earliest);
    if (this.armedAt === undefined) this.armedAt = await this.storage.getAlarm();
    if (real === undefined) {
      if (this.armedAt !== null) await this.storage.deleteAlarm();
      this.armedAt = null;
      return;
    }
    const realNow = this.realNow();
    const at = Math.max(Math.ceil(real), realNow);
    // Already set to fire no later than needed, and not in the past: an early alarm finds
    // nothing due and arms again; a past one may be the very alarm now running, so set anew.
    if (this.armedAt !== null && this.armedAt <= at && this.armedAt > realNow) return;
    await this.storage.setAlarm(at);
    this.armedAt = at;
  }

  /** After an etcd restore (or anything that rewrote pods behind the informers): every kubelet lists again. */
  forgetNodePods(): void {
    this.podsDirty = new PodsDirty();
  }

  /** The alarm fired (and is spent): what is set now is read back at the next arm(). */
  alarmFired(): void {
    this.armedAt = undefined;
  }

  /**
   * Moves simulated time forward by `ms`, running due work in time order on the way: the
   * deterministic way tests (and "skip ahead") drive the cluster.
   */
  async advance(ms: number): Promise<void> {
    const target = this.now() + ms;
    for (let i = 0; i < 10_000; i++) {
      await this.runDue({ budgetRealMs: Infinity });
      const next = this.due.earliest();
      if (next === null || next > target) break;
      this.clock = advanceClock(this.clock, this.realNow(), next - this.now());
    }
    this.clock = advanceClock(this.clock, this.realNow(), Math.max(0, target - this.now()));
    this.kv.put("clock", this.clock);
    this.pace.reset();
    await this.runDue({ budgetRealMs: Infinity });
  }

  records(filter: { namespace?: string; name?: string; uid?: string } = {}): SchedulingRecord[] {
    return this.schedulingRecords.list(filter);
  }

  /** On premises: no cloud provider, so LoadBalancer Services stay <pending>. Set at creation. */
  setOnPremises(): void {
    this.kv.put("onPremises", true);
    this.controllers.unregister(this.cloudControllerNames);
  }

  setControllersStopped(stopped: boolean): void {
    this.controllers.stopped = stopped;
    this.kv.put("controllersStopped", stopped);
    if (!stopped) this.due.at("controllers", this.now());
  }

  setSchedulerStopped(stopped: boolean): void {
    this.scheduler.stopped = stopped;
    this.kv.put("schedulerStopped", stopped);
    if (!stopped) this.due.at("scheduler", this.now());
  }
}

/** The component a due item belongs to, for fault records. */
function componentOf(item: string): string {
  if (item === "scheduler") return "kube-scheduler";
  if (item === "controllers") return "kube-controller-manager";
  if (item.startsWith("node:")) return "kubelet";
  return "control-loop";
}
