// The classroom's worker nodes: mixed sizes across zones (as a cloud node pool would give), each
// a Durable Object with its own kubelet credential.
import type { NodeConfig } from "../../node/kubelet";

export const NODE_SIZES = [
  { instanceType: "kc-standard-2", cpuMillis: 2000, memoryBytes: 4 * 1024 ** 3 },
  { instanceType: "kc-standard-4", cpuMillis: 4000, memoryBytes: 8 * 1024 ** 3 },
  { instanceType: "kc-highmem-2", cpuMillis: 2000, memoryBytes: 8 * 1024 ** 3 },
] as const;
export type NodeSize = (typeof NODE_SIZES)[number]["instanceType"];

export const REGION = "kubeclass-1";
const ZONES = ["kubeclass-1a", "kubeclass-1b", "kubeclass-1c"];
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The i-th node (1-based) of a classroom: sizes and zones rotate so placement has choices. */
export function nodeConfig(index: number, opts: { name?: string; size?: string } = {}): NodeConfig {
  const size = NODE_SIZES.find((s) => s.instanceType === opts.size) ?? NODE_SIZES[(index - 1) % NODE_SIZES.length];
  return {
    name: opts.name ?? `node-${index}`,
    cpuMillis: size.cpuMillis,
    memoryBytes: size.memoryBytes,
    ephemeralStorageBytes: 100 * 1024 ** 3,
    maxPods: 110,
    zone: ZONES[(index - 1) % ZONES.length],
    region: REGION,
    instanceType: size.instanceType,
    podCIDR: `10.244.${index}.0/24`,
    internalIP: `10.0.0.${10 + index}`,
    kubeletVersion: "v1.32.2",
    osImage: "Ubuntu 24.04.1 LTS",
    kernelVersion: "6.8.0-1015-kubeclass",
    containerRuntimeVersion: "containerd://1.7.24",
    architecture: "amd64",
  };
}

export function validNodeName(name: unknown): name is string {
  return typeof name === "string" && name.length <= 63 && NODE_NAME.test(name);
}

/** Durable Object name of a classroom's node: never shared across classrooms. */
export function nodeObjectName(classroomId: string, node: string): string {
  return `${classroomId}/${node}`;
}
