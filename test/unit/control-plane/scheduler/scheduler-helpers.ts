// Builders for scheduler tests: nodes and pods as the API server stores them.
import type { Node, Pod } from "../../../../src/control-plane/api-server/objects/core";

let uidSeq = 0;

export interface NodeOpts {
  cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[]; extra?: Record<string, string>;
}

// Fixtures may carry any field a student could send (o.spec): typed as what the API stores.
export function node(name: string, o: NodeOpts = {}): Node {
  const allocatable = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110", "ephemeral-storage": "100Gi", ...(o.extra ?? {}) };
  return {
    apiVersion: "v1", kind: "Node",
    metadata: { name, uid: `node-${name}`, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable, capacity: allocatable, images: o.images ?? [] },
  } as Node;
}

export interface PodOpts {
  ns?: string; cpu?: string; memory?: string; node?: string; labels?: Record<string, string>; priority?: number;
  spec?: Record<string, any>; image?: string; hostPort?: number; uid?: string; startTime?: string; nominated?: string;
  preemptionPolicy?: string; deleting?: boolean; requests?: Record<string, string>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = { ...(o.requests ?? {}) };
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const container = {
    name: "c", image: o.image ?? "nginx:1.27",
    resources: Object.keys(requests).length ? { requests } : {},
    ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort, protocol: "TCP" }] } : {}),
  };
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: {
      name, namespace: o.ns ?? "default", uid: o.uid ?? `uid-${name}-${++uidSeq}`, labels: o.labels ?? {},
      creationTimestamp: "2025-01-01T00:00:00Z", ...(o.deleting ? { deletionTimestamp: "2025-01-01T00:10:00Z" } : {}),
    },
    spec: {
      containers: [container], priority: o.priority ?? 0, preemptionPolicy: o.preemptionPolicy ?? "PreemptLowerPriority",
      ...(o.node ? { nodeName: o.node } : {}), ...(o.spec ?? {}),
    },
    status: { phase: o.node ? "Running" : "Pending", ...(o.startTime ? { startTime: o.startTime } : {}), ...(o.nominated ? { nominatedNodeName: o.nominated } : {}) },
  } as Pod;
}

/** Deterministic PRNG (mulberry32) for tie-breaking in tests. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
