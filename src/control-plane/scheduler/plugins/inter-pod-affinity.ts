// InterPodAffinity: required pod affinity / anti-affinity of the incoming pod and required anti-affinity of
// existing pods as a filter, counted per topology pair once per cycle; preferred terms (both directions,
// plus existing pods' required affinity at hardPodAffinityWeight 1) as a score, min-max normalized.
import { type CycleState, MAX_NODE_SCORE, type Plugin, type PreFilterResult, type Status, UNRESOLVABLE, UNSCHEDULABLE, definePlugin, stateKey, status } from "../framework";
import { type AffinityTerm, type NodeInfo, type PodInfo, termMatches } from "../snapshot";

export const NAME = "InterPodAffinity";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
/** InterPodAffinityArgs.hardPodAffinityWeight default. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

export interface IpaFilterState {
  /** "key\0value" → existing pods whose required anti-affinity matches the incoming pod. */
  existingAnti: Map<string, number>;
  /** "key\0value" → existing pods matching the incoming pod's required affinity terms. */
  affinity: Map<string, number>;
  antiAffinity: Map<string, number>;
}

export interface IpaScoreState { topologyScore: Map<string, Map<string, number>> }

/** Copied for a dry run: addPod / removePod change the counts. */
const FILTER_STATE = stateKey<IpaFilterState>("PreFilter" + NAME, (s) => ({
  existingAnti: new Map(s.existingAnti), affinity: new Map(s.affinity), antiAffinity: new Map(s.antiAffinity),
}));
const SCORE_STATE = stateKey<IpaScoreState>("PreScore" + NAME);

const pairKey = (k: string, v: string) => `${k}\x00${v}`;
const bump = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);

/** Count contributions of existing pod `e` on node `ni` to the three maps (delta ±1). */
function account(s: IpaFilterState, pod: PodInfo, e: PodInfo, ni: NodeInfo, delta: number): void {
  for (const t of e.requiredAntiAffinity) {
    const v = ni.labels[t.topologyKey];
    if (v !== undefined && termMatches(t, pod)) bump(s.existingAnti, pairKey(t.topologyKey, v), delta);
  }
  for (const t of pod.requiredAffinity) {
    const v = ni.labels[t.topologyKey];
    if (v !== undefined && termMatches(t, e)) bump(s.affinity, pairKey(t.topologyKey, v), delta);
  }
  for (const t of pod.requiredAntiAffinity) {
    const v = ni.labels[t.topologyKey];
    if (v !== undefined && termMatches(t, e)) bump(s.antiAffinity, pairKey(t.topologyKey, v), delta);
  }
}

export function preFilter(cy: CycleState): PreFilterResult | undefined {
  const pod = cy.pod;
  const own = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
  // Skip: nothing to check when neither the pod nor any existing pod has required (anti-)affinity.
  if (!own && cy.snapshot.podsWithRequiredAntiAffinity === 0) return undefined;
  const s: IpaFilterState = { existingAnti: new Map(), affinity: new Map(), antiAffinity: new Map() };
  for (const ni of cy.snapshot.nodes) {
    if (!own && ni.podsWithRequiredAntiAffinity === 0) continue;
    for (const e of ni.pods) account(s, pod, e, ni, 1);
  }
  cy.write(FILTER_STATE, s);
  return undefined;
}

function positive(m: Map<string, number>): boolean {
  for (const v of m.values()) if (v > 0) return true;
  return false;
}

/** podMatchesAllAffinityTerms: lets the first pod of a self-affine group schedule. */
function matchesAllOwnTerms(terms: AffinityTerm[], p: PodInfo): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, p)) return false;
  return true;
}

export function satisfiesAffinity(cy: CycleState, s: IpaFilterState, ni: NodeInfo): boolean {
  let podsExist = true;
  for (const t of cy.pod.requiredAffinity) {
    const v = ni.labels[t.topologyKey];
    if (v === undefined) return false; // every topology label must exist on the node
    if ((s.affinity.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return !positive(s.affinity) && matchesAllOwnTerms(cy.pod.requiredAffinity, cy.pod);
}

export function filter(cy: CycleState, ni: NodeInfo): Status | null {
  const s = cy.read(FILTER_STATE);
  if (!s) return null;
  if (!satisfiesAffinity(cy, s, ni)) return status(NAME, UNRESOLVABLE, ERR_REASON_AFFINITY);
  if (s.antiAffinity.size > 0) {
    for (const t of cy.pod.requiredAntiAffinity) {
      const v = ni.labels[t.topologyKey];
      if (v !== undefined && (s.antiAffinity.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return status(NAME, UNSCHEDULABLE, ERR_REASON_ANTI_AFFINITY);
    }
  }
  if (s.existingAnti.size > 0) {
    for (const k in ni.labels) if ((s.existingAnti.get(pairKey(k, ni.labels[k])) ?? 0) > 0) return status(NAME, UNSCHEDULABLE, ERR_REASON_EXISTING_ANTI_AFFINITY);
  }
  return null;
}

export function addPod(cy: CycleState, p: PodInfo, ni: NodeInfo): void {
  const s = cy.read(FILTER_STATE);
  if (s) account(s, cy.pod, p, ni, 1);
}
export function removePod(cy: CycleState, p: PodInfo, ni: NodeInfo): void {
  const s = cy.read(FILTER_STATE);
  if (s) account(s, cy.pod, p, ni, -1);
}

function processTerm(m: IpaScoreState["topologyScore"], t: AffinityTerm, weight: number, target: PodInfo, ni: NodeInfo, mult: number): void {
  if (!termMatches(t, target)) return;
  const v = ni.labels[t.topologyKey];
  if (v === undefined) return;
  let byValue = m.get(t.topologyKey);
  if (!byValue) m.set(t.topologyKey, (byValue = new Map()));
  byValue.set(v, (byValue.get(v) ?? 0) + weight * mult);
}

export function preScore(cy: CycleState): boolean {
  const pod = cy.pod;
  const own = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
  if (!own && cy.snapshot.podsWithAffinity === 0) return false;
  const m: IpaScoreState["topologyScore"] = new Map();
  for (const ni of cy.snapshot.nodes) {
    if ((!own && ni.podsWithAffinity === 0) || Object.keys(ni.labels).length === 0) continue;
    for (const e of ni.pods) {
      for (const t of pod.preferredAffinity) processTerm(m, t, t.weight, e, ni, 1);
      for (const t of pod.preferredAntiAffinity) processTerm(m, t, t.weight, e, ni, -1);
      for (const t of e.requiredAffinity) processTerm(m, t, HARD_POD_AFFINITY_WEIGHT, pod, ni, 1);
      for (const t of e.preferredAffinity) processTerm(m, t, t.weight, pod, ni, 1);
      for (const t of e.preferredAntiAffinity) processTerm(m, t, t.weight, pod, ni, -1);
    }
  }
  cy.write(SCORE_STATE, { topologyScore: m });
  return true;
}

export function score(cy: CycleState, ni: NodeInfo): number {
  let total = 0;
  for (const [key, byValue] of cy.read(SCORE_STATE)!.topologyScore) {
    const v = ni.labels[key];
    if (v !== undefined) total += byValue.get(v) ?? 0;
  }
  return total;
}

export function normalize(cy: CycleState, _nodes: NodeInfo[], scores: Float64Array, n: number): void {
  const s = cy.read(SCORE_STATE);
  if (!s || s.topologyScore.size === 0) return;
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) { if (scores[i] > max) max = scores[i]; if (scores[i] < min) min = scores[i]; }
  const diff = max - min;
  for (let i = 0; i < n; i++) scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i] - min) / diff)) : 0;
}

export const interPodAffinityPlugin: Plugin = definePlugin({ name: NAME, preFilter, filter, addPod, removePod, preScore, score, normalize });
