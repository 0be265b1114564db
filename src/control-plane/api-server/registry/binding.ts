// Binding a pod to a node (POST pods/<name>/binding): sets spec.nodeName once and records the
// PodScheduled condition, refusing a pod that is being deleted or already bound.
import { PODS } from "../resources";
import { errors } from "../status";
import type { Pod } from "../objects/core";
import { rfc3339, type Registry, type WriteCtx } from "./store";

export function bindPod(reg: Registry, ns: string, podName: string, node: string, ctx: WriteCtx, uid?: string): Pod {
  const pods = PODS;
  return reg.guaranteedUpdate(pods, ns, podName, ctx, (pod) => {
    if (pod.metadata.deletionTimestamp) throw errors.conflictMessage(`Operation cannot be fulfilled on pods/binding "${podName}": pod ${podName} is being deleted, cannot be assigned to a host`);
    if (pod.spec.nodeName) throw errors.conflictMessage(`Operation cannot be fulfilled on pods/binding "${podName}": pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    if (uid && uid !== pod.metadata.uid) throw errors.conflictMessage(`Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    pod.spec.nodeName = node;
    const conditions = (pod.status?.conditions ?? []).filter((x: { type: string }) => x.type !== "PodScheduled");
    conditions.push({ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: rfc3339(ctx.now) });
    pod.status = { ...pod.status, conditions };
    delete pod.status!.nominatedNodeName;
    return pod;
  }, "system");
}
