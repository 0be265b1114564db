// What one pod and one idle heartbeat cost the control plane in API calls from its node, counted
// by verb and resource on the node's own client (call-stats.ts), in a whole classroom with
// simulated time moved by hand.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, newClassroom, pod } from "../../api-helpers";

type Any = any;
type Stats = { batches: number; calls: Record<string, number>; total: number };

const stubOf = (binding: "CLASSROOM" | "NODE", name: string): Any => {
  const ns = (env as Any)[binding];
  return ns.get(ns.idFromName(name));
};

async function oneNode() {
  const cls = await newClassroom("writes", 1);
  const stub = stubOf("CLASSROOM", cls.id);
  await stub.setClock({ paused: true });
  await stub.advance(1000);
  const node = stubOf("NODE", `${cls.id}/node-1`);
  return { cls, stub, node, k: client(cls), stats: (reset = true): Promise<Stats> => node.apiCallStats(reset) };
}

const inObject = <T>(stub: unknown, fn: (obj: Any) => T): Promise<T> => (runInDurableObject as unknown as (s: unknown, f: (o: Any) => T) => Promise<T>)(stub, fn);

/** The kubelets as before the sync hint: every sync lists (the control loop passes PodsDirty's hints). */
async function withoutSyncHints(stub: unknown, classroomId: string): Promise<void> {
  await inObject(stub, (obj) => {
    obj.loop.nodes.sync = (node: string, now: number) => stubOf("NODE", `${classroomId}/${node}`).sync(now, {});
  });
}

const writes = (s: Stats) => Object.entries(s.calls).filter(([k]) => !k.startsWith("LIST ") && !k.startsWith("GET ")).reduce((a, [, n]) => a + n, 0);

describe("kubelet: API calls per pod and per heartbeat", () => {
  it("without hints: an idle node lists its pods and renews its lease every 10 s, posts its unchanged status every 5 minutes", async () => {
    const { cls, stub, stats } = await oneNode();
    await withoutSyncHints(stub, cls.id);
    await stub.advance(60_000); // settle: images, first status
    await stats();
    await stub.advance(10 * 60_000);
    const s = await stats();
    console.log("idle node without hints, 10 simulated minutes:", JSON.stringify(s));
    // 60 heartbeats: one lease renewal each; the node status twice (nodeStatusReportFrequency).
    expect(s.calls["PATCH leases"]).toBe(60);
    expect(s.calls["LIST pods"]).toBe(60);
    expect(s.calls["PUT nodes/status"] ?? 0).toBeLessThanOrEqual(2);
    expect(s.calls["POST events"] ?? 0).toBe(0);
    expect(writes(s)).toBeLessThanOrEqual(62);
  });

  it("without hints: a pod from creation to Ready costs a handful of writes from its node, and a few LISTs", async () => {
    const { cls, stub, k, stats } = await oneNode();
    await withoutSyncHints(stub, cls.id);
    await stub.advance(60_000);
    const PODS = 10;
    await stats();
    for (let i = 0; i < PODS; i++) expect((await k.post("/api/v1/namespaces/default/pods", pod(`web-${i}`))).status).toBe(201);
    await stub.advance(60_000);
    const s = await stats();
    const items = (await k.get("/api/v1/namespaces/default/pods")).body.items as Any[];
    expect(items.filter((p) => p.status.conditions?.find((c: Any) => c.type === "Ready")?.status === "True")).toHaveLength(PODS);
    console.log(`${PODS} pods to Ready without hints (plus 6 heartbeats):`, JSON.stringify(s));
    // Per pod: Pulling, Pulled, Created, Started; a few status changes (ContainerCreating, Running+Ready).
    expect(s.calls["POST events"]).toBeLessThanOrEqual(4 * PODS);
    expect(s.calls["PUT pods/status"]).toBeLessThanOrEqual(3 * PODS);
  });

  it("with the control loop's hints, a kubelet lists its pods only when they changed (and every 5 minutes)", async () => {
    const { stub, k, stats } = await oneNode();
    await stub.advance(60_000);
    await stats();
    await stub.advance(10 * 60_000);
    const idle = await stats();
    console.log("idle node with hints, 10 simulated minutes:", JSON.stringify(idle));
    expect(idle.calls["LIST pods"] ?? 0).toBeLessThanOrEqual(2); // the 5-minute relist
    expect(idle.calls["PATCH leases"]).toBe(60);
    expect(idle.batches).toBeLessThanOrEqual(62);

    const PODS = 10;
    for (let i = 0; i < PODS; i++) expect((await k.post("/api/v1/namespaces/default/pods", pod(`web-${i}`))).status).toBe(201);
    await stub.advance(60_000);
    const busy = await stats();
    console.log(`${PODS} pods to Ready with hints (plus 6 heartbeats):`, JSON.stringify(busy));
    const items = (await k.get("/api/v1/namespaces/default/pods")).body.items as Any[];
    expect(items.filter((p) => p.status.phase === "Running" && p.status.conditions?.find((c: Any) => c.type === "Ready")?.status === "True")).toHaveLength(PODS);
    expect(busy.calls["PUT pods/status"]).toBeLessThanOrEqual(3 * PODS);
    // Lists after a bind and after a sync that wrote statuses (so that a status written by someone
    // else is read), never more than one per status written; none for a heartbeat alone.
    expect(busy.calls["LIST pods"]).toBeLessThanOrEqual(busy.calls["PUT pods/status"]);

    // Deleting a pod: the node hears of it (spec change), kills it and deletes it for good.
    expect([200, 202]).toContain((await k.del("/api/v1/namespaces/default/pods/web-0")).status);
    await stub.advance(60_000);
    expect((await k.get("/api/v1/namespaces/default/pods/web-0")).status).toBe(404);
    // Its own status writes do not make it relist: the server's copy replaces the one it holds.
    await stats();
    await stub.advance(60_000);
    expect((await stats()).calls["PUT pods/status"] ?? 0).toBe(0);
  });

  it("a pod marked not ready by someone else (the node lifecycle controller) is put right at the kubelet's next sync", async () => {
    const { k, stub } = await oneNode();
    await stub.advance(20_000);
    expect((await k.post("/api/v1/namespaces/default/pods", pod("steady"))).status).toBe(201);
    await stub.advance(60_000);
    const ready = async () => (await k.get("/api/v1/namespaces/default/pods/steady")).body.status.conditions.find((c: Any) => c.type === "Ready")?.status;
    expect(await ready()).toBe("True");
    await stub.advance(60_000); // quiet: the kubelet runs on its cached pods
    // What MarkPodsNotReady writes when a node's lease goes stale.
    const marked = await k.patch("/api/v1/namespaces/default/pods/steady/status", { status: { conditions: [{ type: "Ready", status: "False", reason: "NodeNotReady" }] } }, "application/strategic-merge-patch+json");
    expect(marked.status).toBe(200);
    expect(await ready()).toBe("False");
    await stub.advance(11_000); // one heartbeat, far from the 5-minute relist
    expect(await ready()).toBe("True");
  });

  it("a readiness gate set by someone else reaches the kubelet at its next sync, not at its 5-minute relist", async () => {
    const { k, stub } = await oneNode();
    await stub.advance(20_000);
    const gated = { ...pod("gated"), spec: { ...pod("gated").spec, readinessGates: [{ conditionType: "example.com/lb" }] } };
    expect((await k.post("/api/v1/namespaces/default/pods", gated)).status).toBe(201);
    await stub.advance(30_000);
    const ready = async () => (await k.get("/api/v1/namespaces/default/pods/gated")).body.status.conditions.find((c: Any) => c.type === "Ready")?.status;
    expect(await ready()).toBe("False");
    const patched = await k.patch("/api/v1/namespaces/default/pods/gated/status", { status: { conditions: [{ type: "example.com/lb", status: "True" }] } }, "application/strategic-merge-patch+json");
    expect(patched.status).toBe(200);
    await stub.advance(11_000); // one heartbeat
    expect(await ready()).toBe("True");
  });

  it("a change missed while cut off from the API server is picked up after the partition heals, hint or not", async () => {
    const { stub, k } = await oneNode();
    await stub.advance(20_000);
    expect(await stub.nodeOp({ set: "node-1", state: "partitioned" })).toMatchObject({ ok: true });
    expect((await k.post("/api/v1/namespaces/default/pods", pod("late"))).status).toBe(201);
    await stub.advance(20_000); // bound, the node told its pods changed, its LIST answered 503
    expect((await k.get("/api/v1/namespaces/default/pods/late")).body.status.phase).toBe("Pending");
    expect(await stub.nodeOp({ set: "node-1", state: "running" })).toMatchObject({ ok: true });
    await stub.advance(30_000); // heartbeats only: podsChanged false
    const late = (await k.get("/api/v1/namespaces/default/pods/late")).body;
    expect(late.status.phase).toBe("Running");
  });
});
