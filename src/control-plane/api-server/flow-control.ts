// Admission of load before any work, after kube-apiserver's API Priority and Fairness
// (k8s.io/apiserver/pkg/util/flowcontrol, the filter in pkg/server/filters/priority-and-fairness.go,
// the bootstrap configuration in pkg/apis/flowcontrol/bootstrap/default.go and the Retry-After of
// pkg/util/flowcontrol/dropped_requests_tracker.go), scaled to one single-threaded Durable Object.
//
// kube-apiserver has concurrency seats and its own queues, so it knows when it is saturated. A
// Durable Object has neither: requests that arrive while it is busy wait in the platform's queue,
// invisible to it. The Worker stamps each request with the time it received it; the wait until
// fetch() runs is the object's queue, measured. When that queue stands above a target, the
// students served most lately are answered 429 at once, heaviest first and more of them the longer
// the wait (fair queuing's outcome: one student's burst cannot take another's turn); a request that
// already waited past a hard limit is shed whoever sent it. Only requests queued ahead count: a
// wait behind the simulation alone is not cured by refusing requests. Exempt, as system:masters
// is in APF: the instructor. Nothing is shed once admitted: admission happens before any work.
import type { UserInfo } from "./auth";

/** Header with the Worker's receive time (ms since the epoch); the Worker always overwrites it. */
export const RECEIVED_HEADER = "x-kubeclass-received-ms";

export interface FlowControlConfig {
  /**
   * Queue wait (ms) above which the object is behind. A quarter of the 1 s API latency SLO: a
   * create costs 5-35 ms of the object's thread, so 250 ms means dozens of requests ahead, and
   * what is left of the second goes to the request's own work and the queue behind it.
   */
  targetMs: number;
  /** The wait must stay above target this long (CoDel's interval): one long step is not a standing queue. */
  intervalMs: number;
  /**
   * A request that already waited this long is shed whoever sent it (exempt callers aside): half
   * the SLO is gone, and a 429 costs a fraction of a millisecond against 5-35 ms for a create, so
   * shedding drains the queue behind it fastest.
   */
  hardMs: number;
  /**
   * Requests shed only when at least this many admitted requests started while this one waited:
   * then requests are what the object is behind on. A wait behind the simulation alone (an alarm's
   * step, a lone request) is not cured by refusing requests; the simulation yields to them instead.
   */
  minQueued: number;
  /** Half-life (ms) of the work a flow was served: "recently" for fairness. */
  halfLifeMs: number;
  /** A flow seen within this long is contending: fairness ranks those flows by their served work. */
  activeMs: number;
  /** A flow not seen for this long is forgotten (its served work has decayed below 1/32 by then). */
  idleMs: number;
  /** Flows remembered at most (least recently seen forgotten first). */
  maxFlows: number;
  /** Ceiling of Retry-After (s). APF's is 32; a class's burst lasts seconds, not minutes. */
  maxRetryAfterSeconds: number;
}

export const FLOW_CONTROL: FlowControlConfig = {
  targetMs: 250, intervalMs: 100, hardMs: 500, minQueued: 8, halfLifeMs: 2_000, activeMs: 1_000, idleMs: 10_000, maxFlows: 10_000, maxRetryAfterSeconds: 8,
};

/**
 * Which priority level a caller is in. APF's defaults: system:masters is exempt; kubelets
 * (system:nodes) are node-high, here exempt too (the object's own kubelets call by apiBatch, not
 * through this path); everyone else, authenticated or not, is global-default with one flow per user.
 */
export type Caller = { exempt: true } | { exempt: false; flow: string };

export const ANONYMOUS_FLOW = "system:anonymous";

export function callerOf(who: { kind: string; user: UserInfo } | undefined): Caller {
  if (!who || who.kind === "join") return { exempt: false, flow: ANONYMOUS_FLOW };
  if (who.user.groups.includes("system:masters") || who.kind === "node") return { exempt: true };
  return { exempt: false, flow: who.user.username };
}

/**
 * How long a request waited before the object saw it. The stamp comes from the Worker, another
 * machine when deployed: clocks may disagree by some milliseconds, so a negative wait is 0. A
 * missing or malformed stamp (not forwarded by the Worker) is no wait.
 */
export function queueWaitMs(headers: Headers, nowMs: number): number {
  const raw = headers.get(RECEIVED_HEADER);
  const at = raw && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(at) ? Math.max(0, nowMs - at) : 0;
}

/** The Worker's side: its own receive time, replacing whatever a client sent under that name. */
export function stampReceived(headers: Headers, nowMs: number): Headers {
  headers.set(RECEIVED_HEADER, String(Math.floor(nowMs)));
  return headers;
}

export type ShedReason = "overShare" | "overload" | "rateLimit";
export type Admission = { ok: true } | { ok: false; reason: ShedReason; retryAfterSeconds: number };

export interface FlowStats {
  admitted: number;
  exemptAdmitted: number;
  shed: { total: number } & Record<ShedReason, number>;
  /** Whether the queue stands above target now, and the last wait measured. */
  behind: boolean;
  lastWaitMs: number;
  retryAfterSeconds: number;
  flows: number;
}

interface Flow { served: number; at: number; seen: number }

const decay = (v: number, fromMs: number, toMs: number, halfLifeMs: number) => v * 2 ** (-Math.max(0, toMs - fromMs) / halfLifeMs);

export class FlowControl {
  /** Every flow seen within idleMs, least recently seen first. */
  private readonly flows = new Map<string, Flow>();
  /**
   * The flows contending now (seen within activeMs), least recently seen first. Fairness is a
   * ranking among them: a student who sent one request 8 s ago is not contending, and a mean
   * over everyone would let such students make a light one look heavy.
   */
  private readonly active = new Map<string, Flow>();
  private aboveSince: number | undefined;
  private lastSampleAt = -Infinity;
  private lastWait = 0;
  /** Start times of the last minQueued admitted requests (a ring: the bound is minQueued). */
  private readonly starts: number[] = [];
  private nextStart = 0;
  private readonly retry: RetryAfter;
  private readonly counts = { admitted: 0, exemptAdmitted: 0, overShare: 0, overload: 0, rateLimit: 0 };

  constructor(private readonly cfg: FlowControlConfig = FLOW_CONTROL) {
    this.retry = new RetryAfter(cfg.maxRetryAfterSeconds);
  }

  /** Flows remembered (at most maxFlows), and of them contending now. */
  get size(): number {
    return this.flows.size;
  }
  get activeSize(): number {
    return this.active.size;
  }
  /** Start times kept to tell whether requests queued ahead (at most minQueued). */
  get startsKept(): number {
    return this.starts.length;
  }

  /** Admits a request or sheds it, before any work; an admitted request runs to completion. */
  admit(caller: Caller, waitMs: number, nowMs: number): Admission {
    this.observe(waitMs, nowMs);
    if (caller.exempt) {
      this.counts.exemptAdmitted++;
      this.started(nowMs);
      return { ok: true };
    }
    this.expire(nowMs);
    const f = this.touch(caller.flow, nowMs);
    const queued = this.queuedAhead(nowMs - waitMs);
    const reason: ShedReason | undefined = !queued ? undefined
      : waitMs >= this.cfg.hardMs ? "overload"
      : this.behind(nowMs) && this.amongHeaviest(f, waitMs, nowMs) ? "overShare" : undefined;
    if (reason) {
      this.counts[reason]++;
      return { ok: false, reason, retryAfterSeconds: this.retry.dropped(nowMs) };
    }
    // Served work is what fair queuing equalises: a shed request cost next to nothing.
    f.served += 1;
    this.counts.admitted++;
    this.started(nowMs);
    return { ok: true };
  }

  /** A request admitted here that the per-student token bucket then refused: counted, not charged. */
  rateLimited(caller: Caller, nowMs: number): void {
    this.counts.rateLimit++;
    if (caller.exempt) return;
    const f = this.flows.get(caller.flow);
    if (!f) return;
    this.decayTo(f, nowMs);
    f.served = Math.max(0, f.served - 1);
  }

  behind(nowMs: number): boolean {
    return this.aboveSince !== undefined && nowMs - this.aboveSince >= this.cfg.intervalMs;
  }

  stats(nowMs: number): FlowStats {
    const { admitted, exemptAdmitted, overShare, overload, rateLimit } = this.counts;
    return {
      admitted, exemptAdmitted, shed: { total: overShare + overload + rateLimit, overShare, overload, rateLimit },
      behind: this.behind(nowMs), lastWaitMs: this.lastWait, retryAfterSeconds: this.retry.current(nowMs), flows: this.flows.size,
    };
  }

  /**
   * Whether the flow is among the k contending flows served most lately, k growing with the wait
   * from 1 (just behind: only the heaviest student is cut back, to the next heaviest) to all of
   * them at hardMs: the further behind, the more students shed, heaviest first. A flow tied with
   * others is not the heaviest: equal students are served in turn.
   */
  private amongHeaviest(f: Flow, waitMs: number, nowMs: number): boolean {
    const severity = Math.min(1, Math.max(0, (waitMs - this.cfg.targetMs) / (this.cfg.hardMs - this.cfg.targetMs)));
    const k = Math.max(1, Math.floor(severity * this.active.size));
    let heavierOrEqual = 0;
    for (const g of this.active.values()) {
      // g.served is its value at g.at, at least what it is now: most flows need no decay computed.
      if (g === f || g.served < f.served - 1e-9 || decay(g.served, g.at, nowMs, this.cfg.halfLifeMs) < f.served - 1e-9) continue;
      if (++heavierOrEqual >= k) return false;
    }
    return true;
  }

  /**
   * Whether at least minQueued admitted requests started after `sinceMs` (when this one arrived).
   * `sinceMs` is the Worker's clock and the starts the object's: a skew of some milliseconds only
   * moves the boundary by as much, small against waits of hundreds.
   */
  private queuedAhead(sinceMs: number): boolean {
    const n = this.cfg.minQueued;
    if (n <= 0) return true;
    if (this.starts.length < n) return false;
    // The ring's oldest entry is the n-th most recent start.
    return this.starts[this.nextStart] > sinceMs;
  }

  private started(nowMs: number): void {
    if (this.cfg.minQueued <= 0) return;
    this.starts[this.nextStart] = nowMs;
    this.nextStart = (this.nextStart + 1) % this.cfg.minQueued;
  }

  /** CoDel's standing-queue test: every request for an interval waited more than the target. */
  private observe(waitMs: number, nowMs: number): void {
    this.lastWait = waitMs;
    if (waitMs < this.cfg.targetMs) this.aboveSince = undefined;
    // No request for a whole interval: nothing says the queue stood meanwhile.
    else if (this.aboveSince === undefined || nowMs - this.lastSampleAt > this.cfg.intervalMs) this.aboveSince = nowMs;
    this.lastSampleAt = nowMs;
  }

  private decayTo(f: Flow, nowMs: number): void {
    f.served = decay(f.served, f.at, nowMs, this.cfg.halfLifeMs);
    f.at = Math.max(f.at, nowMs);
  }

  private touch(name: string, nowMs: number): Flow {
    let f = this.flows.get(name);
    if (f) this.decayTo(f, nowMs);
    else f = { served: 0, at: nowMs, seen: nowMs };
    f.seen = Math.max(f.seen, nowMs);
    // Re-inserted so both maps stay least recently seen first.
    this.flows.delete(name);
    this.flows.set(name, f);
    this.active.delete(name);
    this.active.set(name, f);
    if (this.flows.size > this.cfg.maxFlows) this.drop(this.flows.keys().next().value as string);
    return f;
  }

  /** Flows stop contending after activeMs, and are forgotten after idleMs. */
  private expire(nowMs: number): void {
    for (const [name, f] of this.active) {
      if (nowMs - f.seen < this.cfg.activeMs) break;
      this.active.delete(name);
    }
    for (const [name, f] of this.flows) {
      if (nowMs - f.seen < this.cfg.idleMs) break;
      this.drop(name);
    }
  }

  private drop(name: string): void {
    this.flows.delete(name);
    this.active.delete(name);
  }
}

/**
 * Retry-After as APF's dropped-requests tracker computes it for a priority level: 1 s at first,
 * doubled (up to a ceiling) when at least 3 × its value requests were dropped in the last that
 * many seconds, one less when fewer than its value were; so clients come back later the longer
 * the object stays behind, and at once when it no longer is. History: one count per second, at
 * most the ceiling's number of seconds kept.
 */
export class RetryAfter {
  private value = 1;
  private bumpedAt = 0;
  private second = -1;
  private count = 0;
  private readonly history: { second: number; count: number }[] = [];

  constructor(private readonly max: number) {}

  get historyLength(): number {
    return this.history.length;
  }

  /** Records one dropped request; returns the Retry-After to send with it. */
  dropped(nowMs: number): number {
    const s = Math.floor(nowMs / 1000);
    if (s === this.second) {
      this.count++;
      return this.value;
    }
    // Nothing dropped for longer than the last Retry-After: those told to wait came back and were
    // served. APF lowers it one step per drop; here it starts over at once.
    if (this.second >= 0 && s - this.second > this.value) this.value = 1;
    if (this.second >= 0) this.history.push({ second: this.second, count: this.count });
    while (this.history.length && (s - this.history[0].second > Math.min(2 * this.value, this.max) || this.history.length > this.max)) this.history.shift();
    this.second = s;
    this.count = 1;
    this.update(s);
    return this.value;
  }

  current(nowMs: number): number {
    return Math.floor(nowMs / 1000) - this.second > this.value ? 1 : this.value;
  }

  private update(s: number): void {
    let dropped = 0;
    for (let i = this.history.length - 1; i >= 0 && s - this.history[i].second <= this.value; i--) dropped += this.history[i].count;
    if (s - this.bumpedAt >= this.value && dropped >= 3 * this.value) {
      this.value = Math.min(this.max, this.value * 2);
      this.bumpedAt = s;
    } else if (dropped < this.value && this.value > 1) {
      this.value--;
    }
  }
}
