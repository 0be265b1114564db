// Admission of load (API Priority and Fairness, scaled to one object): the pure logic with explicit
// times, then the classroom object's real fetch path with the Worker's receive-time stamp.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  callerOf, FLOW_CONTROL, FlowControl, queueWaitMs, RECEIVED_HEADER, RetryAfter, stampReceived, type Caller,
} from "../../../../src/control-plane/api-server/flow-control";
import { TOKEN_HEADER } from "../../../../src/classroom/classroom-schema";
import type { ClassroomObject } from "../../../../src/classroom/classroom-object";
import { client, joinAs, newClassroom, pod } from "../../api-helpers";

const student = (name: string): Caller => ({ exempt: false, flow: `kubeclass:student:${name}` });
const instructor: Caller = callerOf({ kind: "instructor", user: { username: "kubeclass:instructor", groups: ["system:masters", "system:authenticated"] } });
const T0 = 1_000_000;
/** The pure fairness logic, without the gate on requests queued ahead (tested on its own below). */
const FAIR = { ...FLOW_CONTROL, minQueued: 0 };

describe("queue wait from the Worker's stamp", () => {
  it("is now minus the stamp; a missing, malformed or future stamp is no wait", () => {
    const h = (v?: string) => new Headers(v === undefined ? {} : { [RECEIVED_HEADER]: v });
    expect(queueWaitMs(h(String(T0 - 300)), T0)).toBe(300);
    expect(queueWaitMs(h(), T0)).toBe(0);
    expect(queueWaitMs(h("soon"), T0)).toBe(0);
    expect(queueWaitMs(h("-5"), T0)).toBe(0);
    // Clocks of two machines may disagree: a stamp from the future is clamped to 0.
    expect(queueWaitMs(h(String(T0 + 40)), T0)).toBe(0);
  });

  it("the Worker's stamp replaces a client's, old or future", () => {
    for (const forged of ["0", String(T0 + 10_000_000), "junk"]) {
      const headers = stampReceived(new Headers({ [RECEIVED_HEADER]: forged }), T0);
      expect(headers.get(RECEIVED_HEADER)).toBe(String(T0));
      expect(queueWaitMs(headers, T0 + 20)).toBe(20);
    }
  });
});

describe("who is exempt (APF's default configuration)", () => {
  it("system:masters and nodes are exempt; a student is a flow of their own; no credential or the join token share one", () => {
    expect(instructor).toEqual({ exempt: true });
    expect(callerOf({ kind: "node", user: { username: "system:node:n1", groups: ["system:nodes"] } })).toEqual({ exempt: true });
    expect(callerOf({ kind: "student", user: { username: "kubeclass:student:ana", groups: ["kubeclass:students"] } })).toEqual({ exempt: false, flow: "kubeclass:student:ana" });
    expect(callerOf(undefined)).toEqual({ exempt: false, flow: "system:anonymous" });
    expect(callerOf({ kind: "join", user: { username: "kubeclass:join", groups: [] } })).toEqual({ exempt: false, flow: "system:anonymous" });
  });
});

describe("FlowControl admission", () => {
  it("admits everyone while the wait is under the target", () => {
    const fc = new FlowControl(FAIR);
    for (let i = 0; i < 100; i++) expect(fc.admit(student("heavy"), FLOW_CONTROL.targetMs - 1, T0 + i).ok).toBe(true);
    expect(fc.stats(T0 + 100).shed.total).toBe(0);
    expect(fc.stats(T0 + 100).admitted).toBe(100);
  });

  it("a wait above target for less than an interval is a spike, not a standing queue", () => {
    const fc = new FlowControl(FAIR);
    for (let i = 0; i < 20; i++) fc.admit(student("heavy"), 0, T0 + i);
    fc.admit(student("light"), 0, T0 + 20);
    expect(fc.admit(student("heavy"), 300, T0 + 30).ok).toBe(true);
    expect(fc.admit(student("heavy"), 300, T0 + 30 + FLOW_CONTROL.intervalMs - 1).ok).toBe(true);
    expect(fc.behind(T0 + 30 + FLOW_CONTROL.intervalMs - 1)).toBe(false);
  });

  it("when behind, the student over their share is shed with a Retry-After and the light one is served", () => {
    const fc = new FlowControl(FAIR);
    // Before the queue stood: the heavy student was served 30 requests, the light one 1.
    for (let i = 0; i < 30; i++) fc.admit(student("heavy"), 0, T0 + i);
    fc.admit(student("light"), 0, T0 + 30);
    // Then every request waits 300 ms, for longer than the interval.
    let t = T0 + 40;
    fc.admit(student("light"), 300, t);
    t += FLOW_CONTROL.intervalMs;
    expect(fc.behind(t)).toBe(true);
    const heavy = [];
    const light = [];
    for (let i = 0; i < 20; i++, t += 10) {
      heavy.push(fc.admit(student("heavy"), 300, t));
      light.push(fc.admit(student("light"), 300, t + 5));
    }
    expect(light.every((a) => a.ok)).toBe(true);
    expect(heavy.every((a) => !a.ok && a.reason === "overShare" && a.retryAfterSeconds >= 1)).toBe(true);
    const s = fc.stats(t);
    expect(s.shed).toEqual({ total: 20, overShare: 20, overload: 0, rateLimit: 0 });
    expect(s.behind).toBe(true);
  });

  it("over a long overload a heavy student still gets about a fair share, and a light one all it asks", () => {
    const fc = new FlowControl(FAIR);
    // 50 students sent one request each 2 s before: no longer contending, they do not lower the share.
    for (let i = 0; i < 50; i++) fc.admit(student(`once${i}`), 0, T0 + i);
    let t = T0 + 2_000;
    fc.admit(student("a"), 300, t);
    t += FLOW_CONTROL.intervalMs;
    const served = { heavy: 0, light: 0 };
    const sent = { heavy: 0, light: 0 };
    // 20 s: the heavy student sends 10 requests per 100 ms, the light one 1.
    for (let tick = 0; tick < 200; tick++, t += 100) {
      for (let i = 0; i < 10; i++) {
        sent.heavy++;
        if (fc.admit(student("heavy"), 300, t + i).ok) served.heavy++;
      }
      sent.light++;
      if (fc.admit(student("light"), 300, t + 50).ok) served.light++;
    }
    expect(served.light).toBe(sent.light);
    // Fair queuing's outcome: the heavy flow is held near the light one's share, not starved.
    expect(served.heavy).toBeGreaterThan(sent.light * 0.5);
    expect(served.heavy).toBeLessThan(sent.light * 2);
  });

  it("the further behind, the more students are shed, heaviest first; equal students are served in turn", () => {
    // Ten students served 1..10 requests just before the queue stood.
    const setup = () => {
      const fc = new FlowControl(FAIR);
      for (let n = 1; n <= 10; n++) for (let i = 0; i < n; i++) fc.admit(student(`s${n}`), 0, T0);
      fc.admit(student("s1"), 300, T0 + 1);
      fc.admit(student("s1"), 300, T0 + 1 + FLOW_CONTROL.intervalMs);
      return fc;
    };
    const t = T0 + 1 + FLOW_CONTROL.intervalMs;
    const shedAt = (waitMs: number) => {
      const fc = setup();
      return [10, 9, 8, 7, 6, 5, 4, 3, 2].filter((n) => !fc.admit(student(`s${n}`), waitMs, t).ok);
    };
    // Just behind: only the heaviest. Nearly at the hard limit: all but the lightest ones.
    expect(shedAt(FLOW_CONTROL.targetMs + 1)).toEqual([10]);
    expect(shedAt(FLOW_CONTROL.targetMs + (FLOW_CONTROL.hardMs - FLOW_CONTROL.targetMs) / 2)).toEqual([10, 9, 8, 7, 6]);
    expect(shedAt(FLOW_CONTROL.hardMs - 1).length).toBeGreaterThanOrEqual(8);

    // 50 students with one request each while behind: turn by turn, nearly all are served.
    const fc = new FlowControl(FAIR);
    fc.admit(student("x"), 300, T0);
    let served = 0;
    for (let i = 0; i < 50; i++) if (fc.admit(student(`eq${i}`), 300, T0 + FLOW_CONTROL.intervalMs + i).ok) served++;
    expect(served).toBeGreaterThanOrEqual(49);
  });

  it("a request that already waited past the hard limit is shed whoever sent it; the instructor is exempt", () => {
    const fc = new FlowControl(FAIR);
    const a = fc.admit(student("light"), FLOW_CONTROL.hardMs, T0);
    expect(a).toEqual({ ok: false, reason: "overload", retryAfterSeconds: 1 });
    expect(fc.admit(instructor, 10_000, T0 + 1)).toEqual({ ok: true });
    expect(fc.admit(instructor, 10_000, T0 + 2)).toEqual({ ok: true });
    const s = fc.stats(T0 + 2);
    expect(s.exemptAdmitted).toBe(2);
    expect(s.shed.overload).toBe(1);
    // The instructor's wait is a sample of the queue too.
    expect(s.lastWaitMs).toBe(10_000);
  });

  it("a token-bucket refusal is counted as shed and not charged to the student's share", () => {
    const fc = new FlowControl(FAIR);
    fc.admit(student("ana"), 0, T0);
    fc.rateLimited(student("ana"), T0);
    fc.admit(student("bia"), 0, T0);
    const s = fc.stats(T0);
    expect(s.shed).toEqual({ total: 1, overShare: 0, overload: 0, rateLimit: 1 });
    // Both were charged equally after the refund: neither is over the share once behind.
    fc.admit(student("ana"), 300, T0 + 1);
    expect(fc.admit(student("bia"), 300, T0 + 1 + FLOW_CONTROL.intervalMs).ok).toBe(true);
  });

  it("sheds only when requests queued ahead: a wait behind the simulation alone is not refused", () => {
    const fc = new FlowControl();
    // A lone request that waited 2 s (an alarm's long step ahead of it) is served.
    expect(fc.admit(student("ana"), 2_000, T0).ok).toBe(true);
    expect(fc.admit(student("ana"), 2_000, T0 + 50).ok).toBe(true);
    // Eight requests started while the next one waited: requests are the queue; it is shed.
    for (let i = 0; i < FLOW_CONTROL.minQueued; i++) fc.admit(instructor, 0, T0 + 100 + i);
    expect(fc.admit(student("ana"), 2_000, T0 + 200)).toMatchObject({ ok: false, reason: "overload" });
    // One that arrived after them had nobody ahead.
    expect(fc.admit(student("bia"), 2_000 - 150, T0 + 2_200).ok).toBe(true);
    for (let i = 0; i < 100; i++) fc.admit(instructor, 0, T0 + 3_000 + i);
    expect(fc.startsKept).toBe(FLOW_CONTROL.minQueued);
  });

  it("remembers at most maxFlows flows (default 10,000), and forgets idle ones", () => {
    const fc = new FlowControl(FAIR);
    for (let i = 0; i < FLOW_CONTROL.maxFlows + 500; i++) fc.admit(student(`s${i}`), 0, T0);
    expect(fc.size).toBe(FLOW_CONTROL.maxFlows);
    expect(fc.activeSize).toBe(FLOW_CONTROL.maxFlows);
    fc.admit(student("late"), 0, T0 + FLOW_CONTROL.idleMs);
    expect(fc.size).toBe(1);
    expect(fc.activeSize).toBe(1);
    const small = new FlowControl({ ...FAIR, maxFlows: 3 });
    for (const n of ["a", "b", "c", "d", "e"]) small.admit(student(n), 0, T0);
    expect(small.size).toBe(3);
    expect(small.stats(T0).flows).toBe(3);
  });
});

describe("Retry-After as APF's dropped-requests tracker", () => {
  it("starts at 1 s, doubles while drops go on, stops at the ceiling, and starts over after a quiet spell", () => {
    const r = new RetryAfter(8);
    const seen: number[] = [];
    for (let s = 0; s < 30; s++) {
      let v = 0;
      for (let i = 0; i < 50; i++) v = r.dropped(T0 * 1000 + s * 1000 + i);
      seen.push(v);
      expect(r.historyLength).toBeLessThanOrEqual(8);
    }
    expect(seen[0]).toBe(1);
    expect(Math.max(...seen)).toBe(8);
    expect(seen).toContain(2);
    expect(seen).toContain(4);
    expect(seen.slice(-5)).toEqual([8, 8, 8, 8, 8]);
    // 9 quiet seconds (more than the last Retry-After): back to 1.
    expect(r.dropped(T0 * 1000 + 39_000)).toBe(1);
  });

  it("a few drops a second do not raise it", () => {
    const r = new RetryAfter(8);
    for (let s = 0; s < 20; s++) expect(r.dropped(T0 * 1000 + s * 1000)).toBe(1);
  });
});

describe("the classroom object sheds before any work", () => {
  const stubOf = (id: string) => {
    const ns = (env as unknown as { CLASSROOM: DurableObjectNamespace<ClassroomObject> }).CLASSROOM;
    return ns.get(ns.idFromName(id));
  };
  /** A request as the Worker forwards it, with a receive time `agoMs` in the past. */
  const forwarded = (path: string, token: string, agoMs: number, body?: unknown) => new Request(`https://classroom${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { [TOKEN_HEADER]: token, [RECEIVED_HEADER]: String(Date.now() - agoMs), "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  it("a student's create that waited too long is a 429 with Retry-After and stores nothing; the instructor's goes through", async () => {
    const cls = await newClassroom("flow", 0, { controllers: false });
    const ana = (await joinAs(cls, "ana")).body;
    const stub = stubOf(cls.id);
    const podsPath = `/api/v1/namespaces/${ana.namespace}/pods`;

    // Requests queued ahead of the student's: the instructor's, started while it waited.
    for (let i = 0; i < FLOW_CONTROL.minQueued; i++) expect((await stub.fetch(forwarded(podsPath, cls.instructorToken, 0))).status).toBe(200);
    const shed = await stub.fetch(forwarded(podsPath, ana.token, 60_000, pod("shed-me")));
    expect(shed.status).toBe(429);
    expect(Number(shed.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const status = (await shed.json()) as { kind: string; reason: string; details: { retryAfterSeconds: number } };
    expect(status.kind).toBe("Status");
    expect(status.reason).toBe("TooManyRequests");
    expect(status.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await client(cls).get(`${podsPath}/shed-me`)).status).toBe(404);

    const admitted = await stub.fetch(forwarded(podsPath, cls.instructorToken, 60_000, pod("by-instructor")));
    expect(admitted.status).toBe(201);
    expect((await client(cls).get(`${podsPath}/by-instructor`)).status).toBe(200);

    const stats = await stub.flowStats();
    expect(stats.shed.overload).toBe(1);
    expect(stats.shed.total).toBe(1);
    expect(stats.exemptAdmitted).toBeGreaterThanOrEqual(1);

    // Once requests come in fresh again the student is served.
    const fresh = await stub.fetch(forwarded(podsPath, ana.token, 0, pod("after")));
    expect(fresh.status).toBe(201);
  });

  it("a client's own stamp header cannot force shedding: the Worker overwrites it", async () => {
    const cls = await newClassroom("flow-forge", 0, { controllers: false });
    const bia = (await joinAs(cls, "bia")).body;
    // Requests ahead, so that a wait taken from the client's stamp (1 ms after the epoch) would shed.
    for (let i = 0; i < FLOW_CONTROL.minQueued; i++) expect((await client(cls).get("/api/v1/namespaces/default/pods")).status).toBe(200);
    const res = await client(cls, bia.token).post(`/api/v1/namespaces/${bia.namespace}/pods`, pod("forged"), { [RECEIVED_HEADER]: "1" });
    expect(res.status).toBe(201);
    const stats = await stubOf(cls.id).flowStats();
    expect(stats.shed.total).toBe(0);
    expect(stats.lastWaitMs).toBeLessThan(FLOW_CONTROL.hardMs);
  });
});
