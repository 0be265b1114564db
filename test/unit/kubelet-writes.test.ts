// What one pod and one idle heartbeat cost the control plane in API calls from its node, counted
// by verb and resource on the node's own client (call-stats.ts), in a whole classroom with
// simulated time moved by hand.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { client, newClassroom, pod } from "./api-helpers";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
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

const writes = (s: Stats) => Object.entries(s.calls).filter(([k]) => !k.startsWith("LIST ") && !k.startsWith("GET ")).reduce((a, [, n]) => a + n, 0);

describe("kubelet: API calls per pod and per heartbeat", () => {
  it("an idle node renews its lease every 10 s and posts its unchanged status only every 5 minutes", async () => {
    const { stub, stats } = await oneNode();
    await stub.advance(60_000); // settle: images, first status
    await stats();
    await stub.advance(10 * 60_000);
    const s = await stats();
    console.log("idle node, 10 simulated minutes:", JSON.stringify(s));
    // 60 heartbeats: one lease renewal each; the node status twice (nodeStatusReportFrequency).
    expect(s.calls["PATCH leases"]).toBe(60);
    expect(s.calls["PUT nodes/status"] ?? 0).toBeLessThanOrEqual(2);
    expect(s.calls["POST events"] ?? 0).toBe(0);
    expect(writes(s)).toBeLessThanOrEqual(62);
  });

  it("a pod from creation to Ready costs a handful of writes from its node", async () => {
    const { stub, k, stats } = await oneNode();
    await stub.advance(60_000);
    const PODS = 10;
    await stats();
    for (let i = 0; i < PODS; i++) expect((await k.post("/api/v1/namespaces/default/pods", pod(`web-${i}`))).status).toBe(201);
    await stub.advance(60_000);
    const s = await stats();
    const items = (await k.get("/api/v1/namespaces/default/pods")).body.items as Any[];
    expect(items.filter((p) => p.status.conditions?.find((c: Any) => c.type === "Ready")?.status === "True")).toHaveLength(PODS);
    console.log(`${PODS} pods to Ready (plus 6 heartbeats):`, JSON.stringify(s));
    // Per pod: Pulling, Pulled, Created, Started; a few status changes (ContainerCreating, Running+Ready).
    expect(s.calls["POST events"]).toBeLessThanOrEqual(4 * PODS);
    expect(s.calls["PUT pods/status"]).toBeLessThanOrEqual(3 * PODS);
  });
});
