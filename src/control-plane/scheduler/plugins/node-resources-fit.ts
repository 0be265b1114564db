// NodeResourcesFit: Filter checks pod count and each requested resource against allocatable minus what is
// already requested; Score applies the profile's strategy (LeastAllocated, MostAllocated,
// RequestedToCapacityRatio) to the non-zero requests (100m/200Mi for containers that set none).
import { type CycleState, MAX_NODE_SCORE, type Plugin, type Status, UNSCHEDULABLE, definePlugin, idiv, stateKey, status } from "../framework";
import type { NodeInfo, PodInfo } from "../snapshot";
import type { SchedulerProfile } from "../profile";

export const NAME = "NodeResourcesFit";
/** config.MaxCustomPriorityScore: shape scores are 0..10, scaled to 0..100. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;

/** fitsRequest: the reasons the pod does not fit, in the real order (pods, cpu, memory, storage, scalars). */
export function insufficientResources(p: PodInfo, ni: NodeInfo): string[] {
  const out: string[] = [];
  if (ni.pods.length + 1 > ni.allocatable.pods) out.push("Too many pods");
  const r = p.requests;
  if (r.cpu === 0 && r.memory === 0 && r.ephemeral === 0 && !r.scalar) return out;
  const a = ni.allocatable, u = ni.requested;
  if (r.cpu > a.cpu - u.cpu) out.push("Insufficient cpu");
  if (r.memory > a.memory - u.memory) out.push("Insufficient memory");
  if (r.ephemeral > a.ephemeral - u.ephemeral) out.push("Insufficient ephemeral-storage");
  if (r.scalar) {
    for (const k of Object.keys(r.scalar).sort()) {
      const want = r.scalar[k];
      if (want === 0) continue;
      if (want > (a.scalar?.[k] ?? 0) - (u.scalar?.[k] ?? 0)) out.push(`Insufficient ${k}`);
    }
  }
  return out;
}

export function filter(c: CycleState, ni: NodeInfo): Status | null {
  const p = c.pod, r = p.requests, a = ni.allocatable, u = ni.requested;
  // Fast path for the common case (no extended resources, everything fits) without allocating.
  if (!r.scalar && ni.pods.length + 1 <= a.pods && r.cpu <= a.cpu - u.cpu && r.memory <= a.memory - u.memory && r.ephemeral <= a.ephemeral - u.ephemeral) return null;
  const reasons = insufficientResources(p, ni);
  return reasons.length ? status(NAME, UNSCHEDULABLE, ...reasons) : null;
}

/** Per-pod inputs of the scorer, resolved once per cycle. */
export interface FitScoreState {
  names: string[];
  weights: number[];
  podReq: number[];
  scorer: (requested: number[], allocatable: number[]) => number;
  requested: number[];
  allocatable: number[];
}

const SCORE_STATE = stateKey<FitScoreState>("PreScore" + NAME);

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return idiv((capacity - requested) * MAX_NODE_SCORE, capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // Requests can exceed capacity because pods without requests count the non-zero defaults.
  if (requested > capacity) requested = capacity;
  return idiv(requested * MAX_NODE_SCORE, capacity);
}

/** helper.BuildBrokenLinearFunction over (utilization, score) points. */
export function brokenLinear(shape: { utilization: number; score: number }[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      if (p <= shape[i].utilization) {
        if (i === 0) return shape[0].score;
        return shape[i - 1].score + idiv((shape[i].score - shape[i - 1].score) * (p - shape[i - 1].utilization), shape[i].utilization - shape[i - 1].utilization);
      }
    }
    return shape[shape.length - 1].score;
  };
}

export function makeScorer(profile: SchedulerProfile): FitScoreState["scorer"] {
  const weights = profile.scoringStrategy.resources.map((r) => r.weight);
  const type = profile.scoringStrategy.type;
  if (type === "RequestedToCapacityRatio") {
    const f = brokenLinear((profile.scoringStrategy.shape ?? []).map((s) => ({ utilization: s.utilization, score: s.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE) })));
    const resScore = (req: number, cap: number) => (cap === 0 || req > cap ? f(MAX_UTILIZATION) : f(idiv(req * MAX_UTILIZATION, cap)));
    return (requested, allocatable) => {
      let nodeScore = 0, weightSum = 0;
      for (let i = 0; i < requested.length; i++) {
        if (allocatable[i] === 0) continue;
        const s = resScore(requested[i], allocatable[i]);
        // Only resources with a positive score count (as the real scorer does).
        if (s > 0) { nodeScore += s * weights[i]; weightSum += weights[i]; }
      }
      return weightSum === 0 ? 0 : Math.round(nodeScore / weightSum);
    };
  }
  const per = type === "MostAllocated" ? mostRequestedScore : leastRequestedScore;
  return (requested, allocatable) => {
    let nodeScore = 0, weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      nodeScore += per(requested[i], allocatable[i]) * weights[i];
      weightSum += weights[i];
    }
    return weightSum === 0 ? 0 : idiv(nodeScore, weightSum);
  };
}

const scorerCache = new WeakMap<SchedulerProfile, FitScoreState["scorer"]>();

/** The pod's request for one resource as the scorer sees it (non-zero cpu/memory unless useRequested). */
export function podRequestFor(p: PodInfo, name: string, useRequested: boolean): number {
  switch (name) {
    case "cpu": return useRequested ? p.requests.cpu : p.nonZeroCpu;
    case "memory": return useRequested ? p.requests.memory : p.nonZeroMemory;
    case "ephemeral-storage": return p.requests.ephemeral;
    default: return p.requests.scalar?.[name] ?? 0;
  }
}

/** calculateResourceAllocatableRequest: [allocatable, node requested + pod request]; [0, 0] to skip a resource. */
export function allocatableAndRequested(ni: NodeInfo, name: string, podReq: number, useRequested: boolean): [number, number] {
  switch (name) {
    case "cpu": return [ni.allocatable.cpu, (useRequested ? ni.requested.cpu : ni.nonZeroCpu) + podReq];
    case "memory": return [ni.allocatable.memory, (useRequested ? ni.requested.memory : ni.nonZeroMemory) + podReq];
    case "ephemeral-storage": return [ni.allocatable.ephemeral, (useRequested ? ni.requested.ephemeral : 0) + podReq];
    default:
      // An extended resource the pod does not request does not count.
      if (podReq === 0) return [0, 0];
      return [ni.allocatable.scalar?.[name] ?? 0, (ni.requested.scalar?.[name] ?? 0) + podReq];
  }
}

export function preScore(c: CycleState): boolean {
  let scorer = scorerCache.get(c.profile);
  if (!scorer) scorerCache.set(c.profile, (scorer = makeScorer(c.profile)));
  const res = c.profile.scoringStrategy.resources;
  const names = res.map((r) => r.name);
  c.write(SCORE_STATE, {
    names, weights: res.map((r) => r.weight), podReq: names.map((n) => podRequestFor(c.pod, n, false)), scorer,
    requested: new Array(names.length).fill(0), allocatable: new Array(names.length).fill(0),
  });
  return true;
}

export function score(c: CycleState, ni: NodeInfo): number {
  const s = c.read(SCORE_STATE)!;
  const { names, requested, allocatable } = s;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    // cpu and memory inline: the common resources, scored for every feasible node.
    if (name === "cpu") { allocatable[i] = ni.allocatable.cpu; requested[i] = ni.nonZeroCpu + s.podReq[i]; continue; }
    if (name === "memory") { allocatable[i] = ni.allocatable.memory; requested[i] = ni.nonZeroMemory + s.podReq[i]; continue; }
    const [a, r] = allocatableAndRequested(ni, name, s.podReq[i], false);
    allocatable[i] = a; requested[i] = a === 0 ? 0 : r;
  }
  return s.scorer(requested, allocatable);
}

export const nodeResourcesFitPlugin: Plugin = definePlugin({ name: NAME, filter, preScore, score });
