import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { cloudControllers, LB_CLEANUP_FINALIZER, lbProvisioningDelayMs, UNINITIALIZED_TAINT } from "../../../../src/control-plane/cloud-controller-manager";
import { withSql } from "../../helpers";
import type { Sql } from "../../../../src/control-plane/etcd/sql";

const admin = { username: "t", groups: ["system:masters"] };
const R = {
  ns: findResource("", "v1", "namespaces")!, nodes: findResource("", "v1", "nodes")!, services: findResource("", "v1", "services")!,
  events: findResource("", "v1", "events")!,
};
const T0 = Date.parse("2026-01-01T00:00:00Z");

function cluster(sql: Sql) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  const clock = { now: T0 };
  const instances = new Set<string>(["node-1", "node-2"]);
  const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
  for (const c of cloudControllers(reg, { instanceExists: (n) => instances.has(n) })) cm.register(c);
  const w = () => ({ user: admin, now: new Date(clock.now) });
  reg.create(R.ns, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, w());
  const settle = () => {
    for (let i = 0; i < 100; i++) {
      const next = cm.run();
      if (next === null || next > clock.now) return next;
    }
    throw new Error("controllers never settle");
  };
  const advance = (ms: number) => { clock.now += ms; return settle(); };
  const svc = (name: string) => c.reg.tryGet(R.services, "default", name);
  // In the order they were recorded.
  const events = (reason?: string) => reg.list(R.events, "default").items.filter((e) => !reason || e.reason === reason)
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  const c = { etcd, reg, clock, cm, w, settle, advance, svc, events, instances };
  return c;
}

const lbService = (name: string, type = "LoadBalancer"): KubeObject => ({
  apiVersion: "v1", kind: "Service", metadata: { name },
  spec: { type, selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
});

const nodeObj = (name: string, index: number, ready = "True"): KubeObject => ({
  apiVersion: "v1", kind: "Node",
  metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": `kubeclass-1${"abc"[index - 1]}`, "topology.kubernetes.io/region": "kubeclass-1", "node.kubernetes.io/instance-type": "kc-standard-2" } },
  spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`], taints: [{ key: UNINITIALIZED_TAINT, value: "true", effect: "NoSchedule" }] },
  status: { conditions: [{ type: "Ready", status: ready, reason: "KubeletReady", message: "kubelet is posting ready status" }] },
});

describe("cloud-controller-manager: service controller", () => {
  it("provisions a load balancer after the simulated delay, with events and the cleanup finalizer", () =>
    withSql((sql) => {
      const c = cluster(sql);
      const created = c.reg.create(R.services, "default", lbService("web"), c.w());
      const delay = lbProvisioningDelayMs(created.metadata.uid!);
      expect(delay).toBeGreaterThanOrEqual(8_000);
      expect(delay).toBeLessThanOrEqual(15_000);
      const next = c.settle();
      expect(next).toBe(T0 + delay);
      expect(c.svc("web")!.metadata.finalizers).toEqual([LB_CLEANUP_FINALIZER]);
      expect(c.svc("web")!.status?.loadBalancer?.ingress).toBeUndefined();
      expect(c.events().map((e) => [e.reason, e.message, e.source.component])).toEqual([["EnsuringLoadBalancer", "Ensuring load balancer", "service-controller"]]);

      c.advance(delay - 1);
      expect(c.svc("web")!.status?.loadBalancer?.ingress).toBeUndefined();
      c.advance(1);
      const ingress = c.svc("web")!.status.loadBalancer.ingress;
      expect(ingress).toHaveLength(1);
      expect(ingress[0].ip).toMatch(/^203\.0\.113\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4])$/);
      expect(ingress[0].ipMode).toBe("VIP");
      expect(c.events("EnsuredLoadBalancer").map((e) => e.message)).toEqual(["Ensured load balancer"]);

      // Settled: nothing more is written.
      const rev = c.etcd.revision;
      c.advance(60_000);
      expect(c.etcd.revision).toBe(rev);

      // A second service gets its own address.
      c.reg.create(R.services, "default", lbService("api"), c.w());
      c.settle();
      c.advance(15_000);
      expect(c.svc("api")!.status.loadBalancer.ingress[0].ip).not.toBe(ingress[0].ip);
    }));

  it("releases the load balancer when the type changes away, and before a deleted service goes", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.services, "default", lbService("a"), c.w());
      c.reg.create(R.services, "default", lbService("b"), c.w());
      c.reg.create(R.services, "default", lbService("plain", "ClusterIP"), c.w());
      c.settle();
      c.advance(15_000);
      expect(c.svc("plain")!.metadata.finalizers).toBeUndefined();

      c.reg.guaranteedUpdate(R.services, "default", "a", c.w(), (s) => ({ ...s, spec: { ...s.spec, type: "ClusterIP" } }));
      c.settle();
      expect(c.svc("a")!.metadata.finalizers).toBeUndefined();
      expect(c.svc("a")!.status?.loadBalancer).toEqual({});
      expect(c.events().filter((e) => e.involvedObject.name === "a").map((e) => e.reason)).toEqual(
        ["EnsuringLoadBalancer", "EnsuredLoadBalancer", "Type", "DeletingLoadBalancer", "DeletedLoadBalancer"]);

      const del = c.reg.delete(R.services, "default", "b", c.w());
      expect(del.deleted).toBe(false); // held by the finalizer
      c.settle();
      expect(c.svc("b")).toBeUndefined();
      expect(c.events().filter((e) => e.involvedObject.name === "b").map((e) => e.reason)).toEqual(
        ["EnsuringLoadBalancer", "EnsuredLoadBalancer", "DeletingLoadBalancer", "DeletedLoadBalancer"]);
    }));

  it("leaves Services with a loadBalancerClass to their own implementation", () =>
    withSql((sql) => {
      const c = cluster(sql);
      const s = lbService("metallb");
      s.spec.loadBalancerClass = "example.com/lb";
      c.reg.create(R.services, "default", s, c.w());
      c.advance(20_000);
      expect(c.svc("metallb")!.metadata.finalizers).toBeUndefined();
      expect(c.svc("metallb")!.status?.loadBalancer?.ingress).toBeUndefined();
      expect(c.events()).toHaveLength(0);
    }));
});

describe("cloud-controller-manager: node and route controllers", () => {
  it("initializes nodes: providerID, labels, taint gone, route condition; idempotent", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.nodes, undefined, nodeObj("node-1", 1), c.w());
      c.settle();
      const n = c.reg.get(R.nodes, undefined, "node-1");
      expect(n.spec.providerID).toBe("kubeclass://kubeclass-1/kubeclass-1a/node-1");
      expect(n.spec.taints).toBeUndefined();
      expect(n.metadata.labels).toMatchObject({
        "topology.kubernetes.io/zone": "kubeclass-1a", "failure-domain.beta.kubernetes.io/zone": "kubeclass-1a",
        "topology.kubernetes.io/region": "kubeclass-1", "failure-domain.beta.kubernetes.io/region": "kubeclass-1",
        "node.kubernetes.io/instance-type": "kc-standard-2", "beta.kubernetes.io/instance-type": "kc-standard-2",
      });
      expect(n.status.conditions.find((x: any) => x.type === "NetworkUnavailable")).toMatchObject({
        status: "False", reason: "RouteCreated", message: "RouteController created a route", lastTransitionTime: "2026-01-01T00:00:00Z",
      });
      expect(c.events("Synced").map((e) => [e.message, e.source.component])).toEqual([["Node synced successfully", "cloud-node-controller"]]);
      const rev = c.etcd.revision;
      c.advance(60_000);
      expect(c.etcd.revision).toBe(rev);
    }));

  it("deletes a NotReady node whose instance is gone, and keeps a Ready one", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.nodes, undefined, nodeObj("node-1", 1), c.w());
      c.reg.create(R.nodes, undefined, nodeObj("node-2", 2, "Unknown"), c.w());
      c.reg.create(R.nodes, undefined, nodeObj("node-3", 3), c.w()); // Ready, instance unknown: not looked up
      c.settle();
      expect(c.reg.tryGet(R.nodes, undefined, "node-2")).toBeDefined();
      c.instances.delete("node-2");
      c.advance(5_000);
      expect(c.reg.tryGet(R.nodes, undefined, "node-2")).toBeUndefined();
      expect(c.reg.tryGet(R.nodes, undefined, "node-3")).toBeDefined();
      expect(c.events("DeletingNode").map((e) => [e.message, e.source.component])).toEqual([["Deleting node node-2 because it does not exist in the cloud provider", "cloud-node-lifecycle-controller"]]);
    }));
});
