// The whole cluster in the Workers pool: classroom object, node objects, scheduler and kubelets,
// with simulated time moved by hand (the clock is paused; advance() runs what is due, in order).
import { env } from "cloudflare:workers";
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, newClassroom, pod } from "../api-helpers";

function stubOf(id: string): any {
  const ns = (env as any).CLASSROOM;
  return ns.get(ns.idFromName(id));
}

async function cluster(nodes = 3) {
  const cls = await newClassroom("cluster", nodes);
  const stub = stubOf(cls.id);
  await stub.setClock({ paused: true });
  const k = client(cls);
  const advance = (seconds: number) => stub.advance(seconds * 1000);
  return { cls, stub, k, advance };
}

const events = async (k: ReturnType<typeof client>, name: string) =>
  (await k.get(`/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`)).body.items as any[];

describe("data plane and scheduler", () => {
  it("nodes register Ready with capacity, labels and a lease", async () => {
    const { k, advance } = await cluster(3);
    await advance(1);
    const nodes = (await k.get("/api/v1/nodes")).body.items;
    expect(nodes.map((n: any) => n.metadata.name)).toEqual(["node-1", "node-2", "node-3"]);
    for (const n of nodes) {
      expect(n.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
      expect(n.status.allocatable.pods).toBe("110");
      expect(n.metadata.labels["kubernetes.io/hostname"]).toBe(n.metadata.name);
      expect(n.metadata.labels["topology.kubernetes.io/zone"]).toMatch(/^kubeclass-1[abc]$/);
    }
    expect(new Set(nodes.map((n: any) => n.metadata.labels["topology.kubernetes.io/zone"])).size).toBe(3);
    const lease = (await k.get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1")).body;
    expect(lease.spec.holderIdentity).toBe("node-1");
  });

  it("a pod is scheduled, pulled, started and Running with an IP; events tell the story", async () => {
    const { k, advance } = await cluster(3);
    await advance(1);
    await k.post("/api/v1/namespaces/default/pods", pod("web"));
    await advance(60);
    const p = (await k.get("/api/v1/namespaces/default/pods/web")).body;
    expect(p.spec.nodeName).toMatch(/^node-\d$/);
    expect(p.status.phase).toBe("Running");
    expect(p.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(p.status.containerStatuses[0]).toMatchObject({ name: "nginx", ready: true, started: true, restartCount: 0 });
    const reasons = (await events(k, "web")).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(["Scheduled", "Pulling", "Pulled", "Created", "Started"]));
    const scheduled = (await events(k, "web")).find((e) => e.reason === "Scheduled");
    expect(scheduled.message).toBe(`Successfully assigned default/web to ${p.spec.nodeName}`);
    expect(scheduled.source.component).toBe("default-scheduler");
  });

  it("a pod too big for any node stays Pending with the real FailedScheduling message", async () => {
    const { k, advance } = await cluster(3);
    await advance(1);
    await k.post("/api/v1/namespaces/default/pods", { ...pod("huge"), spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "64" } } }] } });
    await advance(5);
    const p = (await k.get("/api/v1/namespaces/default/pods/huge")).body;
    expect(p.spec.nodeName).toBeUndefined();
    const cond = p.status.conditions.find((c: any) => c.type === "PodScheduled");
    expect(cond).toMatchObject({ status: "False", reason: "Unschedulable" });
    expect(cond.message).toBe("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
    const failed = (await events(k, "huge")).find((e) => e.reason === "FailedScheduling");
    expect(failed.type).toBe("Warning");
    expect(failed.message).toBe(cond.message);
  });

  it("an idle, converged cluster sets no alarm", async () => {
    const { cls, stub, k, advance } = await cluster(2);
    await k.post("/api/v1/namespaces/default/pods", pod("quiet"));
    await advance(60);
    const run = (runInDurableObject as unknown) as (stub: unknown, fn: (obj: any) => Promise<void>) => Promise<void>;
    await run(stub, async (obj) => {
      // The clock stays paused here, so no real alarm can run alongside this check.
      obj.loop.lastActivityReal = 0; // nobody has been here for a long time
      obj.loop.due.set("heartbeat", obj.loop.now()); // the last heartbeat is due now
      await obj.loop.runDue();
      // Nothing runs by itself any more: only the controllers' next looks (lease expiry) remain,
      // and they wait for time to move.
      expect(obj.loop.due.all().map((d: any) => d.name)).not.toContain("heartbeat");
      expect(obj.loop.due.all().filter((d: any) => d.name.startsWith("node:"))).toEqual([]);
    });
    // The clock runs; the classroom goes idle: time pauses itself and no alarm is left set.
    await stub.setClock({ paused: false, speed: 1 });
    await run(stub, async (obj) => {
      obj.loop.lastActivityReal = 0;
      obj.loop.due.set("heartbeat", obj.loop.now());
      await obj.loop.runDue();
      expect(obj.loop.clockState().paused).toBe(true);
      expect(await obj.ctx.storage.getAlarm()).toBeNull();
      // The next request resumes it.
      obj.loop.touch();
      expect(obj.loop.clockState().paused).toBe(false);
    });
    // Node objects never keep an alarm: the classroom's one timer wakes their kubelets.
    const nodes = (env as any).NODE;
    for (const name of ["node-1", "node-2"]) {
      await run(nodes.get(nodes.idFromName(`${cls.id}/${name}`)), async (node) => {
        expect(node.config()?.name).toBe(name);
        expect(await node.ctx.storage.getAlarm()).toBeNull();
      });
    }
    expect(cls.id).toBeTruthy();
  });

  it("a request to a Service goes through kube-proxy to a ready pod behind it", async () => {
    const { cls, k, advance } = await cluster(2);
    for (const n of ["web-1", "web-2"]) await k.post("/api/v1/namespaces/default/pods", pod(n, { app: "web" }));
    await k.post("/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 80 }] } });
    await advance(60);
    const slices = (await k.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb")).body.items;
    expect(slices).toHaveLength(1);
    expect(slices[0].endpoints.map((e: any) => e.targetRef.name).sort()).toEqual(["web-1", "web-2"]);
    expect((await k.get("/api/v1/namespaces/default/endpoints/web")).body.subsets[0].addresses).toHaveLength(2);

    const { exports } = await import("cloudflare:workers");
    const ask = async (body: unknown) => (await (exports as any).default.fetch(`http://kubeclass.test/api/classrooms/${cls.id}/requests`, {
      method: "POST", headers: { authorization: `Bearer ${cls.instructorToken}`, "content-type": "application/json" }, body: JSON.stringify(body),
    })).json() as Promise<any>;
    const answered = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await ask({ from: { pod: { namespace: "default", name: "web-1" } }, to: { service: { namespace: "default", name: "web", port: 80 } } });
      expect(r.ok).toBe(true);
      expect(r.via).toBe("ClusterIP");
      answered.add(r.endpoint.pod.name);
    }
    expect([...answered].sort()).toEqual(["web-1", "web-2"]);
    const none = await ask({ from: { node: "node-1" }, to: { clusterIP: "10.96.0.250", port: 80 } });
    expect(none).toMatchObject({ ok: false, error: "no such service" });
  });

  it("the instructor adds and removes nodes; removal takes its pods (as PodGC would)", async () => {
    const { cls, k, advance } = await cluster(1);
    const { exports } = await import("cloudflare:workers");
    const call = (method: string, path: string, body?: unknown) => (exports as any).default.fetch(`http://kubeclass.test/api/classrooms/${cls.id}${path}`, {
      method, headers: { authorization: `Bearer ${cls.instructorToken}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect((await call("POST", "/nodes", { name: "big", size: "kc-standard-4" })).status).toBe(201);
    expect((await call("POST", "/nodes", { name: "big" })).status).toBe(409);
    expect((await call("POST", "/nodes", { size: "huge" })).status).toBe(400);
    await advance(5);
    const big = (await k.get("/api/v1/nodes/big")).body;
    expect(big.status.capacity.cpu).toBe("4");
    await k.post("/api/v1/namespaces/default/pods", { ...pod("pinned"), spec: { nodeName: "big", containers: [{ name: "c", image: "nginx" }] } });
    await advance(30);
    expect((await call("DELETE", "/nodes/big")).status).toBe(200);
    expect((await k.get("/api/v1/nodes/big")).status).toBe(404);
    expect((await k.get("/api/v1/namespaces/default/pods/pinned")).status).toBe(404);
    expect((await call("DELETE", "/nodes/big")).status).toBe(404);
  });

  it("the scoring strategy is a classroom setting: MostAllocated packs, LeastAllocated spreads; decisions are readable", async () => {
    const { cls, k, advance } = await cluster(3);
    const { exports } = await import("cloudflare:workers");
    const call = (method: string, path: string, body?: unknown) => (exports as any).default.fetch(`http://kubeclass.test/api/classrooms/${cls.id}${path}`, {
      method, headers: { authorization: `Bearer ${cls.instructorToken}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    await advance(1);
    const place = async (prefix: string) => {
      for (let i = 0; i < 6; i++) await k.post("/api/v1/namespaces/default/pods", { ...pod(`${prefix}-${i}`), spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "200m", memory: "256Mi" } } }] } });
      await advance(2);
      const items = (await k.get(`/api/v1/namespaces/default/pods`)).body.items.filter((p: any) => p.metadata.name.startsWith(prefix));
      return new Set(items.map((p: any) => p.spec.nodeName)).size;
    };
    expect(await place("spread")).toBe(3);
    const bad = await call("PUT", "/scheduler/profile", { scoringStrategy: { type: "Sideways" } });
    expect(bad.status).toBe(422);
    expect((await call("PUT", "/scheduler/profile", { scoringStrategy: { type: "MostAllocated", resources: [{ name: "cpu", weight: 1 }, { name: "memory", weight: 1 }] } })).status).toBe(200);
    expect(await place("pack")).toBe(1);

    const decisions = await (await call("GET", "/scheduler/decisions?namespace=default&pod=pack-0")).json() as any;
    const rec = decisions.items[0];
    expect(rec.pod.name).toBe("pack-0");
    expect(rec.chosen).toMatch(/^node-\d$/);
    expect(rec.scores.some((s: any) => s.plugin === "NodeResourcesFit")).toBe(true);
    expect(Object.keys(rec.totals).length).toBeGreaterThan(0);
  });

  it("a higher-priority pod preempts a lower one when nothing else fits (PriorityClass → spec.priority)", async () => {
    const { k, advance } = await cluster(1); // node-1: 2 cpu, 1930m allocatable
    await k.post("/apis/scheduling.k8s.io/v1/priorityclasses", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high" }, value: 1000 });
    const unknown = await k.post("/api/v1/namespaces/default/pods", { ...pod("x"), spec: { priorityClassName: "nope", containers: [{ name: "c", image: "nginx" }] } });
    expect(unknown.status).toBe(403);
    expect(unknown.body.message).toContain("no PriorityClass with name nope was found");
    const big = (name: string, extra = {}) => ({ ...pod(name), spec: { ...extra, containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "1500m" } } }] } });
    await k.post("/api/v1/namespaces/default/pods", big("low"));
    await advance(30);
    expect((await k.get("/api/v1/namespaces/default/pods/low")).body.status.phase).toBe("Running");
    const created = await k.post("/api/v1/namespaces/default/pods", big("vip", { priorityClassName: "high" }));
    expect(created.body.spec).toMatchObject({ priority: 1000, preemptionPolicy: "PreemptLowerPriority" });
    await advance(2);
    const vip = (await k.get("/api/v1/namespaces/default/pods/vip")).body;
    // First refused, which preempts low; low's nginx stops within its grace period and vip takes the room.
    expect((await events(k, "vip")).map((e) => e.reason)).toEqual(expect.arrayContaining(["FailedScheduling", "Scheduled"]));
    expect(vip.spec.nodeName).toBe("node-1");
    expect(vip.status.nominatedNodeName).toBeUndefined(); // cleared by the binding
    expect((await events(k, "low")).map((e) => e.reason)).toContain("Preempted");
    await advance(60);
    expect((await k.get("/api/v1/namespaces/default/pods/low")).status).toBe(404);
    const after = (await k.get("/api/v1/namespaces/default/pods/vip")).body;
    expect(after.spec.nodeName).toBe("node-1");
    expect(after.status.phase).toBe("Running");
  });

  it("a stopped node goes NotReady, is tainted unreachable, and its pods are evicted after 300 s; started, it recovers", async () => {
    const { cls, k, advance } = await cluster(1);
    const { exports } = await import("cloudflare:workers");
    const call = (path: string) => (exports as any).default.fetch(`http://kubeclass.test/api/classrooms/${cls.id}${path}`, { method: "POST", headers: { authorization: `Bearer ${cls.instructorToken}` } });
    await k.post("/api/v1/namespaces/default/pods", pod("web"));
    await advance(30);
    expect((await call("/nodes/node-1/stop")).status).toBe(200);
    await advance(45);
    const node = (await k.get("/api/v1/nodes/node-1")).body;
    expect(node.status.conditions.find((c: any) => c.type === "Ready")).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    expect(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`).sort()).toEqual(["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]);
    expect((await k.get("/api/v1/namespaces/default/pods/web")).body.metadata.deletionTimestamp).toBeUndefined();
    await advance(300); // the default toleration of unreachable: 300 s
    const evicted = (await k.get("/api/v1/namespaces/default/pods/web")).body;
    expect(evicted.metadata.deletionTimestamp).toBeTruthy(); // Terminating: its kubelet is away
    expect((await events(k, "web")).map((e) => e.reason)).toContain("TaintManagerEviction");
    expect((await call("/nodes/node-1/start")).status).toBe(200);
    await advance(60);
    const back = (await k.get("/api/v1/nodes/node-1")).body;
    expect(back.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
    expect(back.spec.taints).toBeUndefined();
    expect((await k.get("/api/v1/namespaces/default/pods/web")).status).toBe(404);
  });

  it("controllers converge: a Deployment runs its pods, replaces a deleted one, and cascades on delete; a namespace empties and goes", async () => {
    const { k, advance } = await cluster(3);
    await advance(1);
    const dep = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] } } } };
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", dep)).status).toBe(201);
    await advance(60);
    const d = (await k.get("/apis/apps/v1/namespaces/default/deployments/web")).body;
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
    const rs = (await k.get("/apis/apps/v1/namespaces/default/replicasets")).body.items;
    expect(rs).toHaveLength(1);
    expect(rs[0].metadata.ownerReferences[0]).toMatchObject({ kind: "Deployment", name: "web", controller: true });
    const pods = () => k.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb").then((r) => r.body.items as any[]);
    const running = (await pods()).filter((p) => p.status.phase === "Running");
    expect(running).toHaveLength(3);
    expect(running[0].metadata.name).toMatch(new RegExp(`^${rs[0].metadata.name}-[a-z0-9]{5}$`));

    await k.del(`/api/v1/namespaces/default/pods/${running[0].metadata.name}`);
    await advance(60);
    const after = await pods();
    expect(after.filter((p) => p.status.phase === "Running")).toHaveLength(3);
    expect(after.map((p) => p.metadata.name)).not.toContain(running[0].metadata.name);

    await k.del("/apis/apps/v1/namespaces/default/deployments/web");
    await advance(60);
    expect((await k.get("/apis/apps/v1/namespaces/default/replicasets")).body.items).toHaveLength(0);
    expect(await pods()).toHaveLength(0);

    await k.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "lab" } });
    await advance(1);
    expect((await k.get("/api/v1/namespaces/lab/serviceaccounts/default")).status).toBe(200);
    await k.post("/api/v1/namespaces/lab/pods", pod("p"));
    await k.post("/apis/batch/v1/namespaces/lab/jobs", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "pi" }, spec: { completions: 2, parallelism: 1, template: { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "busybox", command: ["sh", "-c", "echo 3.14"] }] } } } });
    await advance(120);
    const job = (await k.get("/apis/batch/v1/namespaces/lab/jobs/pi")).body;
    expect(job.status.succeeded).toBe(2);
    expect(job.status.conditions.map((c: any) => c.type)).toContain("Complete");
    await k.del("/api/v1/namespaces/lab");
    expect((await k.get("/api/v1/namespaces/lab")).body.status.phase).toBe("Terminating");
    await advance(120);
    expect((await k.get("/api/v1/namespaces/lab")).status).toBe(404);
  });

  it("evicting every object between any two steps converges on the same state: no duplicate, no orphan", async () => {
    const cls = await newClassroom("evict", 3);
    const stub = () => stubOf(cls.id); // a fresh stub after each eviction
    await stub().setClock({ paused: true });
    const k = client(cls);
    const dep = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 5, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] } } } };
    await k.post("/apis/apps/v1/namespaces/default/deployments", dep);
    // Small steps, each followed by the loss of every object's memory (storage stays).
    const run = (runInDurableObject as unknown) as (stub: unknown, fn: (obj: any) => Promise<void>) => Promise<void>;
    for (let i = 0; i < 40; i++) {
      await stub().advance(1500);
      await abortAllDurableObjects();
      // The eviction really happened: a fresh instance, whose informers have not started yet.
      if (i === 0) await run(stub(), async (obj) => expect(obj.loop.controllers.started).toBe(false));
    }
    await stub().advance(60_000);
    const pods = (await k.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).body.items;
    const rs = (await k.get("/apis/apps/v1/namespaces/default/replicasets")).body.items;
    expect(rs).toHaveLength(1);
    expect(pods).toHaveLength(5);
    expect(pods.every((p: any) => p.status.phase === "Running" && p.metadata.ownerReferences[0].uid === rs[0].metadata.uid)).toBe(true);
    expect(new Set(pods.map((p: any) => p.metadata.name)).size).toBe(5);
    const d = (await k.get("/apis/apps/v1/namespaces/default/deployments/web")).body;
    expect(d.status).toMatchObject({ replicas: 5, availableReplicas: 5, updatedReplicas: 5 });
  });
});
