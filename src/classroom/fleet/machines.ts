// What the API is told when a machine changes for good: its objects go when it is removed, and a
// reset uncordons it.
import type { Registry, WriteCtx } from "../../control-plane/api-server/registry/store";
import { LEASES, NODES, PODS } from "../../control-plane/api-server/resources";
import type { KubeObject } from "../../control-plane/api-server/types";

type Ctx = Pick<WriteCtx, "user" | "now">;

/** The machine is gone: its Node, its lease and its pods (deleted at once, as PodGC would). */
export function forgetMachine(reg: Registry, name: string, ctx: Ctx): void {
  const podsR = PODS;
  for (const p of reg.list(podsR, undefined).items.filter((p: KubeObject) => p.spec?.nodeName === name)) {
    try { reg.delete(podsR, p.metadata.namespace, p.metadata.name!, ctx, { gracePeriodSeconds: 0 }); } catch { /* already gone */ }
    if (reg.tryGet(podsR, p.metadata.namespace, p.metadata.name!)) reg.guaranteedUpdate(podsR, p.metadata.namespace, p.metadata.name!, ctx, (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
  }
  const nodesR = NODES;
  if (reg.tryGet(nodesR, undefined, name)) reg.delete(nodesR, undefined, name, ctx);
  const leases = LEASES;
  if (reg.tryGet(leases, "kube-node-lease", name)) reg.delete(leases, "kube-node-lease", name, ctx);
}

export function uncordon(reg: Registry, name: string, ctx: Ctx): void {
  const nodesR = NODES;
  if (reg.tryGet(nodesR, undefined, name)?.spec?.unschedulable) reg.guaranteedUpdate(nodesR, undefined, name, ctx, (cur) => ({ ...cur, spec: { ...cur.spec, unschedulable: undefined } }));
}
