// DefaultPreemption (PostFilter): when no node fits, find nodes where evicting lower-priority pods makes
// the pod fit (filters re-run on a copy of the node), keep as few victims as possible by reprieving the
// most important ones first, and pick the node by the real criteria: fewest PDB violations (none are
// modelled), lowest highest-victim priority, smallest priority sum, fewest victims, latest start time.
import {
  type CycleState, type FilterPlugin, type NodeStatus, type Plugin, type PostFilterResult, type RunFilters, type Status, UNRESOLVABLE, definePlugin, status,
} from "../framework";
import {
  NOT_ELIGIBLE_NEVER, NOT_ELIGIBLE_TERMINATING, NO_VICTIMS, PREEMPTION_NOT_HELPFUL, countReasons, fitErrorMessage, preemptionMessage,
} from "../messages";
import { type NodeInfo, type PodInfo, addPodToNode, cloneNodeInfo, removePodFromNode } from "../snapshot";

export const NAME = "DefaultPreemption";
/** DefaultPreemptionArgs defaults. */
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;
const INT32_SPAN = 2 ** 31; // math.MaxInt32 + 1: keeps every term of the priority sum positive

/** util.MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportant(a: PodInfo, b: PodInfo, now: number): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return startOf(a, now) < startOf(b, now);
}
// GetPodStartTime: a pod that has not started counts as starting now.
const startOf = (p: PodInfo, now: number) => (Number.isNaN(p.startTime) ? now : p.startTime);

/** podTerminatingByPreemption: deleting, and (when the condition is set) disrupted by the scheduler. */
function terminatingByPreemption(p: PodInfo): boolean {
  if (!p.terminating) return false;
  const conds = Array.isArray(p.pod.status?.conditions) ? p.pod.status.conditions : [];
  const dt = conds.find((c: { type?: string }) => c?.type === "DisruptionTarget");
  // The classroom may delete victims without the condition; a deleting lower-priority pod still counts.
  return !dt || (dt.status === "True" && dt.reason === "PreemptionByScheduler");
}

export function calculateNumCandidates(numNodes: number): number {
  let n = Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100);
  if (n < MIN_CANDIDATE_NODES_ABSOLUTE) n = MIN_CANDIDATE_NODES_ABSOLUTE;
  return Math.min(n, numNodes);
}

/** selectVictimsOnNode. */
export function selectVictims(c: CycleState, ni: NodeInfo, filters: FilterPlugin[], run: RunFilters, now: number): PodInfo[] | Status {
  const node = cloneNodeInfo(ni);
  const cy = c.clone();
  const remove = (p: PodInfo) => { removePodFromNode(node, p); for (const f of filters) f.removePod?.(cy, p, node); };
  const add = (p: PodInfo) => { addPodToNode(node, p); for (const f of filters) f.addPod?.(cy, p, node); };
  const potential = node.pods.filter((p) => p.priority < c.pod.priority);
  if (potential.length === 0) return status(NAME, UNRESOLVABLE, NO_VICTIMS);
  for (const p of potential) remove(p);
  const st = run(cy, node);
  if (st) return st;
  potential.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  const victims: PodInfo[] = [];
  // Reprieve as many pods as possible, most important first.
  for (const p of potential) {
    add(p);
    if (run(cy, node)) { remove(p); victims.push(p); }
  }
  return victims;
}

/** pickOneNodeForPreemption over candidates in the order they were found. */
export function pickOneNode(cands: { node: string; victims: PodInfo[] }[], now: number): number {
  let idx = cands.map((_, i) => i);
  const keepMax = (score: (i: number) => number) => {
    let best = -Infinity;
    const scores = idx.map((i) => { const s = score(i); if (s > best) best = s; return s; });
    idx = idx.filter((_, k) => scores[k] === best);
  };
  const highest = (v: PodInfo[]) => v.reduce((m, p) => Math.max(m, p.priority), -Infinity);
  keepMax(() => 0); // PDB violations: none are modelled
  if (idx.length > 1) keepMax((i) => -highest(cands[i].victims));
  if (idx.length > 1) keepMax((i) => -cands[i].victims.reduce((s, p) => s + p.priority + INT32_SPAN, 0));
  if (idx.length > 1) keepMax((i) => -cands[i].victims.length);
  if (idx.length > 1) {
    // Latest start time among each node's highest-priority victims' earliest start.
    keepMax((i) => {
      const v = cands[i].victims;
      const top = highest(v);
      return v.filter((p) => p.priority === top).reduce((m, p) => Math.min(m, startOf(p, now)), Infinity);
    });
  }
  return idx[0];
}

/**
 * Evaluator.Preempt. `nodeStatus` gives each node's filter verdict in this cycle (undefined: the node was
 * not evaluated, e.g. excluded by PreFilter, and then `absent` applies).
 */
export function preempt(
  c: CycleState, nodeStatus: NodeStatus, absent: Status | null,
  filters: FilterPlugin[], run: RunFilters, now: number, rand: () => number,
): PostFilterResult {
  const pod = c.pod;
  if (pod.pod.spec?.preemptionPolicy === "Never") return { message: preemptionMessage(NOT_ELIGIBLE_NEVER) };
  const nomName = pod.nominatedNode;
  if (nomName) {
    const nom = c.snapshot.byName.get(nomName);
    const ns = nom ? nodeStatus(nom) ?? absent : null;
    if (nom && ns?.code !== UNRESOLVABLE && nom.pods.some((p) => p.priority < pod.priority && terminatingByPreemption(p))) {
      return { message: preemptionMessage(NOT_ELIGIBLE_TERMINATING) };
    }
  }
  const all = c.snapshot.nodes;
  const statuses: Status[] = [];
  const notHelpful = status(NAME, UNRESOLVABLE, PREEMPTION_NOT_HELPFUL);
  const potential: NodeInfo[] = [];
  for (const ni of all) {
    const s = nodeStatus(ni) ?? absent;
    if (s && s.code === UNRESOLVABLE) statuses.push(notHelpful);
    else potential.push(ni);
  }
  const cands: { node: string; victims: PodInfo[] }[] = [];
  if (potential.length > 0) {
    const offset = Math.floor(rand() * potential.length);
    const numCandidates = calculateNumCandidates(potential.length);
    for (let i = 0; i < potential.length; i++) {
      const ni = potential[(offset + i) % potential.length];
      const r = selectVictims(c, ni, filters, run, now);
      if (Array.isArray(r)) {
        if (r.length > 0) cands.push({ node: ni.name, victims: r });
        if (cands.length >= numCandidates) break;
      } else statuses.push(r);
    }
  }
  if (cands.length === 0) {
    return { message: preemptionMessage(fitErrorMessage(all.length, countReasons(statuses))) };
  }
  const best = cands[pickOneNode(cands, now)];
  return { nominatedNode: best.node, victims: best.victims, message: "" };
}

export const defaultPreemptionPlugin: Plugin = definePlugin({ name: NAME, postFilter: preempt });
