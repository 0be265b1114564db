// Simulated time: a classroom runs at a speed factor (1× realistic, faster for demos and tests)
// and can be paused. Everything simulated (pulls, probes, back-offs, grace periods, leases) is
// scheduled in simulated milliseconds; only the alarm converts back to real time.

export interface ClockState {
  speed: number; // simulated ms per real ms
  paused: boolean;
  simAtAnchor: number; // simulated ms at the anchor
  realAtAnchor: number; // real ms at the anchor
}

export const MAX_SPEED = 100;

export function newClock(realNow: number, speed = 1): ClockState {
  return { speed, paused: false, simAtAnchor: realNow, realAtAnchor: realNow };
}

export function simNow(c: ClockState, realNow: number): number {
  if (c.paused) return c.simAtAnchor;
  return Math.floor(c.simAtAnchor + (realNow - c.realAtAnchor) * c.speed);
}

/** The real time at which simulated time reaches `sim` (undefined while paused: it never does). */
export function realAt(c: ClockState, sim: number): number | undefined {
  if (c.paused) return undefined;
  return c.realAtAnchor + Math.max(0, sim - c.simAtAnchor) / c.speed;
}

/** Re-anchors so simulated time is continuous across a change of speed or pause. */
export function setClock(c: ClockState, realNow: number, change: { speed?: number; paused?: boolean }): ClockState {
  const now = simNow(c, realNow);
  const speed = change.speed ?? c.speed;
  if (!(speed > 0) || speed > MAX_SPEED) throw new RangeError(`speed must be greater than 0 and at most ${MAX_SPEED}`);
  return { speed, paused: change.paused ?? c.paused, simAtAnchor: now, realAtAnchor: realNow };
}

/** Moves simulated time forward by hand (tests and "skip ahead" in demos). */
export function advanceClock(c: ClockState, realNow: number, ms: number): ClockState {
  const now = simNow(c, realNow);
  return { ...c, simAtAnchor: now + Math.max(0, ms), realAtAnchor: realNow };
}
