// computeOutcomes over a synthetic classroom round: 30 students × 10 pods on 10 nodes over 30 simulated
// minutes, each pod with ~6 changes and ~3 Events (some never fit, some restart, some are deleted), node
// heartbeats every 10 s, and refused requests. Deterministic. The target is well under 1 s per call.
import { bench, describe } from "vitest";
import type { KubeObject } from "../src/control-plane/api-server/types";
import { computeOutcomes } from "../src/classroom/rounds/outcomes";
import { mapAt } from "../src/classroom/rounds/replay";
import type { ClusterState, LogEntry } from "../src/classroom/rounds/types";

const STUDENTS = 30;
const PODS_PER_STUDENT = 10;
const NODES = 10;
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const DURATION = 30 * 60_000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function makeNode(i: number): KubeObject {
  const alloc = { cpu: "3920m", memory: "15Gi", pods: "110", "ephemeral-storage": "95Gi" };
  return {
    apiVersion: "v1", kind: "Node",
    metadata: { name: `node-${i}`, uid: `node-uid-${i}`, labels: { "kubernetes.io/hostname": `node-${i}`, "topology.kubernetes.io/zone": `zone-${i % 3}` }, creationTimestamp: iso(T0 - 3600_000) },
    spec: { podCIDR: `10.244.${i}.0/24`, providerID: `kubeclass://node-${i}` },
    status: {
      allocatable: alloc, capacity: { ...alloc, cpu: "4", memory: "16Gi" },
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: iso(T0), lastTransitionTime: iso(T0 - 3600_000) }],
      nodeInfo: { kubeletVersion: "v1.32.0", containerRuntimeVersion: "containerd://1.7.22", osImage: "Ubuntu 24.04 LTS" },
    },
  };
}

function makeLog(): { start: ClusterState; log: LogEntry[] } {
  const r = rng(2026);
  const nodes = Array.from({ length: NODES }, (_, i) => makeNode(i));
  const timed: { at: number; order: number; make: (rev: number) => LogEntry }[] = [];
  let order = 0;
  const push = (at: number, make: (rev: number) => LogEntry) => timed.push({ at: Math.round(at), order: order++, make });
  const put = (at: number, key: string, o: KubeObject) => { const obj = structuredClone(o); push(at, (rev) => ({ at: Math.round(at), rev, type: "PUT", key, object: obj })); };
  const event = (at: number, pod: KubeObject, reason: string, message: string, count = 1, type = "Normal") => {
    const ns = pod.metadata.namespace!;
    const name = `${pod.metadata.name}.${(reason.length * 7919 + message.length).toString(16)}`;
    put(at, `/registry/events/${ns}/${name}`, {
      apiVersion: "v1", kind: "Event", metadata: { name, namespace: ns, uid: `ev-${ns}-${name}` },
      involvedObject: { kind: "Pod", namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: "v1" },
      reason, message, type, count, source: { component: "default-scheduler" }, firstTimestamp: iso(at), lastTimestamp: iso(at),
    });
  };

  for (let s = 0; s < STUDENTS; s++) {
    const student = `student${String(s).padStart(2, "0")}`;
    const ns = `student-${student}`;
    for (let p = 0; p < PODS_PER_STUDENT; p++) {
      const name = p < 6 ? `web-7d9f8-${p}` : `job-${p}`;
      const cpu = [100, 250, 500, 1000][Math.floor(r() * 4)];
      const mem = [128, 256, 512, 1024][Math.floor(r() * 4)];
      const created = T0 + r() * DURATION * 0.7;
      const pod: KubeObject = {
        apiVersion: "v1", kind: "Pod",
        metadata: {
          name, namespace: ns, uid: `${ns}-${name}`, creationTimestamp: iso(created), labels: { app: "web", "pod-template-hash": "7d9f8" },
          annotations: { "kubeclass.dev/created-by": `kubeclass:student:${student}` },
          ownerReferences: p < 6 ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9f8", uid: `${ns}-rs`, controller: true, blockOwnerDeletion: true }] : undefined,
        },
        spec: {
          containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: `${cpu}m`, memory: `${mem}Mi` } }, ports: [{ containerPort: 80, protocol: "TCP" }] }],
          restartPolicy: "Always", schedulerName: "default-scheduler", serviceAccountName: "default", terminationGracePeriodSeconds: 30,
          tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }],
        },
        status: { phase: "Pending", qosClass: "Burstable" },
      };
      const key = `/registry/pods/${ns}/${name}`;
      put(created, key, pod);
      let t = created + 5 + r() * 50;
      if (r() < 0.15) {
        // Never fits: FailedScheduling, repeated on the same Event.
        const msg = `0/${NODES} nodes are available: ${NODES} Insufficient cpu. preemption: 0/${NODES} nodes are available: ${NODES} No preemption victims found for incoming pod.`;
        pod.status.conditions = [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: msg, lastTransitionTime: iso(t) }];
        put(t, key, pod);
        for (let k = 1; k <= 3; k++) event(t + k * 30_000, pod, "FailedScheduling", msg, k, "Warning");
        continue;
      }
      const node = `node-${Math.floor(r() * NODES)}`;
      pod.spec.nodeName = node;
      put(t, key, pod);
      event(t, pod, "Scheduled", `Successfully assigned ${ns}/${name} to ${node}`);
      t += 200 + r() * 2000;
      pod.status = { ...pod.status, hostIP: "10.0.0.1", startTime: iso(t), conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "False" }],
        containerStatuses: [{ name: "app", ready: false, restartCount: 0, image: "nginx:1.27", state: { waiting: { reason: "ContainerCreating" } } }] };
      put(t, key, pod);
      event(t, pod, "Pulled", 'Container image "nginx:1.27" already present on machine');
      t += 1000 + r() * 5000;
      pod.status = { ...pod.status, phase: "Running", podIP: `10.244.0.${p}`, containerStatuses: [{ ...pod.status.containerStatuses[0], ready: true, state: { running: { startedAt: iso(t) } } }] };
      put(t, key, pod);
      event(t, pod, "Started", "Started container app");
      t += 1000;
      pod.status = { ...pod.status, conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True" }] };
      put(t, key, pod);
      if (r() < 0.2) {
        t += 30_000 + r() * 60_000;
        pod.status = { ...pod.status, containerStatuses: [{ ...pod.status.containerStatuses[0], restartCount: 1 + Math.floor(r() * 4) }] };
        put(t, key, pod);
      }
      if (r() < 0.2) {
        t += 60_000;
        pod.metadata.deletionTimestamp = iso(t);
        put(t, key, pod);
        const last = structuredClone(pod);
        push(t + 2000, (rev) => ({ at: Math.round(t + 2000), rev, type: "DELETE", key, object: last }));
      }
    }
    for (let k = 0; k < 3; k++) {
      const at = T0 + r() * DURATION;
      push(at, () => ({ kind: "refusal", at: Math.round(at), user: `kubeclass:student:${student}`, code: [422, 429, 403][k], reason: ["Invalid", "TooManyRequests", "Forbidden"][k], message: k === 2 ? "exceeded quota: student-quota" : "refused" }));
    }
  }
  // Node status heartbeats every 10 s.
  for (let at = T0 + 10_000; at < T0 + DURATION; at += 10_000) for (const n of nodes) put(at, `/registry/nodes/${n.metadata.name}`, n);

  timed.sort((a, b) => a.at - b.at || a.order - b.order);
  let rev = 1000;
  return { start: { pods: [], nodes }, log: timed.map((x) => x.make(++rev)) };
}

const { start, log } = makeLog();
const round = { n: 1, title: "Bench", goal: null, startedAt: T0, endedAt: T0 + DURATION, settings: { scoring: "LeastAllocated" } };
const stored = JSON.stringify(log);
const changes = log.filter((e) => e.kind !== "refusal" && e.kind !== "submission" && !e.key.startsWith("/registry/nodes/")).length;
let last = 0;

describe(`round of ${STUDENTS} students, ${STUDENTS * PODS_PER_STUDENT} pods: ${log.length} log entries (${changes} pod/event changes)`, () => {
  bench("computeOutcomes", () => {
    const t = performance.now();
    computeOutcomes(round, start, log);
    last = performance.now() - t;
  }, { teardown: () => console.log(`computeOutcomes: last call ${last.toFixed(2)} ms over ${log.length} entries`) });
  bench("mapAt (mid-round)", () => {
    mapAt(start, log, T0 + DURATION / 2);
  });
  bench("JSON.parse of the stored log", () => {
    JSON.parse(stored);
  });
});
