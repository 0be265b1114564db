// Service, Endpoints and EndpointSlice defaulting: SetDefaults_Service and SetDefaults_Endpoints
// (pkg/apis/core/v1/defaults.go), discovery/v1 SetDefaults_EndpointPort, and the IP-family fields the
// service REST storage fills in before allocation (initIPFamilyFields in service/storage/alloc.go) for a
// single-stack IPv4 cluster. ClusterIP and nodePort allocation belong to the store, not here.
import { type Obj, ensureObj, isObj, objs, setIfEmpty, setIfNil } from "./util";

// DefaultClientIPServiceAffinitySeconds: three hours.
const DEFAULT_CLIENT_IP_TIMEOUT = 10800;

export function defaultService(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;

  setIfEmpty(spec, "sessionAffinity", "None");
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP") {
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (timeout === undefined || timeout === null) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT } };
    }
  }
  setIfEmpty(spec, "type", "ClusterIP");

  for (const p of objs(spec, "ports")) {
    setIfEmpty(p, "protocol", "TCP");
    // targetPort is an IntOrString: 0 and "" both count as unset.
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "") {
      if (p.port !== undefined) p.targetPort = p.port;
    }
  }

  const type = spec.type;
  const hasExternalIPs = Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0;
  const externallyAccessible = type === "LoadBalancer" || type === "NodePort" || (type === "ClusterIP" && hasExternalIPs);
  if (externallyAccessible) setIfEmpty(spec, "externalTrafficPolicy", "Cluster");
  if (type === "ClusterIP" || type === "NodePort" || type === "LoadBalancer") {
    setIfNil(spec, "internalTrafficPolicy", "Cluster");
  }
  if (type === "LoadBalancer") {
    setIfNil(spec, "allocateLoadBalancerNodePorts", true);
    // Ingress points given by IP default to VIP mode.
    const ingress = obj.status?.loadBalancer?.ingress;
    if (Array.isArray(ingress)) for (const ing of ingress.filter(isObj)) if (ing.ip) setIfNil(ing, "ipMode", "VIP");
  }

  defaultIPFamilies(spec);
}

/**
 * initIPFamilyFields on a single-stack IPv4 cluster. ExternalName services have no IPs. Headless services
 * without a selector default to RequireDualStack and list both families (their DNS answers come from
 * Endpoints, which may hold either family); all others default to SingleStack.
 */
function defaultIPFamilies(spec: Obj): void {
  if (spec.type === "ExternalName") return;
  const headless = spec.clusterIP === "None" || (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === "None");
  // clusterIP and clusterIPs[0] mirror each other; a headless service says so in both.
  if (spec.clusterIP === "None" && (spec.clusterIPs === undefined || spec.clusterIPs === null)) spec.clusterIPs = ["None"];
  const selectorless = !isObj(spec.selector) || Object.keys(spec.selector).length === 0;

  if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = headless && selectorless ? "RequireDualStack" : "SingleStack";

  // Client-given families are kept as written (validation judges them); inferred ones are appended.
  let families: unknown[] = Array.isArray(spec.ipFamilies) ? [...spec.ipFamilies] : [];
  // Families are inferred from any cluster IPs the client chose.
  if (Array.isArray(spec.clusterIPs)) {
    for (let i = 0; i < spec.clusterIPs.length; i++) {
      const ip = spec.clusterIPs[i];
      if (typeof ip !== "string" || ip === "None" || ip === "") break;
      if (i >= families.length) families.push(ip.includes(":") ? "IPv6" : "IPv4");
    }
  } else if (typeof spec.clusterIP === "string" && spec.clusterIP && spec.clusterIP !== "None" && families.length === 0) {
    families.push(spec.clusterIP.includes(":") ? "IPv6" : "IPv4");
  }
  if (families.length === 0) families = ["IPv4"];
  if (headless && selectorless && families.length < 2 && spec.ipFamilyPolicy !== "SingleStack") {
    families.push(families[0] === "IPv4" ? "IPv6" : "IPv4");
  }
  spec.ipFamilies = families;
}

export function defaultEndpoints(obj: Obj): void {
  for (const subset of objs(obj, "subsets")) {
    for (const p of objs(subset, "ports")) setIfEmpty(p, "protocol", "TCP");
  }
}

export function defaultEndpointSlice(obj: Obj): void {
  // discovery/v1 ports: name and protocol are pointers defaulted to "" and TCP.
  for (const p of objs(obj, "ports")) {
    setIfNil(p, "name", "");
    setIfNil(p, "protocol", "TCP");
  }
}
