// The scheduling framework's shared pieces: statuses, the per-cycle state plugins read and write, the plugin
// table in the default profile's order, and the score helpers several plugins share.
import type { ClusterSnapshot, NodeInfo, PodInfo } from "./snapshot";
import type { SchedulerProfile } from "./profile";
import type { NodeAffinityState } from "./plugins/node-affinity";
import type { SpreadFilterState, SpreadScoreState } from "./plugins/pod-topology-spread";
import type { IpaFilterState, IpaScoreState } from "./plugins/inter-pod-affinity";
import type { FitScoreState } from "./plugins/node-resources-fit";

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/** Status codes that matter to the outcome (framework.Code). */
export const UNSCHEDULABLE = 2;
/** Preemption cannot help on a node rejected with this code. */
export const UNRESOLVABLE = 3;

export interface Status { plugin: string; code: number; reasons: string[]; message: string }

// Statuses are interned: filters return the same object for the same verdict, so the hot path allocates nothing.
const interned = new Map<string, Status>();
export function status(plugin: string, code: number, ...reasons: string[]): Status {
  const key = `${plugin}\x00${code}\x00${reasons.join("\x00")}`;
  let s = interned.get(key);
  if (!s) {
    if (interned.size > 50000) interned.clear();
    interned.set(key, (s = { plugin, code, reasons, message: reasons.join(", ") }));
  }
  return s;
}

/** State of one scheduling attempt, shared by the plugins (CycleState). */
export interface Cycle {
  pod: PodInfo;
  snapshot: ClusterSnapshot;
  profile: SchedulerProfile;
  nodeAffinity: NodeAffinityState;
  spread: SpreadFilterState | null;
  ipa: IpaFilterState | null;
  fitScore: FitScoreState | null;
  spreadScore: SpreadScoreState | null;
  ipaScore: IpaScoreState | null;
  /** Tolerations with effect PreferNoSchedule or empty (TaintToleration PreScore). */
  preferTolerations: PodInfo["tolerations"] | null;
}

export interface PreFilterResult { status?: Status; nodeNames?: Set<string> }

export interface FilterPlugin {
  name: string;
  preFilter?(c: Cycle): PreFilterResult | undefined;
  filter(c: Cycle, ni: NodeInfo): Status | null;
  /** PreFilterExtensions: keep the plugin's cycle state right when a pod is added to or removed from a node. */
  addPod?(c: Cycle, p: PodInfo, ni: NodeInfo): void;
  removePod?(c: Cycle, p: PodInfo, ni: NodeInfo): void;
  /** Copy the plugin's cycle state before preemption changes it. */
  cloneState?(c: Cycle): void;
}

export interface ScorePlugin {
  name: string;
  /** false: skip this plugin for this pod (framework.Skip). */
  preScore?(c: Cycle, feasible: NodeInfo[]): boolean;
  score(c: Cycle, ni: NodeInfo): number;
  normalize?(c: Cycle, nodes: NodeInfo[], scores: Float64Array, n: number): void;
}

/** helper.DefaultNormalizeScore: scale to [0, max] by the highest score, optionally reversed. */
export function defaultNormalizeScore(scores: Float64Array, n: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < n; i++) if (scores[i] > max) max = scores[i];
  if (max === 0) {
    if (reverse) for (let i = 0; i < n; i++) scores[i] = MAX_NODE_SCORE;
    return;
  }
  for (let i = 0; i < n; i++) {
    let s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    if (reverse) s = MAX_NODE_SCORE - s;
    scores[i] = s;
  }
}

/** Go's integer division for non-negative or mixed-sign int64s (truncates toward zero). */
export const idiv = (a: number, b: number): number => Math.trunc(a / b);
