// The Node object the kubelet registers and keeps updated (kubelet_node_status.go): labels, capacity
// and allocatable, conditions with the kubelet's reasons and messages, addresses, nodeInfo and the
// image list the scheduler's ImageLocality plugin reads.

import type { Node, NodeStatus } from "../../control-plane/api-server/objects/core";
import type { Condition } from "../../control-plane/api-server/objects/meta";
import { hex64, uuidFrom } from "../container-runtime/hash";
import { MAX_NODE_IMAGES } from "./config";
import { time } from "./pod-status";
import type { KubeletState } from "./state";
import type { NodeConfig } from "./types";

const Ki = 1024;
const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

/**
 * kube-reserved as managed clusters size it (the GKE formula): cpu 6% of the first core, 1% of the
 * next, 0.5% of the next 2, 0.25% above 4; memory 25% of the first 4Gi, 20% of the next 4Gi, 10% of
 * the next 8Gi, 6% of the next 112Gi, 2% above; plus the kubelet's hard eviction threshold
 * memory.available<100Mi and nodefs.available<10%.
 */
export function reserved(cfg: NodeConfig): { cpuMillis: number; memoryBytes: number; storageBytes: number } {
  const cores = cfg.cpuMillis / 1000;
  const tiers: [number, number][] = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
  let cpu = 0;
  let left = cores;
  for (const [size, frac] of tiers) {
    const take = Math.min(left, size);
    cpu += take * frac;
    left -= take;
    if (left <= 0) break;
  }
  const memTiers: [number, number][] = [[4 * Gi, 0.25], [4 * Gi, 0.2], [8 * Gi, 0.1], [112 * Gi, 0.06], [Infinity, 0.02]];
  let mem = 0;
  let mleft = cfg.memoryBytes;
  for (const [size, frac] of memTiers) {
    const take = Math.min(mleft, size);
    mem += take * frac;
    mleft -= take;
    if (mleft <= 0) break;
  }
  return { cpuMillis: Math.round(cpu * 1000), memoryBytes: Math.round(mem) + 100 * Mi, storageBytes: Math.round(cfg.ephemeralStorageBytes * 0.1) };
}

const cpuQty = (m: number) => (m % 1000 === 0 ? String(m / 1000) : `${m}m`);
const kiQty = (b: number) => `${Math.floor(b / Ki)}Ki`;

/** Node images, biggest first (as the kubelet sorts them), capped at 50. */
function nodeImages(state: KubeletState): { names: string[]; sizeBytes: number }[] {
  return Object.values(state.images)
    .sort((a, b) => b.sizeBytes - a.sizeBytes || a.names[0].localeCompare(b.names[0]))
    .slice(0, MAX_NODE_IMAGES)
    .map((i) => ({ names: [...i.repoDigests, ...i.names], sizeBytes: i.sizeBytes }));
}

/** The Node as the kubelet reports it: always with conditions (callers fingerprint them). */
export type ReportedNode = Node & { status: NodeStatus & { conditions: Condition[] } };

export function nodeObject(cfg: NodeConfig, state: KubeletState, now: number): ReportedNode {
  const boot = state.bootAt ?? now;
  const r = reserved(cfg);
  const capacity = {
    cpu: cpuQty(cfg.cpuMillis),
    "ephemeral-storage": kiQty(cfg.ephemeralStorageBytes),
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    memory: kiQty(cfg.memoryBytes),
    pods: String(cfg.maxPods),
  };
  const allocatable = {
    cpu: cpuQty(cfg.cpuMillis - r.cpuMillis),
    "ephemeral-storage": String(cfg.ephemeralStorageBytes - r.storageBytes),
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    memory: kiQty(cfg.memoryBytes - r.memoryBytes),
    pods: String(cfg.maxPods),
  };
  const cond = (type: string, status: Condition["status"], reason: string, message: string): Condition => ({
    lastHeartbeatTime: time(now),
    lastTransitionTime: time(boot),
    message,
    reason,
    status,
    type,
  });
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: cfg.name,
      labels: {
        "beta.kubernetes.io/arch": cfg.architecture,
        "beta.kubernetes.io/instance-type": cfg.instanceType,
        "beta.kubernetes.io/os": "linux",
        "failure-domain.beta.kubernetes.io/region": cfg.region,
        "failure-domain.beta.kubernetes.io/zone": cfg.zone,
        "kubernetes.io/arch": cfg.architecture,
        "kubernetes.io/hostname": cfg.name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": cfg.instanceType,
        "topology.kubernetes.io/region": cfg.region,
        "topology.kubernetes.io/zone": cfg.zone,
      },
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: { podCIDR: cfg.podCIDR, podCIDRs: [cfg.podCIDR] },
    status: {
      capacity,
      allocatable,
      conditions: [
        cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
      ],
      addresses: [
        { address: cfg.internalIP, type: "InternalIP" },
        { address: cfg.name, type: "Hostname" },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: cfg.architecture,
        bootID: uuidFrom(`boot|${cfg.name}|${state.seed}`),
        containerRuntimeVersion: cfg.containerRuntimeVersion,
        kernelVersion: cfg.kernelVersion,
        // DisableNodeKubeProxyVersion is on by default since 1.31: the kubelet leaves it empty.
        kubeProxyVersion: "",
        kubeletVersion: cfg.kubeletVersion,
        machineID: hex64(`machine|${cfg.name}`).slice(0, 32),
        operatingSystem: "linux",
        osImage: cfg.osImage,
        systemUUID: uuidFrom(`system|${cfg.name}`),
      },
      images: nodeImages(state),
    },
  };
}
