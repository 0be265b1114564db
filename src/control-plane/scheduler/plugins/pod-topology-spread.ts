// PodTopologySpread: DoNotSchedule constraints filter nodes whose domain would exceed maxSkew over the
// least-loaded domain; ScheduleAnyway constraints score nodes by matching-pod counts weighted by
// log(domains + 2), reversed at normalization. Counting follows the real plugin: only nodes that carry every
// constraint's topology key, honouring nodeAffinityPolicy/nodeTaintsPolicy, pods in the pod's namespace
// that are not terminating.
import { type CycleState, MAX_NODE_SCORE, type Plugin, type PreFilterResult, type Status, UNRESOLVABLE, UNSCHEDULABLE, definePlugin, idiv, stateKey, status } from "../framework";
import type { LabelSelector } from "../../api-server/selectors";
import type { LabelSelectorRequirement } from "../../api-server/objects/meta";
import { labelSelectorFromObject } from "../../api-server/selectors";
import type { NodeInfo, PodInfo } from "../snapshot";
import { nodeAffinityOf, requiredMatches } from "./node-affinity";
import { untoleratedTaint } from "./taint-toleration";

export const NAME = "PodTopologySpread";
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)";
const HOSTNAME = "kubernetes.io/hostname";

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

export interface SpreadFilterState {
  constraints: Constraint[];
  /** "key\0value" → matching pods in that domain. */
  matchNum: Map<string, number>;
  /** topology key → number of domains. */
  domains: Map<string, number>;
}

export interface SpreadScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  /** "key\0value" → matching pods, for non-hostname keys. */
  counts: Map<string, number>;
  weights: number[];
}

/** Copied for a dry run: addPod / removePod change matchNum (constraints and domains stay shared). */
const FILTER_STATE = stateKey<SpreadFilterState>("PreFilter" + NAME, (s) => ({ ...s, matchNum: new Map(s.matchNum) }));
const SCORE_STATE = stateKey<SpreadScoreState>("PreScore" + NAME);

/** The pod's constraints with the given whenUnsatisfiable, matchLabelKeys merged into the selector. */
export function constraintsOf(p: PodInfo, when: "DoNotSchedule" | "ScheduleAnyway"): Constraint[] {
  const list = p.pod.spec?.topologySpreadConstraints;
  if (!Array.isArray(list)) return [];
  const out: Constraint[] = [];
  for (const c of list) {
    if ((c?.whenUnsatisfiable ?? "DoNotSchedule") !== when) continue;
    let sel = c.labelSelector;
    const keys: string[] = Array.isArray(c.matchLabelKeys) ? c.matchLabelKeys : [];
    const extra = keys.filter((k) => k in p.labels).map((k): LabelSelectorRequirement => ({ key: k, operator: "In", values: [p.labels[k]] }));
    if (extra.length && sel) sel = { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), ...extra] };
    let selector: LabelSelector;
    try { selector = labelSelectorFromObject(sel); } catch { selector = labelSelectorFromObject(null); }
    out.push({
      maxSkew: Number(c.maxSkew ?? 1),
      topologyKey: String(c.topologyKey ?? ""),
      selector,
      minDomains: c.minDomains == null ? 1 : Number(c.minDomains),
      honorAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
      honorTaints: c.nodeTaintsPolicy === "Honor",
    });
  }
  return out;
}

const pairKey = (k: string, v: string) => `${k}\x00${v}`;

export function nodeHasAllKeys(ni: NodeInfo, cs: Constraint[]): boolean {
  for (const c of cs) if (!(c.topologyKey in ni.labels)) return false;
  return true;
}

function included(c: Constraint, cy: CycleState, ni: NodeInfo): boolean {
  if (c.honorAffinity && !requiredMatches(nodeAffinityOf(cy), ni)) return false;
  if (c.honorTaints && untoleratedTaint(ni.taints, cy.pod.tolerations)) return false;
  return true;
}

/** countPodsMatchSelector. */
export function countMatching(pods: PodInfo[], sel: LabelSelector, ns: string): number {
  let n = 0;
  for (const p of pods) if (!p.terminating && p.namespace === ns && sel.matches(p.labels)) n++;
  return n;
}

export function preFilter(cy: CycleState): PreFilterResult | undefined {
  const constraints = constraintsOf(cy.pod, "DoNotSchedule");
  if (constraints.length === 0) return undefined;
  const matchNum = new Map<string, number>();
  for (const ni of cy.snapshot.nodes) {
    if (!nodeHasAllKeys(ni, constraints)) continue;
    for (const c of constraints) {
      if (!included(c, cy, ni)) continue;
      const k = pairKey(c.topologyKey, ni.labels[c.topologyKey]);
      matchNum.set(k, (matchNum.get(k) ?? 0) + countMatching(ni.pods, c.selector, cy.pod.namespace));
    }
  }
  cy.write(FILTER_STATE, { constraints, matchNum, domains: domainsOf(matchNum) });
  return undefined;
}

function domainsOf(matchNum: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const k of matchNum.keys()) { const key = k.slice(0, k.indexOf("\x00")); d.set(key, (d.get(key) ?? 0) + 1); }
  return d;
}

/** The global minimum for a key; 0 while fewer domains than minDomains exist. */
function minMatchNum(s: SpreadFilterState, c: Constraint): number {
  if ((s.domains.get(c.topologyKey) ?? 0) < c.minDomains) return 0;
  let min = Infinity;
  const prefix = c.topologyKey + "\x00";
  for (const [k, v] of s.matchNum) if (k.startsWith(prefix) && v < min) min = v;
  return min === Infinity ? 0 : min;
}

export function filter(cy: CycleState, ni: NodeInfo): Status | null {
  const s = cy.read(FILTER_STATE);
  if (!s) return null;
  for (const c of s.constraints) {
    const v = ni.labels[c.topologyKey];
    if (v === undefined) return status(NAME, UNRESOLVABLE, ERR_REASON_NODE_LABEL_NOT_MATCH);
    const self = c.selector.matches(cy.pod.labels) ? 1 : 0;
    const skew = (s.matchNum.get(pairKey(c.topologyKey, v)) ?? 0) + self - minMatchNum(s, c);
    if (skew > c.maxSkew) return status(NAME, UNSCHEDULABLE, ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }
  return null;
}

function update(cy: CycleState, p: PodInfo, ni: NodeInfo, delta: number): void {
  const s = cy.read(FILTER_STATE);
  if (!s || p.namespace !== cy.pod.namespace || !nodeHasAllKeys(ni, s.constraints)) return;
  for (const c of s.constraints) {
    if (!c.selector.matches(p.labels) || !included(c, cy, ni)) continue;
    const k = pairKey(c.topologyKey, ni.labels[c.topologyKey]);
    s.matchNum.set(k, (s.matchNum.get(k) ?? 0) + delta);
  }
}

export const addPod = (cy: CycleState, p: PodInfo, ni: NodeInfo) => update(cy, p, ni, 1);
export const removePod = (cy: CycleState, p: PodInfo, ni: NodeInfo) => update(cy, p, ni, -1);

/** topologyNormalizingWeight: log(size + 2), so small domain counts still weigh in. */
export const normalizingWeight = (size: number) => Math.log(size + 2);

export function preScore(cy: CycleState, feasible: NodeInfo[]): boolean {
  const constraints = constraintsOf(cy.pod, "ScheduleAnyway");
  if (constraints.length === 0 || feasible.length === 0) return false;
  const ignored = new Set<string>();
  const counts = new Map<string, number>();
  const sizes = constraints.map(() => 0);
  for (const ni of feasible) {
    if (!nodeHasAllKeys(ni, constraints)) { ignored.add(ni.name); continue; }
    constraints.forEach((c, i) => {
      if (c.topologyKey === HOSTNAME) return; // per-node counts are taken in score
      const k = pairKey(c.topologyKey, ni.labels[c.topologyKey]);
      if (!counts.has(k)) { counts.set(k, 0); sizes[i]++; }
    });
  }
  const weights = constraints.map((c, i) => normalizingWeight(c.topologyKey === HOSTNAME ? feasible.length - ignored.size : sizes[i]));
  for (const ni of cy.snapshot.nodes) {
    if (!nodeHasAllKeys(ni, constraints)) continue;
    for (const c of constraints) {
      if (!included(c, cy, ni)) continue;
      const k = pairKey(c.topologyKey, ni.labels[c.topologyKey]);
      const cur = counts.get(k);
      if (cur === undefined) continue; // no candidate node in this domain (or hostname key)
      counts.set(k, cur + countMatching(ni.pods, c.selector, cy.pod.namespace));
    }
  }
  cy.write(SCORE_STATE, { constraints, ignored, counts, weights });
  return true;
}

export function score(cy: CycleState, ni: NodeInfo): number {
  const s = cy.read(SCORE_STATE)!;
  if (s.ignored.has(ni.name)) return 0;
  let total = 0;
  s.constraints.forEach((c, i) => {
    const v = ni.labels[c.topologyKey];
    if (v === undefined) return;
    const cnt = c.topologyKey === HOSTNAME ? countMatching(ni.pods, c.selector, cy.pod.namespace) : s.counts.get(pairKey(c.topologyKey, v)) ?? 0;
    total += cnt * s.weights[i] + (c.maxSkew - 1); // scoreForCount
  });
  return Math.round(total);
}

export function normalize(cy: CycleState, nodes: NodeInfo[], scores: Float64Array, n: number): void {
  const s = cy.read(SCORE_STATE)!;
  let min = Infinity, max = 0;
  for (let i = 0; i < n; i++) {
    if (s.ignored.has(nodes[i].name)) continue;
    if (scores[i] < min) min = scores[i];
    if (scores[i] > max) max = scores[i];
  }
  for (let i = 0; i < n; i++) {
    if (s.ignored.has(nodes[i].name)) { scores[i] = 0; continue; }
    if (max === 0) { scores[i] = MAX_NODE_SCORE; continue; }
    scores[i] = idiv(MAX_NODE_SCORE * (max + min - scores[i]), max);
  }
}

export const podTopologySpreadPlugin: Plugin = definePlugin({ name: NAME, preFilter, filter, addPod, removePod, preScore, score, normalize });
