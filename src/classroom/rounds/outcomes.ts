// What happened in a round, per student and for the whole cluster, from one pass over its log. Pure,
// and cheap enough to run when a round ends or whenever the instructor looks at a running one.
import type { KubeObject } from "../../control-plane/api-server/types";
import {
  type Amount, type ClusterMap, ClusterReplay, EVENTS_PREFIX, INSTRUCTOR, PODS_PREFIX, allocatableOf, eventFacts, ownerOf, ownerOfUser,
  podId, requestsOf, studentOfNamespace,
} from "./replay";
import { eventTrusted } from "../event-trust";
import type { ClusterState, LogEntry, RefusalEntry, Round } from "./types";

/** At most this many samples in each time series. */
export const MAX_POINTS = 200;
/** At most this many evictions or preemptions listed (all are counted). */
export const MAX_LISTED = 500;

export interface StudentOutcome {
  student: string; // a student's name, or "instructor" for everyone else's objects
  objectsSubmitted: number; // distinct objects they created or changed through the API in the round
  podsCreated: number; // pods created in the round, by them or by their controllers
  podsDirect: number;
  podsFromControllers: number;
  pods: { running: number; pending: number; failed: number; succeeded: number }; // at the end, by phase
  timeToRunning: { pods: number; medianSeconds: number | null; maxSeconds: number | null }; // pods created in the round that ran
  schedulingFailures: { total: number; reasons: { reason: string; count: number }[] }; // most frequent first
  restarts: number; // container restarts during the round
  refusals: { invalid: number; rateLimited: number; quota: number; forbidden: number; other: number };
}

export interface Disruption { at: number; namespace: string; name: string; student: string; node?: string; reason: string }

export interface Fragmentation {
  typicalPod: Amount; // median requests of the round's pods
  free: Amount; // allocatable − requested, summed over nodes
  unusable: Amount; // free capacity on nodes that cannot fit one more typical pod
  unusableFraction: { cpu: number; memory: number }; // unusable / free (0 when nothing is free)
  nodes: string[]; // the nodes whose free capacity is unusable
}

export interface SeriesNode { name: string; allocatable: Amount; cpuMillis: (number | null)[]; memoryBytes: (number | null)[] } // null: node absent then

export interface Outcomes {
  version: 1;
  round: { n: number; title: string; goal: string | null; startedAt: number; endedAt: number; running: boolean; durationSeconds: number; truncated: boolean; settings: Round["settings"] };
  students: StudentOutcome[]; // by name, "instructor" last
  cluster: {
    pods: { created: number; running: number; pending: number; failed: number; succeeded: number };
    /** Sampled at evenly spaced moments from start to end; `pending` counts pods waiting for a node. */
    series: { at: number[]; nodes: SeriesNode[]; pending: number[] };
    placement: ClusterMap;
    fragmentation: Fragmentation;
    evictions: { count: number; items: Disruption[] };
    preemptions: { count: number; items: Disruption[] };
    nodesUsed: number; // nodes running at least one pod at the end
    nodesTotal: number;
  };
}

export type RoundInfo = Pick<Round, "n" | "title" | "goal" | "startedAt" | "endedAt" | "settings"> & { truncated?: boolean };

interface PodTrack {
  owner: string;
  created: boolean; // created during the round (not live at its start)
  createdAt: number;
  runningAt?: number;
  direct: boolean;
  restartsAtStart: number;
  restartsLast: number;
  node?: string;
  requests: Amount;
}

interface Tally {
  objects: Set<string>; // what they submitted
  submitted: number; direct: number; failures: number; restarts: number;
  reasons: Map<string, number>;
  refusals: StudentOutcome["refusals"];
  startup: number[]; // ms
}

/** "0/3 nodes are available: 3 Insufficient cpu. preemption: …" → "3 Insufficient cpu": the preemption part repeats it. */
export function failureReason(message: string): string {
  let m = message.replace(/^0\/\d+ nodes are available:\s*/, "");
  const p = m.indexOf(" preemption: ");
  if (p >= 0) m = m.slice(0, p);
  m = m.trim().replace(/\.$/, "");
  return m || message;
}

export function refusalClass(r: Pick<RefusalEntry, "code" | "message">): keyof StudentOutcome["refusals"] {
  if (r.code === 429) return "rateLimited";
  if (r.code === 403) return r.message.includes("exceeded quota") ? "quota" : "forbidden";
  if (r.code === 400 || r.code === 422) return "invalid";
  return "other";
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const restartsOf = (p: KubeObject) => (p.status?.containerStatuses ?? []).reduce((n: number, c: { restartCount?: number }) => n + (c?.restartCount ?? 0), 0);
const isController = (p: KubeObject) => (p.metadata.ownerReferences ?? []).some((o) => o.controller);
const seconds = (ms: number) => Math.round(ms) / 1000;

/** Why a pod was disrupted, from its own status: a DisruptionTarget condition or a kubelet eviction. */
function disruptionOf(p: KubeObject): { kind: "eviction" | "preemption"; reason: string } | undefined {
  const c = (p.status?.conditions ?? []).find((x: { type?: string; status?: string }) => x?.type === "DisruptionTarget" && x.status === "True");
  if (c) return { kind: c.reason === "PreemptionByScheduler" ? "preemption" : "eviction", reason: String(c.reason ?? "DisruptionTarget") };
  if (p.status?.reason === "Evicted") return { kind: "eviction", reason: "Evicted" };
  return undefined;
}

export function computeOutcomes(round: RoundInfo, start: ClusterState, log: readonly LogEntry[], opts: { now?: number; students?: string[] } = {}): Outcomes {
  const t0 = round.startedAt;
  const lastAt = log.length ? log[log.length - 1].at : t0;
  const end = Math.max(t0, round.endedAt ?? opts.now ?? lastAt);
  const points = end > t0 ? MAX_POINTS : 1;
  const sampleAt = Array.from({ length: points }, (_, i) => (i === points - 1 ? end : t0 + Math.round((i * (end - t0)) / (points - 1))));

  const replay = new ClusterReplay(start);
  const tracks = new Map<string, PodTrack>();
  const tallies = new Map<string, Tally>();
  const tally = (who: string): Tally => {
    let t = tallies.get(who);
    if (!t) tallies.set(who, (t = { objects: new Set(), submitted: 0, direct: 0, failures: 0, restarts: 0, reasons: new Map(), refusals: { invalid: 0, rateLimited: 0, quota: 0, forbidden: 0, other: 0 }, startup: [] }));
    return t;
  };
  for (const s of opts.students ?? []) tally(s);

  const disruptedAtStart = new Set<string>();
  for (const p of start.pods) {
    const id = podId(p);
    const r = restartsOf(p);
    tracks.set(id, { owner: ownerOf(p), created: false, createdAt: t0, direct: !isController(p), restartsAtStart: r, restartsLast: r, node: p.spec?.nodeName, requests: requestsOf(p) });
    if (disruptionOf(p)) disruptedAtStart.add(id);
  }

  const evictions = new Map<string, Disruption>();
  const preemptions = new Map<string, Disruption>();
  const disrupt = (kind: "eviction" | "preemption", id: string, d: Disruption) => {
    const into = kind === "eviction" ? evictions : preemptions;
    if (!into.has(id) && !disruptedAtStart.has(id)) into.set(id, d);
  };
  const eventCounts = new Map<string, number>();

  const series = new Map<string, SeriesNode>();
  const pendingSeries: number[] = new Array(points).fill(0);
  let si = 0;
  const sample = () => {
    pendingSeries[si] = replay.unscheduled;
    for (const [name, node] of replay.nodes) {
      let s = series.get(name);
      if (!s) series.set(name, (s = { name, allocatable: allocatableOf(node), cpuMillis: new Array(points).fill(null), memoryBytes: new Array(points).fill(null) }));
      else s.allocatable = allocatableOf(node);
      const u = replay.requested.get(name);
      s.cpuMillis[si] = u?.cpuMillis ?? 0;
      s.memoryBytes[si] = u?.memoryBytes ?? 0;
    }
    si++;
  };

  for (const e of log) {
    if (e.at > end) continue;
    while (si < points && sampleAt[si] < e.at) sample();
    replay.apply(e);
    if (e.kind === "refusal") {
      tally(ownerOfUser(e.user)).refusals[refusalClass(e)]++;
      continue;
    }
    if (e.kind === "submission") {
      tally(ownerOfUser(e.user)).objects.add(e.object);
      continue;
    }
    const o = e.object;
    if (e.key.startsWith(PODS_PREFIX)) {
      const id = podId(o, e.key);
      let t = tracks.get(id);
      if (!t) {
        // First seen in the round: created now (a first sight as a delete means it predates our start state).
        t = { owner: ownerOf(o), created: e.type === "PUT", createdAt: e.at, direct: !isController(o), restartsAtStart: 0, restartsLast: 0, requests: requestsOf(o) };
        tracks.set(id, t);
        if (t.created) {
          const ta = tally(t.owner);
          ta.submitted++;
          if (t.direct) ta.direct++;
        }
      }
      if (o.spec?.nodeName) t.node = o.spec.nodeName;
      if (t.runningAt === undefined && o.status?.phase === "Running") {
        t.runningAt = e.at;
        if (t.created) tally(t.owner).startup.push(e.at - t.createdAt);
      }
      t.restartsLast = restartsOf(o);
      const d = disruptionOf(o);
      if (d) disrupt(d.kind, id, { at: e.at, namespace: o.metadata.namespace ?? "", name: o.metadata.name ?? "", student: t.owner, node: t.node, reason: d.reason });
    } else if (e.type === "PUT" && e.key.startsWith(EVENTS_PREFIX)) {
      const f = eventFacts(o);
      if (f.kind !== undefined && f.kind !== "Pod") continue;
      if (!eventTrusted(o)) continue; // a student's word about someone else's pod is not its history
      const evId = o.metadata.uid ?? e.key;
      const count = Number(o.count ?? o.series?.count ?? o.deprecatedCount ?? 1) || 1;
      const prev = eventCounts.get(evId);
      eventCounts.set(evId, count);
      const occurrences = prev === undefined ? 1 : Math.max(0, count - prev); // each recorder write is one more occurrence
      const podKey = `${PODS_PREFIX}${f.namespace ?? ""}/${f.name ?? ""}`;
      const id = f.uid ?? podKey;
      const t = tracks.get(id);
      const owner = t?.owner ?? studentOfNamespace(f.namespace) ?? INSTRUCTOR;
      const base = { at: e.at, namespace: f.namespace ?? "", name: f.name ?? "", student: owner, node: t?.node };
      if (f.reason === "FailedScheduling" && occurrences > 0) {
        const ta = tally(owner);
        ta.failures += occurrences;
        const why = failureReason(f.message);
        ta.reasons.set(why, (ta.reasons.get(why) ?? 0) + occurrences);
      } else if (f.reason === "Preempted") disrupt("preemption", id, { ...base, reason: "Preempted" });
      else if (f.reason === "TaintManagerEviction") disrupt("eviction", id, { ...base, reason: "TaintManagerEviction" });
    }
  }
  while (si < points) sample();

  // The end: phases per owner, restarts over every pod seen, the placement map.
  const phases = new Map<string, StudentOutcome["pods"]>();
  const phasesOf = (who: string) => {
    let p = phases.get(who);
    if (!p) phases.set(who, (p = { running: 0, pending: 0, failed: 0, succeeded: 0 }));
    return p;
  };
  const totals = { created: 0, running: 0, pending: 0, failed: 0, succeeded: 0 };
  for (const [key, p] of replay.pods) {
    const owner = tracks.get(podId(p, key))?.owner ?? ownerOf(p);
    tally(owner);
    const phase = p.status?.phase ?? "Pending";
    const k = phase === "Running" ? "running" : phase === "Pending" ? "pending" : phase === "Failed" ? "failed" : phase === "Succeeded" ? "succeeded" : undefined;
    if (k) { phasesOf(owner)[k]++; totals[k]++; }
  }
  const cpus: number[] = [];
  const mems: number[] = [];
  for (const t of tracks.values()) {
    tally(t.owner).restarts += Math.max(0, t.restartsLast - t.restartsAtStart);
    if (t.created) totals.created++;
    cpus.push(t.requests.cpuMillis);
    mems.push(t.requests.memoryBytes);
  }
  const placement = replay.map();

  const students: StudentOutcome[] = [...tallies.keys()]
    .sort((a, b) => (a === INSTRUCTOR ? 1 : b === INSTRUCTOR ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map((student) => {
      const t = tallies.get(student)!;
      const max = t.startup.length ? Math.max(...t.startup) : null;
      const med = median(t.startup);
      return {
        student,
        objectsSubmitted: t.objects.size,
        podsCreated: t.submitted,
        podsDirect: t.direct,
        podsFromControllers: t.submitted - t.direct,
        pods: phases.get(student) ?? { running: 0, pending: 0, failed: 0, succeeded: 0 },
        timeToRunning: { pods: t.startup.length, medianSeconds: med === null ? null : seconds(med), maxSeconds: max === null ? null : seconds(max) },
        schedulingFailures: {
          total: t.failures,
          reasons: [...t.reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
        },
        restarts: t.restarts,
        refusals: t.refusals,
      };
    })
    // The instructor's row only when they did something.
    .filter((s) => s.student !== INSTRUCTOR || opts.students?.includes(INSTRUCTOR) || active(s));

  const list = (m: Map<string, Disruption>) => ({ count: m.size, items: [...m.values()].slice(0, MAX_LISTED) });
  return {
    version: 1,
    round: {
      n: round.n, title: round.title, goal: round.goal, startedAt: t0, endedAt: end, running: round.endedAt === null,
      durationSeconds: seconds(end - t0), truncated: round.truncated ?? false, settings: round.settings,
    },
    students,
    cluster: {
      pods: totals,
      series: { at: sampleAt, nodes: [...series.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), pending: pendingSeries },
      placement,
      fragmentation: fragmentation(placement, { cpuMillis: median(cpus) ?? 0, memoryBytes: median(mems) ?? 0 }),
      evictions: list(evictions),
      preemptions: list(preemptions),
      nodesUsed: placement.nodes.filter((n) => n.pods.some((p) => p.phase !== "Succeeded" && p.phase !== "Failed")).length,
      nodesTotal: placement.nodes.length,
    },
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const active = (s: StudentOutcome) => s.objectsSubmitted + s.podsCreated + sum(Object.values(s.pods)) + s.restarts + s.schedulingFailures.total + sum(Object.values(s.refusals)) > 0;

/** Free capacity a typical pod cannot use: on each node that cannot fit one more, all of its free cpu and memory. */
export function fragmentation(map: ClusterMap, typicalPod: Amount): Fragmentation {
  const free = { cpuMillis: 0, memoryBytes: 0 };
  const unusable = { cpuMillis: 0, memoryBytes: 0 };
  const nodes: string[] = [];
  for (const n of map.nodes) {
    const cpu = Math.max(0, n.allocatable.cpuMillis - n.requested.cpuMillis);
    const mem = Math.max(0, n.allocatable.memoryBytes - n.requested.memoryBytes);
    free.cpuMillis += cpu;
    free.memoryBytes += mem;
    if (cpu < typicalPod.cpuMillis || mem < typicalPod.memoryBytes) {
      unusable.cpuMillis += cpu;
      unusable.memoryBytes += mem;
      nodes.push(n.name);
    }
  }
  const frac = (a: number, b: number) => (b > 0 ? a / b : 0);
  return { typicalPod, free, unusable, unusableFraction: { cpu: frac(unusable.cpuMillis, free.cpuMillis), memory: frac(unusable.memoryBytes, free.memoryBytes) }, nodes };
}
