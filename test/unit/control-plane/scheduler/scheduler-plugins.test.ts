// Hand-computed cases for each filter and score plugin, run through scheduleOne's record or directly.
import { describe, expect, it } from "vitest";
import { buildSnapshot, defaultProfile, scheduleOne, type SchedulerProfile } from "../../../../src/control-plane/scheduler";
import { type CycleState as Cycle, defaultNormalizeScore } from "../../../../src/control-plane/scheduler/framework";
import { balancedScore } from "../../../../src/control-plane/scheduler/plugins/balanced-allocation";
import { calculatePriority } from "../../../../src/control-plane/scheduler/plugins/image-locality";
import { brokenLinear, leastRequestedScore, mostRequestedScore } from "../../../../src/control-plane/scheduler/plugins/node-resources-fit";
import { toleratesTaint } from "../../../../src/control-plane/scheduler/plugins/taint-toleration";
import { podRequests } from "../../../../src/control-plane/scheduler/snapshot";
import type { Node, Pod, PodSpec } from "../../../../src/control-plane/api-server/objects/core";
import { node, pod, seeded } from "./scheduler-helpers";

const MB = 1024 * 1024;

/** Schedule and return the record's entries for one plugin, by node. */
function scores(nodes: Node[], pods: Pod[], p: Pod, profile: SchedulerProfile = defaultProfile()) {
  const r = scheduleOne(p, buildSnapshot(nodes, pods), profile, 0, seeded(1));
  const by = (plugin: string) => Object.fromEntries(r.record.scores.filter((s) => s.plugin === plugin).map((s) => [s.node, s]));
  return { r, by };
}

function verdicts(nodes: Node[], pods: Pod[], p: Pod) {
  const r = scheduleOne(p, buildSnapshot(nodes, pods), defaultProfile(), 0, seeded(1));
  return { r, v: Object.fromEntries(r.record.filtered.map((f) => [f.node, `${f.plugin}: ${f.reason}`])) };
}

describe("filters", () => {
  it("NodeUnschedulable: cordoned nodes reject pods unless they tolerate the unschedulable taint", () => {
    const nodes = [node("a", { unschedulable: true }), node("b", { cpu: "0" })];
    expect(verdicts(nodes, [], pod("p")).v.a).toBe("NodeUnschedulable: node(s) were unschedulable");
    const tol = pod("q", { spec: { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] } });
    expect(verdicts(nodes, [], tol).r).toMatchObject({ kind: "bind", node: "a" });
  });

  it("NodeName: only the named node", () => {
    const { r, v } = verdicts([node("a"), node("b")], [], pod("p", { spec: { nodeName: "b" } }));
    expect(r).toMatchObject({ kind: "bind", node: "b" });
    expect(v.a).toBe("NodeName: node(s) didn't match the requested node name");
  });

  it("TaintToleration: NoSchedule/NoExecute taints need a toleration; the message names the first untolerated taint", () => {
    const nodes = [node("a", { taints: [{ key: "k", value: "v", effect: "NoExecute" }] }), node("b", { taints: [{ key: "soft", effect: "PreferNoSchedule" }] })];
    const { r, v } = verdicts(nodes, [], pod("p"));
    expect(v.a).toBe("TaintToleration: node(s) had untolerated taint {k: v}");
    expect(r).toMatchObject({ kind: "bind", node: "b" });
    expect(toleratesTaint({ key: "k", operator: "Equal", value: "v", effect: "" }, { key: "k", value: "v", effect: "NoExecute" })).toBe(true);
    expect(toleratesTaint({ key: "", operator: "Exists", value: "", effect: "" }, { key: "x", value: "y", effect: "NoSchedule" })).toBe(true);
    expect(toleratesTaint({ key: "k", operator: "Equal", value: "w", effect: "" }, { key: "k", value: "v", effect: "NoSchedule" })).toBe(false);
  });

  it("NodeAffinity: nodeSelector and required terms (In, NotIn, Exists, Gt)", () => {
    const nodes = [node("a", { labels: { disk: "ssd", gen: "5" } }), node("b", { labels: { disk: "hdd", gen: "3" } }), node("c")];
    const bySel = verdicts(nodes, [], pod("p", { spec: { nodeSelector: { disk: "ssd" } } }));
    expect(bySel.r).toMatchObject({ kind: "bind", node: "a" });
    expect(bySel.v.b).toBe("NodeAffinity: node(s) didn't match Pod's node affinity/selector");
    const aff = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }, { key: "disk", operator: "NotIn", values: ["ssd"] }] },
      { matchExpressions: [{ key: "disk", operator: "In", values: ["hdd"] }] },
    ] } } };
    expect(verdicts(nodes, [], pod("q", { spec: { affinity: aff } })).r).toMatchObject({ kind: "bind", node: "b" });
  });

  it("NodeAffinity PreFilter: metadata.name matchFields narrows the search (DaemonSet pods)", () => {
    const aff = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["b"] }] }] } } };
    const r = scheduleOne(pod("ds", { cpu: "8", spec: { affinity: aff } }), buildSnapshot([node("a"), node("b"), node("c")], []), defaultProfile(), 0);
    expect(r.kind === "unschedulable" && r.message).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.");
  });

  it("NodeResourcesFit: Insufficient cpu / memory / extended resources and Too many pods", () => {
    const nodes = [node("a", { cpu: "1" }), node("b", { memory: "1Gi" }), node("c", { pods: "1" }), node("d", { extra: { "example.com/gpu": "1" } })];
    const pods = [pod("x", { node: "c" }), pod("y", { node: "d", requests: { "example.com/gpu": "1" } })];
    const { v } = verdicts(nodes, pods, pod("p", { cpu: "2", memory: "2Gi" }));
    expect(v).toEqual({ a: "NodeResourcesFit: Insufficient cpu", b: "NodeResourcesFit: Insufficient memory", c: "NodeResourcesFit: Too many pods" });
    const gpu = verdicts(nodes, pods, pod("g", { requests: { "example.com/gpu": "1" } }));
    expect(gpu.v.d).toBe("NodeResourcesFit: Insufficient example.com/gpu");
  });

  it("effective requests: max(sum of containers, largest init step) with sidecars added to both", () => {
    const spec: PodSpec = {
      containers: [{ name: "a", resources: { requests: { cpu: "100m", memory: "100Mi" } } }, { name: "b", resources: { requests: { cpu: "200m" } } }],
      initContainers: [
        { name: "sidecar", restartPolicy: "Always", resources: { requests: { cpu: "50m" } } },
        { name: "init", resources: { requests: { cpu: "1", memory: "50Mi" } } },
      ],
    };
    expect(podRequests(spec).cpu).toBe(1050); // init step 1000m + sidecar 50m beats 350m
    expect(podRequests(spec).memory).toBe(100 * MB);
    expect(podRequests({ containers: [{ name: "c" }] }, true)).toMatchObject({ cpu: 100, memory: 200 * MB });
  });

  it("NodePorts: a used hostPort conflicts on the same protocol", () => {
    const { r, v } = verdicts([node("a"), node("b")], [pod("x", { node: "a", hostPort: 8080 })], pod("p", { hostPort: 8080 }));
    expect(v.a).toBe("NodePorts: node(s) didn't have free ports for the requested pod ports");
    expect(r).toMatchObject({ kind: "bind", node: "b" });
  });

  it("PodTopologySpread DoNotSchedule: maxSkew over the emptiest domain; nodes without the key are unresolvable", () => {
    const z = (n: string, zone?: string) => node(n, { labels: zone ? { zone } : {} });
    const nodes = [z("a", "z1"), z("b", "z2"), z("c")];
    const pods = [pod("x", { node: "a", labels: { app: "web" } })];
    const spec = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } } }] };
    const { r, v } = verdicts(nodes, pods, pod("p", { labels: { app: "web" }, spec }));
    expect(r).toMatchObject({ kind: "bind", node: "b" });
    expect(v.a).toBe("PodTopologySpread: node(s) didn't match pod topology spread constraints");
    expect(v.c).toBe("PodTopologySpread: node(s) didn't match pod topology spread constraints (missing required label)");
  });

  it("InterPodAffinity: required affinity, anti-affinity and existing pods' anti-affinity", () => {
    const nodes = [node("a", { labels: { zone: "z1" } }), node("b", { labels: { zone: "z2" } })];
    const term = (app: string) => [{ topologyKey: "zone", labelSelector: { matchLabels: { app } } }];
    const pods = [pod("db", { node: "a", labels: { app: "db" } })];
    const aff = verdicts(nodes, pods, pod("p", { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term("db") } } } }));
    expect(aff.r).toMatchObject({ kind: "bind", node: "a" });
    expect(aff.v.b).toBe("InterPodAffinity: node(s) didn't match pod affinity rules");
    const anti = verdicts(nodes, pods, pod("q", { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term("db") } } } }));
    expect(anti.v.a).toBe("InterPodAffinity: node(s) didn't match pod anti-affinity rules");
    const guard = pod("guard", { node: "b", labels: { app: "guard" }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term("web") } } } });
    const existing = verdicts(nodes, [...pods, guard], pod("w", { labels: { app: "web" } }));
    expect(existing.v.b).toBe("InterPodAffinity: node(s) didn't satisfy existing pods anti-affinity rules");
    // The first pod of a self-affine group may go anywhere with the topology key.
    const self = pod("s", { labels: { app: "cache" }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term("cache") } } } });
    expect(verdicts(nodes, [], self).r.kind).toBe("bind");
  });
});

describe("scores", () => {
  it("LeastAllocated: node 4000m/8Gi with 1000m/2Gi requested, pod 1000m/2Gi → 50", () => {
    const { by } = scores([node("a"), node("b", { cpu: "8", memory: "16Gi" })], [pod("x", { node: "a", cpu: "1", memory: "2Gi" })], pod("p", { cpu: "1", memory: "2Gi" }));
    expect(by("NodeResourcesFit").a).toMatchObject({ raw: 50, normalized: 50, weight: 1, weighted: 50 });
    expect(by("NodeResourcesFit").b.raw).toBe(87); // (7000/8000·100 = 87, 14/16·100 = 87)
  });

  it("MostAllocated and RequestedToCapacityRatio on the same node (cpu 2/4, memory 3/8 with the pod)", () => {
    const nodes = [node("a"), node("b")];
    const pods = [pod("x", { node: "a", cpu: "1", memory: "2Gi" })];
    const p = pod("p", { cpu: "1", memory: "1Gi" });
    const least = scores(nodes, pods, p).by("NodeResourcesFit").a.raw;
    expect(least).toBe(56); // (50 + 62) / 2
    const most = { ...defaultProfile(), scoringStrategy: { type: "MostAllocated" as const, resources: [{ name: "cpu", weight: 1 }, { name: "memory", weight: 1 }] } };
    expect(scores(nodes, pods, p, most).by("NodeResourcesFit").a.raw).toBe(43); // (50 + 37) / 2
    const rtcr = { ...defaultProfile(), scoringStrategy: { type: "RequestedToCapacityRatio" as const, resources: [{ name: "cpu", weight: 1 }, { name: "memory", weight: 1 }], shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } };
    expect(scores(nodes, pods, p, rtcr).by("NodeResourcesFit").a.raw).toBe(44); // round((50 + 37) / 2)
    expect(leastRequestedScore(5, 4)).toBe(0);
    expect(mostRequestedScore(5, 4)).toBe(100);
    expect(brokenLinear([{ utilization: 0, score: 100 }, { utilization: 50, score: 0 }])(25)).toBe(50);
  });

  it("weights: a resource with weight 3 counts three times", () => {
    const prof = { ...defaultProfile(), scoringStrategy: { type: "LeastAllocated" as const, resources: [{ name: "cpu", weight: 3 }, { name: "memory", weight: 1 }] } };
    // cpu (4000-2000)/4000 = 50, memory (8-1)/8 = 87: (150 + 87) / 4 = 59
    expect(scores([node("a"), node("b")], [], pod("p", { cpu: "2", memory: "1Gi" }), prof).by("NodeResourcesFit").a.raw).toBe(59);
  });

  it("BalancedAllocation: (1 − |cpu fraction − memory fraction| / 2) × 100 on actual requests", () => {
    const { by } = scores([node("a"), node("b")], [pod("x", { node: "a", cpu: "1", memory: "2Gi" })], pod("p", { cpu: "1", memory: "1Gi" }));
    expect(by("NodeResourcesBalancedAllocation").a.raw).toBe(93); // |0.5 − 0.375| / 2 = 0.0625
    expect(balancedScore([1, 2, 3], [4, 4, 4])).toBe(79); // three resources: population standard deviation
  });

  it("ImageLocality: size × spread between 23MB and 1000MB per container", () => {
    const nodes = [node("a", { images: [{ names: ["big/image:v1"], sizeBytes: 500 * MB }] }), node("b")];
    const { by } = scores(nodes, [], pod("p", { image: "big/image:v1" }));
    expect(by("ImageLocality").a.raw).toBe(23); // (250MB − 23MB) · 100 / 977MB
    expect(by("ImageLocality").b.raw).toBe(0);
    expect(calculatePriority(3000 * MB, 2)).toBe(100);
  });

  it("TaintToleration: PreferNoSchedule taints counted, reversed at normalization, weight 3", () => {
    const nodes = [node("a"), node("b", { taints: [{ key: "x", effect: "PreferNoSchedule" }, { key: "y", effect: "PreferNoSchedule" }] }), node("c", { taints: [{ key: "x", effect: "PreferNoSchedule" }] })];
    const { by, r } = scores(nodes, [], pod("p"));
    const t = by("TaintToleration");
    expect([t.a.raw, t.b.raw, t.c.raw]).toEqual([0, 2, 1]);
    expect([t.a.normalized, t.b.normalized, t.c.normalized]).toEqual([100, 0, 50]);
    expect(t.a.weighted).toBe(300);
    expect(r).toMatchObject({ kind: "bind", node: "a" });
  });

  it("NodeAffinity preferred: sum of matching weights, normalized by the maximum", () => {
    const nodes = [node("a", { labels: { disk: "ssd" } }), node("b", { labels: { disk: "ssd", gpu: "yes" } }), node("c")];
    const affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 20, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
      { weight: 60, preference: { matchExpressions: [{ key: "gpu", operator: "Exists" }] } },
    ] } };
    const { by, r } = scores(nodes, [], pod("p", { spec: { affinity } }));
    const na = by("NodeAffinity");
    expect([na.a.raw, na.b.raw, na.c.raw]).toEqual([20, 80, 0]);
    expect([na.a.normalized, na.b.normalized, na.c.normalized]).toEqual([25, 100, 0]);
    expect(r).toMatchObject({ kind: "bind", node: "b" });
  });

  it("PodTopologySpread ScheduleAnyway: fewer matching pods in the domain scores higher", () => {
    const nodes = [node("a", { labels: { zone: "z1" } }), node("b", { labels: { zone: "z2" } })];
    const pods = [pod("x", { node: "a", labels: { app: "web" } }), pod("y", { node: "a", labels: { app: "web" } })];
    const spec = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } }] };
    const { by, r } = scores(nodes, pods, pod("p", { labels: { app: "web" }, spec }));
    const s = by("PodTopologySpread");
    expect(s.a.raw).toBe(3); // round(2 · ln(4))
    expect(s.b.raw).toBe(0);
    expect([s.a.normalized, s.b.normalized]).toEqual([0, 100]); // 100 · (max + min − s) / max
    expect(r).toMatchObject({ kind: "bind", node: "b" });
  });

  it("InterPodAffinity preferred: weights per topology pair, min-max normalized", () => {
    const nodes = [node("a", { labels: { zone: "z1" } }), node("b", { labels: { zone: "z2" } }), node("c", { labels: { zone: "z3" } })];
    const pods = [pod("db", { node: "a", labels: { app: "db" } }), pod("noisy", { node: "b", labels: { app: "noisy" } })];
    const affinity = {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "zone", labelSelector: { matchLabels: { app: "db" } } } }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { topologyKey: "zone", labelSelector: { matchLabels: { app: "noisy" } } } }] },
    };
    const { by, r } = scores(nodes, pods, pod("p", { spec: { affinity } }));
    const s = by("InterPodAffinity");
    expect([s.a.raw, s.b.raw, s.c.raw]).toEqual([10, -5, 0]);
    expect([s.a.normalized, s.b.normalized, s.c.normalized]).toEqual([100, 0, 33]);
    expect(r).toMatchObject({ kind: "bind", node: "a" });
  });

  it("DefaultNormalizeScore", () => {
    const s = new Float64Array([0, 5, 10]);
    defaultNormalizeScore(s, 3, false);
    expect([...s]).toEqual([0, 50, 100]);
    const z = new Float64Array([0, 0]);
    defaultNormalizeScore(z, 2, true);
    expect([...z]).toEqual([100, 100]);
    void (null as unknown as Cycle);
  });
});
