// Findings of the hostile-student property test (hostile-student.test.ts), each kept as a named test.
import * as workersTest from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { client, joinAs, kubeclassApi, newClassroom } from "../api-helpers";
import { Etcd } from "../../../src/control-plane/etcd/store";
import { EVENT_SWEEP_BATCH, EVENT_TTL_MS, EventTtl } from "../../../src/control-plane/api-server/event-ttl";
import { withSql } from "../helpers";

function stubOf(id: string): DurableObjectStub {
  const ns = (env as { CLASSROOM: DurableObjectNamespace }).CLASSROOM;
  return ns.get(ns.idFromName(id));
}

describe("found by the hostile student", () => {
  it("a Deployment past the student's pod quota does not set the controllers spinning: one ReplicaFailure, FailedCreate names the generateName prefix", async () => {
    const cls = await newClassroom("quota-spin", 0);
    const stub = stubOf(cls.id) as unknown as { setClock(c: { paused: boolean }): Promise<unknown>; advance(ms: number): Promise<number> };
    await stub.setClock({ paused: true });
    expect((await kubeclassApi(cls, "PUT", "/quota", { pods: "2" })).status).toBe(200);
    const ana = client(cls, (await joinAs(cls, "ana")).body.token);
    const tpl = { metadata: { labels: { app: "many" } }, spec: { containers: [{ name: "c", image: "nginx" }] } };
    expect((await ana.post("/apis/apps/v1/namespaces/student-ana/deployments", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "many" }, spec: { replicas: 5, selector: { matchLabels: { app: "many" } }, template: tpl } })).status).toBe(201);
    await stub.advance(1_000);
    const inside = (workersTest as any).runInDurableObject as (stub: unknown, fn: (o: any) => { rev: number; rs: number }) => Promise<{ rev: number; rs: number }>;
    const counts = () => inside(stubOf(cls.id), (o) => ({ rev: o.etcd.revision, rs: o.loop.controllers.reconciles.get("replicaset") }));
    const before = await counts();
    await stub.advance(60_000);
    const after = await counts();
    // Before the fix the refusal named a fresh random pod name each time, so the condition changed,
    // the ReplicaSet's own status write enqueued it again, and the loop never left the instant.
    expect(after.rs - before.rs).toBeLessThanOrEqual(12); // a retry about every 10 s, plus the Deployment's echoes
    expect(after.rev - before.rev).toBeLessThanOrEqual(30);
    const rs = (await ana.get("/apis/apps/v1/namespaces/student-ana/replicasets")).body.items[0];
    const failure = rs.status.conditions.find((c: { type: string }) => c.type === "ReplicaFailure");
    expect(failure.message).toMatch(/^pods "many-[a-z0-9]+-" is forbidden: exceeded quota: student-quota, requested: pods=1, used: pods=2, limited: pods=2$/);
    const events = (await ana.get("/api/v1/namespaces/student-ana/events")).body.items.filter((e: { reason: string }) => e.reason === "FailedCreate");
    expect(events).toHaveLength(1); // one Event, its count going up
    expect(events[0].message).toBe(`Error creating: ${failure.message}`);
  });

  it("Events expire an hour after their last write (kube-apiserver's --event-ttl), a bounded batch per sweep", () =>
    withSql((sql) => {
      const etcd = new Etcd(sql);
      const t0 = Date.parse("2026-12-06T10:00:00Z");
      const ev = (name: string, last: number) => JSON.stringify({ kind: "Event", metadata: { name, namespace: "default" }, lastTimestamp: new Date(last).toISOString() });
      const n = EVENT_SWEEP_BATCH + 200;
      for (let i = 0; i < n; i++) etcd.put(`/registry/events/default/old-${String(i).padStart(5, "0")}`, ev(`old-${i}`, t0));
      etcd.put("/registry/events/default/recent", ev("recent", t0 + 50 * 60_000));
      etcd.put("/registry/events/default/garbage", "not json");
      etcd.put("/registry/pods/default/web", "{}");
      const ttl = new EventTtl(etcd);
      expect(ttl.sweep(t0 + 30 * 60_000)).toBe(1); // only the undated one: nothing is an hour old yet
      const later = t0 + EVENT_TTL_MS + 1;
      // The first sweep went past the first batch; the cursor carries on, then wraps round.
      let deleted = 0;
      for (let i = 0; i < 3; i++) deleted += ttl.sweep(later);
      expect(deleted).toBe(n);
      expect(etcd.count("/registry/events/")).toBe(1); // "recent" stays until its own hour is up
      expect(etcd.get("/registry/pods/default/web")).toBeDefined();
      expect(ttl.sweep(t0 + 50 * 60_000 + EVENT_TTL_MS + 1)).toBe(1);
    }));
});
