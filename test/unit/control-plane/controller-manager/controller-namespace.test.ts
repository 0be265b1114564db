import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry, type WriteCtx } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { garbageCollector } from "../../../../src/control-plane/controller-manager/garbagecollector/garbage-collector";
import { namespaceController } from "../../../../src/control-plane/controller-manager/namespace-controller";
import {
  CLUSTER_CA_PEM, ROOT_CA_CONFIGMAP, rootCACertPublisher, serviceAccountController,
} from "../../../../src/control-plane/controller-manager/serviceaccount-controller";
import { withSql } from "../../helpers";

const nsR = findResource("", "v1", "namespaces")!;
const podsR = findResource("", "v1", "pods")!;
const cmR = findResource("", "v1", "configmaps")!;
const saR = findResource("", "v1", "serviceaccounts")!;
const svcR = findResource("", "v1", "services")!;
const deployR = findResource("apps", "v1", "deployments")!;
const leaseR = findResource("coordination.k8s.io", "v1", "leases")!;

function cluster(etcd: Etcd) {
  const reg = new Registry(etcd);
  let now = Date.parse("2026-11-21T10:00:00Z");
  const ctx = (): WriteCtx => ({ user: { username: "t", groups: ["system:masters"] }, now: new Date(now) });
  const mgr = new ControllerManager(reg, etcd, { due() {} }, () => now);
  for (const f of [garbageCollector, namespaceController, serviceAccountController, rootCACertPublisher]) mgr.register(f(reg));
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
  const ns = (name: string) => reg.create(nsR, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, ctx());
  return { reg, mgr, ctx, settle, ns, now: () => now };
}

describe("namespace controller", () => {
  it("deletes all content, then finalizes and removes the namespace", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      c.ns("default");
      c.ns("team");
      c.settle();
      const spec = { containers: [{ name: "c", image: "nginx" }] };
      c.reg.create(podsR, "team", { apiVersion: "v1", kind: "Pod", metadata: { name: "pending" }, spec }, c.ctx());
      c.reg.create(podsR, "team", { apiVersion: "v1", kind: "Pod", metadata: { name: "running" }, spec: { ...spec, nodeName: "node-1" } }, c.ctx());
      c.reg.create(cmR, "team", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" } }, c.ctx());
      c.reg.create(svcR, "team", { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { ports: [{ port: 80 }], clusterIP: "None", selector: { app: "web" } } }, c.ctx());
      c.reg.create(deployR, "team", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec } } }, c.ctx());
      c.reg.create(leaseR, "team", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l" }, spec: {} }, c.ctx());
      c.reg.create(cmR, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "keep" } }, c.ctx());

      const del = c.reg.delete(nsR, undefined, "team", c.ctx());
      expect(del.object.status.phase).toBe("Terminating");
      c.settle();
      // Everything went except the pod its kubelet is still stopping (30 s grace).
      const left = c.reg.tryGet(nsR, undefined, "team")!;
      expect(left.spec.finalizers).toEqual(["kubernetes"]);
      expect(c.reg.list(podsR, "team").items.map((p) => p.metadata.name)).toEqual(["running"]);
      for (const r of [cmR, svcR, deployR, leaseR, saR]) expect(c.reg.list(r, "team").items, r.plural).toEqual([]);
      const cond = (t: string) => left.status.conditions.find((x: any) => x.type === t);
      expect(cond("NamespaceContentRemaining")).toMatchObject({ status: "True", reason: "SomeResourcesRemain", message: "Some resources are remaining: pods. has 1 resource instances" });
      expect(cond("NamespaceDeletionContentFailure")).toMatchObject({ status: "False", reason: "ContentDeleted" });

      // The kubelet finishes: the namespace goes.
      c.reg.delete(podsR, "team", "running", c.ctx(), { gracePeriodSeconds: 0 });
      c.settle();
      expect(c.reg.tryGet(nsR, undefined, "team")).toBeUndefined();
      expect(c.reg.tryGet(cmR, "default", "keep")).toBeDefined();
    }));

  it("requeues after the grace period when no event comes", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      c.ns("team");
      c.reg.create(podsR, "team", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { nodeName: "n", terminationGracePeriodSeconds: 10, containers: [{ name: "c", image: "nginx" }] } }, c.ctx());
      c.settle();
      c.reg.delete(nsR, undefined, "team", c.ctx());
      const t0 = c.now();
      expect(c.mgr.run()).not.toBeNull();
      c.settle();
      expect(c.mgr.run()).toBe(t0 + 10_000); // next look: when the pod's grace period ends
    }));

  it("waits for content held by a finalizer and reports it", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      c.ns("team");
      c.reg.create(cmR, "team", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/hold"] } }, c.ctx());
      c.settle();
      c.reg.delete(nsR, undefined, "team", c.ctx());
      c.settle();
      const ns = c.reg.tryGet(nsR, undefined, "team")!;
      expect(ns.status.conditions.find((x: any) => x.type === "NamespaceFinalizersRemaining"))
        .toMatchObject({ status: "True", message: "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances" });
      c.reg.guaranteedUpdate(cmR, "team", "held", c.ctx(), (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
      c.settle();
      expect(c.reg.tryGet(nsR, undefined, "team")).toBeUndefined();
    }));
});

describe("serviceaccount controller and root CA publisher", () => {
  it("puts a default ServiceAccount and kube-root-ca.crt in every namespace, and back after deletion", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      c.ns("default");
      c.settle();
      c.ns("team");
      c.settle();
      for (const ns of ["default", "team"]) {
        expect(c.reg.tryGet(saR, ns, "default"), ns).toBeDefined();
        expect(c.reg.tryGet(cmR, ns, ROOT_CA_CONFIGMAP)!.data).toEqual({ "ca.crt": CLUSTER_CA_PEM });
      }
      expect(CLUSTER_CA_PEM).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
      const uid = c.reg.get(saR, "team", "default").metadata.uid;
      c.reg.delete(saR, "team", "default", c.ctx());
      c.reg.delete(cmR, "team", ROOT_CA_CONFIGMAP, c.ctx());
      c.settle();
      expect(c.reg.get(saR, "team", "default").metadata.uid).not.toBe(uid);
      expect(c.reg.tryGet(cmR, "team", ROOT_CA_CONFIGMAP)).toBeDefined();
      // An edited CA bundle is put back.
      const cm = c.reg.get(cmR, "team", ROOT_CA_CONFIGMAP);
      c.reg.update(cmR, "team", ROOT_CA_CONFIGMAP, { ...cm, data: { "ca.crt": "tampered" } }, c.ctx());
      c.settle();
      expect(c.reg.get(cmR, "team", ROOT_CA_CONFIGMAP).data).toEqual({ "ca.crt": CLUSTER_CA_PEM });
    }));

  it("creates nothing in a terminating namespace", () =>
    withSql((sql) => {
      const c = cluster(new Etcd(sql));
      c.ns("team");
      c.settle();
      c.reg.delete(nsR, undefined, "team", c.ctx());
      c.settle();
      expect(c.reg.tryGet(nsR, undefined, "team")).toBeUndefined();
      expect(c.reg.list(saR, "team").items).toEqual([]);
    }));
});

describe("idempotence", () => {
  it("a run with nothing to do writes nothing", () =>
    withSql((sql) => {
      const etcd = new Etcd(sql);
      const c = cluster(etcd);
      c.ns("default");
      c.ns("team");
      c.settle();
      const rev = etcd.revision;
      const again = new ControllerManager(c.reg, etcd, { due() {} }, () => c.now());
      for (const f of [garbageCollector, namespaceController, serviceAccountController, rootCACertPublisher]) again.register(f(c.reg));
      expect(again.run()).toBeNull(); // resync reconciles every key once
      expect(etcd.revision).toBe(rev);
      again.stop();
    }));
});
