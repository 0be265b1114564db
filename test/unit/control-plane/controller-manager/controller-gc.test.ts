import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry, type WriteCtx } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject, OwnerReference } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { garbageCollector } from "../../../../src/control-plane/controller-manager/garbagecollector/garbage-collector";
import { withSql } from "../../helpers";

const cmR = findResource("", "v1", "configmaps")!;
const podsR = findResource("", "v1", "pods")!;
const rsR = findResource("apps", "v1", "replicasets")!;
const deployR = findResource("apps", "v1", "deployments")!;
const nsR = findResource("", "v1", "namespaces")!;

/** A registry, the collector in a manager, and a hand-driven clock. */
function cluster(etcd: Etcd) {
  const reg = new Registry(etcd);
  let now = Date.parse("2026-11-21T10:00:00Z");
  const ctx = (): WriteCtx => ({ user: { username: "t", groups: ["system:masters"] }, now: new Date(now) });
  reg.create(nsR, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, ctx());
  const mgr = new ControllerManager(reg, etcd, { due() {} }, () => now);
  mgr.register(garbageCollector(reg));
  /** Runs the manager until nothing is due (advancing the clock to later work when asked). */
  const settle = (advance = false) => {
    for (let i = 0; i < 200; i++) {
      const next = mgr.run();
      if (next === null) return;
      if (next > now) {
        if (!advance) return;
        now = next;
      }
    }
    throw new Error("controllers did not settle");
  };
  const ref = (o: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, ...extra });
  const cm = (name: string, owners: OwnerReference[] = []) =>
    reg.create(cmR, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}) }, data: { k: name } }, ctx());
  const get = (name: string) => reg.tryGet(cmR, "default", name);
  return { reg, etcd, mgr, ctx, settle, ref, cm, get };
}

describe("garbage collector", () => {
  it("collects dependents whose owners are all gone, and keeps those with a live owner", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      const a = c.cm("owner-a");
      const b = c.cm("owner-b");
      c.cm("only-a", [c.ref(a)]);
      c.cm("a-and-b", [c.ref(a), c.ref(b)]);
      c.cm("ghost", [{ apiVersion: "v1", kind: "ConfigMap", name: "never", uid: "no-such-uid" }]);
      c.settle();
      expect(c.get("ghost")).toBeUndefined(); // owner never existed (found by resync)
      expect(c.get("only-a")).toBeDefined();
      c.reg.delete(cmR, "default", "owner-a", c.ctx());
      c.settle();
      expect(c.get("only-a")).toBeUndefined();
      // Still owned by b: only the dangling reference goes.
      expect(c.get("a-and-b")!.metadata.ownerReferences).toEqual([c.ref(b)]);
    }));

  it("an owner recreated with the same name is not the owner (uids differ)", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      const a = c.cm("owner");
      c.cm("dep", [c.ref(a)]);
      c.settle();
      c.reg.delete(cmR, "default", "owner", c.ctx());
      c.cm("owner");
      c.settle();
      expect(c.get("dep")).toBeUndefined();
    }));

  it("cascades a background delete across two levels: owner → child → grandchild", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      c.settle();
      const owner = c.cm("owner");
      const child = c.cm("child", [c.ref(owner, { controller: true, blockOwnerDeletion: true })]);
      c.cm("grandchild", [c.ref(child, { controller: true, blockOwnerDeletion: true })]);
      c.cm("bystander");
      c.settle();
      c.reg.delete(cmR, "default", "owner", c.ctx(), { propagationPolicy: "Background" });
      c.settle();
      expect(c.get("child")).toBeUndefined();
      expect(c.get("grandchild")).toBeUndefined();
      expect(c.get("bystander")).toBeDefined();
    }));

  it("deleting a Deployment deletes its ReplicaSets, and theirs deletes their pods", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } };
      const d = c.reg.create(deployR, "default", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template } }, c.ctx());
      const rs = c.reg.create(rsR, "default", {
        apiVersion: "apps/v1", kind: "ReplicaSet",
        metadata: { name: "web-abc", labels: { app: "web" }, ownerReferences: [c.ref(d, { controller: true, blockOwnerDeletion: true })] },
        spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template },
      }, c.ctx());
      for (const n of ["web-abc-1", "web-abc-2"]) {
        c.reg.create(podsR, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: n, labels: { app: "web" }, ownerReferences: [c.ref(rs, { controller: true, blockOwnerDeletion: true })] }, spec: template.spec }, c.ctx());
      }
      c.settle();
      expect(c.reg.list(podsR, "default").items).toHaveLength(2);
      c.reg.delete(deployR, "default", "web", c.ctx());
      c.settle();
      expect(c.reg.list(rsR, "default").items).toEqual([]);
      expect(c.reg.list(podsR, "default").items).toEqual([]);
    }));

  it("orphan propagation keeps the dependents, strips their references, then lets the owner go", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      const owner = c.cm("owner");
      const other = c.cm("other");
      c.cm("dep1", [c.ref(owner, { controller: true, blockOwnerDeletion: true })]);
      c.cm("dep2", [c.ref(owner), c.ref(other)]);
      c.settle();
      const res = c.reg.delete(cmR, "default", "owner", c.ctx(), { propagationPolicy: "Orphan" });
      expect(res.object.metadata.finalizers).toEqual(["orphan"]);
      c.settle();
      expect(c.get("owner")).toBeUndefined();
      expect(c.get("dep1")).toBeDefined();
      expect(c.get("dep1")!.metadata.ownerReferences).toBeUndefined();
      expect(c.get("dep2")!.metadata.ownerReferences).toEqual([c.ref(other)]);
    }));

  it("foreground deletion removes the dependents first, then the owner", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      const owner = c.cm("owner");
      const child = c.cm("child", [c.ref(owner, { blockOwnerDeletion: true })]);
      c.cm("grandchild", [c.ref(child, { blockOwnerDeletion: true })]);
      c.cm("loose", [c.ref(owner)]);
      c.settle();
      c.reg.delete(cmR, "default", "owner", c.ctx(), { propagationPolicy: "Foreground" });
      // One pass: the owner waits (finalizer kept) while its dependents are being deleted; the
      // child has a dependent of its own, so it too is deleted in foreground.
      c.mgr.run();
      expect(c.get("owner")!.metadata.finalizers).toEqual(["foregroundDeletion"]);
      expect(c.get("child")?.metadata.finalizers ?? []).toEqual(["foregroundDeletion"]);
      c.settle();
      for (const n of ["owner", "child", "grandchild", "loose"]) expect(c.get(n), n).toBeUndefined();
    }));

  it("a foreground owner waits for a gracefully terminating pod", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      const owner = c.cm("owner");
      c.reg.create(podsR, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", ownerReferences: [c.ref(owner, { blockOwnerDeletion: true })] }, spec: { nodeName: "node-1", containers: [{ name: "c", image: "nginx" }] } }, c.ctx());
      c.settle();
      c.reg.delete(cmR, "default", "owner", c.ctx(), { propagationPolicy: "Foreground" });
      c.settle(true);
      expect(c.reg.tryGet(podsR, "default", "p")!.metadata.deletionTimestamp).toBeDefined();
      expect(c.get("owner")).toBeDefined();
      // The kubelet finishes the pod: now the owner can go.
      c.reg.delete(podsR, "default", "p", c.ctx(), { gracePeriodSeconds: 0 });
      c.settle();
      expect(c.get("owner")).toBeUndefined();
    }));

  it("follows cluster-scoped owners, and never deletes on an owner kind it cannot resolve", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      const nodesR = findResource("", "v1", "nodes")!;
      const leaseR = findResource("coordination.k8s.io", "v1", "leases")!;
      const node = c.reg.create(nodesR, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } }, c.ctx());
      c.reg.create(leaseR, "default", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "node-1", ownerReferences: [c.ref(node)] }, spec: {} }, c.ctx());
      c.cm("crd-owned", [{ apiVersion: "example.com/v1", kind: "Widget", name: "w", uid: "u-w" }]);
      c.settle();
      expect(c.reg.tryGet(leaseR, "default", "node-1")).toBeDefined();
      c.reg.delete(nodesR, undefined, "node-1", c.ctx());
      c.settle();
      expect(c.reg.tryGet(leaseR, "default", "node-1")).toBeUndefined();
      expect(c.get("crd-owned")).toBeDefined();
    }));

  it("does nothing when there is nothing to do (idempotent)", () =>
    withSql((sql) => {
      const etcd = new Etcd(sql);
      const c = cluster(etcd);
      const owner = c.cm("owner");
      c.cm("dep", [c.ref(owner, { controller: true })]);
      c.settle();
      const rev = etcd.revision;
      // A fresh manager resyncs everything; so do unrelated writes' reconciles.
      const again = new ControllerManager(c.reg, etcd, { due() {} }, () => Date.now());
      again.register(garbageCollector(c.reg));
      again.run();
      expect(again.pending()).toBe(0);
      expect(etcd.revision).toBe(rev);
      c.reg.update(cmR, "default", "owner", { ...c.get("owner")!, data: { k: "changed" } }, c.ctx());
      const after = etcd.revision;
      c.settle();
      again.run();
      expect(etcd.revision).toBe(after);
      again.stop();
    }));
});
