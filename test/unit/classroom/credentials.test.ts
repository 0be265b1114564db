// Credentials (issue #10): the join token can be rotated and the number of students capped;
// a removed student's credential stops at once (cached copies too), their namespace goes and their
// pages close; unknown tokens are never cached and failed guesses are limited per client, in
// bounded memory; the live feed opens with single-use, short-lived tickets, never a credential
// in an HTTPS URL.
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { client, joinAs, kubeclassApi, newClassroom, type Classroom } from "../api-helpers";
import { CACHE_MAX, FAILURE_CLIENTS_MAX, Lru, TICKET_SECONDS, TicketBook } from "../../../src/classroom/credentials";
import { hashToken } from "../../../src/control-plane/api-server/auth";
import { MAX_KEYS, RateLimiter } from "../../../src/control-plane/api-server/rate-limit";
import { MAX_STUDENTS_LIMIT } from "../../../src/classroom/student-admin";
import { DEFAULT_STUDENT_COUNTS } from "../../../src/classroom/students";

const worker = () => (exports as any).default as Fetcher;
const BASE = "http://kubeclass.test";
const run = (runInDurableObject as unknown) as <T>(stub: unknown, fn: (obj: any) => Promise<T> | T) => Promise<T>;

function stubOf(id: string): any {
  const ns = (env as any).CLASSROOM;
  return ns.get(ns.idFromName(id));
}

const open: WebSocket[] = [];
afterEach(() => {
  for (const ws of open.splice(0)) try { ws.close(1000, "test over"); } catch { /* closed */ }
});

async function ticketFor(cls: Classroom, token: string) {
  const res = await worker().fetch(`${BASE}/api/classrooms/${cls.id}/live/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
}

function openLive(cls: Classroom, query: string, base = BASE) {
  return worker().fetch(`${base}/api/classrooms/${cls.id}/live?${query}`, { headers: { upgrade: "websocket" } });
}

/** A failed request from one client address, to the Kubernetes API with a made-up token. */
function guess(cls: Classroom, ip: string, token = "made-up") {
  return worker().fetch(`${BASE}/clusters/${cls.id}/auth/${token}/api/v1/namespaces`, { headers: { "cf-connecting-ip": ip } });
}

describe("join token: rotation and a cap on students", () => {
  it("rotating the join token stops the old one at once and gives the new token and link", async () => {
    const cls = await newClassroom("rotate");
    expect((await joinAs(cls, "ana")).status).toBe(201);
    const rotated = await kubeclassApi(cls, "POST", "/join-token/rotate");
    expect(rotated.status).toBe(200);
    const { joinToken, joinUrl } = rotated.body;
    expect(joinToken).not.toBe(cls.joinToken);
    expect(joinUrl).toBe(`${BASE}/join/${cls.id}#join=${joinToken}`);
    const old = await joinAs(cls, "bia");
    expect(old.status).toBe(401);
    expect(old.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Unauthorized" });
    expect((await joinAs(cls, "bia", joinToken)).status).toBe(201);
    // Students already in keep their credentials; only the instructor may rotate.
    const ana = (await kubeclassApi(cls, "GET", "/students")).body.items.map((s: any) => s.name);
    expect(ana).toEqual(["ana", "bia"]);
    expect((await kubeclassApi(cls, "POST", "/join-token/rotate", undefined, joinToken)).status).toBe(403);
  });

  it("a classroom admits at most MAX_STUDENTS_LIMIT (500) whatever the cap: every student's NodePorts fit the range", async () => {
    const nodePorts = Number(DEFAULT_STUDENT_COUNTS["services.nodeports"]);
    expect(MAX_STUDENTS_LIMIT * nodePorts).toBeLessThanOrEqual(32767 - 30000 + 1);
    const cls = await newClassroom("hard-cap");
    expect((await kubeclassApi(cls, "PUT", "/students/limit", { max: MAX_STUDENTS_LIMIT + 1 })).status).toBe(422);
    // 500 students already in (rows written directly: joining 500 through the API is slow here).
    await run(stubOf(cls.id), (o) => {
      for (let i = 0; i < MAX_STUDENTS_LIMIT; i++) o.sql.run("INSERT INTO credentials (token_hash, kind, username, groups, created_at) VALUES (?, 'student', ?, '[]', '2026-01-01T00:00:00Z')", `h${i}`, `kubeclass:student:s${i}`);
    });
    const full = await joinAs(cls, "late");
    expect(full.status).toBe(403);
    expect(full.body).toMatchObject({ reason: "Forbidden", message: `this classroom is full: a classroom admits at most ${MAX_STUDENTS_LIMIT} students` });
  });

  it("the instructor caps the number of students; joining beyond it is a 403 Status", async () => {
    const cls = await newClassroom("cap");
    const set = await kubeclassApi(cls, "PUT", "/students/limit", { max: 2 });
    expect(set).toMatchObject({ status: 200, body: { max: 2, students: 0 } });
    expect((await joinAs(cls, "ana")).status).toBe(201);
    expect((await joinAs(cls, "bia")).status).toBe(201);
    const full = await joinAs(cls, "caio");
    expect(full.status).toBe(403);
    expect(full.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Forbidden", code: 403, message: "this classroom is full: the instructor admits at most 2 students" });
    // A name already taken says so, not "full"; invalid caps are refused at their field.
    expect((await kubeclassApi(cls, "PUT", "/students/limit", { max: -1 })).body).toMatchObject({ code: 422, details: { causes: [{ field: "max" }] } });
    expect((await kubeclassApi(cls, "PUT", "/students/limit", {})).status).toBe(422);
    expect((await kubeclassApi(cls, "PUT", "/students/limit", { max: 2 }, cls.joinToken)).status).toBe(403);
    expect((await kubeclassApi(cls, "GET", "/students")).body.max).toBe(2);
    // Removing someone frees a place; no cap at all with null.
    expect((await kubeclassApi(cls, "DELETE", "/students/bia")).status).toBe(200);
    expect((await joinAs(cls, "caio")).status).toBe(201);
    expect((await kubeclassApi(cls, "PUT", "/students/limit", { max: null })).body).toEqual({ max: null, students: 2 });
    expect((await joinAs(cls, "davi")).status).toBe(201);
  });

  it("two joins at once cannot both take the last place", async () => {
    const cls = await newClassroom("race");
    await kubeclassApi(cls, "PUT", "/students/limit", { max: 1 });
    const res = await Promise.all(["ana", "bia", "caio"].map((n) => joinAs(cls, n)));
    expect(res.map((r) => r.status).sort()).toEqual([201, 403, 403]);
  });
});

describe("removing a student", () => {
  it("their token stops at once (cached or not), their namespace goes through the registry, their pages close", async () => {
    const cls = await newClassroom("remove");
    const stub = stubOf(cls.id);
    await stub.setClock({ paused: true });
    const ana = (await joinAs(cls, "ana")).body;
    const k = client(cls, ana.token);
    // Used once, so it sits in the object's credential cache.
    expect((await k.get("/api/v1/namespaces/student-ana/pods")).status).toBe(200);
    expect((await k.post("/api/v1/namespaces/student-ana/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } })).status).toBe(201);
    const t = await ticketFor(cls, ana.token);
    const res = await openLive(cls, `ticket=${t.body.ticket}`);
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    open.push(ws);
    const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", resolve));
    ws.accept();
    const unused = (await ticketFor(cls, ana.token)).body.ticket;

    const del = await kubeclassApi(cls, "DELETE", "/students/ana");
    expect(del).toMatchObject({ status: 200, body: { name: "ana", namespace: "student-ana" } });
    expect((await k.get("/api/v1/namespaces/student-ana/pods")).status).toBe(401);
    expect((await ticketFor(cls, ana.token)).status).toBe(401);
    expect((await openLive(cls, `ticket=${unused}`)).status).toBe(401);
    expect((await closed).code).toBe(4001);
    // Deleted as `kubectl delete namespace` would: Terminating, then emptied and gone.
    const admin = client(cls);
    const ns = await admin.get("/api/v1/namespaces/student-ana");
    if (ns.status === 200) expect(ns.body.metadata.deletionTimestamp).toBeTruthy();
    await stub.advance(5_000);
    expect((await admin.get("/api/v1/namespaces/student-ana")).status).toBe(404);
    expect((await admin.get("/api/v1/namespaces/student-ana/configmaps/c")).status).toBe(404);
    expect((await kubeclassApi(cls, "GET", "/students")).body.items).toEqual([]);
    const again = await kubeclassApi(cls, "DELETE", "/students/ana");
    expect(again).toMatchObject({ status: 404, body: { kind: "Status", reason: "NotFound" } });
    // The name is free again once the namespace is gone.
    expect((await joinAs(cls, "ana")).status).toBe(201);
  });
});

describe("authentication: bounded cache, limited failures", () => {
  it("unknown tokens are never cached, and the cache of known ones is an LRU of 1,000", async () => {
    const cls = await newClassroom("cache");
    for (let i = 0; i < 5; i++) await guess(cls, `198.51.100.${i}`, `nope-${i}`);
    expect((await client(cls).get("/api/v1/namespaces")).status).toBe(200);
    expect(await run(stubOf(cls.id), (obj) => obj.creds.cachedCount)).toBe(1);
    expect(CACHE_MAX).toBe(1_000);
    const lru = new Lru<number>(3);
    for (let i = 0; i < 10; i++) lru.set(`k${i}`, i);
    lru.get("k7"); // used: kept over k8
    lru.set("k10", 10);
    expect(lru.size).toBe(3);
    expect([...lru.values()]).toEqual([9, 7, 10]);
  });

  it("10 failures a minute per client, then 429 with Retry-After; credentials in use and other clients go on", async () => {
    const cls = await newClassroom("limit");
    const me = client(cls);
    expect((await me.get("/api/v1/namespaces")).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await guess(cls, "203.0.113.9")).status).toBe(401);
    const limited = await guess(cls, "203.0.113.9");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ kind: "Status", code: 429, reason: "TooManyRequests", message: "Too many failed authentication attempts, please try again later." });
    // The kubeclass API and the join API count the same failures.
    expect((await worker().fetch(`${BASE}/api/classrooms/${cls.id}`, { headers: { authorization: "Bearer nope", "cf-connecting-ip": "203.0.113.9" } })).status).toBe(429);
    expect((await joinAs(cls, "ana", "nope")).status).toBe(401); // no address: another bucket
    // The instructor's credential (in use) still works from that address; another address still gets 401.
    expect((await worker().fetch(`${BASE}/clusters/${cls.id}/auth/${cls.instructorToken}/api/v1/namespaces`, { headers: { "cf-connecting-ip": "203.0.113.9" } })).status).toBe(200);
    expect((await guess(cls, "203.0.113.10")).status).toBe(401);
  });

  it("the limiters' maps are bounded: least recently used clients are forgotten first", () => {
    const l = new RateLimiter({ perSecond: 1 / 6, burst: 10 }, 100);
    for (let i = 0; i < 5_000; i++) l.take(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(l.size).toBe(100);
    // check() never remembers a stranger.
    expect(l.check("192.0.2.1", 0)).toEqual({ ok: true });
    expect(l.size).toBe(100);
    const busy = new RateLimiter({ perSecond: 1, burst: 1 }, 2);
    busy.take("a", 0);
    busy.take("b", 0);
    busy.take("a", 0); // a used again: b is the least recently used
    busy.take("c", 0);
    expect(busy.take("a", 0).ok).toBe(false); // a still remembered (and empty)
    expect(busy.take("b", 0).ok).toBe(true); // b was forgotten: a fresh bucket
    expect(MAX_KEYS).toBe(10_000);
    expect(FAILURE_CLIENTS_MAX).toBe(10_000);
  });
});

describe("live feed tickets", () => {
  it("a ticket opens the feed once; a reused one is refused with 401", async () => {
    const cls = await newClassroom("ticket");
    const t = await ticketFor(cls, cls.instructorToken);
    expect(t).toMatchObject({ status: 200, body: { expiresInSeconds: TICKET_SECONDS } });
    expect(t.body.ticket).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const first = await openLive(cls, `ticket=${t.body.ticket}`);
    expect(first.status).toBe(101);
    open.push(first.webSocket!);
    first.webSocket!.accept();
    const reused = await openLive(cls, `ticket=${t.body.ticket}`);
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ kind: "Status", reason: "Unauthorized" });
  });

  it("only the instructor and students get tickets", async () => {
    const cls = await newClassroom("ticket-who");
    const ana = (await joinAs(cls, "ana")).body;
    expect((await ticketFor(cls, ana.token)).status).toBe(200);
    expect((await ticketFor(cls, cls.joinToken)).status).toBe(403);
    expect((await ticketFor(cls, "nope")).status).toBe(401);
    expect((await worker().fetch(`${BASE}/api/classrooms/${cls.id}/live/ticket`, { method: "POST" })).status).toBe(401);
    expect((await openLive(cls, "ticket=made-up")).status).toBe(401);
  });

  it("a ticket expires after 30 s; only its hash is kept, and at most 1,000 are outstanding", async () => {
    const book = new TicketBook();
    const t = await book.issue("cred-hash", 1_000);
    expect(await book.redeem(t, 1_000 + TICKET_SECONDS * 1000)).toBeUndefined();
    const u = await book.issue("cred-hash", 1_000);
    expect(await book.redeem(u, 1_000 + TICKET_SECONDS * 1000 - 1)).toBe("cred-hash");
    expect(await book.redeem(u, 2_000)).toBeUndefined();
    const v = await book.issue("cred-hash", 0);
    expect([...(book as any).byHash.keys()]).toEqual([await hashToken(v)]);
    for (let i = 0; i < 1_100; i++) await book.issue(`c${i}`, 0);
    expect(book.size).toBe(1_000);
    // Through the classroom: an expired ticket is refused.
    const cls = await newClassroom("ticket-expiry");
    const ticket = (await ticketFor(cls, cls.instructorToken)).body.ticket;
    await run(stubOf(cls.id), (obj) => {
      const tickets = obj.creds.tickets.byHash as Map<string, { expires: number }>;
      for (const e of tickets.values()) e.expires = Date.now() - 1;
    });
    expect((await openLive(cls, `ticket=${ticket}`)).status).toBe(401);
  });

  it("?token= opens the feed only over plain HTTP (local runs), never over HTTPS", async () => {
    const cls = await newClassroom("token-url");
    const https = await openLive(cls, `token=${cls.instructorToken}`, "https://kubeclass.test");
    expect(https.status).toBe(401);
    const plain = await openLive(cls, `token=${cls.instructorToken}`);
    expect(plain.status).toBe(101);
    open.push(plain.webSocket!);
    plain.webSocket!.accept();
  });
});
