// Pod IPs from the node's podCIDR, as the host-local IPAM plugin hands them out: .1 is the bridge
// (gateway), addresses go round-robin from the last one given, skipping those in use.

import type { KubeletState } from "./state";

function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split("/");
  const parts = ip.split(".").map(Number);
  const base = (((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]) >>> 0;
  const size = 2 ** (32 - Number(bits ?? 24));
  return { base, size };
}

const fmt = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

/** The bridge address (x.x.x.1): the source of the kubelet's probes as pods see them. */
export function gatewayIP(podCIDR: string): string {
  const { base } = parseCidr(podCIDR);
  return fmt(base + 1);
}

export function allocateIP(state: KubeletState, podCIDR: string, uid: string): string {
  const { base, size } = parseCidr(podCIDR);
  const first = 2;
  const last = size - 2; // skip network, gateway and broadcast
  const span = Math.max(1, last - first + 1);
  let offset = state.ipam.last >= first && state.ipam.last <= last ? state.ipam.last : first - 1;
  for (let i = 0; i < span; i++) {
    offset = offset + 1 > last ? first : offset + 1;
    const ip = fmt(base + offset);
    if (!state.ipam.used[ip]) {
      state.ipam.used[ip] = uid;
      state.ipam.last = offset;
      return ip;
    }
  }
  // Exhausted (more pods than addresses): share the last one rather than fail the simulation.
  return fmt(base + last);
}

export function releaseIP(state: KubeletState, ip: string | null, uid: string): void {
  if (ip && state.ipam.used[ip] === uid) delete state.ipam.used[ip];
}
