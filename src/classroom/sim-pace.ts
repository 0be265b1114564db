// Requests before simulation. A classroom's control plane and its simulation share one
// single-threaded object, so the simulation runs in bounded slices: a slice is one scheduler or
// controller-manager run over at most a few dozen pods or keys, or one node's sync, and after each
// one the loop yields to the event loop so that waiting API requests are answered first (as
// kube-apiserver never waits for a controller; here they only share a thread). When the
// simulation cannot keep up with the requested speed, simulated time is held back to the work
// actually done instead of piling up a backlog that starves the API: the clock runs at the speed
// achieved, and the architecture view and settings show that speed next to the one asked for.
import type { ClockState } from "./sim-clock";
import { simNow } from "./sim-clock";

/** Pods one scheduler slice may place, and keys one controller-manager slice may reconcile. */
export const SLICE = { schedulerPods: 32, controllerKeys: 64 };
/**
 * Real time one alarm run may use before it lets go (requests are answered between slices
 * anyway; this bounds how far the run trails the clock before the clock is held back).
 */
export const RUN_BUDGET_REAL_MS = 250;
/** Work may trail simulated "now" by this much real time before the clock is held back... */
export const MAX_LAG_REAL_MS = 250;
/**
 * ...and by at most this much simulated time: a node's lease is renewed every 10 s and read as
 * stale after 40 s, so at 100× a lag of 250 ms real (25 s simulated) would have the node lifecycle
 * controller mark healthy nodes Unknown and evict their pods.
 */
export const MAX_LAG_SIM_MS = 2000;

/**
 * A node whose kubelet ran out of cpu in a sync (budgets.ts NODE_SYNC_WORK) is synced again after
 * this much real time: it falls behind alone, as an overloaded node does, and takes at most a
 * share of the loop, instead of being due at once and holding the clock back for the classroom.
 */
export const NODE_BEHIND_RETRY_REAL_MS = 250;

/** Simulated ms that due work may trail "now" at this speed before the clock is held back. */
export function allowedLag(speed: number): number {
  return Math.min(MAX_LAG_REAL_MS * speed, MAX_LAG_SIM_MS);
}
/** The achieved speed is measured over this much real time. */
export const PACE_WINDOW_REAL_MS = 10_000;
/** Samples kept for it (a ring; one per alarm run at most every 100 ms). */
export const MAX_PACE_SAMPLES = 128;

/** Lets requests queued for this object run before the next slice of simulation. */
export function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The clock held back so that the earliest due work trails "now" by at most allowedLag(speed),
 * or undefined when it does not trail that far (or the clock is paused).
 * Simulated time stays monotonic: the clock only stops advancing for a while, it never goes back
 * before work already done.
 */
export function holdBack(c: ClockState, realNow: number, earliestDue: number | null): { clock: ClockState; heldMs: number } | undefined {
  if (c.paused || earliestDue === null) return undefined;
  const now = simNow(c, realNow);
  const allowed = allowedLag(c.speed);
  const lag = now - earliestDue;
  if (lag <= allowed) return undefined;
  const held = lag - allowed;
  return { clock: { ...c, simAtAnchor: now - held, realAtAnchor: realNow }, heldMs: held };
}

export interface PaceStats {
  /** Simulated ms per real ms over the last PACE_WINDOW_REAL_MS (the requested speed when unmeasured). */
  achievedSpeed: number;
  /** Simulated ms the clock was held back in all (since the object woke). */
  heldBackMs: number;
  /** Slices of simulation run, and the longest one in real ms (measured across the yield). */
  slices: number;
  longestSliceMs: number;
}

/** How fast simulated time really went: samples of (real, simulated) time, bounded. */
export class Pace {
  private samples: { real: number; sim: number }[] = [];
  heldBackMs = 0;
  slices = 0;
  longestSliceMs = 0;

  sample(real: number, sim: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && real - last.real < 100) {
      last.sim = Math.max(last.sim, sim);
      return;
    }
    this.samples.push({ real, sim });
    while (this.samples.length > MAX_PACE_SAMPLES || (this.samples.length > 2 && real - this.samples[1].real > PACE_WINDOW_REAL_MS)) this.samples.shift();
  }

  slice(realMs: number): void {
    this.slices++;
    if (realMs > this.longestSliceMs) this.longestSliceMs = realMs;
  }

  /** Simulated ms per real ms since the oldest sample in the window, up to `real`. */
  achieved(c: ClockState, real: number): number {
    if (c.paused) return 0;
    const first = this.samples[0];
    if (!first || real - first.real < 1000) return c.speed;
    const speed = (simNow(c, real) - first.sim) / (real - first.real);
    // Rounded for display; never reported above the requested speed (a jump by hand is not speed).
    return Math.min(c.speed, Math.max(0, Math.round(speed * 100) / 100));
  }

  stats(c: ClockState, real: number): PaceStats {
    return { achievedSpeed: this.achieved(c, real), heldBackMs: this.heldBackMs, slices: this.slices, longestSliceMs: this.longestSliceMs };
  }

  /** A speed change or a jump by hand starts a new measurement. */
  reset(): void {
    this.samples = [];
  }

  size(): number {
    return this.samples.length;
  }
}
