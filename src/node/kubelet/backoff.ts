// The kubelet's back-off (client-go flowcontrol.Backoff) as plain data: one entry per key, used for
// CrashLoopBackOff (keyed by container) and image pulls (keyed by pod uid and image).
//
// Semantics kept from the real one: the first failure restarts at once and arms 10 s; each later
// failure within the window doubles it up to 5 min; an entry not touched for 2 x max (10 min) is
// forgotten, so a container that ran 10 minutes before crashing starts over at 10 s.

import { BACKOFF } from "./config";

export interface BackoffEntry {
  backoffMs: number;
  lastUpdate: number;
}

const expired = (eventTime: number, lastUpdate: number) => eventTime - lastUpdate > 2 * BACKOFF.maxMs;

/** Record one more failure at `now`; returns the updated entry. */
export function backoffNext(entry: BackoffEntry | null | undefined, eventTime: number, now: number): BackoffEntry {
  if (!entry || expired(eventTime, entry.lastUpdate)) return { backoffMs: BACKOFF.initialMs, lastUpdate: now };
  return { backoffMs: Math.min(entry.backoffMs * 2, BACKOFF.maxMs), lastUpdate: now };
}

/** CrashLoopBackOff check: still backing off from a container that finished at eventTime? */
export function inBackoffSince(entry: BackoffEntry | null | undefined, eventTime: number, now: number): boolean {
  if (!entry || expired(now, entry.lastUpdate)) return false;
  return now - eventTime < entry.backoffMs;
}

/** Image pull check: still backing off since the last failure? */
export function inBackoffSinceUpdate(entry: BackoffEntry | null | undefined, now: number): boolean {
  if (!entry || expired(now, entry.lastUpdate)) return false;
  return now - entry.lastUpdate < entry.backoffMs;
}

/** Go's time.Duration.String() for whole milliseconds: 10s, 1m20s, 5m0s, 2.134s, 812ms. */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sMs = ms % 60_000;
  const s = sMs % 1000 === 0 ? String(sMs / 1000) : (sMs / 1000).toFixed(3).replace(/0+$/, "");
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
