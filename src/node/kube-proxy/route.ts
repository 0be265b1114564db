// Where a connection ends up under a node's kube-proxy rules: the DNAT decision iptables/nftables
// make for a new connection (virtual address → policy chain → one endpoint), including ClientIP
// session affinity (the `recent` match) and the REJECT/DROP cases and what a client sees from them.
import type { ProxyEndpoint, ProxyRules, ProxyServicePort } from "./rules";

export interface RouteRequest {
  /** The client. Its nodeName is where a pod or node client runs; ignored for external clients. */
  from: { kind: "pod" | "node" | "external"; ip: string; nodeName: string };
  /**
   * The destination: a Service by name (port: number or port name; first port if omitted),
   * a clusterIP:port, a nodePort on the rules' node, or an external/load-balancer IP:port.
   */
  to: { service?: { namespace: string; name: string; port?: number | string }; clusterIP?: string; port?: number; nodePort?: number; externalIP?: string };
  /** Milliseconds (Date.now()); affinity expiries are in the same clock. */
  now: number;
}

/** ClientIP affinity state: "<servicePortId>|<clientIP>" → the endpoint (ip:port) and when it lapses (ms). */
export interface AffinityTable {
  entries: Record<string, { endpoint: string; expires: number }>;
}

export type RouteResult =
  | { ok: true; endpoint: { ip: string; port: number; pod?: { namespace: string; name: string }; nodeName?: string }; service: string; via: "ClusterIP" | "NodePort" | "LoadBalancer" }
  /** error is what the client sees; reason says which rule did it (the iptables comment). */
  | { ok: false; error: string; reason?: string };

export function newAffinityTable(): AffinityTable {
  return { entries: {} };
}

type Via = "ClusterIP" | "NodePort" | "LoadBalancer";
const REFUSED = "connection refused", TIMEOUT = "connection timed out", NO_SERVICE = "no such service";
const fail = (error: string, reason: string): RouteResult => ({ ok: false, error, reason });

// Several ports may share a number across protocols (DNS 53/TCP and 53/UDP); clients here speak TCP.
function pickPort(cands: ProxyServicePort[]): ProxyServicePort | undefined {
  return cands.find((s) => s.protocol === "TCP") ?? cands[0];
}

function byPort(ports: ProxyServicePort[], port: number | string | undefined): ProxyServicePort | undefined {
  if (port === undefined) return ports[0];
  if (typeof port === "number") return pickPort(ports.filter((s) => s.port === port));
  return pickPort(ports.filter((s) => s.portName === port)) ?? (/^\d+$/.test(port) ? byPort(ports, Number(port)) : undefined);
}

/** Find the Service port a request addresses, or why none answers. */
function resolve(rules: ProxyRules, req: RouteRequest): { sp: ProxyServicePort; via: Via } | RouteResult {
  const all = rules.servicePorts;
  const { to } = req;
  if (to.service) {
    const { namespace, name, port } = to.service;
    const ports = all.filter((s) => s.namespace === namespace && s.name === name);
    if (ports.length === 0) return fail(NO_SERVICE, `service "${namespace}/${name}" not found, or it has no cluster IP (headless, ExternalName)`);
    const sp = byPort(ports, port);
    // No rule for that port on the ClusterIP: packets to it go nowhere.
    if (!sp) return fail(TIMEOUT, `service "${namespace}/${name}" has no port ${port}`);
    return { sp, via: "ClusterIP" };
  }
  if (to.nodePort !== undefined) {
    const sp = pickPort(all.filter((s) => s.nodePort === to.nodePort));
    // Nothing listens on that node port: the node's stack answers with a reset.
    if (!sp) return fail(REFUSED, `no service has nodePort ${to.nodePort}`);
    return { sp, via: "NodePort" };
  }
  const ip = to.clusterIP ?? to.externalIP;
  if (ip !== undefined) {
    const asCluster = all.filter((s) => s.clusterIPs.includes(ip));
    const asExternal = all.filter((s) => s.loadBalancerIPs.includes(ip) || s.externalIPs.includes(ip));
    const via: Via = asCluster.length ? "ClusterIP" : "LoadBalancer";
    const ports = asCluster.length ? asCluster : asExternal;
    if (ports.length === 0) return fail(NO_SERVICE, `no service has address ${ip}`);
    const sp = byPort(ports, to.port);
    if (!sp) return fail(TIMEOUT, `${ports[0].namespace}/${ports[0].name} does not serve port ${to.port} on ${ip}`);
    return { sp, via };
  }
  return fail(NO_SERVICE, "no destination given");
}

/**
 * Which policy chain a connection takes. ClusterIP traffic follows internalTrafficPolicy.
 * External destinations (node ports, LB and external IPs) follow externalTrafficPolicy, except
 * for traffic from pods or from this node itself, which kube-proxy short-circuits to Cluster.
 */
function chain(sp: ProxyServicePort, via: Via, req: RouteRequest, nodeName: string): number[] {
  if (via === "ClusterIP") return sp.internalTrafficPolicy === "Local" ? sp.localEndpoints : sp.clusterEndpoints;
  const fromInside = req.from.kind === "pod" || (req.from.kind === "node" && req.from.nodeName === nodeName);
  return sp.externalTrafficPolicy === "Local" && !fromInside ? sp.localEndpoints : sp.clusterEndpoints;
}

const epKey = (e: ProxyEndpoint) => `${e.ip}:${e.port}`;

/** `recent --reap`: drop every lapsed affinity entry. */
function reap(table: AffinityTable | undefined, now: number): AffinityTable {
  const entries: AffinityTable["entries"] = {};
  for (const [k, v] of Object.entries(table?.entries ?? {})) if (v.expires > now) entries[k] = v;
  return { entries };
}

/**
 * Route one new connection with `rules` (those of the node that handles the packet: the client's
 * node for pod/node clients, the receiving node for node ports). Picks uniformly at random among
 * the chain's endpoints with `rand` in [0,1), unless ClientIP affinity pins the client to one that
 * is still in the chain; every routed ClientIP connection renews its affinity for the timeout.
 */
export function route(rules: ProxyRules, req: RouteRequest, affinity: AffinityTable, rand: () => number): { result: RouteResult; affinity: AffinityTable } {
  const table = reap(affinity, req.now);
  const r = resolve(rules, req);
  if (!("sp" in r)) return { result: r, affinity: table };
  const { sp, via } = r;
  // Cluster IPs are only routable inside the cluster.
  if (via === "ClusterIP" && req.from.kind === "external") return { result: fail(TIMEOUT, `${sp.clusterIPs[0]} is not reachable from outside the cluster`), affinity: table };
  // No usable endpoint anywhere: the filter table REJECTs.
  if (!sp.hasEndpoints) return { result: fail(REFUSED, `${sp.id} has no endpoints`), affinity: table };
  const eps = chain(sp, via, req, rules.nodeName);
  // Endpoints exist, but none on this node for a Local policy: the packet is DROPped.
  if (eps.length === 0) return { result: fail(TIMEOUT, `${sp.id} has no local endpoints`), affinity: table };

  const candidates = eps.map((i) => sp.endpoints[i]);
  let chosen: ProxyEndpoint | undefined;
  const akey = `${sp.id}|${req.from.ip}`;
  if (sp.sessionAffinity === "ClientIP") {
    const pinned = table.entries[akey];
    if (pinned) chosen = candidates.find((e) => epKey(e) === pinned.endpoint);
  }
  if (!chosen) chosen = candidates[Math.min(candidates.length - 1, Math.max(0, Math.floor(rand() * candidates.length)))];
  if (sp.sessionAffinity === "ClientIP") {
    table.entries[akey] = { endpoint: epKey(chosen), expires: req.now + sp.affinityTimeoutSeconds * 1000 };
  }
  const endpoint: Extract<RouteResult, { ok: true }>["endpoint"] = { ip: chosen.ip, port: chosen.port };
  if (chosen.pod) endpoint.pod = { ...chosen.pod };
  if (chosen.nodeName) endpoint.nodeName = chosen.nodeName;
  return { result: { ok: true, endpoint, service: sp.id, via }, affinity: table };
}
