// Pod and PodSpec defaulting, after pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, SetDefaults_Pod,
// SetDefaults_Container, SetDefaults_Probe, volume sources) plus the admission plugins that every real
// cluster runs on pod creation (ServiceAccount, Priority, DefaultTolerationSeconds).
//
// SetDefaults_PodSpec applies to every PodSpec, including pod templates in workloads; SetDefaults_Pod and
// admission apply to Pod objects only. That split is why `kubectl get deploy -o yaml` shows dnsPolicy and
// schedulerName in the template but no enableServiceLinks, priority or tolerations.
import { hasSubMilliPrecision, parseQuantity } from "../quantity";
import { type Obj, ensureObj, isObj, objs, setIfEmpty, setIfNil, setIfZero } from "./util";

// Octal 0644, the mode Kubernetes gives projected files unless told otherwise.
const DEFAULT_FILE_MODE = 420;

/** Built-in PriorityClasses that exist on every cluster, so a pod naming them can be resolved here. */
const SYSTEM_PRIORITY: Record<string, number> = {
  "system-node-critical": 2000001000,
  "system-cluster-critical": 2000000000,
};

/** Defaults for a Pod object (not a template). */
export function defaultPod(obj: Obj): void {
  const spec = ensureObj(obj, "spec");
  if (!spec) return;
  defaultPodSpec(spec);

  // SetDefaults_Pod: requests default to limits per resource, on Pods only (not templates), so that a
  // template stays as written and each Pod is admitted with concrete requests.
  for (const c of [...objs(spec, "containers"), ...objs(spec, "initContainers")]) {
    const res = c.resources;
    if (!isObj(res) || !isObj(res.limits)) continue;
    const requests = ensureObj(res, "requests");
    if (!requests) continue;
    for (const [k, v] of Object.entries(res.limits)) if (!(k in requests)) requests[k] = v;
  }
  setIfNil(spec, "enableServiceLinks", true);
  if (spec.hostNetwork === true) {
    // With host networking a container port is a host port.
    for (const c of [...objs(spec, "containers"), ...objs(spec, "initContainers")]) {
      for (const p of objs(c, "ports")) if (!p.hostPort && p.containerPort !== undefined) p.hostPort = p.containerPort;
    }
  }

  admitPod(spec);
}

/**
 * What admission adds to a new Pod on a real cluster. These are not API defaults (they come from the
 * ServiceAccount, Priority and DefaultTolerationSeconds admission plugins), but kubectl users always see
 * them, so the simulator applies them with the defaults.
 */
function admitPod(spec: Obj): void {
  // ServiceAccount admission: pods run as the namespace's "default" account unless told otherwise.
  setIfEmpty(spec, "serviceAccountName", "default");
  syncDeprecatedServiceAccount(spec);

  // Priority admission without a globalDefault PriorityClass: priority 0, preempting lower priorities.
  // Custom classes need a store lookup, which is the registry's job; only built-in classes resolve here.
  const pcName = spec.priorityClassName;
  if (pcName === undefined || pcName === null || pcName === "") {
    setIfNil(spec, "priority", 0);
    setIfNil(spec, "preemptionPolicy", "PreemptLowerPriority");
  } else if (typeof pcName === "string" && pcName in SYSTEM_PRIORITY) {
    setIfNil(spec, "priority", SYSTEM_PRIORITY[pcName]);
    setIfNil(spec, "preemptionPolicy", "PreemptLowerPriority");
  }

  // DefaultTolerationSeconds admission: tolerate not-ready/unreachable nodes for 300s before eviction,
  // unless the pod already tolerates that taint (a toleration with empty key or empty effect matches too).
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : undefined;
  const existing = (tolerations ?? []).filter(isObj);
  const tolerates = (key: string) =>
    existing.some((t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect));
  const add: Obj[] = [];
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (!tolerates(key)) add.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
  if (add.length === 0) return;
  if (tolerations) tolerations.push(...add);
  else if (spec.tolerations === undefined || spec.tolerations === null) spec.tolerations = add;
}

/**
 * serviceAccount is the deprecated alias of serviceAccountName. v1 conversion reads it when the new field
 * is empty and always writes the new field back into it, so every served PodSpec shows them equal.
 */
function syncDeprecatedServiceAccount(spec: Obj): void {
  if (!spec.serviceAccountName && typeof spec.serviceAccount === "string" && spec.serviceAccount) {
    spec.serviceAccountName = spec.serviceAccount;
  }
  if (typeof spec.serviceAccountName === "string" && spec.serviceAccountName) {
    spec.serviceAccount = spec.serviceAccountName;
  }
}

/** SetDefaults_PodSpec and everything nested in a PodSpec; used for Pods and pod templates alike. */
export function defaultPodSpec(spec: Obj): void {
  setIfEmpty(spec, "dnsPolicy", "ClusterFirst");
  setIfEmpty(spec, "restartPolicy", "Always");
  setIfNil(spec, "securityContext", {});
  setIfNil(spec, "terminationGracePeriodSeconds", 30);
  setIfEmpty(spec, "schedulerName", "default-scheduler");
  syncDeprecatedServiceAccount(spec);

  for (const c of objs(spec, "containers")) defaultContainer(c);
  for (const c of objs(spec, "initContainers")) defaultContainer(c);
  for (const c of objs(spec, "ephemeralContainers")) defaultContainer(c);
  for (const v of objs(spec, "volumes")) defaultVolume(v);
}

/** Template defaults: a PodTemplateSpec's spec gets SetDefaults_PodSpec and nothing Pod-only. */
export function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  const spec = ensureObj(template, "spec");
  if (spec) defaultPodSpec(spec);
}

function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  setIfEmpty(c, "terminationMessagePath", "/dev/termination-log");
  setIfEmpty(c, "terminationMessagePolicy", "File");
  // resources is a struct, not a pointer, in Go: it always serializes, as `resources: {}` when empty.
  setIfNil(c, "resources", {});
  if (isObj(c.resources)) {
    roundResourceList(c.resources.limits);
    roundResourceList(c.resources.requests);
  }
  for (const p of objs(c, "ports")) setIfEmpty(p, "protocol", "TCP");
  for (const key of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    if (isObj(c[key])) defaultProbe(c[key]);
  }
  if (isObj(c.lifecycle)) {
    for (const key of ["postStart", "preStop"]) {
      const h = c.lifecycle[key];
      if (isObj(h) && isObj(h.httpGet)) defaultHTTPGet(h.httpGet);
    }
  }
  for (const e of objs(c, "env")) {
    if (!isObj(e.valueFrom)) continue;
    if (isObj(e.valueFrom.fieldRef)) setIfEmpty(e.valueFrom.fieldRef, "apiVersion", "v1");
    if (isObj(e.valueFrom.resourceFieldRef)) defaultResourceFieldRef(e.valueFrom.resourceFieldRef);
  }
}

/**
 * imagePullPolicy default: Always when the tag is "latest" (explicit, or implied by no tag and no digest),
 * else IfNotPresent. A reference that does not parse yields no tag, hence IfNotPresent, as in
 * parsers.ParseImageName.
 */
export function defaultPullPolicy(image: unknown): "Always" | "IfNotPresent" {
  if (typeof image !== "string") return "IfNotPresent";
  const ref = parseImageReference(image);
  if (!ref) return "IfNotPresent";
  const tag = ref.tag ?? (ref.digest ? undefined : "latest");
  return tag === "latest" ? "Always" : "IfNotPresent";
}

// Docker reference grammar (distribution/reference): [domain/]path[:tag][@digest]. Domain components may
// hold upper case and a port; path components are lower case with . _ __ or dash runs as separators.
const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|-+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

function parseImageReference(image: string): { name: string; tag?: string; digest?: string } | undefined {
  const m = REFERENCE_RE.exec(image);
  if (!m) return undefined;
  // A bare 64-hex "name" is an image ID, which ParseNormalizedNamed refuses.
  if (/^[a-f0-9]{64}$/.test(m[1])) return undefined;
  if (m[1].length > 255) return undefined;
  return { name: m[1], tag: m[2], digest: m[3] };
}

function defaultProbe(p: Obj): void {
  setIfZero(p, "timeoutSeconds", 1);
  setIfZero(p, "periodSeconds", 10);
  setIfZero(p, "successThreshold", 1);
  setIfZero(p, "failureThreshold", 3);
  if (isObj(p.httpGet)) defaultHTTPGet(p.httpGet);
  // GRPCAction.service is `+default=""`.
  if (isObj(p.grpc)) setIfNil(p.grpc, "service", "");
}

function defaultHTTPGet(h: Obj): void {
  // SetDefaults_HTTPGetAction: an omitted path is "/", an omitted scheme HTTP.
  setIfEmpty(h, "path", "/");
  setIfEmpty(h, "scheme", "HTTP");
}

function defaultResourceFieldRef(r: Obj): void {
  // divisor is a non-pointer Quantity in Go, so its zero value is always served, as "0".
  setIfNil(r, "divisor", "0");
}

function defaultVolume(v: Obj): void {
  const sources = Object.keys(v).filter((k) => k !== "name" && v[k] !== undefined && v[k] !== null);
  // SetDefaults_Volume: a volume with no source is an emptyDir.
  if (sources.length === 0) v.emptyDir = {};
  if (isObj(v.configMap)) setIfNil(v.configMap, "defaultMode", DEFAULT_FILE_MODE);
  if (isObj(v.secret)) setIfNil(v.secret, "defaultMode", DEFAULT_FILE_MODE);
  if (isObj(v.downwardAPI)) {
    setIfNil(v.downwardAPI, "defaultMode", DEFAULT_FILE_MODE);
    defaultDownwardAPIItems(v.downwardAPI);
  }
  if (isObj(v.projected)) {
    setIfNil(v.projected, "defaultMode", DEFAULT_FILE_MODE);
    for (const s of objs(v.projected, "sources")) {
      if (isObj(s.serviceAccountToken)) setIfNil(s.serviceAccountToken, "expirationSeconds", 3600);
      if (isObj(s.downwardAPI)) defaultDownwardAPIItems(s.downwardAPI);
    }
  }
  // HostPathType is a pointer defaulted to HostPathUnset, which is "".
  if (isObj(v.hostPath)) setIfNil(v.hostPath, "type", "");
  if (isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate) && isObj(v.ephemeral.volumeClaimTemplate.spec)) {
    defaultPVCSpec(v.ephemeral.volumeClaimTemplate.spec);
  }
}

function defaultDownwardAPIItems(d: Obj): void {
  for (const item of objs(d, "items")) {
    if (isObj(item.fieldRef)) setIfEmpty(item.fieldRef, "apiVersion", "v1");
    if (isObj(item.resourceFieldRef)) defaultResourceFieldRef(item.resourceFieldRef);
  }
}

/** SetDefaults_PersistentVolumeClaimSpec: volumeMode Filesystem. */
export function defaultPVCSpec(spec: Obj): void {
  setIfNil(spec, "volumeMode", "Filesystem");
}

/**
 * SetDefaults_ResourceList: quantities are rounded up to milli precision ("100u" is stored as "1m").
 * Values already at milli precision keep the client's spelling, as Go keeps a quantity's cached string
 * when rounding changes nothing.
 */
export function roundResourceList(list: unknown): void {
  if (!isObj(list)) return;
  for (const [k, v] of Object.entries(list)) {
    if (typeof v !== "string" && typeof v !== "number") continue;
    if (!hasSubMilliPrecision(v)) continue;
    list[k] = canonicalDecimal(parseQuantity(v)!.millis);
  }
}

const DECIMAL_SUFFIXES = ["m", "", "k", "M", "G", "T", "P", "E"];

/** DecimalSI canonical form of a count of thousandths: the largest power-of-1000 suffix that is exact. */
function canonicalDecimal(millis: number): string {
  if (millis === 0) return "0";
  let n = millis;
  let i = 0;
  while (i < DECIMAL_SUFFIXES.length - 1 && n % 1000 === 0) {
    n /= 1000;
    i++;
  }
  return `${n}${DECIMAL_SUFFIXES[i]}`;
}
