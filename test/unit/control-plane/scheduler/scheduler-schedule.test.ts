// scheduleOne end to end: choices, FailedScheduling messages, preemption, node sampling, properties.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assume, buildSnapshot, defaultProfile, forget, numFeasibleNodesToFind, scheduleOne } from "../../../../src/control-plane/scheduler";
import { fitErrorMessage } from "../../../../src/control-plane/scheduler/messages";
import { node, pod, seeded } from "./scheduler-helpers";

const CP_TAINT = [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }];

describe("scheduleOne", () => {
  it("picks the highest weighted total and explains it in the record", () => {
    const snap = buildSnapshot([node("busy"), node("idle")], [pod("x", { node: "busy", cpu: "3", memory: "6Gi" })]);
    const r = scheduleOne(pod("p", { cpu: "500m", memory: "512Mi" }), snap, defaultProfile(), 42, seeded(3));
    expect(r).toMatchObject({ kind: "bind", node: "idle" });
    expect(r.record.chosen).toBe("idle");
    expect(r.record.feasible.sort()).toEqual(["busy", "idle"]);
    expect(r.record.totals.idle).toBeGreaterThan(r.record.totals.busy);
    const sum = r.record.scores.filter((s) => s.node === "idle").reduce((t, s) => t + s.weighted, 0);
    expect(sum).toBe(r.record.totals.idle);
    expect(r.record.at).toBe(42);
    expect(JSON.parse(JSON.stringify(r.record)).scores.length).toBe(r.record.scores.length);
  });

  it("breaks ties uniformly at random (seeded)", () => {
    const seen = new Set<string>();
    for (let s = 0; s < 20; s++) {
      const r = scheduleOne(pod("p"), buildSnapshot([node("a"), node("b"), node("c")], []), defaultProfile(), 0, seeded(s));
      if (r.kind === "bind") seen.add(r.node);
    }
    expect(seen.size).toBe(3);
  });

  it("assume and forget keep the snapshot's accounting without a rebuild", () => {
    const snap = buildSnapshot([node("a", { cpu: "1" })], []);
    const p1 = pod("p1", { cpu: "600m" });
    const r1 = scheduleOne(p1, snap, defaultProfile(), 0);
    expect(r1.kind).toBe("bind");
    assume(snap, p1, "a");
    const p2 = pod("p2", { cpu: "600m" });
    expect(scheduleOne(p2, snap, defaultProfile(), 0).kind).toBe("unschedulable");
    forget(snap, p1);
    expect(scheduleOne(p2, snap, defaultProfile(), 0).kind).toBe("bind");
  });

  it("FailedScheduling text: sorted reason histogram plus the preemption part", () => {
    const nodes = [node("cp", { taints: CP_TAINT }), node("w1", { cpu: "1" }), node("w2", { cpu: "1" })];
    const r = scheduleOne(pod("p", { cpu: "2" }), buildSnapshot(nodes, []), defaultProfile(), 0);
    expect(r.kind).toBe("unschedulable");
    expect(r.kind === "unschedulable" && r.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. " +
      "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");
    expect(r.record.message).toBe(r.kind === "unschedulable" ? r.message : "");
    expect(r.record.filtered).toHaveLength(3);
  });

  it("multiple reasons on one node count separately; sorting is by string", () => {
    const counts = new Map([["Insufficient cpu", 10], ["Insufficient memory", 2]]);
    expect(fitErrorMessage(12, counts)).toBe("0/12 nodes are available: 10 Insufficient cpu, 2 Insufficient memory.");
    const r = scheduleOne(pod("p", { cpu: "9", memory: "20Gi" }), buildSnapshot([node("a")], []), { ...defaultProfile(), disabledPlugins: ["DefaultPreemption"] }, 0);
    expect(r.kind === "unschedulable" && r.message).toBe("0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.");
  });

  it("preemptionPolicy Never and empty clusters", () => {
    const r = scheduleOne(pod("p", { cpu: "9", priority: 1000, preemptionPolicy: "Never" }), buildSnapshot([node("a")], [pod("x", { node: "a", cpu: "1" })]), defaultProfile(), 0);
    expect(r.kind === "unschedulable" && r.message).toBe("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
    const e = scheduleOne(pod("q"), buildSnapshot([], []), defaultProfile(), 0);
    expect(e.kind === "unschedulable" && e.message).toBe("no nodes available to schedule pods");
  });
});

describe("preemption", () => {
  const ts = (m: number) => `2025-01-01T00:${String(m).padStart(2, "0")}:00Z`;

  it("evicts the fewest lowest-priority pods on the best node and nominates it", () => {
    const nodes = [node("a"), node("b")];
    const pods = [
      // a: victims would include priority 500
      pod("a1", { node: "a", cpu: "2", priority: 500, startTime: ts(1) }),
      pod("a2", { node: "a", cpu: "2", priority: 10, startTime: ts(1) }),
      // b: two low-priority pods; only one needs to go
      pod("b1", { node: "b", cpu: "2", priority: 10, startTime: ts(1) }),
      pod("b2", { node: "b", cpu: "2", priority: 5, startTime: ts(2) }),
    ];
    const snap = buildSnapshot(nodes, pods);
    const hi = pod("hi", { cpu: "2", priority: 1000 });
    const r = scheduleOne(hi, snap, defaultProfile(), Date.parse(ts(30)), seeded(1));
    expect(r.kind).toBe("unschedulable");
    if (r.kind !== "unschedulable") return;
    expect(r.nominatedNode).toBe("b");
    expect(r.victims?.map((v) => v.metadata.name)).toEqual(["b2"]);
    expect(r.record.nominatedNode).toBe("b");
    expect(r.record.victims?.map((v) => v.name)).toEqual(["b2"]);
    expect(r.message).toBe("0/2 nodes are available: 2 Insufficient cpu.");
    // The nomination holds the room: an equal-priority pod does not take it, and the preemptor waits for its victims.
    const again = scheduleOne(pod("hi2", { cpu: "2", priority: 1000 }), snap, defaultProfile(), 0, seeded(1));
    expect(again.kind).toBe("unschedulable");
  });

  it("prefers the node whose victims started latest when everything else ties", () => {
    const pods = [pod("a1", { node: "a", cpu: "3", priority: 1, startTime: ts(1) }), pod("b1", { node: "b", cpu: "3", priority: 1, startTime: ts(5) })];
    const r = scheduleOne(pod("hi", { cpu: "2", priority: 9 }), buildSnapshot([node("a"), node("b")], pods), defaultProfile(), 0, seeded(2));
    expect(r.kind === "unschedulable" && r.nominatedNode).toBe("b");
  });

  it("reports why preemption cannot help", () => {
    const nodes = [node("cp", { taints: CP_TAINT }), node("a"), node("b", { cpu: "1" })];
    const pods = [pod("x", { node: "a", cpu: "3", priority: 100 })];
    const r = scheduleOne(pod("p", { cpu: "2", priority: 50 }), buildSnapshot(nodes, pods), defaultProfile(), 0, seeded(1));
    expect(r.kind === "unschedulable" && r.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. " +
      "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");
    const big = scheduleOne(pod("q", { cpu: "8", priority: 500 }), buildSnapshot(nodes, pods), defaultProfile(), 0, seeded(1));
    expect(big.kind === "unschedulable" && big.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. " +
      "preemption: 0/3 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.");
  });
});

describe("node sampling", () => {
  it("numFeasibleNodesToFind like the real scheduler", () => {
    expect(numFeasibleNodesToFind(0, 50)).toBe(50);
    expect(numFeasibleNodesToFind(0, 100)).toBe(100); // 50% of 100 → at least 100
    expect(numFeasibleNodesToFind(0, 1000)).toBe(420); // 50 − 8 = 42%
    expect(numFeasibleNodesToFind(0, 5000)).toBe(500); // 50 − 40 = 10%
    expect(numFeasibleNodesToFind(0, 10000)).toBe(500); // floor at 5%
    expect(numFeasibleNodesToFind(100, 5000)).toBe(5000);
    expect(numFeasibleNodesToFind(1, 5000)).toBe(100);
  });

  it("evaluates only the sample, starting where the last search stopped", () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${i}`));
    const snap = buildSnapshot(nodes, []);
    const r1 = scheduleOne(pod("p1"), snap, defaultProfile(), 0, seeded(1));
    expect(r1.record.nodesEvaluated).toBe(420);
    expect(snap.nextStartNodeIndex).toBe(420);
    const r2 = scheduleOne(pod("p2"), snap, defaultProfile(), 0, seeded(1));
    expect(r2.record.feasible[0]).toBe("n420");
    expect(snap.nextStartNodeIndex).toBe(840);
  });
});

describe("properties", () => {
  const arbNode = fc.record({ cpu: fc.integer({ min: 1, max: 8 }), mem: fc.integer({ min: 1, max: 16 }), tainted: fc.boolean(), ssd: fc.boolean(), used: fc.integer({ min: 0, max: 4000 }) });
  const arbPod = fc.record({ cpu: fc.integer({ min: 1, max: 4000 }), mem: fc.integer({ min: 1, max: 8192 }), tolerate: fc.boolean(), wantSsd: fc.boolean() });

  it("a bound node passes every filter", () => {
    fc.assert(fc.property(fc.array(arbNode, { minLength: 1, maxLength: 12 }), arbPod, fc.integer(), (ns, pp, seed) => {
      const nodes = ns.map((n, i) => node(`n${i}`, { cpu: String(n.cpu), memory: `${n.mem}Gi`, labels: n.ssd ? { disk: "ssd" } : {}, taints: n.tainted ? [{ key: "t", effect: "NoSchedule" }] : undefined }));
      const used = ns.map((n, i) => pod(`u${i}`, { node: `n${i}`, cpu: `${n.used}m` }));
      const p = pod("p", { cpu: `${pp.cpu}m`, memory: `${pp.mem}Mi`, spec: { ...(pp.wantSsd ? { nodeSelector: { disk: "ssd" } } : {}), ...(pp.tolerate ? { tolerations: [{ key: "t", operator: "Exists" }] } : {}) } });
      const r = scheduleOne(p, buildSnapshot(nodes, used), defaultProfile(), 0, seeded(seed));
      const fits = ns.map((n) => n.cpu * 1000 - n.used >= pp.cpu && n.mem * 1024 >= pp.mem && (!n.tainted || pp.tolerate) && (!pp.wantSsd || n.ssd));
      if (r.kind === "bind") expect(fits[Number(r.node.slice(1))]).toBe(true);
      else expect(fits.some(Boolean)).toBe(false);
    }), { numRuns: 200 });
  });

  it("MostAllocated never prefers a node with strictly more free capacity when all else is equal", () => {
    const profile = { ...defaultProfile(), scoringStrategy: { type: "MostAllocated" as const, resources: [{ name: "cpu", weight: 1 }, { name: "memory", weight: 1 }] }, disabledPlugins: ["NodeResourcesBalancedAllocation"] };
    fc.assert(fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 900 }), fc.integer(), (usedLess, extra, req, seed) => {
      const pods = [pod("x", { node: "full", cpu: `${usedLess + extra}m`, memory: "1Gi" }), pod("y", { node: "empty", cpu: `${usedLess}m`, memory: "1Gi" })];
      const r = scheduleOne(pod("p", { cpu: `${req}m`, memory: "1Gi" }), buildSnapshot([node("full", { cpu: "8" }), node("empty", { cpu: "8" })], pods), profile, 0, seeded(seed));
      if (r.kind !== "bind") return;
      expect(r.record.totals.full).toBeGreaterThanOrEqual(r.record.totals.empty);
      if (r.record.totals.full > r.record.totals.empty) expect(r.node).toBe("full");
    }), { numRuns: 200 });
  });
});
