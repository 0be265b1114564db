// The rounds API's shapes are the server's own types (type-only imports: nothing of the server is
// bundled), plus small pure helpers the rounds views share.
import type { RecordedSettings, Round } from "../../../../src/classroom/rounds/types";
import type { ClusterMap } from "../../../../src/classroom/rounds/replay";
import type { Outcomes, StudentOutcome } from "../../../../src/classroom/rounds/outcomes";

export type { Round } from "../../../../src/classroom/rounds/types";
export type { Amount, ClusterMap, MapNode, MapPod, PendingPod } from "../../../../src/classroom/rounds/replay";
export type { Disruption, Fragmentation, Outcomes, SeriesNode, StudentOutcome } from "../../../../src/classroom/rounds/outcomes";
export type ReplayAt = ClusterMap & { round: Round; at: number };

/** What the classroom recorded when a round started (roundSettings, live-state.ts): any part may be missing. */
export type RoundSettings = RecordedSettings;

export const settingsOf = (r: { settings: RoundSettings | null }): RoundSettings => (r.settings && typeof r.settings === "object" ? r.settings : {});
export const strategyOf = (r: { settings: RoundSettings | null }): string => settingsOf(r).scheduler?.profile?.scoringStrategy?.type ?? "—";
export const nodeCountOf = (r: { settings: RoundSettings | null }): number | undefined => settingsOf(r).machines?.length;

/** "42s", "3m 05s", "1h 02m": simulated durations for people. */
export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, seconds);
  if (s < 10) return `${Math.round(s * 10) / 10}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

export const pct = (x: number) => `${Math.round(x * 100)}%`;

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const refusalTotal = (s: StudentOutcome) => s.refusals.invalid + s.refusals.rateLimited + s.refusals.quota + s.refusals.forbidden + s.refusals.other;

/** The numbers two rounds are compared by (also shown for one round). */
export function keyNumbers(o: Outcomes) {
  const medians = o.students.map((s) => s.timeToRunning.medianSeconds).filter((x): x is number => x !== null);
  return {
    nodesUsed: o.cluster.nodesUsed,
    fragmentation: o.cluster.fragmentation.unusableFraction.cpu,
    medianToRunning: median(medians),
    pendingPeak: o.cluster.series.pending.reduce((a, b) => Math.max(a, b), 0),
    podsRunning: o.cluster.pods.running,
    evictions: o.cluster.evictions.count,
    preemptions: o.cluster.preemptions.count,
  };
}
export type KeyNumbers = ReturnType<typeof keyNumbers>;

/** Pod phase → the colour families of the shared stylesheet. */
export function phaseClass(phase: string): "ok" | "wait" | "bad" | "done" {
  if (phase === "Running") return "ok";
  if (phase === "Failed") return "bad";
  if (phase === "Succeeded") return "done";
  return "wait";
}
