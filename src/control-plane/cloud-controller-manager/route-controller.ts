// The cloud route controller (k8s.io/cloud-provider/controllers/route, v1.32): the cloud's network
// gets a route for each node's pod CIDR, and the node's NetworkUnavailable condition says so. The
// kubeclass cloud routes every pod CIDR already, so creating the route is immediate.
import type { Registry } from "../api-server/registry/store";
import { rfc3339 } from "../api-server/registry/store";
import { registryPrefix, NODES } from "../api-server/resources";
import type { Condition } from "../api-server/objects/meta";
import type { Controller } from "../controller-manager/manager";
import { ccmWrite } from "./provider";

export function routeController(_reg: Registry): Controller {
  const NAME = "node-route-controller";
  return {
    name: NAME,
    watches: [{ prefix: registryPrefix(NODES), keys: (n) => [n.metadata.name!] }],
    resync: (reg) => reg.list(NODES, undefined).items.map((n) => n.metadata.name!),
    reconcile(key, ctx) {
      const node = ctx.reg.tryGet(NODES, undefined, key);
      if (!node || node.metadata.deletionTimestamp || !node.spec?.podCIDR) return;
      const cur = (node.status?.conditions ?? []).find((c: Condition) => c.type === "NetworkUnavailable");
      // Already reported: the real controller skips the write too.
      if (cur?.status === "False") return;
      const now = rfc3339(new Date(ctx.now));
      const condition: Condition = { type: "NetworkUnavailable", status: "False", reason: "RouteCreated", message: "RouteController created a route", lastHeartbeatTime: now, lastTransitionTime: now };
      ctx.reg.guaranteedUpdate(NODES, undefined, key, ccmWrite(ctx, NAME), (n) => {
        const others = (n.status?.conditions ?? []).filter((c: Condition) => c.type !== "NetworkUnavailable");
        // NetworkUnavailable leads the list, where the route controller's first write puts it.
        n.status = { ...(n.status ?? {}), conditions: [condition, ...others] };
        return n;
      }, "status");
    },
  };
}
