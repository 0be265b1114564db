// NodeResourcesBalancedAllocation: favour nodes whose cpu and memory utilization (with the pod) stay close
// to each other: score = (1 − standard deviation of the fractions) × 100, on actual requests.
import { type CycleState, MAX_NODE_SCORE, type Plugin, definePlugin } from "../framework";
import type { NodeInfo } from "../snapshot";

export const NAME = "NodeResourcesBalancedAllocation";

/** balancedResourceScorer over fractions requested/allocatable (capped at 1; resources without allocatable skipped). */
export function balancedScore(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i] / allocatable[i], 1);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export function score(c: CycleState, ni: NodeInfo): number {
  // Default args: cpu and memory, weight 1, on requested (not non-zero) amounts.
  const ac = ni.allocatable.cpu, am = ni.allocatable.memory;
  const rc = ni.requested.cpu + c.pod.requests.cpu, rm = ni.requested.memory + c.pod.requests.memory;
  if (ac === 0 || am === 0) return balancedScore([rc, rm], [ac, am]);
  const fc = Math.min(rc / ac, 1), fm = Math.min(rm / am, 1);
  return Math.trunc((1 - Math.abs((fc - fm) / 2)) * MAX_NODE_SCORE);
}

export const balancedAllocationPlugin: Plugin = definePlugin({ name: NAME, score });
