// TaintToleration: Filter rejects nodes with an untolerated NoSchedule/NoExecute taint; Score counts
// untolerated PreferNoSchedule taints, reversed at normalization so fewer taints score higher.
import { type CycleState, type Plugin, type Status, UNRESOLVABLE, defaultNormalizeScore, definePlugin, stateKey, status } from "../framework";
import type { NodeInfo, Taint, Toleration } from "../snapshot";

export const NAME = "TaintToleration";

/** The pod's tolerations with effect PreferNoSchedule or empty (PreScore's state). */
const PREFER_TOLERATIONS = stateKey<Toleration[]>("PreScore" + NAME);

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect !== "" && t.effect !== taint.effect) return false;
  if (t.key !== "" && t.key !== taint.key) return false;
  switch (t.operator) {
    case "": case "Equal": return t.value === taint.value;
    case "Exists": return true;
    default: return false;
  }
}

export function tolerationsTolerateTaint(ts: Toleration[], taint: Taint): boolean {
  for (let i = 0; i < ts.length; i++) if (toleratesTaint(ts[i], taint)) return true;
  return false;
}

/** v1helper.FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc: the first hard taint not tolerated. */
export function untoleratedTaint(taints: Taint[], ts: Toleration[]): Taint | undefined {
  for (let i = 0; i < taints.length; i++) {
    const t = taints[i];
    if ((t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerationsTolerateTaint(ts, t)) return t;
  }
  return undefined;
}

export function filter(c: CycleState, ni: NodeInfo): Status | null {
  if (ni.taints.length === 0) return null;
  const t = untoleratedTaint(ni.taints, c.pod.tolerations);
  if (!t) return null;
  return status(NAME, UNRESOLVABLE, `node(s) had untolerated taint {${t.key}: ${t.value}}`);
}

export function preScore(c: CycleState): boolean {
  c.write(PREFER_TOLERATIONS, c.pod.tolerations.filter((t) => t.effect === "" || t.effect === "PreferNoSchedule"));
  return true;
}

/** Number of PreferNoSchedule taints the pod does not tolerate. */
export function score(c: CycleState, ni: NodeInfo): number {
  if (ni.taints.length === 0) return 0;
  let n = 0;
  const ts = c.read(PREFER_TOLERATIONS) ?? c.pod.tolerations;
  for (const t of ni.taints) if (t.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(ts, t)) n++;
  return n;
}

export function normalize(_c: CycleState, _nodes: NodeInfo[], scores: Float64Array, n: number): void {
  defaultNormalizeScore(scores, n, true);
}

export const taintTolerationPlugin: Plugin = definePlugin({ name: NAME, filter, preScore, score, normalize });
