// The kubelet's public shapes (re-exported by index.ts).

export interface NodeConfig {
  name: string;
  cpuMillis: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  maxPods: number;
  zone: string;
  region: string;
  instanceType: string;
  podCIDR: string;
  internalIP: string;
  kubeletVersion: string;
  osImage: string;
  kernelVersion: string;
  containerRuntimeVersion: string;
  architecture: "amd64";
}

export interface KubeletEvent {
  regarding: { kind: "Pod" | "Node"; namespace?: string; name: string; uid: string; apiVersion: "v1" };
  reason: string;
  message: string;
  type: "Normal" | "Warning";
  fieldPath?: string;
  /** When it happened (simulated ms); a sync may cover several steps. Optional extension. */
  at?: number;
}

export interface PodStatusUpdate {
  namespace: string;
  name: string;
  uid: string;
  status: object;
}
