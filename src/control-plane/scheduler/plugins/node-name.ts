// NodeName: a pod that names a node (spec.nodeName set before scheduling) fits only that node.
import { type CycleState, type Plugin, type Status, UNRESOLVABLE, definePlugin, status } from "../framework";
import type { NodeInfo } from "../snapshot";

export const NAME = "NodeName";
export const ERR_REASON = "node(s) didn't match the requested node name";

export function filter(c: CycleState, ni: NodeInfo): Status | null {
  const want = c.pod.pod.spec?.nodeName;
  if (!want || want === ni.name) return null;
  return status(NAME, UNRESOLVABLE, ERR_REASON);
}

export const nodeNamePlugin: Plugin = definePlugin({ name: NAME, filter });
