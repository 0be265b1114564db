// ValidatePodSpec / ValidatePodTemplateSpec (pkg/apis/core/validation/validation.go, v1.32) for the
// fields kubeclass users write. Required checks on fields the defaulter always fills (protocol,
// imagePullPolicy, terminationMessagePolicy, restartPolicy, dnsPolicy) are skipped: real clients
// can never reach them, and skipping keeps us correct if a default is ever missed upstream.
import type { StatusCause } from "../types";
import {
  arr, child, cmpQ, duplicate, entries, forbidden, index, invalid, invalidEach, inclusiveRange, isConfigMapKey, isDNS1123Subdomain,
  isNegQ, isObj, isQualifiedName, isRelaxedEnvVarName, isValidLabelValue, isValidPortName, isValidPortNum, key, nonNegative,
  notFound, notSupported, parseQ, qString, QUANTITY_REGEX_MSG, required, str, validateDNS1123Label, validateLabelName,
  validateLabels, validatePortNumOrName, IS_NEGATIVE, tooMany, type Obj, type Q,
} from "./helpers";
import { validateAnnotations } from "./metadata";

export const PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"]; // sets.List(supportedPortProtocols): sorted

/** VolumeSource members in the order validateVolumeSource counts them. */
const VOLUME_TYPES = [
  "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
  "persistentVolumeClaim", "rbd", "quobyte", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile",
  "vsphereVolume", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "configMap", "storageos", "projected",
  "csi", "ephemeral", "image",
];

function validateVolumes(volumes: unknown, field: string): { errs: StatusCause[]; names: Set<string> } {
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  arr(volumes).forEach((vol: Obj, i) => {
    const p = index(field, i);
    let n = 0;
    for (const t of VOLUME_TYPES) {
      if (!isObj(vol?.[t])) continue;
      if (n++ > 0) { errs.push(forbidden(child(p, t), "may not specify more than 1 volume type")); continue; }
      const src = vol[t];
      if (t === "secret" && !str(src.secretName)) errs.push(required(child(p, t, "secretName")));
      if (t === "configMap" && !str(src.name)) errs.push(required(child(p, t, "name")));
      if (t === "persistentVolumeClaim" && !str(src.claimName)) errs.push(required(child(p, t, "claimName")));
      if (t === "hostPath" && !str(src.path)) errs.push(required(child(p, t, "path")));
    }
    if (n === 0) errs.push(required(p, "must specify a volume type"));
    const name = str(vol?.name);
    if (!name) errs.push(required(child(p, "name")));
    else errs.push(...validateDNS1123Label(name, child(p, "name")));
    if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
    else names.add(name);
  });
  return { errs, names };
}

function validateContainerPorts(ports: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const names = new Set<string>();
  arr(ports).forEach((port: Obj, i) => {
    const p = index(field, i);
    const name = str(port?.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) out.push(...invalidEach(child(p, "name"), name, msgs));
      else if (names.has(name)) out.push(duplicate(child(p, "name"), name));
      else names.add(name);
    }
    const cp = port?.containerPort;
    if (!cp) out.push(required(child(p, "containerPort")));
    else out.push(...invalidEach(child(p, "containerPort"), cp, isValidPortNum(cp)));
    if (port?.hostPort) out.push(...invalidEach(child(p, "hostPort"), port.hostPort, isValidPortNum(port.hostPort)));
    const proto = str(port?.protocol);
    if (proto && !PORT_PROTOCOLS.includes(proto)) out.push(notSupported(child(p, "protocol"), proto, PORT_PROTOCOLS));
  });
  return out;
}

function validateEnv(env: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  arr(env).forEach((ev: Obj, i) => {
    const p = index(field, i);
    const name = str(ev?.name);
    if (!name) out.push(required(child(p, "name")));
    out.push(...invalidEach(child(p, "name"), name, isRelaxedEnvVarName(name)));
    const vf = ev?.valueFrom;
    if (!isObj(vf)) return;
    const vp = child(p, "valueFrom");
    let sources = 0;
    for (const [k, nameKey] of [["fieldRef", ""], ["resourceFieldRef", ""], ["configMapKeyRef", "name"], ["secretKeyRef", "name"]]) {
      const ref = vf[k];
      if (!isObj(ref)) continue;
      sources++;
      if (k === "fieldRef" && !str(ref.fieldPath)) out.push(required(child(vp, k, "fieldPath")));
      if (k === "resourceFieldRef" && !str(ref.resource)) out.push(required(child(vp, k, "resource")));
      if (nameKey) {
        out.push(...invalidEach(child(vp, k, "name"), str(ref.name), isDNS1123Subdomain(str(ref.name))));
        if (!str(ref.key)) out.push(required(child(vp, k, "key")));
        else out.push(...invalidEach(child(vp, k, "key"), str(ref.key), isConfigMapKey(str(ref.key))));
      }
    }
    if (sources === 0) out.push(invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    else if (str(ev.value)) out.push(invalid(vp, "", "may not be specified when `value` is not empty"));
    else if (sources > 1) out.push(invalid(vp, "", "may not have more than one field specified at a time"));
  });
  return out;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const paths = new Set<string>();
  arr(mounts).forEach((m: Obj, i) => {
    const p = index(field, i);
    const name = str(m?.name);
    if (!name) out.push(required(child(p, "name")));
    if (!volumes.has(name)) out.push(notFound(child(p, "name"), name));
    const mp = str(m?.mountPath);
    if (!mp) out.push(required(child(p, "mountPath")));
    if (paths.has(mp)) out.push(invalid(child(p, "mountPath"), mp, "must be unique"));
    paths.add(mp);
  });
  return out;
}

// --- resources ---------------------------------------------------------------------------------

const isHugePages = (n: string) => n.startsWith("hugepages-");
const STANDARD_CONTAINER = new Set(["cpu", "memory", "ephemeral-storage"]);
const isNative = (n: string) => !n.includes("/") || n.includes("kubernetes.io/");
const isExtended = (n: string) => !isNative(n) && !n.startsWith("requests.") && isQualifiedName(`requests.${n}`).length === 0;
const overcommitAllowed = (n: string) => isNative(n) && !isHugePages(n);

function validateResourceName(name: string, field: string): StatusCause[] {
  const errs = invalidEach(field, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes("/")) {
    if (!STANDARD_CONTAINER.has(name) && !isHugePages(name)) {
      return [invalid(field, name, "must be a standard resource type or fully qualified"),
        invalid(field, name, "must be a standard resource for containers")];
    }
  } else if (!isNative(name) && !isExtended(name)) {
    return [invalid(field, name, "doesn't follow extended resource name standard")];
  }
  return [];
}

/** Name, parse and sign checks for one resource list; returns the parsed quantities by name. */
function validateResourceList(list: unknown, field: string, out: StatusCause[]): Map<string, Q> {
  const parsed = new Map<string, Q>();
  for (const [name, raw] of entries(list)) {
    const p = key(field, name);
    out.push(...validateResourceName(name, p));
    const q = parseQ(raw);
    // A malformed quantity is a decode error in the real API server; reported here as a field error.
    if (!q) { out.push(invalid(p, typeof raw === "string" ? raw : String(raw), QUANTITY_REGEX_MSG)); continue; }
    if (isNegQ(q)) out.push(invalid(p, qString(q), IS_NEGATIVE));
    if (isExtended(name) && q.numer % q.denom !== 0n) out.push(invalid(p, { raw: qString(q) }, "must be an integer"));
    parsed.set(name, q);
  }
  return parsed;
}

/** ValidateResourceRequirements. */
export function validateResources(res: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (!isObj(res)) return out;
  const limPath = child(field, "limits");
  const reqPath = child(field, "requests");
  const limits = validateResourceList(res.limits, limPath, out);
  const requests = validateResourceList(res.requests, reqPath, out);
  for (const [name, q] of requests) {
    const lim = limits.get(name);
    if (lim) {
      if (cmpQ(q, lim) !== 0 && !overcommitAllowed(name)) out.push(invalid(reqPath, qString(q), `must be equal to ${name} limit of ${qString(lim)}`));
      else if (cmpQ(q, lim) > 0) out.push(invalid(reqPath, qString(q), `must be less than or equal to ${name} limit of ${qString(lim)}`));
    } else if (!overcommitAllowed(name) && entries(res.limits).every(([k]) => k !== name)) {
      out.push(required(limPath, "Limit must be set for non overcommitable resources"));
    }
  }
  const all = [...limits.keys(), ...requests.keys()];
  if (all.some(isHugePages) && !all.some((n) => n === "cpu" || n === "memory")) out.push(forbidden(field, "HugePages require cpu or memory"));
  return out;
}

// --- probes and handlers -----------------------------------------------------------------------

function validateHandler(h: Obj, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  let n = 0;
  for (const t of ["exec", "httpGet", "tcpSocket", "grpc", "sleep"]) {
    const a = h[t];
    if (!isObj(a)) continue;
    if (n++ > 0) { out.push(forbidden(child(field, t), "may not specify more than 1 handler type")); continue; }
    const p = child(field, t);
    if (t === "exec" && arr(a.command).length === 0) out.push(required(child(p, "command")));
    if (t === "httpGet") {
      if (!str(a.path)) out.push(required(child(p, "path")));
      out.push(...validatePortNumOrName(a.port, child(p, "port")));
      if (a.scheme !== undefined && !["HTTP", "HTTPS"].includes(a.scheme)) out.push(notSupported(child(p, "scheme"), str(a.scheme), ["HTTP", "HTTPS"]));
    }
    if (t === "tcpSocket") out.push(...validatePortNumOrName(a.port, child(p, "port")));
    if (t === "grpc") out.push(...invalidEach(child(p, "port"), a.port, isValidPortNum(a.port)));
    if (t === "sleep" && !(typeof a.seconds === "number" && a.seconds > 0)) out.push(invalid(child(p, "seconds"), a.seconds ?? 0, "must be greater than 0"));
  }
  if (n === 0) out.push(required(field, "must specify a handler type"));
  return out;
}

function validateProbe(probe: unknown, field: string, mustBeOne: boolean): StatusCause[] {
  if (!isObj(probe)) return [];
  const out = validateHandler(probe, field);
  for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]) {
    out.push(...nonNegative(probe[f], child(field, f)));
  }
  const tg = probe.terminationGracePeriodSeconds;
  if (typeof tg === "number" && tg <= 0) out.push(invalid(child(field, "terminationGracePeriodSeconds"), tg, "must be greater than 0"));
  // Liveness and startup probes may not require more than one success.
  if (mustBeOne && typeof probe.successThreshold === "number" && probe.successThreshold !== 1) {
    out.push(invalid(child(field, "successThreshold"), probe.successThreshold, "must be 1"));
  }
  return out;
}

function validateLifecycle(lc: unknown, field: string): StatusCause[] {
  if (!isObj(lc)) return [];
  const out: StatusCause[] = [];
  for (const h of ["postStart", "preStop"]) if (isObj(lc[h])) out.push(...validateHandler(lc[h], child(field, h)));
  return out;
}

// --- containers --------------------------------------------------------------------------------

function validateContainerCommon(c: Obj, volumes: Set<string>, p: string): StatusCause[] {
  const out: StatusCause[] = [];
  const name = str(c.name);
  if (!name) out.push(required(child(p, "name")));
  else out.push(...validateDNS1123Label(name, child(p, "name")));
  if (!str(c.image)) out.push(required(child(p, "image")));
  const tmp = str(c.terminationMessagePolicy);
  if (tmp && tmp !== "File" && tmp !== "FallbackToLogsOnError") {
    out.push(notSupported(child(p, "terminationMessagePolicy"), tmp, ["File", "FallbackToLogsOnError"]));
  }
  out.push(...validateContainerPorts(c.ports, child(p, "ports")));
  out.push(...validateEnv(c.env, child(p, "env")));
  out.push(...validateVolumeMounts(c.volumeMounts, volumes, child(p, "volumeMounts")));
  const pull = str(c.imagePullPolicy);
  if (pull && !["Always", "IfNotPresent", "Never"].includes(pull)) {
    out.push(notSupported(child(p, "imagePullPolicy"), pull, ["Always", "IfNotPresent", "Never"]));
  }
  out.push(...validateResources(c.resources, child(p, "resources")));
  return out;
}

function hostPortConflicts(containers: Obj[], field: string, seen: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  containers.forEach((c, ci) => arr(c?.ports).forEach((port: Obj, pi) => {
    if (!port?.hostPort) return;
    const id = `${str(port.hostIP)}/${str(port.protocol)}/${port.hostPort}`;
    if (seen.has(id)) out.push(duplicate(child(index(child(index(field, ci), "ports"), pi), "hostPort"), id));
    else seen.add(id);
  }));
  return out;
}

function validateContainers(containers: unknown, volumes: Set<string>, field: string): StatusCause[] {
  const list = arr(containers);
  if (list.length === 0) return [required(field)];
  const out: StatusCause[] = [];
  const names = new Set<string>();
  list.forEach((c: Obj, i) => {
    const p = index(field, i);
    out.push(...validateContainerCommon(c ?? {}, volumes, p));
    if (names.has(str(c?.name))) out.push(duplicate(child(p, "name"), str(c?.name)));
    else names.add(str(c?.name));
    out.push(...validateLifecycle(c?.lifecycle, child(p, "lifecycle")));
    out.push(...validateProbe(c?.livenessProbe, child(p, "livenessProbe"), true));
    out.push(...validateProbe(c?.readinessProbe, child(p, "readinessProbe"), false));
    out.push(...validateProbe(c?.startupProbe, child(p, "startupProbe"), true));
  });
  out.push(...hostPortConflicts(list, field, new Set()));
  return out;
}

function validateInitContainers(inits: unknown, containers: unknown, volumes: Set<string>, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const names = new Set(arr(containers).map((c) => str(c?.name)));
  arr(inits).forEach((c: Obj, i) => {
    const p = index(field, i);
    out.push(...validateContainerCommon(c ?? {}, volumes, p));
    const rp = c?.restartPolicy;
    if (rp !== undefined && rp !== "Always") out.push(notSupported(child(p, "restartPolicy"), str(rp), ["Always"]));
    const name = str(c?.name);
    if (names.has(name)) out.push(duplicate(child(p, "name"), name));
    else if (name) names.add(name);
    // Checked per init container (they run one by one); Go reports them at index 0, which we keep.
    out.push(...hostPortConflicts([c ?? {}], field, new Set()));
    if (rp === "Always") {
      // Sidecars (restartable init containers) take the same lifecycle and probes as regular containers.
      out.push(...validateLifecycle(c.lifecycle, child(p, "lifecycle")));
      out.push(...validateProbe(c.livenessProbe, child(p, "livenessProbe"), true));
      out.push(...validateProbe(c.readinessProbe, child(p, "readinessProbe"), false));
      out.push(...validateProbe(c.startupProbe, child(p, "startupProbe"), true));
    } else {
      for (const f of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"]) {
        if (c?.[f] != null) out.push(forbidden(child(p, f), "may not be set for init containers without restartPolicy=Always"));
      }
    }
  });
  return out;
}

// --- pod spec ----------------------------------------------------------------------------------

function validateTolerations(tolerations: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  arr(tolerations).forEach((t: Obj, i) => {
    const p = index(field, i);
    const k = str(t?.key), op = str(t?.operator), value = str(t?.value), effect = str(t?.effect);
    if (k) out.push(...validateLabelName(k, child(p, "key")));
    if (!k && op !== "Exists") {
      out.push(invalid(child(p, "operator"), op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    }
    if (t?.tolerationSeconds != null && effect !== "NoExecute") {
      out.push(invalid(child(p, "effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === "Equal" || op === "") {
      const errs = isValidLabelValue(value);
      if (errs.length) out.push(invalid(child(p, "operator"), value, errs.join(";")));
    } else if (op === "Exists") {
      if (value) {
        // Go prints the whole core.Toleration struct with %#v.
        const secs = t.tolerationSeconds == null ? "(*int64)(nil)" : `(*int64)(0xc000000000)`;
        const raw = `core.Toleration{Key:"${k}", Operator:"${op}", Value:"${value}", Effect:"${effect}", TolerationSeconds:${secs}}`;
        out.push(invalid(child(p, "operator"), { raw }, "value must be empty when `operator` is 'Exists'"));
      }
    } else out.push(notSupported(child(p, "operator"), op, ["Equal", "Exists"]));
    if (effect && !["NoSchedule", "PreferNoSchedule", "NoExecute"].includes(effect)) {
      out.push(notSupported(child(p, "effect"), effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"]));
    }
  });
  return out;
}

export const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const MAX_INT32 = 2147483647;
/**
 * Containers (regular and init) one pod may have. Not an upstream limit (a real pod has none but
 * its object size): a classroom's. A node keeps each pod's record in one storage row, ~2–4 KB per
 * container, and a student's 1,000-container pods took their nodes down; real manifests use a few.
 */
export const MAX_CONTAINERS_PER_POD = 50;

/** ValidatePodSpec (the parts kubeclass supports). */
export function validatePodSpec(spec: unknown, field: string): StatusCause[] {
  const s: Obj = isObj(spec) ? spec : {};
  const { errs: out, names: volumes } = validateVolumes(s.volumes, child(field, "volumes"));
  out.push(...validateContainers(s.containers, volumes, child(field, "containers")));
  out.push(...validateInitContainers(s.initContainers, s.containers, volumes, child(field, "initContainers")));
  const regular = arr(s.containers).length;
  const init = arr(s.initContainers).length;
  if (regular > MAX_CONTAINERS_PER_POD) out.push(tooMany(child(field, "containers"), regular, MAX_CONTAINERS_PER_POD));
  else if (regular + init > MAX_CONTAINERS_PER_POD) out.push(tooMany(child(field, "initContainers"), init, MAX_CONTAINERS_PER_POD - regular));
  const rp = str(s.restartPolicy);
  if (rp && !RESTART_POLICIES.includes(rp)) out.push(notSupported(child(field, "restartPolicy"), rp, RESTART_POLICIES));
  const dp = str(s.dnsPolicy);
  if (dp && !DNS_POLICIES.includes(dp)) out.push(notSupported(child(field, "dnsPolicy"), dp, DNS_POLICIES));
  out.push(...validateLabels(s.nodeSelector, child(field, "nodeSelector")));
  if (dp === "None") {
    if (!isObj(s.dnsConfig)) out.push(required(child(field, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
    else if (arr(s.dnsConfig.nameservers).length === 0) {
      out.push(required(child(field, "dnsConfig", "nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"));
    }
  }
  arr(s.imagePullSecrets).forEach((r: Obj, i) => {
    if (!str(r?.name)) out.push(required(child(index(child(field, "imagePullSecrets"), i), "name")));
  });
  arr(s.schedulingGates).forEach((g: Obj, i) => {
    out.push(...invalidEach(child(index(child(field, "schedulingGates"), i), "name"), str(g?.name), isQualifiedName(str(g?.name))));
  });
  for (const f of ["serviceAccountName", "nodeName"]) {
    if (str(s[f])) out.push(...invalidEach(child(field, f), s[f], isDNS1123Subdomain(s[f])));
  }
  const ads = s.activeDeadlineSeconds;
  if (typeof ads === "number" && (ads < 1 || ads > MAX_INT32)) out.push(invalid(child(field, "activeDeadlineSeconds"), ads, inclusiveRange(1, MAX_INT32)));
  for (const f of ["hostname", "subdomain"]) if (str(s[f])) out.push(...validateDNS1123Label(s[f], child(field, f)));
  out.push(...validateTolerations(s.tolerations, child(field, "tolerations")));
  if (str(s.priorityClassName)) out.push(...invalidEach(child(field, "priorityClassName"), s.priorityClassName, isDNS1123Subdomain(s.priorityClassName)));
  return out;
}

/** ValidatePodTemplateSpec: template metadata errors use `<path>.labels`, not `<path>.metadata.labels`. */
export function validatePodTemplateSpec(template: unknown, field: string): StatusCause[] {
  const t: Obj = isObj(template) ? template : {};
  const meta: Obj = isObj(t.metadata) ? t.metadata : {};
  const out = validateLabels(meta.labels, child(field, "labels"));
  out.push(...validateAnnotations(meta.annotations, child(field, "annotations")));
  out.push(...validatePodSpec(t.spec, child(field, "spec")));
  if (arr(t.spec?.ephemeralContainers).length > 0) {
    out.push(forbidden(child(field, "spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"));
  }
  return out;
}
