// The classroom features behind the web client: the live WebSocket feed (snapshot, changes,
// resume from a revision, presence, stats), lock, reset, network partitions, and the scheduler's
// explanation for students. The clock is paused and moved by hand.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { client, joinAs, newClassroom, pod, type Classroom } from "../api-helpers";
import type { ServerMessage } from "../../../src/classroom/live-protocol";
import { MAX_CATCH_UP_BYTES, STATS_SHARE_MS, type LiveHub } from "../../../src/classroom/live";
import { changesText, Coalescer, MAX_SHARED_SNAPSHOT_BYTES, MAX_SHARED_TEXT_BYTES, MAX_SHARED_TEXTS, PRESENCE_INTERVAL_MS, SharedSnapshot, SharedTexts, SNAPSHOT_MAX_AGE_MS, SNAPSHOT_TAIL_BYTES, SNAPSHOT_TAIL_CHANGES, SNAPSHOT_TAIL_RATIO } from "../../../src/classroom/live-share";
import type { Etcd } from "../../../src/control-plane/etcd/store";
import { manualClock } from "./live-helpers";

/** Runs fn on a classroom's own etcd, inside its object. */
const inEtcd = <T>(id: string, fn: (etcd: Etcd) => T): Promise<T> =>
  (runInDurableObject as unknown as (s: unknown, f: (i: { etcd: Etcd }) => T) => Promise<T>)(stubOf(id), (i) => fn(i.etcd));

/** Runs fn on a classroom's live hub, inside its object. */
const inHub = <T>(id: string, fn: (hub: LiveHub) => T): Promise<T> =>
  (runInDurableObject as unknown as (s: unknown, f: (i: { live: LiveHub }) => T) => Promise<T>)(stubOf(id), (i) => fn(i.live));


const worker = () => (exports as any).default as Fetcher;
const BASE = "http://kubeclass.test";

function stubOf(id: string): any {
  const ns = (env as any).CLASSROOM;
  return ns.get(ns.idFromName(id));
}

async function cluster(nodes = 2) {
  const cls = await newClassroom("live", nodes);
  const stub = stubOf(cls.id);
  await stub.setClock({ paused: true });
  await stub.advance(1000);
  return { cls, stub, k: client(cls), advance: (s: number) => stub.advance(s * 1000) };
}

async function join(cls: Classroom, name: string) {
  const res = await joinAs(cls, name);
  expect(res.status).toBe(201);
  return res.body as { token: string; namespace: string };
}

const open: WebSocket[] = [];
afterEach(() => {
  // Close what a test left open, so no socket outlives its test.
  for (const ws of open.splice(0)) try { ws.close(1000, "test over"); } catch { /* closed */ }
});

/** A live socket whose messages can be awaited by predicate (no sleeping). */
async function connect(cls: Classroom, token: string, since?: number) {
  const q = new URLSearchParams({ token });
  if (since !== undefined) q.set("since", String(since));
  const res = await worker().fetch(`${BASE}/api/classrooms/${cls.id}/live?${q}`, { headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  open.push(ws);
  const seen: ServerMessage[] = [];
  const waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(e.data as string) as ServerMessage;
    seen.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  ws.accept();
  const next = <T extends ServerMessage["t"]>(t: T, pred: (m: Extract<ServerMessage, { t: T }>) => boolean = () => true) => {
    const match = (m: ServerMessage) => m.t === t && pred(m as never);
    const found = seen.find(match);
    if (found) { seen.splice(seen.indexOf(found), 1); return Promise.resolve(found as Extract<ServerMessage, { t: T }>); }
    return new Promise<Extract<ServerMessage, { t: T }>>((resolve) => waiters.push({ pred: match, resolve: (m) => { seen.splice(seen.indexOf(m), 1); resolve(m as never); } }));
  };
  return { ws, next, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

describe("live feed", () => {
  it("opens with hello and a snapshot, then streams changes; no Secrets ever", async () => {
    const { cls, k } = await cluster(2);
    const s = await connect(cls, cls.instructorToken);
    const hello = await s.next("hello");
    expect(hello.you).toMatchObject({ name: "instructor", role: "instructor" });
    expect(hello.settings.machines.map((m) => m.name)).toEqual(["node-1", "node-2"]);
    const snap = await s.next("snapshot");
    expect(snap.objects.filter((o) => o.resource === "nodes").map((o) => o.object.metadata.name).sort()).toEqual(["node-1", "node-2"]);
    await k.post("/api/v1/namespaces/default/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "hush" }, stringData: { a: "b" } });
    await k.post("/api/v1/namespaces/default/pods", pod("web"));
    const ch = await s.next("changes", (m) => m.changes.some((c) => c.resource === "pods" && c.object.metadata.name === "web"));
    expect(ch.rev).toBeGreaterThan(snap.rev);
    expect(ch.changes.every((c) => c.object.metadata.managedFields === undefined)).toBe(true);
    expect(JSON.stringify(ch)).not.toContain("hush");
    s.ws.close();
  });

  it("a page that reconnects with ?since= gets exactly what it missed", async () => {
    const { cls, k } = await cluster(1);
    const a = await connect(cls, cls.instructorToken);
    const snap = await a.next("snapshot");
    a.ws.close();
    await k.post("/api/v1/namespaces/default/pods", pod("p1"));
    await k.del("/api/v1/namespaces/default/pods/p1", { gracePeriodSeconds: 0 });
    const b = await connect(cls, cls.instructorToken, snap.rev);
    const missed = await b.next("changes");
    const pods = missed.changes.filter((c) => c.resource === "pods" && c.object.metadata.name === "p1");
    expect(pods[0].type).toBe("PUT");
    expect(pods.at(-1)!.type).toBe("DELETE");
    // A revision from the future (say, after an etcd restore elsewhere) gets a full snapshot.
    const c = await connect(cls, cls.instructorToken, missed.rev + 1000);
    expect((await c.next("snapshot")).rev).toBe(missed.rev);
    b.ws.close();
    c.ws.close();
  });

  it("a resume that would need more than MAX_CATCH_UP_BYTES of history gets a fresh snapshot instead", async () => {
    const { cls } = await cluster(0);
    const a = await connect(cls, cls.instructorToken);
    const snap = await a.next("snapshot");
    a.ws.close();
    // ~10 MB of Events written since: more than one catch-up message may carry.
    await inEtcd(cls.id, (etcd) => {
      const note = "n".repeat(100 * 1024);
      for (let i = 0; i < 100; i++) {
        const ev = { apiVersion: "v1", kind: "Event", metadata: { name: `big.${i}`, namespace: "default" }, message: note, reason: "Big" };
        etcd.put(`/registry/events/default/big.${i}`, JSON.stringify(ev));
      }
    });
    expect(100 * 100 * 1024).toBeGreaterThan(MAX_CATCH_UP_BYTES);
    const b = await connect(cls, cls.instructorToken, snap.rev);
    const fresh = await b.next("snapshot");
    expect(fresh.rev).toBeGreaterThan(snap.rev + 99);
    b.ws.close();
  });

  it("settings carry etcd's space: the instructor is warned from 80 %, and past the quota writes are refused (403, etcd's message) but deletes work", async () => {
    const { cls, k } = await cluster(0);
    // A small quota for this classroom (512 MiB by default): what is used now plus 1.9 MiB, so one
    // 800 KiB ConfigMap (stored, and kept in history: 1.6 MiB) passes 80 % and a second does not fit.
    const room = 1.9 * 1024 * 1024;
    const used = await inEtcd(cls.id, (etcd) => {
      (etcd as { quotaBytes: number }).quotaBytes = etcd.usage().usedBytes + room;
      return etcd.usage().usedBytes;
    });
    const s = await connect(cls, cls.instructorToken);
    const hello = await s.next("hello");
    expect(hello.settings.storage).toEqual({ usedBytes: used, quotaBytes: used + room, warning: false });
    const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { big: "c".repeat(800 * 1024) } });
    expect((await k.post("/api/v1/namespaces/default/configmaps", cm("one"))).status).toBe(201);
    const warned = await s.next("settings", (m) => m.settings.storage?.warning === true);
    expect(warned.settings.storage!.usedBytes).toBeGreaterThanOrEqual(0.8 * warned.settings.storage!.quotaBytes);
    const refused = await k.post("/api/v1/namespaces/default/configmaps", cm("two"));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403, message: "etcdserver: mvcc: database space exceeded" });
    expect((await k.get("/api/v1/namespaces/default/configmaps/two")).status).toBe(404);
    expect((await k.del("/api/v1/namespaces/default/configmaps/one")).status).toBe(200);
    expect((await k.post("/api/v1/namespaces/default/configmaps", cm("two"))).status).toBe(201);
    s.ws.close();
  });

  it("presence lists who is connected, per person, and updates on leave", async () => {
    const { cls } = await cluster(0);
    const ana = await join(cls, "ana");
    const t = await connect(cls, cls.instructorToken);
    const a1 = await connect(cls, ana.token);
    await connect(cls, ana.token);
    const both = await t.next("presence", (m) => m.people.some((p) => p.name === "ana" && p.connections === 2));
    expect(both.people.map((p) => [p.name, p.role])).toEqual([["instructor", "instructor"], ["ana", "student"]]);
    a1.ws.close();
    await t.next("presence", (m) => m.people.some((p) => p.name === "ana" && p.connections === 1));
  });

  it("refuses the join token, unknown tokens and plain HTTP", async () => {
    const { cls } = await cluster(0);
    for (const token of [cls.joinToken, "nope"]) {
      const res = await worker().fetch(`${BASE}/api/classrooms/${cls.id}/live?token=${token}`, { headers: { upgrade: "websocket" } });
      expect(res.status).toBe(401);
    }
    const plain = await worker().fetch(`${BASE}/api/classrooms/${cls.id}/live?token=${cls.instructorToken}`);
    expect(plain.status).toBe(400);
  });

  it("settings changes reach every page; stats describe each component", async () => {
    const { cls } = await cluster(1);
    const s = await connect(cls, cls.instructorToken);
    await s.next("hello");
    await fetch_(cls, "PUT", "/scheduler/running", { running: false });
    expect((await s.next("settings", (m) => m.settings.scheduler.stopped)).settings.scheduler.scoring).toBe("LeastAllocated");
    s.send({ t: "stats" });
    const st = (await s.next("stats")).stats;
    expect(st.etcd.revision).toBeGreaterThan(0);
    expect(st.etcd.keys).toBeGreaterThan(5);
    expect(st.scheduler.stopped).toBe(true);
    expect(st.kubelets).toEqual([expect.objectContaining({ node: "node-1", state: "running", lastHeartbeat: expect.any(String) })]);
    expect(st.proxy.services).toBe(1); // default/kubernetes
    // The admission of load and the simulation's slices, for the architecture view.
    expect(st.apiServer).toMatchObject({ shed: 0, behind: false });
    expect(st.pace!.slices).toBeGreaterThan(0);
    expect(st.pace!.longestSliceMs).toBeGreaterThanOrEqual(0);
  });
});

describe("live feed: many pages at once", () => {
  it("presence is coalesced: 100 joins in one interval make 2 broadcasts, a steady stream at most one per interval", () => {
    const m = manualClock();
    let sent = 0;
    const c = new Coalescer(PRESENCE_INTERVAL_MS, () => m.clock, () => sent++);
    for (let i = 0; i < 100; i++) { c.poke(); m.advance(1); }
    // The first at once, the other 99 together when the interval is over; one timer at most.
    expect(sent).toBe(1);
    expect(m.timers.length).toBe(1);
    m.advance(PRESENCE_INTERVAL_MS);
    expect(sent).toBe(2);
    expect(c.pending).toBe(false);
    // A join every 10 ms for 10 s: at most one broadcast per interval (plus the one at once).
    sent = 0;
    for (let t = 0; t < 10_000; t += 10) { c.poke(); m.advance(10); }
    m.advance(PRESENCE_INTERVAL_MS);
    expect(sent).toBeLessThanOrEqual(10_000 / PRESENCE_INTERVAL_MS + 1);
    expect(sent).toBeGreaterThanOrEqual(10_000 / PRESENCE_INTERVAL_MS - 1);
    // Quiet for an interval: the next change goes out at once again.
    m.advance(PRESENCE_INTERVAL_MS);
    sent = 0;
    c.poke();
    expect(sent).toBe(1);
  });

  it("pages joining and leaving together get a few presence messages, and the last one is right", async () => {
    const { cls } = await cluster(0);
    const m = manualClock();
    await inHub(cls.id, (hub) => { hub.clock = m.clock; });
    const names = ["ana", "ben", "cy", "dee", "eve"];
    const tokens = [];
    for (const n of names) tokens.push((await join(cls, n)).token);
    const t = await connect(cls, cls.instructorToken);
    await t.next("presence"); // its own join, at once
    const pages = [];
    for (const token of [...tokens, ...tokens]) pages.push(await connect(cls, token));
    for (const p of pages.slice(0, 5)) p.ws.close();
    // Leaving reaches the object as webSocketClose: wait until all five were handled.
    await vi.waitFor(async () => expect(await inHub(cls.id, (hub) => hub.people().reduce((a, p) => a + p.connections, 0))).toBe(6));
    await inHub(cls.id, () => m.advance(PRESENCE_INTERVAL_MS));
    const last = await t.next("presence", (x) => x.people.length === 6);
    expect(last.people.map((p) => [p.name, p.connections])).toEqual([["instructor", 1], ["ana", 1], ["ben", 1], ["cy", 1], ["dee", 1], ["eve", 1]]);
    // Ten joins and five leaves: the instructor's page got its own presence and this one.
    t.send({ t: "ping" });
    await t.next("pong");
    expect(await inHub(cls.id, (hub) => hub.presenceSent)).toBe(2);
    await expect(Promise.race([t.next("presence"), Promise.resolve("none")])).resolves.toBe("none");
  });

  it("the snapshot shared with a later page, plus the changes since, equals a fresh snapshot", async () => {
    const { cls, k } = await cluster(1);
    const m = manualClock();
    await inHub(cls.id, (hub) => { hub.clock = m.clock; });
    const a = await connect(cls, cls.instructorToken);
    const first = await a.next("snapshot");
    await k.post("/api/v1/namespaces/default/pods", pod("later"));
    await k.post("/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: "svc" }, spec: { ports: [{ port: 80 }] } });
    const b = await connect(cls, cls.instructorToken);
    const shared = await b.next("snapshot");
    expect(shared).toEqual(first);
    const since = await b.next("changes");
    const fresh = await inHub(cls.id, (hub) => hub.snapshot());
    if (fresh.t !== "snapshot") throw new Error("not a snapshot");
    expect(since.rev).toBe(fresh.rev);
    const key = (r: string, o: { metadata: { namespace?: string; name?: string } }) => `${r}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const view = new Map(shared.objects.map((o) => [key(o.resource, o.object), o.object]));
    for (const c of since.changes) {
      if (c.type === "DELETE") view.delete(key(c.resource, c.object));
      else view.set(key(c.resource, c.object), c.object);
    }
    expect(view).toEqual(new Map(fresh.objects.map((o) => [key(o.resource, o.object), o.object])));
    expect(await inHub(cls.id, (hub) => hub.counters)).toMatchObject({ snapshotsBuilt: 1, snapshotsShared: 1 });
    // Once the shared snapshot is too old, the next page gets a fresh one.
    await inHub(cls.id, () => m.advance(SNAPSHOT_MAX_AGE_MS + 1));
    const c = await connect(cls, cls.instructorToken);
    expect((await c.next("snapshot")).rev).toBe(fresh.rev);
    expect(await inHub(cls.id, (hub) => hub.counters.snapshotsBuilt)).toBe(2);
  });

  it("stats asked by many pages within STATS_SHARE_MS are computed once", async () => {
    const { cls } = await cluster(1);
    const m = manualClock();
    await inHub(cls.id, (hub) => { hub.clock = m.clock; });
    const pages = [await connect(cls, cls.instructorToken), await connect(cls, cls.instructorToken), await connect(cls, cls.instructorToken)];
    const ask = async () => Promise.all(pages.map(async (p) => { p.send({ t: "stats" }); return (await p.next("stats")).stats; }));
    const first = await ask();
    expect(first[1]).toEqual(first[0]);
    expect(first[2]).toEqual(first[0]);
    expect(await inHub(cls.id, (hub) => hub.counters)).toMatchObject({ statsBuilt: 1, statsShared: 2 });
    await inHub(cls.id, () => m.advance(STATS_SHARE_MS));
    await ask();
    expect(await inHub(cls.id, (hub) => hub.counters)).toMatchObject({ statsBuilt: 2, statsShared: 4 });
  });

  it("pages resuming from the same revision share one catch-up message", async () => {
    const { cls, k } = await cluster(0);
    const a = await connect(cls, cls.instructorToken);
    const snap = await a.next("snapshot");
    await k.post("/api/v1/namespaces/default/pods", pod("p1"));
    const b = await connect(cls, cls.instructorToken, snap.rev);
    const c = await connect(cls, cls.instructorToken, snap.rev);
    expect(await c.next("changes")).toEqual(await b.next("changes"));
    expect(await inHub(cls.id, (hub) => hub.counters)).toMatchObject({ catchUpsBuilt: 1, catchUpsShared: 1 });
  });

  it("what is held for sharing is bounded in entries and bytes, and lets go at the next revision", () => {
    const texts = new SharedTexts();
    const chunk = "x".repeat(Math.floor(MAX_SHARED_TEXT_BYTES / 4));
    for (let i = 0; i < MAX_SHARED_TEXTS * 2; i++) texts.put(7, `since:${i}`, i < 10 ? chunk : "small");
    expect(texts.size.entries).toBeLessThanOrEqual(MAX_SHARED_TEXTS);
    expect(texts.size.bytes).toBeLessThanOrEqual(MAX_SHARED_TEXT_BYTES);
    expect(texts.get(7, `since:${MAX_SHARED_TEXTS * 2 - 1}`)).toBe("small"); // the newest stay
    expect(texts.get(7, "since:0")).toBeUndefined(); // the oldest went
    texts.put(7, "huge", "x".repeat(MAX_SHARED_TEXT_BYTES + 1));
    expect(texts.get(7, "huge")).toBeUndefined();
    expect(texts.get(8, `since:${MAX_SHARED_TEXTS * 2 - 1}`)).toBeUndefined();
    expect(texts.size).toEqual({ entries: 0, bytes: 0 });

    // The fan-out joins changes encoded one by one: the same bytes as encoding the whole message.
    const a = { type: "PUT", resource: "pods", object: { metadata: { name: "a", labels: { x: "\u00e9\"" } } } };
    const b = { type: "DELETE", resource: "nodes", object: { metadata: { name: "n" } } };
    expect(changesText(5, [JSON.stringify(a), JSON.stringify(b)])).toBe(JSON.stringify({ t: "changes", rev: 5, changes: [a, b] }));
    expect(changesText(6, [])).toBe(JSON.stringify({ t: "changes", rev: 6, changes: [] }));

    const snap = new SharedSnapshot();
    snap.put(10, 0, "x".repeat(MAX_SHARED_SNAPSHOT_BYTES + 1));
    expect(snap.size.snapshots).toBe(0); // too big to hold: built per page
    snap.put(10, 0, "S");
    snap.append([{ rev: 11, text: "{\"a\":1}" }]);
    expect(snap.get(11, 0)).toEqual(["S", '{"t":"changes","rev":11,"changes":[{"a":1}]}']);
    for (let i = 0; i < SNAPSHOT_TAIL_CHANGES; i++) snap.append([{ rev: 12 + i, text: "{}" }]);
    expect(snap.size).toEqual({ snapshots: 0, bytes: 0, tail: 0 }); // past the tail's bound it lets go
    snap.put(20, 0, "S");
    snap.append([{ rev: 21, text: "y".repeat(SNAPSHOT_TAIL_BYTES + 1) }]);
    expect(snap.size.snapshots).toBe(0);
    // A large snapshot keeps serving while its tail is under a quarter of it.
    const big = "S".repeat(SNAPSHOT_TAIL_BYTES * 8);
    snap.put(40, 0, big);
    snap.append([{ rev: 41, text: "y".repeat(big.length * SNAPSHOT_TAIL_RATIO - 10) }]);
    expect(snap.get(41, 0)?.[0]).toBe(big);
    snap.append([{ rev: 42, text: "y".repeat(20) }]);
    expect(snap.get(42, 0)).toBeUndefined();
    snap.put(30, 0, "S");
    expect(snap.get(30, SNAPSHOT_MAX_AGE_MS + 1)).toBeUndefined();
    expect(snap.size.snapshots).toBe(0);
  });
});

/** The instructor's kubeclass API, as a Response. */
function fetch_(cls: Classroom, method: string, path: string, body?: unknown) {
  return worker().fetch(`${BASE}/api/classrooms/${cls.id}${path}`, { method, headers: { authorization: `Bearer ${cls.instructorToken}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe("instructor controls", () => {
  it("lock refuses students' writes (not reads, not the instructor's) until unlocked", async () => {
    const { cls, k } = await cluster(0);
    const ana = await join(cls, "ana");
    const student = client(cls, ana.token);
    expect((await fetch_(cls, "PUT", "/lock", { locked: true })).status).toBe(200);
    const refused = await student.post(`/api/v1/namespaces/${ana.namespace}/pods`, pod("p"));
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toBe("Forbidden");
    expect(refused.body.message).toContain("locked by the instructor");
    expect((await student.get(`/api/v1/namespaces/${ana.namespace}/pods`)).status).toBe(200);
    expect((await k.post("/api/v1/namespaces/default/pods", pod("teacher"))).status).toBe(201);
    expect((await fetch_(cls, "PUT", "/lock", { locked: "yes" })).status).toBe(422);
    await fetch_(cls, "PUT", "/lock", { locked: false });
    expect((await student.post(`/api/v1/namespaces/${ana.namespace}/pods`, pod("p"))).status).toBe(201);
    // Students cannot lock.
    const res = await worker().fetch(`${BASE}/api/classrooms/${cls.id}/lock`, { method: "PUT", headers: { authorization: `Bearer ${ana.token}`, "content-type": "application/json" }, body: "{\"locked\":true}" });
    expect(res.status).toBe(403);
  });

  it("reset deletes what people deployed, keeps students, quotas and machines, and uncordons", async () => {
    const { cls, k, advance } = await cluster(2);
    const ana = await join(cls, "ana");
    const student = client(cls, ana.token);
    await student.post(`/apis/apps/v1/namespaces/${ana.namespace}/deployments`, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } });
    await k.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "lab" } });
    await k.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { a: "1" } });
    await k.patch("/api/v1/nodes/node-1", { spec: { unschedulable: true } }, "application/merge-patch+json");
    await fetch_(cls, "POST", "/nodes/node-2/stop");
    await advance(60);
    expect((await student.get(`/api/v1/namespaces/${ana.namespace}/pods`)).body.items.length).toBe(2);

    const res = await fetch_(cls, "POST", "/reset");
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).deleted).toBeGreaterThan(5);
    await advance(30);
    expect((await student.get(`/api/v1/namespaces/${ana.namespace}/pods`)).body.items).toEqual([]);
    expect((await student.get(`/apis/apps/v1/namespaces/${ana.namespace}/deployments`)).body.items).toEqual([]);
    expect((await k.get("/api/v1/namespaces/lab")).status).toBe(404);
    expect((await k.get("/api/v1/namespaces/default/configmaps/cfg")).status).toBe(404);
    expect((await k.get(`/api/v1/namespaces/${ana.namespace}`)).status).toBe(200);
    expect((await k.get(`/api/v1/namespaces/${ana.namespace}/resourcequotas`)).body.items.length).toBe(1);
    expect((await k.get("/api/v1/namespaces/default/services/kubernetes")).status).toBe(200);
    expect((await k.get("/api/v1/nodes/node-1")).body.spec.unschedulable).toBeUndefined();
    const machines = ((await (await fetch_(cls, "GET", "/nodes")).json()) as any).items;
    expect(machines.map((m: any) => m.state)).toEqual(["running", "running"]);
    // The student can deploy again right away.
    expect((await student.post(`/api/v1/namespaces/${ana.namespace}/pods`, pod("again"))).status).toBe(201);
  });

  it("a partitioned node keeps running its pods but cannot report; healed, it finds them evicted and stops them", async () => {
    const { cls, k, advance, stub } = await cluster(1);
    await k.post("/api/v1/namespaces/default/pods", pod("web"));
    await advance(60);
    expect((await k.get("/api/v1/namespaces/default/pods/web")).body.status.phase).toBe("Running");
    expect((await fetch_(cls, "POST", "/nodes/node-1/partition")).status).toBe(200);
    await advance(60);
    // The control plane hears nothing: the lease goes stale and the node is NotReady (Unknown).
    const node = (await k.get("/api/v1/nodes/node-1")).body;
    expect(node.status.conditions.find((c: any) => c.type === "Ready").status).toBe("Unknown");
    // ...while on the machine the container still runs (the kubelet keeps its last pod list).
    const machine = (env as any).NODE.get((env as any).NODE.idFromName(`${cls.id}/node-1`));
    const onNode = async () => ((await machine.metrics((await stub.clock()).now)).pods as any[]).map((p) => p.name);
    expect(await onNode()).toEqual(["web"]);
    await advance(300);
    expect((await k.get("/api/v1/namespaces/default/pods/web")).body.metadata?.deletionTimestamp).toBeDefined();
    expect((await fetch_(cls, "POST", "/nodes/node-1/heal")).status).toBe(200);
    await advance(60);
    expect((await k.get("/api/v1/namespaces/default/pods/web")).status).toBe(404);
    expect(await onNode()).toEqual([]);
    expect((await k.get("/api/v1/nodes/node-1")).body.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
  });

  it("any member may read the scheduler's explanation of one pod; only the instructor lists them all", async () => {
    const { cls, k, advance } = await cluster(2);
    await k.post("/api/v1/namespaces/default/pods", pod("web"));
    await advance(5);
    const ana = await join(cls, "ana");
    const one = await worker().fetch(`${BASE}/api/classrooms/${cls.id}/scheduler/decisions?namespace=default&pod=web`, { headers: { authorization: `Bearer ${ana.token}` } });
    expect(one.status).toBe(200);
    const rec = ((await one.json()) as any).items[0];
    expect(rec.chosen).toMatch(/^node-\d$/);
    expect(Object.keys(rec.totals).sort()).toEqual(["node-1", "node-2"]);
    const all = await worker().fetch(`${BASE}/api/classrooms/${cls.id}/scheduler/decisions`, { headers: { authorization: `Bearer ${ana.token}` } });
    expect(all.status).toBe(403);
    const join_ = await worker().fetch(`${BASE}/api/classrooms/${cls.id}/scheduler/decisions?namespace=default&pod=web`, { headers: { authorization: `Bearer ${cls.joinToken}` } });
    expect(join_.status).toBe(401);
  });

  it("creates every node at the chosen size, and refuses an unknown size", async () => {
    const ok = await worker().fetch(`${BASE}/api/classrooms`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "big", nodes: 2, size: "kc-standard-4" }) });
    expect(ok.status).toBe(201);
    const cls = (await ok.json()) as Classroom;
    const machines = ((await (await fetch_(cls, "GET", "/nodes")).json()) as any).items;
    expect(machines.map((m: any) => m.instanceType)).toEqual(["kc-standard-4", "kc-standard-4"]);
    const bad = await worker().fetch(`${BASE}/api/classrooms`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x", size: "huge" }) });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as any).details.causes[0]).toMatchObject({ field: "size", reason: "FieldValueNotSupported" });
  });
});
