// The "kubeclass" cloud: what a cloud provider's SDK would answer for the cloud-controller-manager.
// Load balancers take the seconds a real cloud takes to provision and get addresses from
// TEST-NET-3 (203.0.113.0/24, RFC 5737), which is documentation-only and never routes anywhere.
import type { WriteCtx } from "../api-server/registry/store";
import type { ReconcileCtx } from "../controller-manager/manager";

export const PROVIDER_NAME = "kubeclass";
export const LB_NET = "203.0.113.";
const LB_MIN_DELAY_MS = 8_000;
const LB_DELAY_SPREAD_MS = 7_001; // 8 to 15 s

export interface CloudOptions {
  /** Whether the node's VM still exists; a NotReady node without one is deleted. */
  instanceExists?: (name: string) => boolean;
  /** The VM's placement, when the node's own labels do not say it. */
  instanceMetadata?: (name: string) => { region?: string; zone?: string; instanceType?: string } | undefined;
}

/** 32-bit FNV-1a: deterministic per uid, so a given service always takes the same time. */
export function fnv32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

/** How long provisioning the load balancer of the service with this uid takes. */
export function lbProvisioningDelayMs(uid: string): number {
  return LB_MIN_DELAY_MS + (fnv32(uid) % LB_DELAY_SPREAD_MS);
}

/** A free address in the pool, starting from one derived from the uid; undefined when all are taken. */
export function allocateLbIP(uid: string, taken: Set<string>, requested?: string): string | undefined {
  if (requested && requested.startsWith(LB_NET) && !taken.has(requested)) return requested;
  const start = fnv32(uid) % 254;
  for (let i = 0; i < 254; i++) {
    const ip = `${LB_NET}${((start + i) % 254) + 1}`;
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}

export function providerID(region: string, zone: string, node: string): string {
  return `${PROVIDER_NAME}://${region}/${zone}/${node}`;
}

/** Writes as the cloud-controller-manager, not the kube-controller-manager the ctx names. */
export function ccmWrite(ctx: ReconcileCtx, controller: string): WriteCtx {
  return { ...ctx.write, user: { ...ctx.write.user, username: "system:cloud-controller-manager" }, fieldManager: `cloud-controller-manager/${controller}` };
}
