// Rounds through the classroom's API, on the whole simulated cluster: the same workload under
// LeastAllocated and MostAllocated, compared from the outcomes' JSON; replay checked against
// snapshots taken while the round ran; refusals, CSV, and the API's errors.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { client, joinAs, kubeclassApi, newClassroom, type Classroom } from "../api-helpers";

const call = kubeclassApi;

const join = async (cls: Classroom, name: string) => (await joinAs(cls, name)).body as { token: string; namespace: string };

const deployment = (name: string, replicas: number) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { requests: { cpu: "200m", memory: "128Mi" } } }] } } },
});

/** Where each pod is now, as the API says: the state a replay must rebuild. */
async function placement(k: ReturnType<typeof client>) {
  const pods = (await k.get("/api/v1/pods")).body.items as any[];
  const byNode: Record<string, string[]> = {};
  const pending: string[] = [];
  for (const p of pods.filter((p) => p.metadata.namespace.startsWith("student-"))) {
    const id = `${p.metadata.namespace}/${p.metadata.name}`;
    if (p.spec.nodeName) (byNode[p.spec.nodeName] ??= []).push(id);
    else pending.push(id);
  }
  for (const v of Object.values(byNode)) v.sort();
  return { byNode, pending: pending.sort() };
}

function replayPlacement(map: any) {
  const byNode: Record<string, string[]> = {};
  for (const n of map.nodes) {
    const ids = n.pods.filter((p: any) => p.namespace.startsWith("student-")).map((p: any) => `${p.namespace}/${p.name}`).sort();
    if (ids.length) byNode[n.name] = ids;
  }
  return { byNode, pending: map.pending.filter((p: any) => p.namespace.startsWith("student-")).map((p: any) => `${p.namespace}/${p.name}`).sort() };
}

describe("rounds", () => {
  it("the same workload under LeastAllocated and MostAllocated: outcomes show the packing; replay matches what was live", async () => {
    const cls = await newClassroom("rounds", 4);
    const stub = (env as any).CLASSROOM.get((env as any).CLASSROOM.idFromName(cls.id));
    await stub.setClock({ paused: true });
    await stub.advance(1000);
    const k = client(cls);
    const ana = await join(cls, "ana");
    const bia = await join(cls, "bia");
    const students = [ana, bia].map((s) => ({ ...s, k: client(cls, s.token) }));

    const runRound = async (strategy: string, title: string) => {
      expect((await call(cls, "PUT", "/scheduler/profile", { scoringStrategy: { type: strategy } })).status).toBe(200);
      const started = await call(cls, "POST", "/rounds", { title, goal: "deploy 3 replicas each with requests that fit" });
      expect(started.status).toBe(201);
      const snapshots: { at: number; state: Awaited<ReturnType<typeof placement>> }[] = [];
      const snap = async () => snapshots.push({ at: (await stub.clock()).now, state: await placement(k) });
      await snap();
      // A replay at a moment shows everything done at that moment: create the workload a moment later.
      await stub.advance(1);
      for (const s of students) expect((await s.k.post(`/apis/apps/v1/namespaces/${s.namespace}/deployments`, deployment("web", 3))).status).toBe(201);
      // An invalid manifest: counted as the student's API error.
      expect((await students[0].k.post(`/api/v1/namespaces/${ana.namespace}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "Bad_Name" }, spec: { containers: [{ name: "c", image: "nginx" }] } })).status).toBe(422);
      // A failed read (kubectl apply's existence check) is no refusal.
      expect((await students[1].k.get(`/apis/apps/v1/namespaces/${bia.namespace}/deployments/nope`)).status).toBe(404);
      await stub.advance(1_000);
      await snap(); // pods scheduled, still starting
      await stub.advance(60_000);
      await snap(); // all Running
      const ended = await call(cls, "POST", "/rounds/current/end");
      expect(ended.status).toBe(200);
      return { n: started.body.n as number, snapshots };
    };

    const least = await runRound("LeastAllocated", "spread");
    expect((await call(cls, "POST", "/reset")).status).toBe(200);
    await stub.advance(30_000);
    const most = await runRound("MostAllocated", "pack");

    const rounds = (await call(cls, "GET", "/rounds")).body.items;
    expect(rounds.map((r: any) => [r.n, r.title, r.running])).toEqual([[1, "spread", false], [2, "pack", false]]);
    expect(rounds[0].settings.scheduler.profile.scoringStrategy.type).toBe("LeastAllocated");
    expect(rounds[1].settings.scheduler.profile.scoringStrategy.type).toBe("MostAllocated");

    const o1 = (await call(cls, "GET", `/rounds/${least.n}/outcomes`)).body;
    const o2 = (await call(cls, "GET", `/rounds/${most.n}/outcomes`)).body;
    // Six pods of 200m: LeastAllocated spreads them over all four nodes, MostAllocated packs them.
    expect(o1.cluster.nodesUsed).toBe(4);
    expect(o2.cluster.nodesUsed).toBeLessThan(o1.cluster.nodesUsed);
    expect(o2.cluster.nodesUsed).toBeLessThanOrEqual(2);
    for (const o of [o1, o2]) {
      const byName = Object.fromEntries(o.students.map((s: any) => [s.student, s]));
      for (const name of ["ana", "bia"]) {
        expect(byName[name].pods).toMatchObject({ running: 3, pending: 0, failed: 0 });
        // They submitted one Deployment each; its controllers made the three pods.
        expect(byName[name]).toMatchObject({ objectsSubmitted: 1, podsCreated: 3, podsDirect: 0, podsFromControllers: 3 });
        expect(byName[name].timeToRunning.pods).toBe(3);
        expect(byName[name].timeToRunning.medianSeconds).toBeGreaterThan(0);
      }
      expect(byName.ana.refusals.invalid).toBe(1);
      expect(byName.bia.refusals).toEqual({ invalid: 0, rateLimited: 0, quota: 0, forbidden: 0, other: 0 });
    }

    // Replay at each snapshot's moment is the cluster as it was then.
    for (const { n, snapshots } of [least, most]) {
      for (const s of snapshots) {
        const replay = await call(cls, "GET", `/rounds/${n}/replay?at=${s.at}`);
        expect(replay.status).toBe(200);
        expect(replayPlacement(replay.body)).toEqual(s.state);
      }
    }

    const csv = await call(cls, "GET", `/rounds/${most.n}/outcomes?format=csv`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (csv.body as string).trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^student,/);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(expect.arrayContaining(["ana", "bia"]));
  }, 30_000);

  it("refuses a second running round, ending none, bad titles, unknown rounds and students", async () => {
    const cls = await newClassroom("rounds-errors", 0);
    expect((await call(cls, "POST", "/rounds/current/end")).status).toBe(409);
    const bad = await call(cls, "POST", "/rounds", { title: "" });
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0].field).toBe("title");
    expect((await call(cls, "POST", "/rounds", { title: "one" })).status).toBe(201);
    const again = await call(cls, "POST", "/rounds", { title: "two" });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('round 1 ("one") is still running');
    expect((await call(cls, "GET", "/rounds/7/outcomes")).status).toBe(404);
    expect((await call(cls, "GET", "/rounds/1/replay?at=yesterday")).status).toBe(400);
    const live = await call(cls, "GET", "/rounds/1/outcomes");
    expect(live.status).toBe(200);
    expect(live.body.round.n).toBe(1);
    const st = await join(cls, "ana");
    expect((await call(cls, "GET", "/rounds", undefined, st.token)).status).toBe(403);
  });

  it("an eviction through the Eviction API (kubectl drain) marks the pod as kube-apiserver does and counts in outcomes", async () => {
    const cls = await newClassroom("rounds-evict", 1);
    const stub = (env as any).CLASSROOM.get((env as any).CLASSROOM.idFromName(cls.id));
    await stub.setClock({ paused: true });
    await stub.advance(1000);
    const k = client(cls);
    expect((await call(cls, "POST", "/rounds", { title: "drain" })).status).toBe(201);
    await stub.advance(1);
    await k.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "nginx" }] } });
    await stub.advance(30_000);
    const evicted = await k.post("/api/v1/namespaces/default/pods/web/eviction", { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "web", namespace: "default" } });
    expect(evicted.status).toBe(201);
    const pod = (await k.get("/api/v1/namespaces/default/pods/web")).body;
    expect(pod.metadata.deletionTimestamp).toBeDefined();
    expect(pod.status.conditions.find((c: any) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" });
    await stub.advance(60_000);
    await call(cls, "POST", "/rounds/current/end");
    const o = (await call(cls, "GET", "/rounds/1/outcomes")).body;
    expect(o.cluster.evictions.count).toBe(1);
    expect(o.cluster.evictions.items[0]).toMatchObject({ namespace: "default", name: "web" });
  }, 30_000);
});
