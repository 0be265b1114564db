// The rounds API's shapes, copied from src/classroom/rounds (types.ts, outcomes.ts, replay.ts): those
// modules import server code that the web tsconfig does not cover, so the client keeps its own copy.
// Keep in step with the server when it changes. Plus small pure helpers the rounds views share.

export interface Amount { cpuMillis: number; memoryBytes: number }
export interface MapPod { namespace: string; name: string; phase: string; student?: string }
export interface MapNode { name: string; allocatable: Amount; requested: Amount; pods: MapPod[] }
export interface PendingPod { namespace: string; name: string; student?: string; reason?: string }
export interface ClusterMap { nodes: MapNode[]; pending: PendingPod[] }
export type ReplayAt = ClusterMap & { round: Round; at: number };

/** What the classroom records when a round starts (classroom-object.ts roundSettings); read defensively. */
export interface RoundSettings {
  scheduler?: { profile?: { scoringStrategy?: { type?: string } }; stopped?: boolean };
  controllersStopped?: boolean;
  speed?: number;
  cloud?: boolean;
  machines?: { name: string; state: string; instanceType: string; zone: string }[];
  cordoned?: string[];
  quota?: { pods?: string; cpu?: string; memory?: string };
  locked?: boolean;
}

export interface Round {
  n: number;
  title: string;
  goal: string | null;
  startedAt: number;
  endedAt: number | null;
  startRev: number;
  endRev: number | null;
  settings: unknown;
  running: boolean;
  logEntries: number;
  truncated: boolean;
  logPruned: boolean;
}

export interface StudentOutcome {
  student: string;
  objectsSubmitted: number; // distinct objects they created themselves
  podsCreated: number; // pods created, by them or by their controllers
  podsDirect: number;
  podsFromControllers: number;
  pods: { running: number; pending: number; failed: number; succeeded: number };
  timeToRunning: { pods: number; medianSeconds: number | null; maxSeconds: number | null };
  schedulingFailures: { total: number; reasons: { reason: string; count: number }[] };
  restarts: number;
  refusals: { invalid: number; rateLimited: number; quota: number; forbidden: number; other: number };
}

export interface Disruption { at: number; namespace: string; name: string; student: string; node?: string; reason: string }

export interface Fragmentation {
  typicalPod: Amount;
  free: Amount;
  unusable: Amount;
  unusableFraction: { cpu: number; memory: number };
  nodes: string[];
}

export interface SeriesNode { name: string; allocatable: Amount; cpuMillis: (number | null)[]; memoryBytes: (number | null)[] }

export interface Outcomes {
  version: 1;
  round: { n: number; title: string; goal: string | null; startedAt: number; endedAt: number; running: boolean; durationSeconds: number; truncated: boolean; settings: unknown };
  students: StudentOutcome[];
  cluster: {
    pods: { created: number; running: number; pending: number; failed: number; succeeded: number };
    series: { at: number[]; nodes: SeriesNode[]; pending: number[] };
    placement: ClusterMap;
    fragmentation: Fragmentation;
    evictions: { count: number; items: Disruption[] };
    preemptions: { count: number; items: Disruption[] };
    nodesUsed: number;
    nodesTotal: number;
  };
}

export const settingsOf = (r: { settings: unknown }): RoundSettings => (r.settings && typeof r.settings === "object" ? (r.settings as RoundSettings) : {});
export const strategyOf = (r: { settings: unknown }): string => settingsOf(r).scheduler?.profile?.scoringStrategy?.type ?? "—";
export const nodeCountOf = (r: { settings: unknown }): number | undefined => settingsOf(r).machines?.length;

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
