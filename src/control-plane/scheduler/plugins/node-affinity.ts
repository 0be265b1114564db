// NodeAffinity: spec.nodeSelector plus requiredDuringScheduling node affinity as a filter (with the
// PreFilter that narrows the search to nodes named by metadata.name matchFields, as DaemonSet pods use);
// preferredDuringScheduling terms as a score (sum of matching weights, normalized by the maximum).
import type { NodeSelectorRequirement, NodeSelectorTerm } from "../../api-server/objects/core";
import { type CycleState, type Plugin, type PreFilterResult, type Status, UNRESOLVABLE, defaultNormalizeScore, definePlugin, stateKey, status } from "../framework";
import type { NodeInfo, PodInfo } from "../snapshot";

export const NAME = "NodeAffinity";
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

interface Req { key: string; op: string; values: string[]; set: Set<string> }
/** A NodeSelectorTerm: its expressions and fields are ANDed. */
interface Term { exprs: Req[]; fields: Req[] }

export interface NodeAffinityState {
  /** spec.nodeSelector as key/value pairs, null when absent. */
  selector: [string, string][] | null;
  /** Required terms (ORed); null when there is no required node affinity. */
  required: Term[] | null;
  preferred: { weight: number; term: Term }[];
}

/** Read-only once compiled, so dry runs share it. */
const STATE = stateKey<NodeAffinityState>("PreFilter" + NAME);

function compileReqs(list: NodeSelectorRequirement[] | undefined): Req[] {
  if (!Array.isArray(list)) return [];
  return list.map((r) => {
    const values: string[] = Array.isArray(r?.values) ? r.values.map(String) : [];
    return { key: String(r?.key ?? ""), op: String(r?.operator ?? ""), values, set: new Set(values) };
  });
}

function compileTerm(t: NodeSelectorTerm | undefined): Term | null {
  const term = { exprs: compileReqs(t?.matchExpressions), fields: compileReqs(t?.matchFields) };
  // An empty term matches no node (nodeaffinity.newNodeSelectorTerm skips it).
  return term.exprs.length + term.fields.length === 0 ? null : term;
}

const INT_RE = /^[+-]?\d+$/;

function reqMatches(r: Req, value: string | undefined): boolean {
  switch (r.op) {
    case "In": return value !== undefined && r.set.has(value);
    case "NotIn": return value === undefined || !r.set.has(value);
    case "Exists": return value !== undefined;
    case "DoesNotExist": return value === undefined;
    case "Gt": case "Lt": {
      if (value === undefined || r.values.length !== 1 || !INT_RE.test(value) || !INT_RE.test(r.values[0])) return false;
      const a = Number(value), b = Number(r.values[0]);
      return r.op === "Gt" ? a > b : a < b;
    }
    default: return false;
  }
}

function termMatches(t: Term, ni: NodeInfo): boolean {
  for (const r of t.exprs) if (!reqMatches(r, ni.labels[r.key])) return false;
  for (const r of t.fields) {
    // Only metadata.name is a supported field, with In/NotIn.
    if (r.key !== "metadata.name" || (r.op !== "In" && r.op !== "NotIn")) return false;
    if (!reqMatches(r, ni.name)) return false;
  }
  return true;
}

export function compile(p: PodInfo): NodeAffinityState {
  const spec = p.pod.spec ?? {};
  const ns = spec.nodeSelector;
  const selector = ns && typeof ns === "object" && Object.keys(ns).length ? Object.entries(ns).map(([k, v]) => [k, String(v)] as [string, string]) : null;
  const na = spec.affinity?.nodeAffinity;
  const req = na?.requiredDuringSchedulingIgnoredDuringExecution;
  let required: Term[] | null = null;
  if (req) {
    required = [];
    for (const t of Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : []) {
      const term = compileTerm(t);
      if (term) required.push(term);
    }
  }
  const preferred: NodeAffinityState["preferred"] = [];
  for (const pt of Array.isArray(na?.preferredDuringSchedulingIgnoredDuringExecution) ? na.preferredDuringSchedulingIgnoredDuringExecution : []) {
    const weight = Number(pt?.weight ?? 0);
    const term = compileTerm(pt?.preference);
    if (weight !== 0 && term) preferred.push({ weight, term });
  }
  return { selector, required, preferred };
}

/** The pod's node affinity, compiled once per cycle (PodTopologySpread reads it too, even with NodeAffinity disabled). */
export function nodeAffinityOf(c: CycleState): NodeAffinityState {
  let s = c.read(STATE);
  if (s === undefined) c.write(STATE, (s = compile(c.pod)));
  return s;
}

/** RequiredNodeAffinity.Match: nodeSelector and one of the required terms. */
export function requiredMatches(s: NodeAffinityState, ni: NodeInfo): boolean {
  if (s.selector) for (const [k, v] of s.selector) if (ni.labels[k] !== v) return false;
  if (s.required) {
    for (const t of s.required) if (termMatches(t, ni)) return true;
    return false;
  }
  return true;
}

/** Nodes named by metadata.name In in every required term: only those need filtering. */
export function preFilter(c: CycleState): PreFilterResult | undefined {
  const req = nodeAffinityOf(c).required;
  if (!req) return undefined;
  let names: Set<string> | null = null;
  for (const t of req) {
    let termNames: Set<string> | null = null;
    for (const r of t.fields) {
      if (r.key !== "metadata.name" || r.op !== "In") continue;
      const prev: Set<string> | null = termNames;
      termNames = prev === null ? new Set<string>(r.values) : new Set<string>([...prev].filter((n: string) => r.set.has(n)));
    }
    // A term without a node-name requirement makes every node eligible (terms are ORed).
    if (termNames === null) return undefined;
    const acc: Set<string> | null = names;
    names = acc === null ? termNames : new Set<string>([...acc, ...termNames]);
  }
  if (names !== null && names.size === 0) return { status: status(NAME, UNRESOLVABLE, ERR_REASON_CONFLICT) };
  return names ? { nodeNames: names } : undefined;
}

export function filter(c: CycleState, ni: NodeInfo): Status | null {
  const s = nodeAffinityOf(c);
  if (!s.selector && !s.required) return null;
  return requiredMatches(s, ni) ? null : status(NAME, UNRESOLVABLE, ERR_REASON_POD);
}

export function preScore(c: CycleState): boolean {
  return nodeAffinityOf(c).preferred.length > 0;
}

export function score(c: CycleState, ni: NodeInfo): number {
  let n = 0;
  for (const p of nodeAffinityOf(c).preferred) if (termMatches(p.term, ni)) n += p.weight;
  return n;
}

export function normalize(_c: CycleState, _nodes: NodeInfo[], scores: Float64Array, n: number): void {
  defaultNormalizeScore(scores, n, false);
}

export const nodeAffinityPlugin: Plugin = definePlugin({ name: NAME, preFilter, filter, preScore, score, normalize });
