import { describe, expect, it } from "vitest";
import { recordEvent } from "../../../src/control-plane/api-server/events";
import { Registry } from "../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../src/control-plane/api-server/types";
import { Etcd } from "../../../src/control-plane/etcd/store";
import { outcomesToCsv } from "../../../src/classroom/rounds/export";
import { type Outcomes, computeOutcomes, failureReason, median } from "../../../src/classroom/rounds/outcomes";
import { mapAt, stateAt } from "../../../src/classroom/rounds/replay";
import { RoundStore } from "../../../src/classroom/rounds/store";
import { type ClusterState, type LogEntry, type Round, RoundError } from "../../../src/classroom/rounds/types";
import { withSql } from "../helpers";

const Mi = 1024 * 1024;
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

function node(name: string, cpu: string, memory: string): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name, uid: `uid-${name}` }, status: { allocatable: { cpu, memory, pods: "110" } } };
}

/** A pod of a student (or "instructor"), Pending and unbound; `controller` makes it a ReplicaSet's. */
function pod(name: string, who: string, cpu: string, memory: string, controller = false): KubeObject {
  const meta: KubeObject["metadata"] = {
    name, namespace: who === "instructor" ? "default" : `student-${who}`, uid: `uid-${name}`,
    annotations: { "kubeclass.dev/created-by": who === "instructor" ? "kubeclass:instructor" : `kubeclass:student:${who}` },
    managedFields: [{ manager: "kubectl", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } }],
  };
  if (controller) meta.ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${name}-rs`, uid: `uid-${name}-rs`, controller: true }];
  return { apiVersion: "v1", kind: "Pod", metadata: meta, spec: { containers: [{ name: "app", image: "nginx", resources: { requests: { cpu, memory } } }] }, status: { phase: "Pending" } };
}

/** Builds a log the way the classroom would see it, and can capture the live cluster at any moment. */
class LogBuilder {
  at = T0;
  rev = 100;
  readonly log: LogEntry[] = [];
  readonly pods = new Map<string, KubeObject>();
  readonly nodes = new Map<string, KubeObject>();
  private eventCounts = new Map<string, number>();

  constructor(readonly start: ClusterState) {
    for (const n of start.nodes) this.nodes.set(n.metadata.name!, n);
    for (const p of start.pods) this.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
  }
  to(ms: number): this {
    this.at = T0 + ms;
    return this;
  }
  put(o: KubeObject): this {
    o = structuredClone(o);
    const isNode = o.kind === "Node";
    const key = isNode ? `/registry/nodes/${o.metadata.name}` : `/registry/pods/${o.metadata.namespace}/${o.metadata.name}`;
    if (isNode) this.nodes.set(o.metadata.name!, o);
    else this.pods.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    this.log.push({ at: this.at, rev: ++this.rev, type: "PUT", key, object: o });
    return this;
  }
  /** Changes the live pod: fn edits a copy. */
  pod(nsName: string, fn: (p: KubeObject) => void): this {
    const p = structuredClone(this.pods.get(nsName)!);
    fn(p);
    return this.put(p);
  }
  del(nsName: string): this {
    const p = this.pods.get(nsName)!;
    this.pods.delete(nsName);
    this.log.push({ at: this.at, rev: ++this.rev, type: "DELETE", key: `/registry/pods/${nsName}`, object: p });
    return this;
  }
  /** A core/v1 Event about a pod; the same reason and message again counts on the same Event. */
  event(nsName: string, reason: string, message: string): this {
    const p = this.pods.get(nsName)!;
    const name = `${p.metadata.name}.${reason}.${message.length}`;
    const count = (this.eventCounts.get(name) ?? 0) + 1;
    this.eventCounts.set(name, count);
    const ns = p.metadata.namespace!;
    const ev: KubeObject = {
      apiVersion: "v1", kind: "Event", metadata: { name, namespace: ns, uid: `uid-ev-${name}` },
      involvedObject: { kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid }, reason, message, type: "Warning", count,
    };
    this.log.push({ at: this.at, rev: ++this.rev, type: "PUT", key: `/registry/events/${ns}/${name}`, object: ev });
    return this;
  }
  /** What a person created themselves (the recorder sees it in etcd, with its created-by). */
  submission(who: string, object: string): this {
    this.log.push({ kind: "submission", at: this.at, user: who === "instructor" ? "kubeclass:instructor" : `kubeclass:student:${who}`, object });
    return this;
  }
  refusal(who: string, code: number, reason: string, message: string): this {
    this.log.push({ kind: "refusal", at: this.at, user: who === "instructor" ? "kubeclass:instructor" : `kubeclass:student:${who}`, code, reason, message });
    return this;
  }
  snapshot(): { pods: KubeObject[]; nodes: KubeObject[] } {
    const sortBy = (m: Map<string, KubeObject>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((x) => structuredClone(x[1]));
    return { pods: sortBy(this.pods), nodes: sortBy(this.nodes) };
  }
}

const bind = (nodeName: string) => (p: KubeObject) => { p.spec.nodeName = nodeName; };
const phase = (ph: string, restarts = 0) => (p: KubeObject) => { p.status = { ...p.status, phase: ph, containerStatuses: [{ name: "app", restartCount: restarts }] }; };
const CPU2 = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
const MIXED = "0/3 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.";

/**
 * The worked example. Nodes n1 (2 cpu, 4Gi), n2 (600m, 1Gi), n3 (1 cpu, 1Gi). At start: ana's "old"
 * on n1, Running, 2 restarts. In the round (ms after T0):
 *   ana: submits Pod a1 and a ReplicaSet (2 objects).
 *        a1 direct (500m/512Mi) created 1000, bound 2000, Running 5000 (4 s); a2, a3 from the ReplicaSet.
 *        a2 (250m/256Mi) 1000 → n2 1500 → Running 3000 (2 s); preempted at 40000.
 *        a3 (1500m/3Gi) never fits: FailedScheduling CPU2 twice (one Event, count 1 then 2), MIXED once.
 *        "old" restarts 2 → 5 (3 in the round). Refused: 422 Invalid, 429.
 *   bob: b1 (250m/256Mi) 2000 → n2 → Running 12000 (10 s), 3 restarts; evicted at 30000 (DisruptionTarget,
 *        TaintManagerEviction Event, delete). b2 (100m/128Mi) 3000 → n1 → Running 4000 (1 s), Succeeded 20000.
 *        Refused: 403 quota, 403 other, 400.
 *   cara: only a 404 refusal.   instructor: i1 (800m/256Mi) 5000 → n3 → Running 6000 (1 s).
 * End at 60000.
 */
function example(): { b: LogBuilder; round: Round; captured: Map<number, ReturnType<LogBuilder["snapshot"]>> } {
  const old = pod("old", "ana", "500m", "512Mi");
  Object.assign(old.spec, { nodeName: "n1" });
  phase("Running", 2)(old);
  const b = new LogBuilder({ pods: [old], nodes: [node("n1", "2", "4Gi"), node("n2", "600m", "1Gi"), node("n3", "1", "1Gi")] });
  const captured = new Map<number, ReturnType<LogBuilder["snapshot"]>>();
  const cap = (ms: number) => captured.set(ms, b.snapshot());
  cap(0);
  b.to(1000).submission("ana", "Pod/student-ana/a1").submission("ana", "ReplicaSet/student-ana/rs").submission("ana", "Pod/student-ana/a1")
    .put(pod("a1", "ana", "500m", "512Mi")).put(pod("a2", "ana", "250m", "256Mi", true)).put(pod("a3", "ana", "1500m", "3Gi", true));
  b.to(1200).event("student-ana/a3", "FailedScheduling", CPU2).refusal("ana", 422, "Invalid", 'Pod "x" is invalid: spec.containers: Required value');
  b.to(1500).pod("student-ana/a2", bind("n2"));
  cap(1700);
  b.to(2000).pod("student-ana/a1", bind("n1")).submission("bob", "Pod/student-bob/b1").put(pod("b1", "bob", "250m", "256Mi")).pod("student-bob/b1", bind("n2"));
  b.to(2500).event("student-ana/a3", "FailedScheduling", CPU2).refusal("ana", 429, "TooManyRequests", "Too many requests, please try again later.");
  b.to(3000).pod("student-ana/a2", phase("Running")).submission("bob", "Pod/student-bob/b2").put(pod("b2", "bob", "100m", "128Mi"));
  b.to(3500).event("student-ana/a3", "FailedScheduling", MIXED).pod("student-bob/b2", bind("n1"));
  b.to(4000).pod("student-bob/b2", phase("Running"));
  b.refusal("bob", 403, "Forbidden", 'pods "big" is forbidden: exceeded quota: student-quota, requested: pods=1, used: pods=20, limited: pods=20');
  b.to(5000).pod("student-ana/a1", phase("Running")).submission("instructor", "Pod/default/i1").put(pod("i1", "instructor", "800m", "256Mi")).pod("default/i1", bind("n3"));
  cap(5000);
  b.to(6000).pod("default/i1", phase("Running")).refusal("bob", 403, "Forbidden", 'pods "x" is forbidden: User "kubeclass:student:bob" cannot delete resource "pods"');
  b.to(7000).refusal("bob", 400, "BadRequest", "json: cannot unmarshal string").refusal("cara", 404, "NotFound", 'pods "nope" not found');
  b.to(8000).pod("student-ana/old", phase("Running", 5));
  b.to(12000).pod("student-bob/b1", phase("Running", 3));
  b.to(20000).pod("student-bob/b2", phase("Succeeded"));
  cap(25000);
  b.to(30000).pod("student-bob/b1", (p) => { p.status.conditions = [{ type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager" }]; })
    .event("student-bob/b1", "TaintManagerEviction", "Marking for deletion Pod student-bob/b1").del("student-bob/b1");
  b.to(40000).event("student-ana/a2", "Preempted", "Preempted by pod uid-x on node n2").del("student-ana/a2");
  cap(60000);
  const round: Round = {
    n: 1, title: "Bin packing", goal: null, startedAt: T0, endedAt: T0 + 60000, startRev: 100, endRev: b.rev,
    settings: { scoring: "MostAllocated" }, running: false, logEntries: b.log.length, truncated: false, logPruned: false,
  };
  return { b, round, captured };
}

describe("round replay", () => {
  it("replays to the state captured at the same moment, at, between and after entries", () => {
    const { b, captured } = example();
    for (const [ms, snap] of captured) expect(stateAt(b.start, b.log, T0 + ms), `at ${ms}`).toEqual({ at: T0 + ms, ...snap });
    // Just before the first change, the start state.
    expect(stateAt(b.start, b.log, T0 + 999).pods.map((p) => p.metadata.name)).toEqual(["old"]);
  });

  it("draws the placement map: requests per node, pods by student, pending pods with the last scheduling failure", () => {
    const { b } = example();
    const m = mapAt(b.start, b.log, T0 + 5000);
    expect(m.at).toBe(T0 + 5000);
    expect(m.nodes.map((n) => [n.name, n.requested.cpuMillis, n.requested.memoryBytes / Mi])).toEqual([
      ["n1", 1100, 1152], // old + a1 + b2
      ["n2", 500, 512], // a2 + b1
      ["n3", 800, 256], // i1
    ]);
    expect(m.nodes[0].allocatable).toEqual({ cpuMillis: 2000, memoryBytes: 4096 * Mi });
    expect(m.nodes[2].pods).toEqual([{ namespace: "default", name: "i1", phase: "Pending" }]); // no student field for the instructor
    expect(m.nodes[1].pods).toEqual([
      { namespace: "student-ana", name: "a2", phase: "Running", student: "ana" },
      { namespace: "student-bob", name: "b1", phase: "Pending", student: "bob" },
    ]);
    expect(m.pending).toEqual([{ namespace: "student-ana", name: "a3", student: "ana", reason: MIXED }]);
    // A finished pod stays on its node's list but no longer counts against it.
    const late = mapAt(b.start, b.log, T0 + 25000);
    expect(late.nodes[0].requested.cpuMillis).toBe(1000);
    expect(late.nodes[0].pods.find((p) => p.name === "b2")!.phase).toBe("Succeeded");
  });
});

describe("round outcomes", () => {
  it("computes each student's outcomes as worked out by hand", () => {
    const { b, round } = example();
    const o = computeOutcomes(round, b.start, b.log);
    expect(o.students.map((s) => s.student)).toEqual(["ana", "bob", "cara", "instructor"]);
    const [ana, bob, cara, instructor] = o.students;
    expect(ana).toEqual({
      student: "ana", objectsSubmitted: 2, podsCreated: 3, podsDirect: 1, podsFromControllers: 2, // a1 submitted twice counts once
      pods: { running: 2, pending: 1, failed: 0, succeeded: 0 }, // old, a1 running; a3 pending; a2 preempted away
      timeToRunning: { pods: 2, medianSeconds: 3, maxSeconds: 4 }, // a1 4 s, a2 2 s
      schedulingFailures: { total: 3, reasons: [{ reason: "3 Insufficient cpu", count: 2 }, { reason: "1 Insufficient memory, 2 Insufficient cpu", count: 1 }] },
      restarts: 3,
      refusals: { invalid: 1, rateLimited: 1, quota: 0, forbidden: 0, other: 0 },
    });
    expect(bob).toMatchObject({
      objectsSubmitted: 2, podsCreated: 2, podsDirect: 2, podsFromControllers: 0, pods: { running: 0, pending: 0, failed: 0, succeeded: 1 },
      timeToRunning: { pods: 2, medianSeconds: 5.5, maxSeconds: 10 }, schedulingFailures: { total: 0, reasons: [] },
      restarts: 3, // b1's, counted although b1 is gone at the end
      refusals: { invalid: 1, rateLimited: 0, quota: 1, forbidden: 1, other: 0 },
    });
    expect(cara).toMatchObject({ objectsSubmitted: 0, refusals: { invalid: 0, rateLimited: 0, quota: 0, forbidden: 0, other: 1 }, timeToRunning: { pods: 0, medianSeconds: null, maxSeconds: null } });
    expect(instructor).toMatchObject({ objectsSubmitted: 1, pods: { running: 1 }, timeToRunning: { pods: 1, medianSeconds: 1, maxSeconds: 1 } });
  });

  it("computes the cluster's outcomes: fragmentation, disruptions, nodes used, time series", () => {
    const { b, round } = example();
    const c = computeOutcomes(round, b.start, b.log).cluster;
    expect(c.pods).toEqual({ created: 6, running: 3, pending: 1, failed: 0, succeeded: 1 });
    // Typical pod: median of old 500, a1 500, a2 250, a3 1500, b1 250, b2 100, i1 800 → 500m;
    // of 512, 512, 256, 3072, 256, 128, 256 Mi → 256Mi. Free at the end: n1 1000m/3Gi, n2 600m/1Gi,
    // n3 200m/768Mi; only n3 cannot fit 500m.
    expect(c.fragmentation).toEqual({
      typicalPod: { cpuMillis: 500, memoryBytes: 256 * Mi },
      free: { cpuMillis: 1800, memoryBytes: 4864 * Mi },
      unusable: { cpuMillis: 200, memoryBytes: 768 * Mi },
      unusableFraction: { cpu: 200 / 1800, memory: 768 / 4864 },
      nodes: ["n3"],
    });
    expect(c.evictions).toEqual({ count: 1, items: [{ at: T0 + 30000, namespace: "student-bob", name: "b1", student: "bob", node: "n2", reason: "DeletionByTaintManager" }] });
    expect(c.preemptions).toEqual({ count: 1, items: [{ at: T0 + 40000, namespace: "student-ana", name: "a2", student: "ana", node: "n2", reason: "Preempted" }] });
    expect([c.nodesUsed, c.nodesTotal]).toEqual([2, 3]);
    expect(c.placement.pending.map((p) => p.name)).toEqual(["a3"]);

    const s = c.series;
    expect(s.at).toHaveLength(200);
    expect([s.at[0], s.at[199]]).toEqual([T0, T0 + 60000]);
    for (const arr of [s.pending, ...s.nodes.flatMap((n) => [n.cpuMillis, n.memoryBytes])]) expect(arr).toHaveLength(200);
    const n1 = s.nodes.find((n) => n.name === "n1")!;
    expect([n1.cpuMillis[0], n1.cpuMillis[199]]).toEqual([500, 1000]);
    expect([s.pending[0], s.pending[199]]).toEqual([0, 1]);
    // Every sample equals the map replayed at that moment.
    for (const i of [0, 5, 17, 50, 120, 199]) {
      const m = mapAt(b.start, b.log, s.at[i]);
      expect(s.nodes.map((n) => n.cpuMillis[i])).toEqual(m.nodes.map((n) => n.requested.cpuMillis));
      expect(s.pending[i]).toBe(m.pending.length);
    }
    expect(computeOutcomes(round, b.start, b.log).round).toMatchObject({ n: 1, durationSeconds: 60, running: false, settings: { scoring: "MostAllocated" } });
  });

  it("reads the Events the recorder actually stores, and lists students with nothing to show when asked", () =>
    withSql((sql) => {
      const reg = new Registry(new Etcd(sql));
      const now = new Date(T0);
      const user = { username: "kubeclass:student:dan", groups: ["system:masters"] };
      reg.create(findResource("", "v1", "namespaces")!, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "student-dan" } }, { user, now });
      const p = reg.create(findResource("", "v1", "pods")!, "student-dan", { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "nginx" }] } }, { user, now });
      const log: LogEntry[] = [{ at: T0 + 10, rev: 2, type: "PUT", key: "/registry/pods/student-dan/web", object: p }];
      for (let i = 0; i < 2; i++) {
        const ev = recordEvent(reg, { regarding: p, reason: "FailedScheduling", message: "0/1 nodes are available: 1 node(s) were unschedulable.", type: "Warning", component: "default-scheduler", now })!;
        log.push({ at: T0 + 20 + i, rev: 3 + i, type: "PUT", key: `/registry/events/student-dan/${ev.metadata.name}`, object: ev });
      }
      const o = computeOutcomes({ n: 1, title: "t", goal: null, startedAt: T0, endedAt: T0 + 100, settings: null }, { pods: [], nodes: [] }, log, { students: ["dan", "eve"] });
      expect(o.students.map((s) => [s.student, s.podsCreated, s.schedulingFailures.total, s.schedulingFailures.reasons[0]?.reason])).toEqual([
        ["dan", 1, 2, "1 node(s) were unschedulable"],
        ["eve", 0, 0, undefined],
      ]);
    }));

  it("counts only Events the system recorded or a student wrote about their own pods (a forged Event in another namespace is ignored)", () => {
    const { b, round } = example();
    const base = computeOutcomes(round, b.start, b.log);
    // bob writes, from his own namespace, events.k8s.io-style Events (eventTime set, which v1
    // validation lets regard another namespace) that claim ana's a1 failed to schedule and was preempted.
    const forged = (n: number, reason: string, ns: string, creator: string): LogEntry => ({
      at: T0 + 50000 + n, rev: b.rev + 1 + n, type: "PUT", key: `/registry/events/${ns}/forged-${n}`,
      object: {
        apiVersion: "v1", kind: "Event", metadata: { name: `forged-${n}`, namespace: ns, uid: `uid-forged-${n}`, annotations: { "kubeclass.dev/created-by": creator } },
        eventTime: "2026-11-21T10:00:50.000000Z", involvedObject: { kind: "Pod", namespace: "student-ana", name: "a1", uid: "uid-a1" },
        reason, message: CPU2, type: "Warning", count: 1,
      },
    });
    const log = [...b.log, forged(0, "FailedScheduling", "student-bob", "kubeclass:student:bob"), forged(1, "Preempted", "student-bob", "kubeclass:student:bob")];
    const o = computeOutcomes(round, b.start, log);
    expect(o.students[0].schedulingFailures).toEqual(base.students[0].schedulingFailures);
    expect(o.cluster.preemptions).toEqual(base.cluster.preemptions);
    // The same Event from a system component (or written by ana about her own pod, in her namespace) counts.
    const trusted = [...b.log, forged(0, "FailedScheduling", "student-ana", "system:kube-scheduler"), forged(1, "FailedScheduling", "student-ana", "kubeclass:student:ana")];
    expect(computeOutcomes(round, b.start, trusted).students[0].schedulingFailures.total).toBe(base.students[0].schedulingFailures.total + 2);
  });

  it("helpers: medians, failure reasons", () => {
    expect([median([]), median([3]), median([4, 1, 2]), median([10, 1])]).toEqual([null, 3, 2, 5.5]);
    expect(failureReason(CPU2)).toBe("3 Insufficient cpu");
    expect(failureReason("0/12 nodes are available: 10 Insufficient cpu, 2 Insufficient memory.")).toBe("10 Insufficient cpu, 2 Insufficient memory");
    expect(failureReason("no nodes available to schedule pods")).toBe("no nodes available to schedule pods");
  });

  it("exports one CSV row per student with proper quoting", () => {
    const { b, round } = example();
    const csv = outcomesToCsv(computeOutcomes(round, b.start, b.log));
    const lines = csv.split("\r\n");
    expect(lines).toHaveLength(6); // header, 4 rows, trailing empty
    expect(lines[0]).toMatch(/^student,objects_submitted,pods_created,pods_direct,/);
    expect(lines[1]).toBe('ana,2,3,1,2,2,1,0,0,2,3,4,3,"3 Insufficient cpu (×2); 1 Insufficient memory, 2 Insufficient cpu (×1)",3,1,1,0,0,0');
    expect(lines[3]).toBe("cara,0,0,0,0,0,0,0,0,0,,,0,,0,0,0,0,0,1");
    const odd = { students: [{ ...computeOutcomes(round, b.start, b.log).students[0], student: '=HYPERLINK("x")', schedulingFailures: { total: 1, reasons: [{ reason: 'say "hi"\nthere', count: 1 }] } }] } as Outcomes;
    expect(outcomesToCsv(odd).split("\r\n")[1]).toBe(`"'=HYPERLINK(""x"")",2,3,1,2,2,1,0,0,2,3,4,1,"say ""hi""\nthere (×1)",3,1,1,0,0,0`);
  });
});

describe("round store", () => {
  const state = (): ClusterState => ({ pods: [pod("p", "ana", "100m", "64Mi")], nodes: [node("n1", "2", "4Gi")] });

  it("starts and ends numbered rounds, one at a time, and keeps their outcomes", () =>
    withSql((sql) => {
      const rs = new RoundStore(sql);
      expect(rs.current()).toBeUndefined();
      expect(rs.append([{ kind: "refusal", at: T0, user: "kubeclass:student:ana", code: 429, reason: "TooManyRequests", message: "slow" }])).toBe(0); // no round: no-op
      const r1 = rs.start({ title: "  First ", goal: "Fill the nodes", at: T0, rev: 10, settings: { quota: { pods: "20" } }, state: state() });
      expect(r1).toEqual({ n: 1, title: "First", goal: "Fill the nodes", startedAt: T0, endedAt: null, startRev: 10, endRev: null, settings: { quota: { pods: "20" } }, running: true, logEntries: 0, truncated: false, logPruned: false });
      expect(() => rs.start({ title: "Again", at: T0, rev: 11, settings: {}, state: state() })).toThrow(expect.objectContaining({ code: 409, message: expect.stringContaining('round 1 ("First") is still running') }));
      const pending = pod("q", "ana", "100m", "64Mi");
      expect(rs.append([{ at: T0 + 1000, rev: 11, type: "PUT", key: "/registry/pods/student-ana/q", object: pending }])).toBe(1);
      rs.append([{ kind: "refusal", at: T0 + 2000, user: "kubeclass:student:ana", code: 422, reason: "Invalid", message: "bad" }]);
      const log = rs.log(1);
      expect(log.map((e) => e.at)).toEqual([T0 + 1000, T0 + 2000]);
      expect((log[0] as { object: KubeObject }).object.metadata.managedFields).toBeUndefined();
      expect(pending.metadata.managedFields).toBeDefined(); // the caller's object is left alone
      expect(rs.startState(1)!.pods[0].metadata).not.toHaveProperty("managedFields");
      expect(rs.startState(1)!.nodes[0].metadata.name).toBe("n1");
      // A running round's outcomes are computed on demand up to "now".
      expect(rs.outcomes(1, { now: T0 + 5000 })!.round).toMatchObject({ running: true, endedAt: T0 + 5000 });

      const ended = rs.end({ at: T0 + 60000, rev: 20 });
      expect(ended).toMatchObject({ n: 1, running: false, endedAt: T0 + 60000, endRev: 20, logEntries: 2 });
      expect(rs.current()).toBeUndefined();
      expect(() => rs.end({ at: T0, rev: 1 })).toThrow(expect.objectContaining({ code: 409, message: "no round is running" }));
      const out = rs.outcomes(1)!;
      expect(out.students[0]).toMatchObject({ student: "ana", podsCreated: 1, refusals: { invalid: 1 } });
      expect(rs.append([{ kind: "refusal", at: T0 + 70000, user: "kubeclass:student:ana", code: 429, reason: "TooManyRequests", message: "x" }])).toBe(0);

      const r2 = rs.start({ title: "Second", at: T0 + 100000, rev: 30, settings: null, state: state() });
      expect(r2.n).toBe(2);
      expect(rs.list().map((r) => [r.n, r.running])).toEqual([[1, false], [2, true]]);
      expect(rs.get(3)).toBeUndefined();
      expect(() => rs.log(3)).toThrow(expect.objectContaining({ code: 404 }));
    }));

  it("validates title and goal with 400s", () =>
    withSql((sql) => {
      const rs = new RoundStore(sql);
      const bad = (o: { title: unknown; goal?: unknown }): [number, string] | string => {
        try {
          rs.start({ ...o, at: T0, rev: 1, settings: {}, state: state() });
        } catch (e) {
          return e instanceof RoundError ? [e.code, e.message] : String(e);
        }
        return "accepted";
      };
      expect(bad({ title: "" })).toEqual([400, "title must be a non-empty string of at most 100 characters"]);
      expect(bad({ title: "   " })[0]).toBe(400);
      expect(bad({ title: 42 })[0]).toBe(400);
      expect(bad({ title: "x".repeat(101) })[0]).toBe(400);
      expect(bad({ title: "ok", goal: "g".repeat(501) })).toEqual([400, "goal must be a string of at most 500 characters"]);
      expect(bad({ title: "ok", goal: 7 })[0]).toBe(400);
      expect(rs.list()).toEqual([]);
      expect(bad({ title: "x".repeat(100), goal: "g".repeat(500) })).toBe("accepted");
    }));

  it("bounds a round's log: past the limit it is marked truncated and keeps a prefix", () =>
    withSql((sql) => {
      const rs = new RoundStore(sql, { maxLogEntries: 5 });
      rs.start({ title: "Busy", at: T0, rev: 1, settings: {}, state: state() });
      const entries: LogEntry[] = Array.from({ length: 4 }, (_, i) => ({ kind: "refusal", at: T0 + i, user: "kubeclass:student:ana", code: 429, reason: "TooManyRequests", message: `n${i}` }));
      expect(rs.append(entries)).toBe(4);
      expect(rs.append(entries.map((e) => ({ ...e, at: e.at + 10 })))).toBe(1);
      expect(rs.current()).toMatchObject({ logEntries: 5, truncated: true });
      expect(rs.append(entries)).toBe(0);
      expect(rs.log(1).map((e) => e.at)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3, T0 + 10]);
      rs.end({ at: T0 + 100, rev: 2 });
      expect(rs.outcomes(1)!.round.truncated).toBe(true);
    }));

  it("keeps only the newest rounds' logs; older rounds keep their outcomes", () =>
    withSql((sql) => {
      const rs = new RoundStore(sql, { maxKeptRounds: 2 });
      for (let i = 1; i <= 3; i++) {
        rs.start({ title: `R${i}`, at: T0 + i * 1000, rev: i, settings: {}, state: state() });
        rs.append([{ kind: "refusal", at: T0 + i * 1000 + 1, user: `kubeclass:student:s${i}`, code: 422, reason: "Invalid", message: "bad" }]);
        rs.end({ at: T0 + i * 1000 + 500, rev: i });
      }
      expect(rs.list().map((r) => [r.n, r.logPruned, r.logEntries])).toEqual([[1, true, 0], [2, false, 1], [3, false, 1]]);
      expect(rs.log(1)).toEqual([]);
      expect(rs.startState(1)).toBeUndefined();
      // ana's pod from the start state, Pending throughout; s1's refusal.
      expect(rs.outcomes(1)!.students.map((s) => [s.student, s.pods.pending, s.refusals.invalid])).toEqual([["ana", 1, 0], ["s1", 0, 1]]);
      expect(rs.startState(2)).toBeDefined();
    }));

  it("stores a start state larger than one SQLite value, and appends inside an outer transaction", () =>
    withSql((sql) => {
      const rs = new RoundStore(sql);
      const big = pod("big", "ana", "100m", "64Mi");
      delete big.metadata.managedFields;
      // 2.8 MB of UTF-8 (three parts), placed so that a surrogate pair straddles the first part boundary.
      big.metadata.annotations!.note = "😀".repeat(700_000);
      const first = JSON.stringify({ pods: [big], nodes: [] }).indexOf("😀");
      if ((512 * 1024 - first) % 2 === 0) big.metadata.annotations!.note = "x" + big.metadata.annotations!.note;
      rs.start({ title: "Big", at: T0, rev: 1, settings: {}, state: { pods: [big], nodes: [] } });
      expect(rs.startState(1)!.pods[0].metadata.annotations!.note).toBe(big.metadata.annotations!.note);
      sql.transaction(() => rs.append([{ at: T0 + 1, rev: 2, type: "DELETE", key: "/registry/pods/student-ana/big", object: pod("big", "ana", "100m", "64Mi") }]));
      expect(rs.log(1)).toHaveLength(1);
    }));
});
