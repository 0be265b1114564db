// Shared by the live-feed tests: a clock that moves only when told; its timers run when their time comes.
import type { LiveClock } from "../../../src/classroom/live-share";

export function manualClock(start = 1_000_000) {
  let now = start;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: LiveClock = { now: () => now, later: (ms, fn) => { timers.push({ at: now + ms, fn }); } };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance, timers, pending: () => timers.length };
}
