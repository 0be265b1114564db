// What kube-proxy (pkg/proxy, iptables/nftables modes, v1.32) programs on one node: per Service
// port, its virtual addresses and the endpoints behind them, split the way
// proxy.CategorizeEndpoints splits them. Plain data, so it can be stored, sent and shown.
import type { Service, ServicePort } from "../../control-plane/api-server/objects/core";
import type { EndpointSlice } from "../../control-plane/api-server/objects/others";

export type TrafficPolicy = "Cluster" | "Local";

export interface ProxyEndpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  zone?: string;
  pod?: { namespace: string; name: string };
  /** On this node (endpoint.nodeName === rules.nodeName): what "Local" policies keep. */
  local: boolean;
}

export interface ProxyServicePort {
  /** ServicePortName.String(): "namespace/name" plus ":portName" for named ports. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  type: string;
  protocol: string;
  clusterIPs: string[];
  port: number;
  nodePort?: number;
  externalIPs: string[];
  /** status.loadBalancer.ingress IPs (ipMode Proxy ones are left to the load balancer). */
  loadBalancerIPs: string[];
  sessionAffinity: "None" | "ClientIP";
  /** ClientIP affinity lifetime in seconds (default 10800, three hours). */
  affinityTimeoutSeconds: number;
  internalTrafficPolicy: TrafficPolicy;
  externalTrafficPolicy: TrafficPolicy;
  /** Has a nodePort, external IPs or load-balancer IPs: traffic from outside can arrive. */
  externallyAccessible: boolean;
  /** Every endpoint kube-proxy knows for this port, deduplicated by ip:port. */
  endpoints: ProxyEndpoint[];
  /** Indexes into endpoints: the "Cluster" policy chain (ready, else serving+terminating). */
  clusterEndpoints: number[];
  /** Indexes into endpoints: the "Local" policy chain (local ready, else local serving+terminating). */
  localEndpoints: number[];
  /** Some usable endpoint exists anywhere; without one traffic is rejected rather than dropped. */
  hasEndpoints: boolean;
}

export interface ProxyRules {
  nodeName: string;
  servicePorts: ProxyServicePort[];
}

const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
const HEADLESS_LABEL = "service.kubernetes.io/headless";
const PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
const DEFAULT_AFFINITY_SECONDS = 10800;

const isV4 = (ip: unknown): ip is string => typeof ip === "string" && ip !== "" && ip !== "None" && !ip.includes(":");
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * ShouldSkipService, plus the informer filter: headless and ExternalName Services get no rules,
 * nor do Services claimed by another proxy (service-proxy-name label).
 */
function skipService(svc: Service): boolean {
  if (svc.spec?.type === "ExternalName") return true;
  if (!isV4(svc.spec?.clusterIP)) return true; // this simulated cluster is single-stack IPv4
  return svc.metadata.labels?.[PROXY_NAME_LABEL] !== undefined;
}

/** The endpoints of one Service port, read from its slices the way EndpointSliceCache does. */
function endpointsFor(svc: Service, sp: ServicePort, slices: EndpointSlice[], nodeName: string): ProxyEndpoint[] {
  const portName = sp.name ?? "";
  const protocol = sp.protocol ?? "TCP";
  const set = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    if (slice.metadata.namespace !== svc.metadata.namespace) continue;
    if (slice.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.metadata.name) continue;
    if (slice.metadata.labels?.[HEADLESS_LABEL] !== undefined || slice.addressType !== "IPv4") continue;
    for (const p of Array.isArray(slice.ports) ? slice.ports : []) {
      if ((p?.name ?? "") !== portName || (p?.protocol ?? "TCP") !== protocol || typeof p?.port !== "number") continue;
      for (const ep of Array.isArray(slice.endpoints) ? slice.endpoints : []) {
        const ip = ep?.addresses?.[0];
        if (!isV4(ip)) continue;
        const c = ep.conditions ?? {};
        const local = !!ep.nodeName && ep.nodeName === nodeName;
        const info: ProxyEndpoint = {
          ip, port: p.port,
          // Unset conditions mean "unknown", which consumers treat as ready/serving, not terminating.
          ready: c.ready !== false, serving: c.serving !== false, terminating: c.terminating === true,
          local,
        };
        if (ep.nodeName) info.nodeName = ep.nodeName;
        if (ep.zone) info.zone = ep.zone;
        if (ep.targetRef?.kind === "Pod" && ep.targetRef.name) info.pod = { namespace: ep.targetRef.namespace ?? slice.metadata.namespace ?? "", name: ep.targetRef.name };
        const key = `${ip}:${p.port}`;
        // The same endpoint in two slices (e.g. mid-move): prefer the copy that says it is local.
        if (!set.has(key) || local) set.set(key, info);
      }
    }
  }
  return [...set.values()].sort((a, b) => cmp(a.ip, b.ip) || a.port - b.port);
}

/**
 * CategorizeEndpoints: Cluster policy uses ready endpoints, falling back to serving+terminating
 * ones when none is ready anywhere; Local does the same among this node's endpoints.
 */
function categorize(eps: ProxyEndpoint[], internalLocal: boolean, externalLocal: boolean, external: boolean) {
  const idx = (f: (e: ProxyEndpoint) => boolean) => eps.flatMap((e, i) => (f(e) ? [i] : []));
  const usesCluster = !internalLocal || external; // external traffic from inside short-circuits to Cluster
  const usesLocal = internalLocal || (externalLocal && external);
  let cluster: number[] = [], local: number[] = [];
  let has = false;
  if (usesCluster) {
    cluster = idx((e) => e.ready);
    if (cluster.length === 0) cluster = idx((e) => e.serving && e.terminating);
    has = cluster.length > 0;
  }
  if (usesLocal) {
    if (eps.some((e) => e.ready || (e.serving && e.terminating))) has = true;
    local = idx((e) => e.local && e.ready);
    if (local.length === 0) local = idx((e) => e.local && e.serving && e.terminating);
  }
  return { cluster, local, has };
}

/**
 * The rules kube-proxy on `nodeName` programs for these Services (all namespaces) and
 * EndpointSlices. Ports keep the Service's order; Services are sorted by namespace/name.
 */
export function buildRules(services: Service[], slices: EndpointSlice[], nodeName: string): ProxyRules {
  const out: ProxyServicePort[] = [];
  const sorted = [...services].sort((a, b) => cmp(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`));
  for (const svc of sorted) {
    if (skipService(svc)) continue;
    const spec = svc.spec ?? {};
    const ns = svc.metadata.namespace ?? "default", name = svc.metadata.name ?? "";
    const clusterIPs = strings(spec.clusterIPs).filter(isV4);
    if (clusterIPs.length === 0) clusterIPs.push(spec.clusterIP!); // skipService: an IPv4 address
    const externalIPs = strings(spec.externalIPs).filter(isV4);
    const ingress = svc.status?.loadBalancer?.ingress;
    const loadBalancerIPs = spec.type === "LoadBalancer" && Array.isArray(ingress) ? ingress.filter((i) => isV4(i?.ip) && i?.ipMode !== "Proxy").map((i) => i.ip as string) : [];
    const affinity = spec.sessionAffinity === "ClientIP" ? "ClientIP" : "None";
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    const internalTrafficPolicy: TrafficPolicy = spec.internalTrafficPolicy === "Local" ? "Local" : "Cluster";
    for (const sp of Array.isArray(spec.ports) ? spec.ports : []) {
      if (typeof sp?.port !== "number") continue;
      const nodePort = (spec.type === "NodePort" || spec.type === "LoadBalancer") && typeof sp.nodePort === "number" && sp.nodePort > 0 ? sp.nodePort : undefined;
      const externallyAccessible = nodePort !== undefined || externalIPs.length > 0 || loadBalancerIPs.length > 0;
      // externalTrafficPolicy only means something for ports reachable from outside.
      const externalTrafficPolicy: TrafficPolicy = externallyAccessible && spec.externalTrafficPolicy === "Local" ? "Local" : "Cluster";
      const endpoints = endpointsFor(svc, sp, slices, nodeName);
      const c = categorize(endpoints, internalTrafficPolicy === "Local", externalTrafficPolicy === "Local", externallyAccessible);
      const portName = sp.name ?? "";
      const rule: ProxyServicePort = {
        id: `${ns}/${name}${portName ? `:${portName}` : ""}`,
        namespace: ns, name, portName, type: spec.type ?? "ClusterIP", protocol: sp.protocol ?? "TCP",
        clusterIPs, port: sp.port, externalIPs, loadBalancerIPs,
        sessionAffinity: affinity,
        affinityTimeoutSeconds: typeof timeout === "number" && timeout > 0 ? timeout : DEFAULT_AFFINITY_SECONDS,
        internalTrafficPolicy, externalTrafficPolicy, externallyAccessible,
        endpoints, clusterEndpoints: c.cluster, localEndpoints: c.local, hasEndpoints: c.has,
      };
      if (nodePort !== undefined) rule.nodePort = nodePort;
      out.push(rule);
    }
  }
  return { nodeName, servicePorts: out };
}

/** One row per Service for the architecture view: its ports as `kubectl get svc` prints them. */
export function describeRules(rules: ProxyRules): { service: string; type: string; clusterIP: string; ports: string[]; endpoints: number; ready: number }[] {
  const rows = new Map<string, { service: string; type: string; clusterIP: string; ports: string[]; all: Set<string>; ready: Set<string> }>();
  for (const sp of rules.servicePorts) {
    const key = `${sp.namespace}/${sp.name}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { service: key, type: sp.type, clusterIP: sp.clusterIPs[0] ?? "", ports: [], all: new Set(), ready: new Set() }));
    row.ports.push(sp.nodePort !== undefined ? `${sp.port}:${sp.nodePort}/${sp.protocol}` : `${sp.port}/${sp.protocol}`);
    // Counted per address, so a pod serving two ports counts once.
    for (const e of sp.endpoints) {
      row.all.add(e.ip);
      if (e.ready) row.ready.add(e.ip);
    }
  }
  return [...rows.values()].map((r) => ({ service: r.service, type: r.type, clusterIP: r.clusterIP, ports: r.ports, endpoints: r.all.size, ready: r.ready.size }));
}
