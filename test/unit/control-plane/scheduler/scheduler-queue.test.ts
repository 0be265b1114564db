// SchedulingQueue ordering, backoff, requeue on cluster events, persistence; profile validation.
import { describe, expect, it } from "vitest";
import { SchedulingQueue, defaultProfile, validateProfile } from "../../../../src/control-plane/scheduler";
import { backoffDuration } from "../../../../src/control-plane/scheduler/queue";
import { pod } from "./scheduler-helpers";

const names = (q: SchedulingQueue, now: number) => {
  const out: string[] = [];
  for (let p = q.pop(now); p; p = q.pop(now)) out.push(p.metadata.name!);
  return out;
};

describe("SchedulingQueue", () => {
  it("pops by priority, then by time queued; dedups by uid", () => {
    const q = new SchedulingQueue();
    q.add(pod("low", { priority: 1, uid: "l" }), 10);
    q.add(pod("early", { priority: 5, uid: "e" }), 20);
    q.add(pod("late", { priority: 5, uid: "t" }), 30);
    q.add(pod("early", { priority: 5, uid: "e" }), 40);
    expect(q.stats()).toEqual({ active: 3, backoff: 0, unschedulable: 0 });
    expect(names(q, 50)).toEqual(["early", "late", "low"]);
    expect(q.nextDueAt(50)).toBeNull();
  });

  it("backs off 1s doubling to 10s per attempt", () => {
    expect([1, 2, 3, 4, 5, 6].map(backoffDuration)).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
    const q = new SchedulingQueue();
    const p = pod("p", { uid: "p" });
    q.add(p, 0);
    expect(q.pop(0)).toBe(p);
    q.requeueError(p, 100);
    expect(q.stats().backoff).toBe(1);
    expect(q.pop(500)).toBeUndefined();
    expect(q.nextDueAt(500)).toBe(1100);
    expect(q.pop(1100)).toBe(p);
    q.requeueError(p, 2000); // second attempt: 2s
    expect(q.nextDueAt(2000)).toBe(4000);
  });

  it("unschedulable pods wait for a relevant cluster event, or 5 minutes", () => {
    const q = new SchedulingQueue();
    const a = pod("a", { uid: "a" }), b = pod("b", { uid: "b" });
    q.add(a, 0); q.add(b, 0);
    q.pop(0); q.pop(0);
    q.requeueUnschedulable(a, 10, ["NodeAffinity"]);
    q.requeueUnschedulable(b, 10, ["NodeResourcesFit"]);
    expect(q.stats()).toEqual({ active: 0, backoff: 0, unschedulable: 2 });
    expect(q.nextDueAt(10)).toBe(10 + 5 * 60 * 1000);
    q.onClusterEvent("PodDelete", 5000); // frees resources: only b may fit now
    expect(q.stats()).toEqual({ active: 1, backoff: 0, unschedulable: 1 });
    expect(q.pop(5000)?.metadata.name).toBe("b");
    q.onClusterEvent("NodeAdd", 5000);
    expect(q.pop(5000)?.metadata.name).toBe("a");
    const c = pod("c", { uid: "c" });
    q.add(c, 0); q.pop(0);
    q.requeueUnschedulable(c, 0, ["NodeName"]);
    expect(q.pop(299_999)).toBeUndefined();
    expect(q.pop(300_000)).toBe(c);
  });

  it("a pod whose attempt overlapped a cluster event goes to backoff, not the unschedulable pool", () => {
    const q = new SchedulingQueue();
    const p = pod("p", { uid: "p" });
    q.add(p, 0);
    q.pop(0);
    q.onClusterEvent("NodeAdd", 1);
    q.requeueUnschedulable(p, 2, ["NodeResourcesFit"]);
    expect(q.stats()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
  });

  it("updates and deletes", () => {
    const q = new SchedulingQueue();
    const p = pod("p", { uid: "p" });
    q.add(p, 0); q.pop(0);
    q.requeueUnschedulable(p, 0, ["NodeAffinity"]);
    const relaxed = { ...p, spec: { ...p.spec, nodeSelector: {} } };
    q.update(relaxed, 5000);
    expect(q.pop(5000)).toBe(relaxed);
    q.add(pod("gone", { uid: "g" }), 0);
    q.delete("g");
    expect(q.pop(10_000)).toBeUndefined();
  });

  it("round-trips through JSON", () => {
    const q = new SchedulingQueue();
    q.add(pod("a", { uid: "a", priority: 1 }), 0);
    q.add(pod("b", { uid: "b", priority: 2 }), 0);
    const b = q.pop(0)!;
    q.requeueError(b, 0);
    const r = SchedulingQueue.fromJSON(JSON.parse(JSON.stringify(q)));
    expect(r.stats()).toEqual({ active: 1, backoff: 1, unschedulable: 0 });
    expect(r.nextDueAt(0)).toBe(0);
    expect(names(r, 0)).toEqual(["a"]);
    expect(names(r, 1000)).toEqual(["b"]);
  });
});

describe("validateProfile", () => {
  it("defaults match kube-scheduler's default profile", () => {
    expect(defaultProfile().pluginWeights).toEqual({
      TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeResourcesBalancedAllocation: 1, ImageLocality: 1,
    });
    expect(validateProfile({})).toEqual({ profile: defaultProfile(), errors: [] });
  });

  it("accepts a valid RequestedToCapacityRatio profile and fills the rest", () => {
    const r = validateProfile({ scoringStrategy: { type: "RequestedToCapacityRatio", resources: [{ name: "cpu", weight: 2 }], shape: [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }] }, pluginWeights: { ImageLocality: 5 } });
    expect(r.errors).toEqual([]);
    expect(r.profile?.pluginWeights.ImageLocality).toBe(5);
    expect(r.profile?.pluginWeights.TaintToleration).toBe(3);
  });

  it("rejects bad strategies, weights, shapes, plugins and percentages", () => {
    const r = validateProfile({
      scoringStrategy: { type: "RequestedToCapacityRatio", resources: [{ name: "cpu", weight: 0 }], shape: [{ utilization: 50, score: 11 }, { utilization: 40, score: 1 }] },
      pluginWeights: { NodeName: 1, ImageLocality: -1 }, disabledPlugins: ["Nope"], percentageOfNodesToScore: 101,
    });
    expect(r.profile).toBeUndefined();
    expect(r.errors).toEqual([
      "scoringStrategy.resources[0].weight: Invalid value: 0: resource weight of cpu not in valid range [1, 100]",
      "scoringStrategy.shape[1].utilization: Invalid value: 40: utilization values must be sorted in increasing order",
      "scoringStrategy.shape[0].score: Invalid value: 11: not in valid range [0, 10]",
      expect.stringContaining("pluginWeights[NodeName]: Unsupported value: \"NodeName\""),
      "pluginWeights[ImageLocality]: Invalid value: -1: not in valid range [1, 100]",
      expect.stringContaining("disabledPlugins[0]: Unsupported value: \"Nope\""),
      "percentageOfNodesToScore: Invalid value: 101: not in valid range [0, 100]",
    ]);
    expect(validateProfile({ scoringStrategy: { type: "Random" } }).errors).toEqual([
      'scoringStrategy.type: Unsupported value: "Random": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"',
    ]);
    expect(validateProfile({ scoringStrategy: { type: "RequestedToCapacityRatio" } }).errors).toEqual(["scoringStrategy.shape: Required value: at least one point must be specified"]);
  });
});
