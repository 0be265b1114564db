// Containment in the control plane: a malformed stored object, a restarted object, an etcd
// restore or a failing node sync must never stop the work on everything else.
import { env, exports } from "cloudflare:workers";
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, newClassroom, type Classroom } from "../api-helpers";
import { withSql } from "../helpers";
import { Etcd } from "../../../src/control-plane/etcd/store";
import { Registry } from "../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../src/control-plane/api-server/resources";
import { ControllerManager, type Controller } from "../../../src/control-plane/controller-manager/manager";
import { FaultLog, MAX_FAULT_COMPONENTS, RECENT_FAULTS } from "../../../src/control-plane/faults";
import { MAX_RETRY_ITEMS } from "../../../src/classroom/control-loop";

const run = (runInDurableObject as unknown) as <T>(stub: unknown, fn: (obj: any) => Promise<T> | T) => Promise<T>;
const worker = () => (exports as any).default as Fetcher;

function stubOf(id: string): any {
  const ns = (env as any).CLASSROOM;
  return ns.get(ns.idFromName(id));
}

async function cluster(nodes = 2) {
  const cls = await newClassroom("contain", nodes);
  const stub = () => stubOf(cls.id);
  await stub().setClock({ paused: true });
  const k = client(cls);
  const advance = (seconds: number) => stub().advance(seconds * 1000);
  return { cls, stub, k, advance };
}

const deployment = (name: string, replicas = 2) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] } } },
});

const job = (name: string) => ({
  apiVersion: "batch/v1", kind: "Job", metadata: { name },
  spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["true"] }] } } },
});

/** Stored objects the API would refuse (they can only come from older data or a direct etcd write). */
const MALFORMED: Record<string, unknown> = {
  "/registry/pods/student-bad/owner-string": { apiVersion: "v1", kind: "Pod", metadata: { name: "owner-string", namespace: "student-bad", uid: "u-1", ownerReferences: "x", labels: null, annotations: null }, spec: null },
  "/registry/pods/student-bad/owner-null": { apiVersion: "v1", kind: "Pod", metadata: { name: "owner-null", namespace: "student-bad", uid: "u-2", ownerReferences: [null], labels: { app: "web" } }, spec: { containers: null } },
};
/**
 * Not even decodable. The API server's own list fails on it too (every kubelet's list of its
 * pods, today), so it is only used where the control plane's start is what is tested.
 */
const UNDECODABLE: Record<string, unknown> = {
  "/registry/pods/student-bad/no-metadata": { apiVersion: "v1", kind: "Pod", metadata: null, spec: {} },
};

async function putMalformed(stub: unknown, objects = MALFORMED): Promise<void> {
  await run(stub, (obj) => {
    for (const [key, value] of Object.entries(objects)) obj.etcd.put(key, JSON.stringify(value));
  });
}

const podsOf = async (k: ReturnType<typeof client>, app: string, ns = "default") =>
  (await k.get(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`)).body.items as any[];

describe("containment", () => {
  it("a malformed pod in etcd neither drops the informers nor stops other Deployments' pods being replaced", async () => {
    const { stub, k, advance } = await cluster(2);
    await advance(1);
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", deployment("web"))).status).toBe(201);
    await advance(30);
    expect(await podsOf(k, "web")).toHaveLength(2);
    const watchersBefore = await run(stub(), (obj) => obj.etcd.watcherCount());
    await putMalformed(stub());
    expect(await run(stub(), (obj) => obj.etcd.watcherCount())).toBe(watchersBefore);

    const victim = (await podsOf(k, "web"))[0].metadata.name;
    expect([200, 202]).toContain((await k.del(`/api/v1/namespaces/default/pods/${victim}`)).status);
    await advance(60);
    const pods = (await podsOf(k, "web")).filter((p) => !p.metadata.deletionTimestamp);
    expect(pods).toHaveLength(2);
    expect(pods.map((p) => p.metadata.name)).not.toContain(victim);
    expect(pods.every((p) => p.spec.nodeName && p.status.phase === "Running")).toBe(true);
    expect(await run(stub(), (obj) => obj.etcd.watcherCount())).toBe(watchersBefore);

    const faults = await run(stub(), (obj) => obj.loop.faults());
    expect(faults.total).toBeGreaterThan(0);
    expect(faults.recent.some((f: any) => f.stage === "informer" && f.key.startsWith("/registry/pods/student-bad/"))).toBe(true);
  });

  it("after a restart with a malformed object in etcd every controller starts", async () => {
    const { cls, stub, k, advance } = await cluster(2);
    await advance(1);
    await putMalformed(stub(), { ...MALFORMED, ...UNDECODABLE });
    await abortAllDurableObjects();
    expect(await run(stub(), (obj) => obj.loop.controllers.started)).toBe(false);
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", deployment("api"))).status).toBe(201);
    expect((await k.post("/apis/batch/v1/namespaces/default/jobs", job("once"))).status).toBe(201);
    await advance(60);
    expect((await k.get("/apis/apps/v1/namespaces/default/replicasets")).body.items).toHaveLength(1);
    const pods = await podsOf(k, "api");
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.spec.nodeName)).toBe(true);
    const jobPods = (await k.get(`/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent("job-name=once")}`)).body.items;
    expect(jobPods.length).toBeGreaterThanOrEqual(1);
    // A controller whose own list cannot take the malformed object waits and retries; nothing else does.
    const unsynced: string[] = await run(stub(), (obj) => obj.loop.controllers.unsynced());
    expect(unsynced).not.toContain("replicaset");
    expect(unsynced).not.toContain("deployment");
    expect(unsynced).not.toContain("job");
    void cls;
  });

  it("after an etcd restore the scheduler and the controllers list again: a new Deployment gets its pods", async () => {
    const { cls, stub, k, advance } = await cluster(2);
    await advance(1);
    const auth = { authorization: `Bearer ${cls.instructorToken}` };
    const snap = await (await worker().fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/snapshot`, { headers: auth })).json();
    const restored = await worker().fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/restore`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(snap) });
    expect(restored.status).toBe(200);
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", deployment("after"))).status).toBe(201);
    await advance(60);
    expect((await k.get("/apis/apps/v1/namespaces/default/replicasets")).body.items).toHaveLength(1);
    const pods = await podsOf(k, "after");
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.spec.nodeName && p.status.phase === "Running")).toBe(true);
    const relists = await run(stub(), (obj) => ({ cm: obj.loop.controllers.relists, sched: obj.loop.scheduler.relists }));
    expect(relists.cm).toBeGreaterThan(0);
    expect(relists.sched).toBeGreaterThan(0);
  });

  it("an owner whose onClose throws once still relists after an etcd restore: a new Deployment gets its ReplicaSet and pods", async () => {
    const { cls, stub, k, advance } = await cluster(2);
    await advance(1);
    // Every watch owner (informers, scheduler, indexes, live feed) fails the first time it is told.
    const owners = await run(stub(), (obj) => {
      let n = 0;
      for (const sub of obj.etcd.hub.subs) {
        const own = sub.onClose;
        let first = true;
        sub.onClose = (err: Error) => {
          if (first) { first = false; throw new Error("owner's onClose failed"); }
          own?.(err);
        };
        n++;
      }
      return n;
    });
    expect(owners).toBeGreaterThan(2);
    const auth = { authorization: `Bearer ${cls.instructorToken}` };
    const snap = await (await worker().fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/snapshot`, { headers: auth })).json();
    const restored = await worker().fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/restore`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(snap) });
    expect(restored.status).toBe(200);
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", deployment("heard"))).status).toBe(201);
    await advance(60);
    const rss = (await k.get("/apis/apps/v1/namespaces/default/replicasets")).body.items;
    expect(rss.map((r: any) => r.metadata.ownerReferences?.[0]?.name)).toEqual(["heard"]);
    const pods = await podsOf(k, "heard");
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.spec.nodeName && p.status.phase === "Running")).toBe(true);
    const after = await run(stub(), (obj) => ({ cm: obj.loop.controllers.relists, sched: obj.loop.scheduler.relists, unheard: obj.etcd.hub.unheard?.size ?? 0 }));
    expect(after.cm).toBeGreaterThan(0);
    expect(after.sched).toBeGreaterThan(0);
    expect(after.unheard).toBe(0);
  });

  it("a node sync that throws is recorded and retried; the scheduler and controllers still run in the same alarm run", async () => {
    const { stub, k, advance } = await cluster(2);
    await advance(1);
    await run(stub(), (obj) => {
      const nodes = obj.loop.nodes;
      const sync = nodes.sync.bind(nodes);
      obj.failSyncs = 0;
      nodes.sync = async (node: string, now: number) => {
        if (obj.failNode === node) {
          obj.failSyncs++;
          throw new Error("node RPC rejected");
        }
        return sync(node, now);
      };
      obj.failNode = "node-1";
    });
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", deployment("busy", 4))).status).toBe(201);
    // One run: node-1 is due before the scheduler; its failure must not keep the others from running.
    await run(stub(), async (obj) => {
      obj.loop.due.at("node:node-1", obj.loop.now());
      await obj.loop.runDue();
    });
    const pods = await podsOf(k, "busy");
    expect(pods).toHaveLength(4);
    expect(pods.every((p) => p.spec.nodeName)).toBe(true);
    const first = await run(stub(), (obj) => ({ fails: obj.failSyncs, faults: obj.loop.faults(), retry: obj.loop.due.all() }));
    expect(first.fails).toBeGreaterThanOrEqual(1);
    expect(first.faults.byComponent.kubelet).toBeGreaterThanOrEqual(1);
    expect(first.retry.map((d: any) => d.name)).toContain("node:node-1");

    await advance(20);
    const retried = await run(stub(), (obj) => obj.failSyncs);
    expect(retried).toBeGreaterThan(first.fails); // tried again, with back-off
    await run(stub(), (obj) => { obj.failNode = undefined; });
    await advance(60);
    const after = await podsOf(k, "busy");
    expect(after.every((p) => p.status.phase === "Running")).toBe(true);
    expect(await run(stub(), (obj) => obj.loop.retrying().has("node:node-1"))).toBe(false);
  });

  it("a malformed node or pending pod does not stop the scheduling of other pods", async () => {
    const { stub, k, advance } = await cluster(2);
    await advance(1);
    await run(stub(), (obj) => {
      obj.etcd.put("/registry/nodes/broken", JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: "broken", uid: "n-b", labels: null }, spec: null, status: { capacity: "lots", conditions: "x" } }));
      obj.etcd.put("/registry/pods/default/pending-bad", JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "pending-bad", namespace: "default", uid: "p-b" }, spec: { containers: "x", tolerations: 7, affinity: "y" } }));
    });
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", deployment("fine"))).status).toBe(201);
    await advance(60);
    const pods = await podsOf(k, "fine");
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.spec.nodeName === "node-1" || p.spec.nodeName === "node-2")).toBe(true);
  });

  it("keeps its fault records bounded", async () => {
    const lines: string[] = [];
    const log = new FaultLog((l) => lines.push(l));
    for (let i = 0; i < 500; i++) log.record(`component-${i % 200}`, "reconcile", `ns/obj-${i}`, new Error("x".repeat(2000)), i);
    const r = log.report();
    expect(r.total).toBe(500);
    expect(r.recent).toHaveLength(RECENT_FAULTS);
    expect(r.recent.at(-1)!.at).toBe(499);
    expect(Object.keys(r.byComponent).length).toBeLessThanOrEqual(MAX_FAULT_COMPONENTS);
    expect(Object.values(r.byComponent).reduce((a, b) => a + b, 0)).toBe(500);
    expect(r.recent.every((f) => f.message.length <= 301)).toBe(true);
    expect(lines).toHaveLength(500);
    for (let i = 0; i < 1000; i++) log.recordOnce(`k${i}`, "kube-scheduler", "list", `k${i}`, new Error("bad"), i);
    log.recordOnce("k999", "kube-scheduler", "list", "k999", new Error("bad"), 1000); // already reported
    expect(log.total).toBe(1500);
    expect(log.sizes().once).toBeLessThanOrEqual(256);
  });

  it("bounds the failing due items it remembers, and its fault ring", async () => {
    const cls: Classroom = await newClassroom("contain-bound", 0);
    const stub = stubOf(cls.id);
    await stub.setClock({ paused: true });
    const report = await run(stub, async (obj) => {
      const ghosts = Array.from({ length: MAX_RETRY_ITEMS + 50 }, (_, i) => `ghost-${i}`);
      obj.loop.nodes.running = () => ghosts;
      obj.loop.nodes.sync = async () => { throw new Error("unreachable"); };
      for (const g of ghosts) obj.loop.due.at(`node:${g}`, obj.loop.now());
      await obj.loop.runDue({ budgetRealMs: Infinity }); // all of it, not one alarm's slice
      return { retrying: obj.loop.retrying().size, faults: obj.loop.faults(), due: obj.loop.due.all().length };
    });
    expect(report.retrying).toBe(MAX_RETRY_ITEMS);
    expect(report.faults.recent).toHaveLength(RECENT_FAULTS);
    expect(report.faults.byComponent.kubelet).toBe(MAX_RETRY_ITEMS + 50);
    expect(report.due).toBeGreaterThanOrEqual(MAX_RETRY_ITEMS + 50); // every one of them is retried later
  });

  it("backs off a failing reconcile up to a bound and keeps the other controllers' keys moving", async () => {
    await withSql((sql) => {
      const etcd = new Etcd(sql);
      const reg = new Registry(etcd);
      const clock = { now: 1_000_000 };
      const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
      const done: string[] = [];
      const bad: Controller = { name: "bad", watches: [], resync: () => ["ns/a"], reconcile: () => { throw new Error("boom"); } };
      const good: Controller = { name: "good", watches: [], resync: () => ["ns/b"], reconcile: (key) => { done.push(key); } };
      const brokenList: Controller = { name: "broken-list", watches: [], resync: () => { throw new Error("cannot list"); }, reconcile: () => {} };
      cm.register(brokenList);
      cm.register(bad);
      cm.register(good);
      cm.run();
      expect(done).toEqual(["ns/b"]);
      expect(cm.unsynced()).toEqual(["broken-list"]);
      // The failing list is retried, at most 30 s apart (the reflector's back-off).
      for (let i = 0; i < 20; i++) {
        const next = cm.run()!;
        expect(next - clock.now).toBeLessThanOrEqual(30_000);
        clock.now = next;
      }
      expect(cm.faults.counts.get("kube-controller-manager/broken-list")).toBeGreaterThan(5);
      // The failing reconcile backs off, doubling, to at most 1000 s.
      const solo = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
      solo.register(bad);
      let next = solo.run();
      const gaps: number[] = [];
      for (let i = 0; i < 40 && next !== null; i++) {
        gaps.push(next - clock.now);
        clock.now = next;
        next = solo.run();
      }
      expect(gaps.at(-1)).toBe(1000 * 1000);
      expect(Math.max(...gaps)).toBe(1000 * 1000);
      expect(gaps.slice(0, 3)).toEqual([5, 10, 20]); // client-go: 5 ms doubling
      expect(solo.faults.counts.get("kube-controller-manager/bad")).toBe(41);
      expect(solo.faults.sizes().recent).toBe(41);
      expect(solo.pending()).toBe(1);
    });
  });

  it("a failing key is pulled forward by events at most every 5 s, not once per event (found by the hostile student)", async () => {
    await withSql((sql) => {
      const etcd = new Etcd(sql);
      const reg = new Registry(etcd);
      const clock = { now: 1_000_000 };
      const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
      let runs = 0;
      // Like a Job refused every pod by quota while its other pods keep changing status.
      const failing: Controller = {
        name: "failing", watches: [{ prefix: "/registry/churn/", keys: () => ["ns/a"] }], resync: () => ["ns/a"],
        reconcile: () => { runs++; throw new Error("exceeded quota"); },
      };
      cm.register(failing);
      for (let ms = 0; ms < 10_000; ms += 10) {
        clock.now = 1_000_000 + ms;
        etcd.put("/registry/churn/x", JSON.stringify({ metadata: { name: "x" }, at: ms })); // an event every 10 ms
        cm.run();
      }
      expect(runs).toBeGreaterThanOrEqual(8); // the back-off's first steps ran
      expect(runs).toBeLessThanOrEqual(15); // not 1,000
    });
  });

  it("records a Warning Event on the object whose reconcile fails", async () => {
    await withSql((sql) => {
      const etcd = new Etcd(sql);
      const reg = new Registry(etcd);
      const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
      const w = { user: { username: "t", groups: ["system:masters"] }, now: new Date(clock.now) };
      reg.create(findResource("", "v1", "namespaces")!, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, w);
      reg.create(findResource("apps", "v1", "replicasets")!, "default", {
        apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" },
        spec: { replicas: 1, selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
      }, w);
      const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
      cm.register({ name: "replicaset", watches: [], resync: () => ["default/rs"], reconcile: () => { throw new Error("cannot sync"); } });
      for (let i = 0; i < 3; i++) {
        clock.now = cm.run() ?? clock.now;
      }
      const events = reg.list(findResource("", "v1", "events")!, "default").items.filter((e) => e.reason === "ReconcileError");
      expect(events).toHaveLength(1); // repeats are counted on the one Event
      expect(events[0]).toMatchObject({ type: "Warning", involvedObject: { kind: "ReplicaSet", name: "rs" }, source: { component: "replicaset-controller" } });
      expect(events[0].message).toContain("cannot sync");
      expect(events[0].count).toBeGreaterThanOrEqual(2);
    });
  });
});
