// The controller manager's shared informers and indexes: one watch and one decode per event for
// every controller, stores that mirror etcd (bounded by what exists, rebuilt after a restore),
// Services with selectors parsed once, and a garbage collector graph built without reads per event.
import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry, type WriteCtx } from "../../../../src/control-plane/api-server/registry/store";
import { findResource, PODS, SERVICES } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { endpointsController } from "../../../../src/control-plane/controller-manager/endpoints/endpoints-controller";
import { endpointSliceController } from "../../../../src/control-plane/controller-manager/endpoints/endpointslice-controller";
import { garbageCollector } from "../../../../src/control-plane/controller-manager/garbagecollector/garbage-collector";
import { replicaSetController } from "../../../../src/control-plane/controller-manager/replicaset-controller";
import { serviceKeysForPod, serviceSelector } from "../../../../src/control-plane/controller-manager/endpoints/service-keys";
import { withSql } from "../../helpers";

const podsR = PODS;
const svcR = SERVICES;
const epR = findResource("", "v1", "endpoints")!;
const slicesR = findResource("discovery.k8s.io", "v1", "endpointslices")!;
const rsR = findResource("apps", "v1", "replicasets")!;
const nsR = findResource("", "v1", "namespaces")!;

function setup(sql: ConstructorParameters<typeof Etcd>[0]) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  let now = Date.parse("2026-11-21T10:00:00Z");
  const ctx = (): WriteCtx => ({ user: { username: "t", groups: ["system:masters"] }, now: new Date(now) });
  for (const name of ["default", "other"]) reg.create(nsR, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, ctx());
  // The pods' node: EndpointSlices leave out pods on a Node that does not exist.
  reg.create(findResource("", "v1", "nodes")!, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } }, ctx());
  const mgr = new ControllerManager(reg, etcd, { due() {} }, () => now);
  const settle = () => {
    for (let i = 0; i < 100; i++) {
      const next = mgr.run();
      if (next === null || next > now) return;
    }
    throw new Error("controllers did not settle");
  };
  const tick = (ms: number) => { now += ms; };
  return { etcd, reg, mgr, ctx, settle, tick };
}

/** A pod that a kubelet reports Running and Ready at `ip`. */
function runningPod(reg: Registry, ctx: () => WriteCtx, name: string, labels: Record<string, string>, ip: string, ns = "default"): KubeObject {
  reg.create(podsR, ns, { apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { nodeName: "node-1", containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80 }] }] } }, ctx());
  return reg.guaranteedUpdate(podsR, ns, name, ctx(), (cur) => ({
    ...cur, status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: "True" }] },
  }), "status");
}

const service = (name: string, selector: Record<string, string>): KubeObject =>
  ({ apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector, ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] } });

const addresses = (reg: Registry, name: string): string[] =>
  (reg.tryGet(epR, "default", name)?.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.targetRef.name)).sort();

const sliced = (reg: Registry, name: string): string[] =>
  reg.list(slicesR, "default").items.filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === name)
    .flatMap((s: any) => (s.endpoints ?? []).map((e: any) => e.targetRef.name)).sort();

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name);

describe("shared informers", () => {
  it("one etcd watch per prefix and one decode per event, however many controllers hear it", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.mgr.register(endpointsController(h.reg));
      h.mgr.register(endpointSliceController(h.reg));
      h.mgr.register(replicaSetController(h.reg));
      h.mgr.register(garbageCollector(h.reg));
      const watchersBefore = h.etcd.watcherCount();
      h.settle();
      // Four controllers watch pods (and services, replicasets, ...): still one etcd watch per prefix.
      expect(h.etcd.watcherCount() - watchersBefore).toBe(h.mgr.shared.watchCount());
      runningPod(h.reg, h.ctx, "a", { app: "web" }, "10.244.1.2");
      h.settle();
      const before = h.mgr.shared.decodes;
      for (let i = 0; i < 10; i++) {
        h.reg.guaranteedUpdate(podsR, "default", "a", h.ctx(), (cur) => ({ ...cur, metadata: { ...cur.metadata, annotations: { n: String(i) } } }));
      }
      expect(h.mgr.shared.decodes - before).toBe(10);
    }));

  it("a store mirrors etcd: adds, updates, deletes; frozen objects; bounded by what exists", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.mgr.register(endpointsController(h.reg));
      h.settle();
      for (let i = 0; i < 20; i++) runningPod(h.reg, h.ctx, `p${String(i).padStart(2, "0")}`, { app: "web" }, `10.244.1.${i + 2}`, i % 2 ? "other" : "default");
      const cache = h.mgr.shared;
      const same = (ns?: string) => expect(cache.list(podsR, ns).map((p) => [p.metadata.name, p.metadata.resourceVersion])).toEqual(h.reg.list(podsR, ns).items.map((p) => [p.metadata.name, p.metadata.resourceVersion]));
      same("default");
      same("other");
      same(undefined);
      expect(cache.sizes()["/registry/pods/"]).toBe(20);
      const p = cache.get(podsR, "default", "p00")!;
      expect(Object.isFrozen(p) && Object.isFrozen(p.metadata) && Object.isFrozen(p.status)).toBe(true);
      expect(() => { (p.metadata as any).name = "x"; }).toThrow(TypeError);

      h.reg.guaranteedUpdate(podsR, "default", "p02", h.ctx(), (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { app: "db" } } }));
      expect(cache.get(podsR, "default", "p02")!.metadata.labels).toEqual({ app: "db" });
      for (let i = 0; i < 20; i++) h.reg.delete(podsR, i % 2 ? "other" : "default", `p${String(i).padStart(2, "0")}`, h.ctx(), { gracePeriodSeconds: 0 });
      same(undefined);
      expect(cache.sizes()["/registry/pods/"]).toBe(h.reg.list(podsR, undefined).items.length);
      expect(cache.list(podsR, "other")).toEqual([]);
    }));

  it("after an etcd restore the stores are listed again and the controllers relist: Endpoints follow the restored pods", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.mgr.register(endpointsController(h.reg));
      h.mgr.register(endpointSliceController(h.reg));
      h.reg.create(svcR, "default", service("web", { app: "web" }), h.ctx());
      runningPod(h.reg, h.ctx, "a", { app: "web" }, "10.244.1.2");
      h.settle();
      expect(addresses(h.reg, "web")).toEqual(["a"]);
      const snap = h.etcd.snapshot();
      runningPod(h.reg, h.ctx, "b", { app: "web" }, "10.244.1.3");
      h.settle();
      expect(addresses(h.reg, "web")).toEqual(["a", "b"]);
      expect(h.mgr.shared.list(podsR, "default").map((p) => p.metadata.name)).toEqual(["a", "b"]);

      const relists = h.mgr.relists;
      h.etcd.restore(snap);
      expect(h.mgr.relists).toBeGreaterThan(relists);
      // The store no longer holds "b": it is what the snapshot holds.
      expect(names(h.mgr.shared.list(podsR, "default"))).toEqual(["a"]);
      h.settle();
      // The controllers relisted and agree with the restored pods.
      expect(addresses(h.reg, "web")).toEqual(["a"]);
      expect(sliced(h.reg, "web")).toEqual(["a"]);
      // And the watches work again: a new pod is seen by the store and the controllers.
      runningPod(h.reg, h.ctx, "c", { app: "web" }, "10.244.1.4");
      h.settle();
      expect(addresses(h.reg, "web")).toEqual(["a", "c"]);
      expect(sliced(h.reg, "web")).toEqual(["a", "c"]);
      expect(names(h.mgr.shared.list(podsR, "default"))).toEqual(["a", "c"]);
    }));

  it("a pod moving out of a Service's selector leaves its Endpoints and EndpointSlices", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.mgr.register(endpointsController(h.reg));
      h.mgr.register(endpointSliceController(h.reg));
      h.reg.create(svcR, "default", service("web", { app: "web" }), h.ctx());
      h.reg.create(svcR, "default", service("db", { app: "db" }), h.ctx());
      runningPod(h.reg, h.ctx, "a", { app: "web" }, "10.244.1.2");
      runningPod(h.reg, h.ctx, "b", { app: "web" }, "10.244.1.3");
      h.settle();
      expect(addresses(h.reg, "web")).toEqual(["a", "b"]);
      expect(sliced(h.reg, "web")).toEqual(["a", "b"]);

      // b is relabelled: the old labels concern "web", the new ones "db".
      const prev = h.reg.get(podsR, "default", "b");
      const moved = h.reg.guaranteedUpdate(podsR, "default", "b", h.ctx(), (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { app: "db" } } }));
      expect(serviceKeysForPod(h.mgr.shared, moved, prev).sort()).toEqual(["default/db", "default/web"]);
      h.settle();
      expect(addresses(h.reg, "web")).toEqual(["a"]);
      expect(sliced(h.reg, "web")).toEqual(["a"]);
      expect(addresses(h.reg, "db")).toEqual(["b"]);
      expect(sliced(h.reg, "db")).toEqual(["b"]);

      // The Service's selector changes instead: parsed again for the new version, once.
      const v1 = h.mgr.shared.get(svcR, "default", "web")!;
      expect(serviceSelector(v1)).toBe(serviceSelector(v1));
      h.reg.guaranteedUpdate(svcR, "default", "web", h.ctx(), (cur) => ({ ...cur, spec: { ...cur.spec, selector: { app: "db" } } }));
      const v2 = h.mgr.shared.get(svcR, "default", "web")!;
      expect(v2).not.toBe(v1);
      expect(serviceSelector(v2)!.matches({ app: "db" })).toBe(true);
      h.settle();
      expect(addresses(h.reg, "web")).toEqual(["b"]);
      expect(sliced(h.reg, "web")).toEqual(["b"]);
    }));

  it("the garbage collector's graph reads nothing from etcd per event and shrinks with what is deleted", () =>
    withSql((sql) => {
      const h = setup(sql);
      const gc = garbageCollector(h.reg);
      h.mgr.register(gc);
      h.mgr.register(replicaSetController(h.reg));
      h.settle();
      const base = gc.graphSizes();
      const rs = h.reg.create(rsR, "default", {
        apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web" },
        spec: { replicas: 5, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
      }, h.ctx());
      for (let i = 0; i < 5; i++) h.settle();
      expect(h.reg.list(podsR, "default").items).toHaveLength(5);
      expect(gc.graphSizes().owners - base.owners).toBe(5);
      expect(gc.graphSizes().dependents - base.dependents).toBe(1);

      // Pod status churn: the collector's keys() read etcd not once.
      let reads = 0;
      const get = h.etcd.get.bind(h.etcd);
      const keys = gc.watches.find((w) => w.prefix === "/registry/pods/")!;
      const orig = keys.keys;
      keys.keys = (obj, prev, ev) => {
        h.etcd.get = (k: string) => { reads++; return get(k); };
        try { return orig(obj, prev, ev); } finally { h.etcd.get = get; }
      };
      for (const p of h.reg.list(podsR, "default").items) {
        h.reg.guaranteedUpdate(podsR, "default", p.metadata.name!, h.ctx(), (cur) => ({ ...cur, status: { phase: "Running" } }), "status");
      }
      expect(reads).toBe(0);

      // The ReplicaSet goes (background): its pods follow, and the graph is back where it was.
      h.reg.delete(rsR, "default", rs.metadata.name!, h.ctx());
      for (let i = 0; i < 5; i++) {
        h.tick(1000);
        h.settle();
        for (const p of h.reg.list(podsR, "default").items) h.reg.delete(podsR, "default", p.metadata.name!, h.ctx(), { gracePeriodSeconds: 0 });
      }
      expect(h.reg.list(podsR, "default").items).toHaveLength(0);
      expect(gc.graphSizes()).toEqual(base);
    }));
});

describe("EndpointSlice tracker", () => {
  it("the controller's own slice writes do not requeue the Service; someone else's do", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.mgr.register(endpointSliceController(h.reg));
      h.reg.create(svcR, "default", service("web", { app: "web" }), h.ctx());
      h.settle();
      const syncs = () => h.mgr.reconciles.get("endpointslice") ?? 0;
      const before = syncs();
      runningPod(h.reg, h.ctx, "a", { app: "web" }, "10.244.1.2");
      h.settle();
      expect(sliced(h.reg, "web")).toEqual(["a"]);
      expect(syncs() - before).toBe(1); // one sync wrote the slice; its event did not bring a second
      expect(h.mgr.pending()).toBe(0);

      // A user empties the managed slice: the controller hears it and puts the endpoint back.
      const slice = h.reg.list(slicesR, "default").items.find((x) => x.metadata.labels?.["kubernetes.io/service-name"] === "web")!;
      h.reg.guaranteedUpdate(slicesR, "default", slice.metadata.name!, h.ctx(), (cur) => ({ ...cur, endpoints: [] }));
      expect(sliced(h.reg, "web")).toEqual([]);
      h.settle();
      expect(sliced(h.reg, "web")).toEqual(["a"]);
    }));
});

describe("work queue slices", () => {
  it("run(limit) reconciles at most limit due keys, earliest first, and says the rest is due now", () =>
    withSql((sql) => {
      const h = setup(sql);
      const done: string[] = [];
      const later = new Set(["ns/late"]);
      h.mgr.register({
        name: "order", watches: [],
        resync: () => ["ns/c", "ns/a", "ns/late", "ns/b"],
        reconcile: (key) => {
          done.push(key);
          // The first pass of "late" asks to be looked at again in 5 s.
          if (later.delete(key)) return { requeueAfter: 5000 };
        },
      });
      expect(h.mgr.run(2)).not.toBeNull();
      expect(done).toHaveLength(2);
      expect(h.mgr.pending()).toBe(2);
      const next = h.mgr.run(10);
      expect(done.slice().sort()).toEqual(["ns/a", "ns/b", "ns/c", "ns/late"]);
      // Only the requeued key is left, 5 s from now; a run before then does nothing.
      expect(h.mgr.pending()).toBe(1);
      expect(h.mgr.run(10)).toBe(next);
      expect(done).toHaveLength(4);
      h.tick(5000);
      expect(h.mgr.run(10)).toBeNull();
      expect(done.at(-1)).toBe("ns/late");
    }));
});
