// kube-apiserver's Service allocators (pkg/registry/core/service/storage/alloc.go with the
// ipallocator and portallocator): a ClusterIP from the service CIDR and NodePorts from
// 30000-32767, unique across the cluster, assigned when a Service is created or changes type.
// A requested port is checked against the range first, then against what is taken; a full range
// is the real 500 "failed to allocate a nodePort: range is full". How many NodePorts a student
// may hold is the ResourceQuota's business (services.nodeports), as on a real cluster.
import type { ServicePort } from "../objects/core";
import { type ResourceType, SERVICES } from "../resources";
import { errors } from "../status";
import type { KubeObject } from "../types";
import type { AdmissionHook, Registry } from "./store";

export const SERVICE_CIDR = { base: (10 << 24) | (96 << 16), bits: 12 }; // 10.96.0.0/12, kubeadm's default
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

const ipToInt = (ip: string) => ip.split(".").reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

function inCidr(ip: string): boolean {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return false;
  const mask = (~0 << (32 - SERVICE_CIDR.bits)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === SERVICE_CIDR.base >>> 0;
}

function usage(reg: Registry, services: ResourceType, except?: string) {
  const ips = new Set<string>();
  const ports = new Set<number>();
  for (const s of reg.list(services, undefined).items) {
    if (s.metadata.uid === except) continue;
    if (s.spec?.clusterIP && s.spec.clusterIP !== "None") ips.add(s.spec.clusterIP);
    for (const p of s.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
  }
  return { ips, ports };
}

const invalid = (name: string, field: string, value: unknown, detail: string) =>
  errors.invalid({ kind: "Service", group: "" }, name, [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }]);

function pickIp(used: Set<string>): string {
  const size = 2 ** (32 - SERVICE_CIDR.bits);
  // Random like the real allocator; skip the network address and .1 (the kubernetes Service).
  for (let i = 0; i < 64; i++) {
    const candidate = intToIp((SERVICE_CIDR.base >>> 0) + 2 + Math.floor(Math.random() * (size - 3)));
    if (!used.has(candidate)) return candidate;
  }
  for (let off = 2; off < size - 1; off++) {
    const candidate = intToIp((SERVICE_CIDR.base >>> 0) + off);
    if (!used.has(candidate)) return candidate;
  }
  throw errors.internal("failed to allocate a serviceIP: range is full");
}

function pickPort(used: Set<number>): number {
  for (let i = 0; i < 64; i++) {
    const p = NODE_PORT_MIN + Math.floor(Math.random() * (NODE_PORT_MAX - NODE_PORT_MIN + 1));
    if (!used.has(p)) return p;
  }
  for (let p = NODE_PORT_MIN; p <= NODE_PORT_MAX; p++) if (!used.has(p)) return p;
  throw errors.internal("failed to allocate a nodePort: range is full");
}

export const allocateServiceAddresses: AdmissionHook = (op, r, svc, old, _ctx, reg) => {
  if (r.kind !== "Service" || op === "DELETE") return;
  const services = SERVICES;
  const name = svc.metadata.name ?? "";
  const spec = (svc.spec ??= {});
  const type = spec.type ?? "ClusterIP";
  const { ips, ports } = usage(reg, services, svc.metadata.uid);

  if (type === "ExternalName") {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else if (old?.spec?.clusterIP && (!spec.clusterIP || spec.clusterIP === old.spec.clusterIP)) {
    spec.clusterIP = old.spec.clusterIP;
  } else if (!spec.clusterIP) {
    spec.clusterIP = pickIp(ips);
  } else if (spec.clusterIP !== "None") {
    if (!inCidr(spec.clusterIP)) throw invalid(name, "spec.clusterIPs[0]", spec.clusterIP, "failed to allocate IP " + spec.clusterIP + ": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12");
    if (ips.has(spec.clusterIP)) throw invalid(name, "spec.clusterIPs[0]", spec.clusterIP, "failed to allocate IP " + spec.clusterIP + ": provided IP is already allocated");
  }
  if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];

  const wantsNodePorts = type === "NodePort" || (type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
  (spec.ports ?? []).forEach((p: KubeObject["spec"], i: number) => {
    if (!wantsNodePorts) {
      if (type !== "LoadBalancer") delete p.nodePort;
      return;
    }
    if (!p.nodePort) {
      const kept = old?.spec?.ports?.find((o: ServicePort) => o.port === p.port && (o.protocol ?? "TCP") === (p.protocol ?? "TCP"))?.nodePort;
      p.nodePort = kept ?? pickPort(ports);
    } else if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
      throw invalid(name, `spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
    } else if (ports.has(p.nodePort)) {
      throw invalid(name, `spec.ports[${i}].nodePort`, p.nodePort, "provided port is already allocated");
    }
    ports.add(p.nodePort);
  });
};
