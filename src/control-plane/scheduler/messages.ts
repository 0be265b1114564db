// FailedScheduling texts exactly as kube-scheduler 1.32 builds them (framework.FitError.Error and the
// DefaultPreemption PostFilter message).
import type { Status } from "./framework";

export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";
export const PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const NO_VICTIMS = "No preemption victims found for incoming pod";
export const NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never.";
export const NOT_ELIGIBLE_TERMINATING = "not eligible due to a terminating pod on the nominated node.";

/** Counts reasons over node statuses: each reason of each node's status once (Status.Reasons()). */
export function countReasons(statuses: Iterable<Status>, absent?: { status: Status; count: number }): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (absent && absent.count > 0) for (const r of absent.status.reasons) counts.set(r, (counts.get(r) ?? 0) + absent.count);
  return counts;
}

/** "1 Insufficient cpu, 2 node(s) had untolerated taint {…}": "<n> <reason>" sorted as strings (Go sort.Strings). */
export function histogram(counts: Map<string, number>): string {
  const parts: string[] = [];
  for (const [reason, n] of counts) parts.push(`${n} ${reason}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.join(", ");
}

/**
 * FitError.Error(): "0/N nodes are available: <PreFilterMsg>." or "0/N nodes are available: <histogram>.",
 * then " <PostFilterMsg>" when PostFilter reported one.
 */
export function fitErrorMessage(numAllNodes: number, counts: Map<string, number>, preFilterMsg = "", postFilterMsg = ""): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) msg += ` ${preFilterMsg}.`;
  else {
    const h = histogram(counts);
    if (h) msg += ` ${h}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

/** DefaultPreemption.PostFilter prefixes whatever the evaluator said. */
export const preemptionMessage = (msg: string) => (msg ? `preemption: ${msg}` : "");
