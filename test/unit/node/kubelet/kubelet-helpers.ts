// Drives the simulated kubelet the way the Node Durable Object does: sync at each nextWakeAt,
// apply the reported statuses to the pods, collect events.
import type { Pod, PodStatus } from "../../../../src/control-plane/api-server/objects/core";
import { initialState, syncPods, type KubeletEvent, type KubeletState, type NodeConfig } from "../../../../src/node/kubelet";

export const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);

export const cfg: NodeConfig = {
  name: "node-1",
  cpuMillis: 2000,
  memoryBytes: 4 * 1024 ** 3,
  ephemeralStorageBytes: 100 * 1024 ** 3,
  maxPods: 110,
  zone: "europe-west1-b",
  region: "europe-west1",
  instanceType: "e2-medium",
  podCIDR: "10.244.1.0/24",
  internalIP: "10.0.0.11",
  kubeletVersion: "v1.32.2",
  osImage: "Ubuntu 24.04.1 LTS",
  kernelVersion: "6.8.0-1019-gcp",
  containerRuntimeVersion: "containerd://1.7.24",
  architecture: "amd64",
};

/** T with every field, however deep, present: what a test reading reported JSON assumes. */
export type Present<T> = T extends (infer U)[] ? Present<U>[] : T extends object ? { [K in keyof T]-?: Present<NonNullable<T[K]>> } : T;

let uidSeq = 0;
export function pod(name: string, spec: Record<string, any>, extra: { namespace?: string; uidSeq?: number } = {}): Pod {
  uidSeq = extra.uidSeq ?? uidSeq + 1;
  const withDefaults = (c: any) => {
    const image = String(c.image);
    const tagged = /:[^/]+$/.test(image) && !image.endsWith(":latest");
    return { imagePullPolicy: tagged || image.includes("@") ? "IfNotPresent" : "Always", terminationMessagePath: "/dev/termination-log", ...c };
  };
  // A test's spec may be anything a student could send: the kubelet is checked against it as stored.
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: extra.namespace ?? "default", uid: `00000000-0000-4000-8000-${String(uidSeq).padStart(12, "0")}`, creationTimestamp: new Date(T0).toISOString() },
    spec: {
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      nodeName: cfg.name,
      ...spec,
      containers: (spec.containers ?? []).map(withDefaults),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(withDefaults) } : {}),
    },
    status: { phase: "Pending", qosClass: "BestEffort", conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: new Date(T0).toISOString() }] },
  } as Pod;
}

export class Sim {
  state: KubeletState;
  now = T0;
  pods: Pod[] = [];
  events: (KubeletEvent & { syncAt: number })[] = [];
  deleted: string[] = [];
  wake: number | null = null;
  syncs = 0;
  constructor(seed = 42) {
    this.state = initialState(cfg, seed);
  }
  add(...ps: Pod[]) {
    this.pods.push(...ps);
    this.sync(this.now);
  }
  sync(at: number) {
    this.now = at;
    this.syncs++;
    const out = syncPods(cfg, this.state, this.pods, at);
    this.state = out.state;
    for (const u of out.statusUpdates) {
      const p = this.pods.find((x) => x.metadata.uid === u.uid);
      if (p) p.status = structuredClone(u.status);
    }
    for (const e of out.events) this.events.push({ ...e, syncAt: at });
    for (const d of out.deletions) {
      this.pods = this.pods.filter((x) => x.metadata.uid !== d.uid);
      this.deleted.push(d.name);
    }
    this.wake = out.nextWakeAt;
    return out;
  }
  /** Follow nextWakeAt until `until` (then sync once at `until`). */
  runUntil(until: number, maxSyncs = 10_000) {
    for (let i = 0; i < maxSyncs && this.wake !== null && this.wake <= until; i++) this.sync(this.wake);
    if (this.now < until) this.sync(until);
  }
  /** Advance by seconds from now. */
  advance(seconds: number) {
    this.runUntil(this.now + seconds * 1000);
  }
  /** The pod as reported; a test reads any field, and a missing one fails its assertion. */
  get(name: string): Pod & { status: Present<PodStatus> } {
    return this.pods.find((p) => p.metadata.name === name)! as Pod & { status: Present<PodStatus> };
  }
  eventsFor(name: string) {
    return this.events.filter((e) => e.regarding.name === name);
  }
  deletePod(name: string, grace?: number) {
    const p = this.get(name);
    const g = grace ?? p.spec.terminationGracePeriodSeconds ?? 30;
    p.metadata.deletionTimestamp = new Date(this.now + g * 1000).toISOString();
    p.metadata.deletionGracePeriodSeconds = g;
    this.sync(this.now);
  }
}
