// The cloud node controllers (k8s.io/cloud-provider/controllers/node and nodelifecycle, v1.32).
// Initialization: a node learns from the cloud its providerID and its zone, region and instance
// type labels, and loses the uninitialized taint a kubelet started with --cloud-provider=external
// carries. Lifecycle: a node that is not Ready and whose instance the cloud no longer knows is
// deleted, since no kubelet will ever come back for it.
import type { Taint } from "../api-server/objects/core";
import type { Condition } from "../api-server/objects/meta";
import { recordEvent } from "../api-server/events";
import type { Registry } from "../api-server/registry/store";
import { registryPrefix, NODES } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";
import type { Controller } from "../controller-manager/manager";
import { ccmWrite, providerID, type CloudOptions } from "./provider";

export const UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";
/** --node-monitor-period: how often a NotReady node's instance is looked up again. */
const MONITOR_PERIOD_MS = 5_000;

const L = {
  zone: "topology.kubernetes.io/zone", region: "topology.kubernetes.io/region", instanceType: "node.kubernetes.io/instance-type",
  betaZone: "failure-domain.beta.kubernetes.io/zone", betaRegion: "failure-domain.beta.kubernetes.io/region", betaInstanceType: "beta.kubernetes.io/instance-type",
};

const nodeWatch = [{ prefix: registryPrefix(NODES), keys: (n: KubeObject) => [n.metadata.name!] }];
const allNodes = (reg: Registry) => reg.list(NODES, undefined).items.map((n) => n.metadata.name!);

/** The instance's placement: the node's labels, else what the cloud reports. */
function metadataOf(node: KubeObject, opts: CloudOptions) {
  const l = node.metadata.labels ?? {};
  const cloud = opts.instanceMetadata?.(node.metadata.name!) ?? {};
  return {
    zone: l[L.zone] ?? l[L.betaZone] ?? cloud.zone,
    region: l[L.region] ?? l[L.betaRegion] ?? cloud.region,
    instanceType: l[L.instanceType] ?? l[L.betaInstanceType] ?? cloud.instanceType,
  };
}

export function cloudNodeController(_reg: Registry, opts: CloudOptions = {}): Controller {
  const NAME = "cloud-node-controller";
  return {
    name: NAME,
    watches: nodeWatch,
    resync: allNodes,
    reconcile(key, ctx) {
      const node = ctx.reg.tryGet(NODES, undefined, key);
      if (!node || node.metadata.deletionTimestamp) return;
      const meta = metadataOf(node, opts);
      const labels: Record<string, string> = { ...(node.metadata.labels ?? {}) };
      // Both the GA and the deprecated beta labels, as the real controller sets them.
      const set = (keys: string[], v: string | undefined) => { if (v) for (const k of keys) labels[k] = v; };
      set([L.zone, L.betaZone], meta.zone);
      set([L.region, L.betaRegion], meta.region);
      set([L.instanceType, L.betaInstanceType], meta.instanceType);
      // providerID may only go from unset to set: validation refuses any later change.
      const pid = !node.spec?.providerID && meta.region && meta.zone ? providerID(meta.region, meta.zone, key) : undefined;
      const taints: Taint[] = node.spec?.taints ?? [];
      const keptTaints = taints.filter((t) => t.key !== UNINITIALIZED_TAINT);
      const labelsChanged = Object.keys(labels).some((k) => labels[k] !== node.metadata.labels?.[k]);
      if (!pid && !labelsChanged && keptTaints.length === taints.length) return;
      const updated = ctx.reg.guaranteedUpdate(NODES, undefined, key, ccmWrite(ctx, NAME), (cur) => {
        cur.metadata.labels = { ...(cur.metadata.labels ?? {}), ...labels };
        cur.spec = { ...(cur.spec ?? {}) };
        if (pid && !cur.spec.providerID) cur.spec.providerID = pid;
        const rest = (cur.spec.taints ?? []).filter((t: Taint) => t.key !== UNINITIALIZED_TAINT);
        if (rest.length) cur.spec.taints = rest;
        else delete cur.spec.taints;
        return cur;
      });
      if (taints.length !== keptTaints.length || pid)
        recordEvent(ctx.reg, { regarding: updated, reason: "Synced", message: "Node synced successfully", component: "cloud-node-controller", now: new Date(ctx.now) });
    },
  };
}

export function cloudNodeLifecycleController(_reg: Registry, opts: CloudOptions = {}): Controller {
  const NAME = "cloud-node-lifecycle-controller";
  return {
    name: NAME,
    watches: nodeWatch,
    resync: allNodes,
    reconcile(key, ctx) {
      const node = ctx.reg.tryGet(NODES, undefined, key);
      if (!node || node.metadata.deletionTimestamp || !opts.instanceExists) return;
      const ready = (node.status?.conditions ?? []).find((c: Condition) => c.type === "Ready");
      // Ready nodes are not looked up: the kubelet's heartbeat already says the instance is there.
      if (ready?.status === "True") return;
      if (opts.instanceExists(key)) return { requeueAfter: MONITOR_PERIOD_MS };
      recordEvent(ctx.reg, { regarding: node, reason: "DeletingNode", message: `Deleting node ${key} because it does not exist in the cloud provider`, component: NAME, now: new Date(ctx.now) });
      try {
        ctx.reg.delete(NODES, undefined, key, ccmWrite(ctx, NAME), { preconditions: { uid: node.metadata.uid } });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
    },
  };
}
