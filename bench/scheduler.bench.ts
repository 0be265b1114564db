// Throughput of scheduleOne + assume: 10,000 pods (mixed small requests, some with a nodeSelector or a
// toleration) placed onto 100, 1,000 and 5,000 nodes. Prints pods/s per node count; the target is
// ≥ 1,000 pods/s at 5,000 nodes (kube-scheduler's own CI floor is 270).
import { bench, describe } from "vitest";
import type { Node, Pod, PodSpec } from "../src/control-plane/api-server/objects/core";
import { assume, buildSnapshot, defaultProfile, scheduleOne } from "../src/control-plane/scheduler";

const PODS = 10_000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeNodes(n: number): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < n; i++) {
    const name = `node-${i}`;
    const labels: Record<string, string> = { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": `zone-${i % 3}` };
    if (i % 3 === 0) labels.disktype = "ssd";
    const alloc = { cpu: "32", memory: "128Gi", pods: "110", "ephemeral-storage": "100Gi" };
    out.push({
      apiVersion: "v1", kind: "Node", metadata: { name, uid: `n${i}`, labels },
      spec: i % 10 === 9 ? { taints: [{ key: "dedicated", value: "batch", effect: "NoSchedule" }] } : {},
      status: { allocatable: alloc, capacity: alloc, images: [{ names: ["registry.k8s.io/pause:3.10", "nginx:1.27"], sizeBytes: 70 * 1024 * 1024 }] },
    });
  }
  return out;
}

function makePods(nodeCount: number): Pod[] {
  const r = rng(42);
  const out: Pod[] = [];
  // Keep the cluster feasible at 100 nodes: requests scale with capacity per pod.
  const scale = Math.min(1, nodeCount / 100);
  for (let i = 0; i < PODS; i++) {
    const cpu = Math.round((50 + r() * 250) * scale) + 1;
    const mem = Math.round((64 + r() * 448) * scale) + 1;
    const spec: PodSpec = {
      containers: [{ name: "app", image: i % 2 ? "nginx:1.27" : "example/app:v1", resources: i % 20 === 0 ? {} : { requests: { cpu: `${cpu}m`, memory: `${mem}Mi` } } }],
      priority: 0,
    };
    if (i % 10 === 1) spec.nodeSelector = { disktype: "ssd" };
    if (i % 10 === 2) spec.tolerations = [{ key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" }];
    out.push({ apiVersion: "v1", kind: "Pod", metadata: { name: `p-${i}`, namespace: "default", uid: `p${i}`, labels: { app: `a${i % 50}` } }, spec, status: { phase: "Pending" } });
  }
  return out;
}

// Last run per node count (tinybench may run a task more than once).
const results = new Map<number, { nodes: number; pods: number; bound: number; seconds: number; "pods/s": number }>();

function run(nodeCount: number): void {
  const nodes = makeNodes(nodeCount);
  const pods = makePods(nodeCount);
  const profile = defaultProfile();
  const rand = rng(7);
  const t0 = performance.now();
  const snap = buildSnapshot(nodes, []);
  let bound = 0;
  for (const p of pods) {
    const res = scheduleOne(p, snap, profile, 0, rand);
    if (res.kind === "bind") { assume(snap, p, res.node); bound++; }
  }
  const seconds = (performance.now() - t0) / 1000;
  results.set(nodeCount, { nodes: nodeCount, pods: PODS, bound, seconds: Number(seconds.toFixed(3)), "pods/s": Math.round(PODS / seconds) });
}

describe("scheduleOne + assume, 10,000 pods", () => {
  for (const n of [100, 1000, 5000]) {
    bench(`${n} nodes`, () => run(n), { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0,
      teardown: () => {
        if (n === 5000) {
          console.table([...results.values()]);
          for (const r of results.values()) console.log(`${String(r.nodes).padStart(5)} nodes: ${String(r["pods/s"]).padStart(7)} pods/s (${r.bound}/${r.pods} bound in ${r.seconds}s)`);
        }
      } });
  }
});
