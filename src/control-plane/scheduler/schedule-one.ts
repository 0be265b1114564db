// One scheduling attempt (schedulePod + the failure path of scheduleOne): PreFilter, a rotating partial
// feasibility search of numFeasibleNodesToFind nodes, PreScore/Score/NormalizeScore with plugin weights,
// selectHost with reservoir-sampled ties, and DefaultPreemption as PostFilter when nothing fits.
import type { Pod } from "../api-server/objects/core";
import {
  CycleState, type FilterPlugin, type PostFilterPlugin, type ScorePlugin, type Status, UNRESOLVABLE,
  isFilterPlugin, isPostFilterPlugin, isScorePlugin, status,
} from "./framework";
import { NO_NODES_AVAILABLE, countReasons, fitErrorMessage } from "./messages";
import type { SchedulerProfile } from "./profile";
import { LazyRecord, type SchedulingRecord, podRef } from "./record";
import { type ClusterSnapshot, type NodeInfo, type PodInfo, addPodToNode, cloneNodeInfo, nominate, podInfoOf } from "./snapshot";
import { DEFAULT_PLUGINS } from "./plugins/registry";

export type ScheduleResult =
  | { kind: "bind"; node: string; record: SchedulingRecord }
  | { kind: "unschedulable"; message: string; record: SchedulingRecord; nominatedNode?: string; victims?: Pod[] };

/**
 * A profile's plugins by extension point, in the registry's order. The default profile has one PostFilter
 * plugin (DefaultPreemption), so the first enabled one is the one.
 */
interface Compiled { filters: FilterPlugin[]; scorers: { plugin: ScorePlugin; weight: number }[]; postFilter: PostFilterPlugin | undefined; percentage: number }
const compiledCache = new WeakMap<SchedulerProfile, Compiled>();

function compile(p: SchedulerProfile): Compiled {
  let c = compiledCache.get(p);
  if (!c) {
    const off = new Set(p.disabledPlugins);
    const on = DEFAULT_PLUGINS.filter((pl) => !off.has(pl.name));
    c = {
      filters: on.filter(isFilterPlugin),
      scorers: on.filter(isScorePlugin).map((plugin) => ({ plugin, weight: p.pluginWeights[plugin.name] ?? 1 })).filter((s) => s.weight > 0),
      postFilter: on.find(isPostFilterPlugin),
      percentage: p.percentageOfNodesToScore ?? 0,
    };
    compiledCache.set(p, c);
  }
  return c;
}

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** numFeasibleNodesToFind: all nodes below 100; else a percentage (adaptive 50 − n/125, at least 5%), at least 100. */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number | undefined, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore ?? 0;
  if (percentage === 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

function runFilters(filters: FilterPlugin[], c: CycleState, ni: NodeInfo): Status | null {
  for (let i = 0; i < filters.length; i++) {
    const s = filters[i].filter(c, ni);
    if (s !== null) return s;
  }
  return null;
}

/**
 * RunFilterPluginsWithNominatedPods: first as if pods nominated to this node with priority ≥ the pod's were
 * already there, then (if that passed) without them, since a nominated pod may never arrive.
 */
function filterWithNominated(filters: FilterPlugin[], c: CycleState, ni: NodeInfo): Status | null {
  const noms = c.snapshot.nominated.size ? c.snapshot.nominated.get(ni.name) : undefined;
  if (noms) {
    const extra = noms.filter((p) => p.uid !== c.pod.uid && p.priority >= c.pod.priority);
    if (extra.length) {
      const node = cloneNodeInfo(ni);
      const cy = c.clone();
      for (const p of extra) { addPodToNode(node, p); for (const f of filters) f.addPod?.(cy, p, node); }
      const s = runFilters(filters, cy, node);
      if (s) return s;
    }
  }
  return runFilters(filters, c, ni);
}

// Reused across calls: scheduleOne is synchronous and single-threaded.
const feasibleBuf: NodeInfo[] = [];
let totalBuf = new Float64Array(1024);

export function scheduleOne(pod: Pod, snapshot: ClusterSnapshot, profile: SchedulerProfile, now: number, rand: () => number = Math.random): ScheduleResult {
  const comp = compile(profile);
  const pi = podInfoOf(snapshot, pod);
  const c = new CycleState(pi, snapshot, profile);
  const rec = new LazyRecord(podRef(pod), now);
  const all = snapshot.nodes;
  const N = all.length;
  const fail = (message: string, extra?: { nominatedNode?: string; victims?: PodInfo[] }): ScheduleResult => {
    rec.message = message;
    if (extra?.nominatedNode) {
      rec.nominatedNode = extra.nominatedNode;
      rec.victims = extra.victims!.map((v) => podRef(v.pod));
      nominate(snapshot, pod, extra.nominatedNode);
      return { kind: "unschedulable", message, record: rec, nominatedNode: extra.nominatedNode, victims: extra.victims!.map((v) => v.pod) };
    }
    return { kind: "unschedulable", message, record: rec };
  };
  if (N === 0) return fail(NO_NODES_AVAILABLE);

  // PreFilter.
  let names: Set<string> | undefined;
  const narrowedBy: string[] = [];
  for (const f of comp.filters) {
    const r = f.preFilter?.(c);
    if (!r) continue;
    if (r.status) {
      rec.absentNodes = all.map((n) => n.name);
      rec.absentStatus = r.status;
      const post = comp.postFilter ? comp.postFilter.postFilter(c, () => undefined, r.status, comp.filters, (cy, ni) => filterWithNominated(comp.filters, cy, ni), now, rand) : { message: "" };
      if (post.nominatedNode) return fail(fitErrorMessage(N, new Map(), r.status.message), post);
      return fail(fitErrorMessage(N, new Map(), r.status.message, post.message));
    }
    if (r.nodeNames) {
      names = names ? new Set([...names].filter((n) => r.nodeNames!.has(n))) : r.nodeNames;
      narrowedBy.push(f.name);
    }
  }
  let candidates = all;
  let absent: Status | null = null;
  if (names) {
    candidates = all.filter((n) => names!.has(n.name));
    absent = status(narrowedBy.join(","), UNRESOLVABLE, `node(s) didn't satisfy plugin(s) [${[...narrowedBy].sort().join(" ")}]`);
    rec.absentNodes = all.filter((n) => !names!.has(n.name)).map((n) => n.name);
    rec.absentStatus = absent;
  }

  const failedStatus = new Map<NodeInfo, Status>();
  const recordFailure = (ni: NodeInfo, s: Status) => { failedStatus.set(ni, s); rec.failedNodes.push(ni.name); rec.failedStatuses.push(s); };
  const feasible = feasibleBuf;
  feasible.length = 0;

  // A pod nominated by an earlier preemption tries its nominated node first.
  const nom = pi.nominatedNode ? snapshot.byName.get(pi.nominatedNode) : undefined;
  if (nom && (!names || names.has(nom.name))) {
    const s = filterWithNominated(comp.filters, c, nom);
    rec.nodesEvaluated++;
    if (!s) feasible.push(nom); else recordFailure(nom, s);
  }

  if (feasible.length === 0) {
    const M = candidates.length;
    const toFind = numFeasibleNodesToFind(comp.percentage, M);
    const start = M ? snapshot.nextStartNodeIndex % M : 0;
    let processed = 0;
    const filters = comp.filters;
    const noNominated = snapshot.nominated.size === 0;
    for (let i = 0; i < M && feasible.length < toFind; i++) {
      const ni = candidates[(start + i) % M];
      if (ni === nom) continue;
      processed++;
      const s = noNominated ? runFilters(filters, c, ni) : filterWithNominated(filters, c, ni);
      if (s === null) feasible.push(ni); else recordFailure(ni, s);
    }
    rec.nodesEvaluated += processed;
    snapshot.nextStartNodeIndex = (snapshot.nextStartNodeIndex + processed) % N;
  }

  if (feasible.length === 0) {
    const counts = countReasons(failedStatus.values(), absent ? { status: absent, count: N - candidates.length } : undefined);
    const nodeStatus = (ni: NodeInfo) => failedStatus.get(ni);
    const post = comp.postFilter
      ? comp.postFilter.postFilter(c, nodeStatus, absent, comp.filters, (cy, ni) => filterWithNominated(comp.filters, cy, ni), now, rand)
      : { message: "" };
    if (post.nominatedNode) return fail(fitErrorMessage(N, counts), post);
    return fail(fitErrorMessage(N, counts, "", post.message));
  }

  rec.feasible = feasible.map((n) => n.name);
  if (feasible.length === 1) {
    rec.chosen = feasible[0].name;
    return { kind: "bind", node: feasible[0].name, record: rec };
  }

  // PreScore / Score / NormalizeScore.
  const n = feasible.length;
  const active: { plugin: ScorePlugin; weight: number }[] = [];
  for (const s of comp.scorers) if (!s.plugin.preScore || s.plugin.preScore(c, feasible)) active.push(s);
  const raw = new Float64Array(n * active.length);
  const norm = new Float64Array(n * active.length);
  if (totalBuf.length < n) totalBuf = new Float64Array(n * 2);
  const total = totalBuf;
  total.fill(0, 0, n);
  for (let j = 0; j < active.length; j++) {
    const { plugin, weight } = active[j];
    const off = j * n;
    for (let i = 0; i < n; i++) raw[off + i] = plugin.score(c, feasible[i]);
    norm.set(raw.subarray(off, off + n), off);
    plugin.normalize?.(c, feasible, norm.subarray(off, off + n), n);
    for (let i = 0; i < n; i++) total[i] += norm[off + i] * weight;
  }

  // selectHost: highest total; ties broken uniformly by reservoir sampling.
  let best = 0, max = total[0], cnt = 1;
  for (let i = 1; i < n; i++) {
    const t = total[i];
    if (t > max) { max = t; best = i; cnt = 1; }
    else if (t === max) { cnt++; if (Math.floor(rand() * cnt) === 0) best = i; }
  }
  rec.plugins = active.map((a) => a.plugin.name);
  rec.weights = active.map((a) => a.weight);
  rec.raw = raw;
  rec.norm = norm;
  rec.totalScores = total.slice(0, n);
  rec.chosen = feasible[best].name;
  return { kind: "bind", node: feasible[best].name, record: rec };
}
