// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import { type CycleState, type Plugin, type Status, UNRESOLVABLE, definePlugin, status } from "../framework";
import type { NodeInfo, Taint } from "../snapshot";
import { tolerationsTolerateTaint } from "./taint-toleration";

export const NAME = "NodeUnschedulable";
export const ERR_REASON = "node(s) were unschedulable";
const UNSCHEDULABLE_TAINT: Taint = { key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule" };

export function filter(c: CycleState, ni: NodeInfo): Status | null {
  if (!ni.unschedulable) return null;
  if (tolerationsTolerateTaint(c.pod.tolerations, UNSCHEDULABLE_TAINT)) return null;
  return status(NAME, UNRESOLVABLE, ERR_REASON);
}

export const nodeUnschedulablePlugin: Plugin = definePlugin({ name: NAME, filter });
