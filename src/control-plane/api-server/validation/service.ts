// ValidateService / ValidateServiceUpdate (pkg/apis/core/validation/validation.go, v1.32) plus the
// node-port range error the Service REST storage's allocator returns as a field error.
import type { StatusCause } from "../types";
import {
  arr, child, duplicate, forbidden, goStringSlice, index, invalid, invalidEach, isObj, isQualifiedName, isValidPortNum, notSupported,
  required, str, validateDNS1123Label, validateDNS1123Subdomain, validateLabels, validatePortNumOrName, type Obj,
} from "./helpers";
import { PORT_PROTOCOLS } from "./pod";

const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]; // sets.List: sorted
const AFFINITIES = ["ClientIP", "None"];
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
const KUBELET_PORT = 10250;

const clusterIPsOf = (spec: Obj): string[] =>
  Array.isArray(spec.clusterIPs) && spec.clusterIPs.length ? spec.clusterIPs.map(str) : str(spec.clusterIP) ? [str(spec.clusterIP)] : [];
const isHeadless = (spec: Obj) => { const ips = clusterIPsOf(spec); return ips.length === 1 && ips[0] === "None"; };

/** %#v of the core.ServicePort key Go builds for the duplicate (protocol, port) check. */
const servicePortKey = (protocol: string, port: number) =>
  `core.ServicePort{Name:"", Protocol:"${protocol}", AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;

function validateServicePort(sp: Obj, requireName: boolean, names: Set<string>, p: string): StatusCause[] {
  const out: StatusCause[] = [];
  const name = str(sp.name);
  if (requireName && !name) out.push(required(child(p, "name")));
  else if (name) {
    out.push(...validateDNS1123Label(name, child(p, "name")));
    if (names.has(name)) out.push(duplicate(child(p, "name"), name));
    else names.add(name);
  }
  out.push(...invalidEach(child(p, "port"), sp.port ?? 0, isValidPortNum(sp.port ?? 0)));
  const proto = str(sp.protocol);
  if (proto && !PORT_PROTOCOLS.includes(proto)) out.push(notSupported(child(p, "protocol"), proto, PORT_PROTOCOLS));
  out.push(...validatePortNumOrName(sp.targetPort, child(p, "targetPort")));
  if (sp.appProtocol != null) out.push(...invalidEach(child(p, "appProtocol"), str(sp.appProtocol), isQualifiedName(str(sp.appProtocol))));
  return out;
}

export function validateService(obj: Obj): StatusCause[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const type = str(spec.type);
  const ports = arr(spec.ports);
  const headless = isHeadless(spec);
  const out: StatusCause[] = [];
  if (ports.length === 0 && !headless && type !== "ExternalName") out.push(required("spec.ports"));
  if (type === "LoadBalancer" || type === "NodePort") {
    if (headless) out.push(invalid("spec.clusterIPs[0]", "None", `may not be set to 'None' for ${type} services`));
    if (type === "LoadBalancer") {
      ports.forEach((sp: Obj, i) => {
        if (sp?.port === KUBELET_PORT) out.push(invalid(index("spec.ports", i), KUBELET_PORT, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
      });
    }
  } else if (type === "ExternalName") {
    if (arr(spec.clusterIPs).length > 0) out.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    if (arr(spec.ipFamilies).length > 0) out.push(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    if (spec.ipFamilyPolicy != null) out.push(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    // The CNAME may end with a dot to mark it fully qualified.
    const cname = str(spec.externalName).replace(/\.$/, "");
    if (cname) out.push(...validateDNS1123Subdomain(cname, "spec.externalName"));
    else out.push(required("spec.externalName"));
  }
  const names = new Set<string>();
  ports.forEach((sp: Obj, i) => out.push(...validateServicePort(sp ?? {}, ports.length > 1, names, index("spec.ports", i))));
  if (spec.selector != null) out.push(...validateLabels(spec.selector, "spec.selector"));
  const aff = str(spec.sessionAffinity);
  if (aff && !AFFINITIES.includes(aff)) out.push(notSupported("spec.sessionAffinity", aff, AFFINITIES));
  if (aff === "ClientIP") {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (typeof t === "number" && (t <= 0 || t > 86400)) {
      out.push(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t, "must be greater than 0 and less than 86400"));
    }
  } else if (aff === "None" && spec.sessionAffinityConfig != null) {
    out.push(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  if (type && !SERVICE_TYPES.includes(type)) out.push(notSupported("spec.type", type, SERVICE_TYPES));
  if (type === "ClusterIP") {
    ports.forEach((sp: Obj, i) => {
      if (sp?.nodePort) out.push(forbidden(child(index("spec.ports", i), "nodePort"), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((sp: Obj, i) => {
    if (!sp?.nodePort) return;
    const k = `${str(sp.protocol)}/${sp.nodePort}`;
    if (nodePorts.has(k)) out.push(duplicate(child(index("spec.ports", i), "nodePort"), sp.nodePort));
    nodePorts.add(k);
  });
  const seen = new Set<string>();
  ports.forEach((sp: Obj, i) => {
    const k = `${str(sp?.protocol)}/${sp?.port}`;
    if (seen.has(k)) out.push(duplicate(index("spec.ports", i), { raw: servicePortKey(str(sp?.protocol), sp?.port ?? 0) }));
    seen.add(k);
  });
  const etp = spec.externalTrafficPolicy;
  if (etp != null && etp !== "" && etp !== "Cluster" && etp !== "Local") {
    out.push(notSupported("spec.externalTrafficPolicy", str(etp), ["Cluster", "Local"]));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp != null && itp !== "Cluster" && itp !== "Local") out.push(notSupported("spec.internalTrafficPolicy", str(itp), ["Cluster", "Local"]));
  // The allocator in the REST storage rejects node ports outside --service-node-port-range.
  if (type === "NodePort" || type === "LoadBalancer") {
    ports.forEach((sp: Obj, i) => {
      const np = sp?.nodePort;
      if (np && (np < NODE_PORT_MIN || np > NODE_PORT_MAX)) {
        out.push(invalid(child(index("spec.ports", i), "nodePort"), np, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`));
      }
    });
  }
  return out;
}

/** ValidateServiceUpdate's cluster-IP rule: allocated IPs never change (unless to/from ExternalName). */
export function validateServiceUpdate(obj: Obj, old: Obj): StatusCause[] {
  const n: Obj = isObj(obj.spec) ? obj.spec : {}, o: Obj = isObj(old.spec) ? old.spec : {};
  if (n.type === "ExternalName" || o.type === "ExternalName") return [];
  if (isHeadless(n) && isHeadless(o)) return [];
  const oldIPs = clusterIPsOf(o);
  let newIPs = clusterIPsOf(n);
  // normalizeClusterIPs: a changed clusterIP with untouched clusterIPs replaces the list.
  if (str(n.clusterIP) && n.clusterIP !== o.clusterIP && JSON.stringify(n.clusterIPs) === JSON.stringify(o.clusterIPs)) newIPs = [n.clusterIP];
  // An update that omits the IPs keeps the allocated ones (the REST layer copies them over).
  if (newIPs.length === 0) return [];
  const out: StatusCause[] = [];
  if (oldIPs.length === newIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== newIPs[i]) out.push(invalid(index("spec.clusterIPs", i), { raw: goStringSlice(newIPs) }, "may not change once set"));
    });
  } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    out.push(invalid("spec.clusterIPs[0]", { raw: goStringSlice(newIPs) }, "may not change once set"));
  }
  return out;
}
