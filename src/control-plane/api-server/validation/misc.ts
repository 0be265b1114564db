// Validation of the remaining stored kinds (core: ConfigMap, Secret, Node, Event, Endpoints,
// ResourceQuota; discovery EndpointSlice; coordination Lease; scheduling PriorityClass; autoscaling
// HPA) with the v1.32 texts.
import type { StatusCause } from "../types";
import {
  arr, child, duplicate, entries, forbidden, IMMUTABLE, index, invalid, invalidEach, isConfigMapKey, isDNS1123Subdomain, isNegQ, isObj,
  isQualifiedName, isValidLabelValue, isValidPathSegmentName, isValidPortNum, key, notSupported, parseQ, qString, QUANTITY_REGEX_MSG,
  required, str, tooLong, tooMany, validateDNS1123Label, validateLabelName, IS_NEGATIVE, type Obj,
} from "./helpers";
import { PORT_PROTOCOLS } from "./pod";
import { deepEqual } from "./workloads";

const MAX_SECRET_SIZE = 1024 * 1024;
const byteLen = (s: string) => new TextEncoder().encode(s).length;
/** Decoded size of a base64 []byte value as JSON carries it. */
const b64Len = (s: unknown) => { const t = str(s).replace(/\s/g, ""); return Math.floor((t.length * 3) / 4) - (t.endsWith("==") ? 2 : t.endsWith("=") ? 1 : 0); };

export function validateConfigMap(obj: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  let total = 0;
  const binary = isObj(obj.binaryData) ? obj.binaryData : {};
  for (const [k, v] of entries(obj.data)) {
    out.push(...invalidEach(key("data", k), k, isConfigMapKey(k)));
    if (k in binary) out.push(invalid(key("data", k), k, "duplicate of key present in binaryData"));
    total += byteLen(str(v));
  }
  for (const [k, v] of entries(binary)) {
    out.push(...invalidEach(key("binaryData", k), k, isConfigMapKey(k)));
    total += b64Len(v);
  }
  // The path is field.NewPath(""): the error refers to the whole object.
  if (total > MAX_SECRET_SIZE) out.push(tooLong("", MAX_SECRET_SIZE));
  return out;
}

/** Keys each Secret type must carry. */
const SECRET_REQUIRED: Record<string, string[]> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
};

export function validateSecret(obj: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  // stringData is merged into data on the way in (v1 → internal conversion).
  const data: Obj = { ...(isObj(obj.data) ? obj.data : {}) };
  const sizes = new Map<string, number>();
  for (const [k, v] of entries(obj.data)) sizes.set(k, b64Len(v));
  for (const [k, v] of entries(obj.stringData)) { data[k] = v; sizes.set(k, byteLen(str(v))); }
  let total = 0;
  for (const k of Object.keys(data)) {
    out.push(...invalidEach(key("data", k), k, isConfigMapKey(k)));
    total += sizes.get(k) ?? 0;
  }
  if (total > MAX_SECRET_SIZE) out.push(tooLong("data", MAX_SECRET_SIZE));
  const type = str(obj.type);
  if (type === "kubernetes.io/service-account-token") {
    if (!str(obj.metadata?.annotations?.["kubernetes.io/service-account.name"])) {
      out.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
    }
  } else if (type === "kubernetes.io/basic-auth") {
    if (!("username" in data) && !("password" in data)) out.push(required("data[username]"), required("data[password]"));
  } else if (SECRET_REQUIRED[type]) {
    for (const k of SECRET_REQUIRED[type]) {
      // ssh-auth needs a non-empty key; the others only need the key present.
      if (!(k in data) || (type === "kubernetes.io/ssh-auth" && !str(data[k]))) {
        out.push(required(key("data", k)));
        if (type !== "kubernetes.io/tls") break;
      }
    }
  }
  return out;
}

/** ConfigMap/Secret updates: `immutable` is one-way, and locks the data; a Secret's type never changes. */
export function validateImmutableData(obj: Obj, old: Obj, dataFields: string[]): StatusCause[] {
  const out: StatusCause[] = [];
  if (old.immutable === true) {
    if (obj.immutable !== true) out.push(forbidden("immutable", "field is immutable when `immutable` is set"));
    for (const f of dataFields) if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) out.push(forbidden(f, "field is immutable when `immutable` is set"));
  }
  if (obj.kind === "Secret" && str(obj.type) !== str(old.type)) out.push(invalid("type", str(obj.type), IMMUTABLE));
  return out;
}

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export function validateNode(obj: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  arr(obj.spec?.taints).forEach((t: Obj, i) => {
    const p = index("spec.taints", i);
    out.push(...validateLabelName(str(t?.key), child(p, "key")));
    const errs = isValidLabelValue(str(t?.value));
    if (errs.length) out.push(invalid(child(p, "value"), str(t?.value), errs.join(";")));
    const effect = str(t?.effect);
    if (!effect) out.push(required(child(p, "effect")));
    else if (!TAINT_EFFECTS.includes(effect)) out.push(notSupported(child(p, "effect"), effect, TAINT_EFFECTS));
    const id = `${effect}\u0000${str(t?.key)}`;
    if (seen.has(id)) {
      const raw = `core.Taint{Key:"${str(t?.key)}", Value:"${str(t?.value)}", Effect:"${effect}", TimeAdded:<nil>}`;
      out.push({ ...duplicate(p, { raw }), message: `Duplicate value: ${raw}: taints must be unique by key and effect pair` });
    }
    seen.add(id);
  });
  return out;
}

/** legacyValidateEvent (+ the strict events.k8s.io/v1 checks, which v1 Events are exempt from). */
export function validateEvent(obj: Obj, strict: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  const involved: Obj = (strict ? obj.regarding : obj.involvedObject) ?? {};
  const ns = str(obj.metadata?.namespace);
  const ins = str(involved.namespace);
  const controllerField = strict ? "reportingController" : "source";
  const controller = str(strict ? obj.reportingController : obj.reportingComponent ?? obj.reportingController);
  if (!obj.eventTime) {
    if (!ins ? ns !== "" && ns !== "default" : ns !== ins) out.push(invalid("involvedObject.namespace", ins, "does not match event.namespace"));
  } else {
    if (!ins && ns !== "default" && ns !== "kube-system") out.push(invalid("involvedObject.namespace", ins, "does not match event.namespace"));
    if (!controller) out.push(required(controllerField));
    out.push(...invalidEach(controllerField, controller, isQualifiedName(controller)));
    const limits: [string, string, number, boolean][] = [
      ["reportingInstance", str(obj.reportingInstance), 128, true], ["action", str(obj.action), 128, true],
      ["reason", str(obj.reason), 128, true], ["message", str(strict ? obj.note : obj.message), 1024, false],
    ];
    for (const [f, v, max, req] of limits) {
      if (req && !v) out.push(required(f));
      if (v.length > max) out.push(invalid(f, "", `can have at most ${max} characters`));
    }
  }
  out.push(...invalidEach("namespace", ns, isDNS1123Subdomain(ns)));
  if (strict) {
    if (!obj.eventTime) out.push(required("eventTime"));
    if (obj.type !== "Normal" && obj.type !== "Warning") out.push(invalid("type", "", `has invalid value: ${str(obj.type)}`));
  }
  return out;
}

// --- IP addresses (netutils.ParseIPSloppy accepts leading zeros) -------------------------------

const isIPv4 = (s: string) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split(".").every((o) => Number(o) <= 255);
function isIPv6(s: string): boolean {
  if (!s.includes(":") || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const dbl = s.split("::");
  if (dbl.length > 2) return false;
  const groups = (part: string) => (part ? part.split(":") : []);
  const all = [...groups(dbl[0]), ...groups(dbl[1] ?? "")];
  let count = all.length;
  if (all.length && isIPv4(all[all.length - 1])) count++;
  else if (all.length && all[all.length - 1].includes(".")) return false;
  if (!all.slice(0, isIPv4(all[all.length - 1] ?? "") ? -1 : undefined).every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return dbl.length === 2 ? count < 8 : count === 8;
}
const IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

function validateEndpointAddress(a: Obj, p: string): StatusCause[] {
  const ip = str(a?.ip);
  const out: StatusCause[] = [];
  if (!isIPv4(ip) && !isIPv6(ip)) out.push(invalid(child(p, "ip"), ip, IP_MSG));
  if (str(a?.hostname)) out.push(...validateDNS1123Label(a.hostname, child(p, "hostname")));
  if (a?.nodeName != null) out.push(...invalidEach(child(p, "nodeName"), str(a.nodeName), isDNS1123Subdomain(str(a.nodeName))));
  if (ip === "0.0.0.0" || ip === "::") out.push(invalid(child(p, "ip"), ip, "may not be unspecified (0.0.0.0)"));
  else if (ip.startsWith("127.") || ip === "::1") out.push(invalid(child(p, "ip"), ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  else if (ip.startsWith("169.254.") || /^fe[89ab]/i.test(ip)) out.push(invalid(child(p, "ip"), ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  else if (ip.startsWith("224.0.0.") || /^ff02:/i.test(ip)) out.push(invalid(child(p, "ip"), ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  return out;
}

export function validateEndpoints(obj: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  arr(obj.subsets).forEach((ss: Obj, i) => {
    const p = index("subsets", i);
    if (arr(ss?.addresses).length === 0 && arr(ss?.notReadyAddresses).length === 0) {
      out.push(required(p, "must specify `addresses` or `notReadyAddresses`"));
    }
    arr(ss?.addresses).forEach((a, j) => out.push(...validateEndpointAddress(a, index(child(p, "addresses"), j))));
    arr(ss?.notReadyAddresses).forEach((a, j) => out.push(...validateEndpointAddress(a, index(child(p, "notReadyAddresses"), j))));
    const ports = arr(ss?.ports);
    ports.forEach((port: Obj, j) => {
      const pp = index(child(p, "ports"), j);
      const name = str(port?.name);
      if (ports.length > 1 && !name) out.push(required(child(pp, "name")));
      else if (name) out.push(...validateDNS1123Label(name, child(pp, "name")));
      out.push(...invalidEach(child(pp, "port"), port?.port ?? 0, isValidPortNum(port?.port ?? 0)));
      const proto = str(port?.protocol);
      if (proto && !PORT_PROTOCOLS.includes(proto)) out.push(notSupported(child(pp, "protocol"), proto, PORT_PROTOCOLS));
    });
  });
  return out;
}

const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];

export function validateEndpointSlice(obj: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  const at = str(obj.addressType);
  if (!at) out.push(required("addressType"));
  else if (!ADDRESS_TYPES.includes(at)) out.push(notSupported("addressType", at, ADDRESS_TYPES));
  arr(obj.endpoints).forEach((ep: Obj, i) => {
    const ap = child(index("endpoints", i), "addresses");
    const addrs = arr(ep?.addresses);
    if (addrs.length === 0) out.push(required(ap, "must contain at least 1 address"));
    else if (addrs.length > 100) out.push(tooMany(ap, addrs.length, 100));
    addrs.forEach((a, j) => {
      const s = str(a);
      if (at === "IPv4" && !isIPv4(s)) out.push(invalid(index(ap, j), s, "must be a valid IPv4 address"));
      if (at === "IPv6" && !isIPv6(s)) out.push(invalid(index(ap, j), s, "must be a valid IPv6 address"));
    });
  });
  const names = new Set<string>();
  arr(obj.ports).forEach((port: Obj, i) => {
    const p = index("ports", i);
    const name = str(port?.name);
    if (name) out.push(...validateDNS1123Label(name, child(p, "name")));
    if (names.has(name)) out.push(duplicate(child(p, "name"), name));
    names.add(name);
    const proto = port?.protocol;
    if (proto != null && !PORT_PROTOCOLS.includes(proto)) out.push(notSupported(child(p, "protocol"), str(proto), PORT_PROTOCOLS));
  });
  return out;
}

const QUOTA_STANDARD = new Set([
  "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
  "services.nodeports", "services.loadbalancers", "cpu", "memory", "ephemeral-storage", "storage", "requests.cpu", "requests.memory",
  "requests.storage", "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);
const QUOTA_INTEGER = new Set(["pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
  "persistentvolumeclaims", "services.nodeports", "services.loadbalancers"]);

export function validateResourceQuota(obj: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [name, raw] of entries(obj.spec?.hard)) {
    const p = key("spec.hard", name);
    const nameErrs = invalidEach(p, name, isQualifiedName(name));
    out.push(...nameErrs);
    const standard = QUOTA_STANDARD.has(name) || /^(requests\.|limits\.)?hugepages-/.test(name);
    if (!nameErrs.length && !name.includes("/") && !standard) {
      out.push(invalid(p, name, "must be a standard resource type or fully qualified"), invalid(p, name, "must be a standard resource for quota"));
    }
    const q = parseQ(raw);
    if (!q) { out.push(invalid(p, str(raw), QUANTITY_REGEX_MSG)); continue; }
    if (isNegQ(q)) out.push(invalid(p, qString(q), IS_NEGATIVE));
    if ((QUOTA_INTEGER.has(name) || name.startsWith("count/")) && q.numer % q.denom !== 0n) out.push(invalid(p, { raw: qString(q) }, "must be an integer"));
  }
  const scopes = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity", "VolumeAttributesClass"];
  arr(obj.spec?.scopes).forEach((s) => {
    if (!scopes.includes(str(s))) out.push(invalid("spec.scopes", str(s), "unsupported scope"));
  });
  return out;
}

export function validateLease(obj: Obj): StatusCause[] {
  const s: Obj = isObj(obj.spec) ? obj.spec : {};
  const out: StatusCause[] = [];
  if (typeof s.leaseDurationSeconds === "number" && s.leaseDurationSeconds <= 0) out.push(invalid("spec.leaseDurationSeconds", s.leaseDurationSeconds, "must be greater than 0"));
  if (typeof s.leaseTransitions === "number" && s.leaseTransitions < 0) out.push(invalid("spec.leaseTransitions", s.leaseTransitions, IS_NEGATIVE));
  return out;
}

const SYSTEM_PRIORITY: Record<string, number> = { "system-node-critical": 2000001000, "system-cluster-critical": 2000000000 };

export function validatePriorityClass(obj: Obj): StatusCause[] {
  const name = str(obj.metadata?.name);
  const value = typeof obj.value === "number" ? obj.value : 0;
  const out: StatusCause[] = [];
  if (name.startsWith("system-")) {
    // Only the two built-in system classes (with their exact values, not global default) may use the prefix.
    const known = SYSTEM_PRIORITY[name];
    let err = "";
    if (known === undefined) err = `${name} is not a known system priority class`;
    else if (known !== value) err = `value of ${name} PriorityClass must be ${known}`;
    else if (obj.globalDefault === true) err = `globalDefault of ${name} PriorityClass must be false`;
    if (err) out.push(forbidden("metadata.name", `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`));
  } else if (value > 1000000000) {
    out.push(forbidden("value", "maximum allowed value of a user defined priority is 1000000000"));
  }
  const pp = obj.preemptionPolicy;
  if (pp != null && pp !== "PreemptLowerPriority" && pp !== "Never") out.push(notSupported("preemptionPolicy", str(pp), ["PreemptLowerPriority", "Never"]));
  return out;
}

export function validatePriorityClassUpdate(obj: Obj, old: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  if (obj.value !== old.value) out.push(forbidden("value", "may not be changed in an update."));
  if (obj.preemptionPolicy !== old.preemptionPolicy) out.push(invalid("preemptionPolicy", str(obj.preemptionPolicy), IMMUTABLE));
  return out;
}

const METRIC_TYPES = ["Object", "Pods", "Resource", "External", "ContainerResource"];

export function validateHPA(obj: Obj): StatusCause[] {
  const s: Obj = isObj(obj.spec) ? obj.spec : {};
  const out: StatusCause[] = [];
  if (typeof s.minReplicas === "number" && s.minReplicas < 1) out.push(invalid("spec.minReplicas", s.minReplicas, "must be greater than or equal to 1"));
  const max = typeof s.maxReplicas === "number" ? s.maxReplicas : 0;
  if (max < 1) out.push(invalid("spec.maxReplicas", max, "must be greater than 0"));
  if (typeof s.minReplicas === "number" && max < s.minReplicas) out.push(invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
  const ref: Obj = isObj(s.scaleTargetRef) ? s.scaleTargetRef : {};
  for (const f of ["kind", "name"]) {
    const v = str(ref[f]);
    if (!v) out.push(required(child("spec.scaleTargetRef", f)));
    else out.push(...invalidEach(child("spec.scaleTargetRef", f), v, isValidPathSegmentName(v)));
  }
  arr(s.metrics).forEach((m: Obj, i) => {
    const p = index("spec.metrics", i);
    const t = str(m?.type);
    if (!t) out.push(required(child(p, "type"), "must specify a metric source type"));
    if (!METRIC_TYPES.includes(t)) out.push(notSupported(child(p, "type"), t, METRIC_TYPES));
    if (t === "Resource") {
      const r: Obj = isObj(m.resource) ? m.resource : {};
      if (!isObj(m.resource)) out.push(required(child(p, "resource"), "must populate information for the given metric source"));
      else if (!str(r.name)) out.push(required(child(p, "resource", "name"), "must specify a resource name"));
      const tgt = r.target;
      if (isObj(m.resource) && isObj(tgt)) {
        const tt = str(tgt.type);
        if (!tt) out.push(required(child(p, "resource", "target", "type"), "must specify a metric target type"));
        else if (!["Utilization", "Value", "AverageValue"].includes(tt)) out.push(notSupported(child(p, "resource", "target", "type"), tt, ["Utilization", "Value", "AverageValue"]));
        if (typeof tgt.averageUtilization === "number" && tgt.averageUtilization < 1) {
          out.push(invalid(child(p, "resource", "target", "averageUtilization"), tgt.averageUtilization, "must be greater than 0"));
        }
      }
    }
  });
  return out;
}

/** Namespace spec.finalizers are qualified names (validateFinalizerName). */
export function validateNamespace(obj: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  for (const f of arr(obj.spec?.finalizers)) out.push(...invalidEach("spec.finalizers", str(f), isQualifiedName(str(f))));
  return out;
}
