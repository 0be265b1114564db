// The EndpointSlice controller's reconcile (pkg/controller/endpointslice, staging k8s.io/endpointslice
// reconciler.go and utils.go, v1.32) as a pure function: given a Service, the pods of its namespace
// and the slices it already owns, say which slices to create, update and delete. The controller
// loop (informers, retries, the API calls) is wired elsewhere.
import { labelSelectorFromObject } from "../../api-server/selectors";
import type { Container, Node, Pod, PodSpec, Service, ServicePort } from "../../api-server/objects/core";
import type { ObjectReference } from "../../api-server/objects/meta";
import type { Endpoint, EndpointConditions, EndpointSlice } from "../../api-server/objects/others";
import { isPodReady } from "../controller-utils";

export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
export const LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";
export const LABEL_HEADLESS = "service.kubernetes.io/headless";
export const LABEL_ZONE = "topology.kubernetes.io/zone";
/** The controller's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

type AddressType = "IPv4" | "IPv6";
/** A port as an EndpointSlice carries it (all optional: a stored slice may hold anything). */
type SlicePort = NonNullable<EndpointSlice["ports"]>[number];

// ---------------------------------------------------------------------------------------------
// Pod and Service helpers shared with the Endpoints controller (endpoints.ts) and kube-proxy.

/** The pod's IPs, status.podIPs first (what the controllers read), status.podIP as a fallback. */
export function podIPs(pod: Pod): string[] {
  // Read defensively: a stored pod's podIPs may be no array, or hold entries that are no IP.
  const list: ({ ip: string } | null)[] = Array.isArray(pod.status?.podIPs) ? pod.status.podIPs : [];
  const ips = list.map((p) => p?.ip).filter((ip): ip is string => typeof ip === "string" && ip !== "");
  if (ips.length === 0 && typeof pod.status?.podIP === "string" && pod.status.podIP) ips.push(pod.status.podIP);
  return ips;
}

const isIPv6 = (ip: string) => ip.includes(":");

/**
 * ShouldPodBeInEndpoints: terminal pods (Succeeded/Failed) and pods without an IP never are;
 * terminating ones only when the caller asks (the slice controller always does, to publish
 * serving/terminating; the Endpoints controller only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** helper.IsServiceIPSet: a ClusterIP that is neither empty nor "None" (i.e. not headless). */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return typeof ip === "string" && ip !== "" && ip !== "None";
}

/**
 * podutil.FindPort: a numeric targetPort is used as is; a named one is looked up among the
 * containers' ports (then restartable init containers, i.e. sidecars) with the same protocol.
 * undefined when the pod has no such port, and the pod is then left out of that port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort?.targetPort ?? servicePort?.port; // defaulting makes targetPort = port
  if (typeof target === "number") return target;
  if (typeof target !== "string") return undefined;
  const proto = servicePort?.protocol ?? "TCP";
  const match = (containers: Container[]) => {
    for (const c of containers) {
      for (const p of Array.isArray(c?.ports) ? c.ports : []) {
        if (p?.name === target && (p?.protocol ?? "TCP") === proto && typeof p?.containerPort === "number") return p.containerPort as number;
      }
    }
    return undefined;
  };
  const spec: Partial<PodSpec> = pod.spec ?? {};
  const sidecars = (Array.isArray(spec.initContainers) ? spec.initContainers : []).filter((c) => c?.restartPolicy === "Always");
  return match(Array.isArray(spec.containers) ? spec.containers : []) ?? match(sidecars);
}

/** The pods a Service selects: same namespace, selector (a plain label map) matches. */
export function selectedPods(service: Service, pods: Pod[]): Pod[] {
  const sel = service.spec?.selector;
  if (sel == null) return [];
  const selector = labelSelectorFromObject({ matchLabels: sel });
  return pods.filter((p) => p.metadata.namespace === service.metadata.namespace && selector.matches(p.metadata.labels));
}

/** ShouldSetHostname: the pod asked for this Service as its subdomain. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace;
}

/** Whether the controllers publish endpoints for this Service at all (not ExternalName, has a selector). */
export function controllerManagesEndpoints(service: Service): boolean {
  return service.spec?.type !== "ExternalName" && service.spec?.selector != null;
}

// ---------------------------------------------------------------------------------------------
// Desired endpoints

/** getAddressTypesForService: the Service's IP families; without them, its ClusterIP's, else both. */
function addressTypesFor(service: Service): AddressType[] {
  const fams: string[] = Array.isArray(service.spec?.ipFamilies) ? service.spec.ipFamilies : [];
  const out = new Set<AddressType>();
  for (const f of fams) if (f === "IPv4" || f === "IPv6") out.add(f);
  if (out.size > 0) return [...out];
  if (isServiceIPSet(service)) return [isIPv6(service.spec.clusterIP!) ? "IPv6" : "IPv4"];
  return ["IPv4", "IPv6"];
}

interface EndpointPort { name: string; port: number; protocol: string; appProtocol?: string }

/** getEndpointPorts: one entry per Service port the pod can serve (name "" for unnamed ports). */
function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const ports: ServicePort[] = Array.isArray(service.spec?.ports) ? service.spec.ports : [];
  const out: EndpointPort[] = [];
  for (const sp of ports) {
    const num = findPort(pod, sp);
    if (num === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? "", port: num, protocol: sp.protocol ?? "TCP" };
    if (sp.appProtocol != null) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

// NewPortMapKey: the port set, order-insensitive, groups endpoints into slices.
const portKey = (ports: (SlicePort | null)[] | null | undefined) =>
  (ports ?? []).map((p) => JSON.stringify([p?.name ?? "", p?.port ?? null, p?.protocol ?? "TCP", p?.appProtocol ?? null])).sort().join("|");

// hashEndpoint: addresses, hostname and the target's namespace/name identify an endpoint.
const endpointKey = (ep: Endpoint) =>
  JSON.stringify([[...(ep?.addresses ?? [])].sort(), ep?.hostname ?? "", ep?.targetRef?.namespace ?? "", ep?.targetRef?.name ?? ""]);

/** EndpointsEqualBeyondHash: the fields the key leaves out (resourceVersion of targetRef ignored). */
function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const ref = (r: ObjectReference | undefined) => (r ? JSON.stringify([r.kind ?? "", r.namespace ?? "", r.name ?? "", r.uid ?? ""]) : "");
  const c = (e: Endpoint, k: keyof EndpointConditions) => e?.conditions?.[k] ?? null;
  return (a?.nodeName ?? null) === (b?.nodeName ?? null) && (a?.zone ?? null) === (b?.zone ?? null) &&
    c(a, "ready") === c(b, "ready") && c(a, "serving") === c(b, "serving") && c(a, "terminating") === c(b, "terminating") &&
    JSON.stringify(a?.hints ?? null) === JSON.stringify(b?.hints ?? null) && ref(a?.targetRef) === ref(b?.targetRef);
}

/** podToEndpoint. */
function podToEndpoint(pod: Pod, node: Node | undefined, service: Service, at: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // A terminating pod is never "ready" (kept for old consumers), unless the Service publishes all.
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (at === "IPv6")),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, service)) ep.hostname = pod.spec.hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_ZONE];
  if (zone) ep.zone = zone;
  ep.targetRef = { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  return ep;
}

/** setEndpointSliceLabels: the Service's labels plus the reserved ones, which the Service cannot override. */
function sliceLabels(service: Service): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) {
    if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY && k !== LABEL_HEADLESS) out[k] = v;
  }
  if (!isServiceIPSet(service)) out[LABEL_HEADLESS] = "";
  out[LABEL_SERVICE_NAME] = service.metadata.name!;
  out[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return out;
}

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string>) => {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => a![k] === b[k]);
};

/** getEndpointSlicePrefix: "<svc>-" unless that would be too long a name. */
function slicePrefix(name: string): string {
  return name.length + 1 <= 253 ? `${name}-` : name;
}

function newSlice(service: Service, ports: EndpointPort[] | null, at: AddressType): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: slicePrefix(service.metadata.name!),
      namespace: service.metadata.namespace,
      labels: sliceLabels(service),
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: service.metadata.name!, uid: service.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
    },
    addressType: at,
    // A placeholder's empty lists read back as null from the real API server.
    endpoints: null,
    ports: ports && ports.length ? ports : null,
  };
}

const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
const eps = (s: EndpointSlice): Endpoint[] => (Array.isArray(s.endpoints) ? s.endpoints : []);

interface Plan { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] }

/** reconcileByPortMapping: keep, trim and refill existing slices before creating new ones. */
function reconcilePortMapping(service: Service, existing: EndpointSlice[], desired: Map<string, Endpoint>, ports: EndpointPort[], at: AddressType, max: number): Plan {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>(), toUpdate = new Set<string>(), toDelete = new Set<string>();
  const labels = sliceLabels(service);
  for (const slice of existing) {
    const name = slice.metadata.name!;
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of eps(slice)) {
      const key = endpointKey(ep);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondKey(want, ep)) changed = true;
      desired.delete(key); // placed: each endpoint lives in exactly one slice
    }
    const labelsChanged = !sameLabels(slice.metadata.labels, labels);
    if (changed || kept.length !== eps(slice).length) {
      if (kept.length === 0) toDelete.add(name);
      else {
        const copy = clone(slice);
        copy.endpoints = kept;
        copy.metadata.labels = labels;
        byName.set(name, copy);
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      const copy = clone(slice);
      copy.metadata.labels = labels;
      byName.set(name, copy);
      toUpdate.add(name);
    } else unchanged.add(name);
  }

  const remaining = [...desired.values()];
  // Slices being updated anyway absorb new endpoints first, fullest first, to save writes.
  if (remaining.length && toUpdate.size) {
    const slices = [...toUpdate].sort().map((n) => byName.get(n)!).sort((a, b) => eps(b).length - eps(a).length);
    for (const s of slices) while (remaining.length && eps(s).length < max) s.endpoints = [...eps(s), remaining.shift()!];
  }
  const create: EndpointSlice[] = [];
  while (remaining.length) {
    let fill: EndpointSlice | undefined;
    // A leftover that fits in an untouched slice goes into the one it fills most tightly.
    if (remaining.length < max && unchanged.size) {
      let best = max;
      for (const n of [...unchanged].sort()) {
        const diff = max - (remaining.length + eps(byName.get(n)!).length);
        if (diff >= 0 && diff < best) { best = diff; fill = byName.get(n); if (diff === 0) break; }
      }
    }
    if (fill) { fill = clone(fill); byName.set(fill.metadata.name!, fill); } else fill = newSlice(service, ports, at);
    while (remaining.length && eps(fill).length < max) fill.endpoints = [...eps(fill), remaining.shift()!];
    if (fill.metadata.name) { toUpdate.add(fill.metadata.name); unchanged.delete(fill.metadata.name); } else create.push(fill);
  }
  return {
    create,
    update: [...toUpdate].sort().map((n) => byName.get(n)!),
    delete: [...toDelete].sort().map((n) => byName.get(n)!),
  };
}

/** placeholderSliceCompare: namespace, labels, address type and (empty) endpoints and ports. */
function isPlaceholderLike(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return slice.metadata.namespace === placeholder.metadata.namespace && sameLabels(slice.metadata.labels, placeholder.metadata.labels!) &&
    slice.addressType === placeholder.addressType && eps(slice).length === 0 && (slice.ports ?? []).length === 0;
}

function reconcileAddressType(service: Service, pods: Pod[], existing: EndpointSlice[], nodes: Node[] | undefined, at: AddressType): Plan {
  const desiredByPorts = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  const nodeByName = new Map((nodes ?? []).map((n) => [n.metadata.name!, n]));
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    const key = portKey(ports);
    if (!desiredByPorts.has(key)) desiredByPorts.set(key, { ports, endpoints: new Map() });
    const node = nodeByName.get(pod.spec?.nodeName ?? "");
    // A pod on a Node that does not exist is skipped (and retried) unless the Service publishes everything.
    if (nodes && !node && service.spec?.publishNotReadyAddresses !== true) continue;
    const ep = podToEndpoint(pod, node, service, at);
    if (ep.addresses.length > 0) desiredByPorts.get(key)!.endpoints.set(endpointKey(ep), ep);
  }

  const plan: Plan = { create: [], update: [], delete: [] };
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const key = portKey(s.ports);
    if (desiredByPorts.has(key)) existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), s]);
    else plan.delete.push(s);
  }
  for (const [key, want] of [...desiredByPorts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const p = reconcilePortMapping(service, existingByPorts.get(key) ?? [], want.endpoints, want.ports, at, MAX_ENDPOINTS_PER_SLICE);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  // A Service with a selector always has at least one slice, so "no endpoints" is observable.
  if (existing.length === plan.delete.length && plan.create.length === 0) {
    const placeholder = newSlice(service, null, at);
    if (plan.delete.length === 1 && isPlaceholderLike(plan.delete[0], placeholder)) plan.delete = [];
    else plan.create.push(placeholder);
  }
  return plan;
}

const ownedBy = (slice: EndpointSlice, service: Service) =>
  (slice.metadata.ownerReferences ?? []).some((r) => r.kind === "Service" && r.uid === service.metadata.uid && r.controller === true);

/**
 * What the EndpointSlice controller would write for one Service. `pods` are the pods of the
 * Service's namespace (others are ignored); `existing` the slices this controller manages for it
 * (label kubernetes.io/service-name); `nodes`, when given, supply zones and drop pods whose Node
 * is gone. Unchanged slices appear nowhere. New slices carry generateName only.
 */
export function desiredEndpointSlices(service: Service, pods: Pod[], existing: EndpointSlice[], nodes?: Node[]): Plan {
  // ExternalName and selector-less Services get no slices from the controller; user slices stay.
  if (!controllerManagesEndpoints(service)) return { create: [], update: [], delete: [] };
  const mine = existing.filter((s) => s.metadata.namespace === service.metadata.namespace &&
    s.metadata.labels?.[LABEL_SERVICE_NAME] === service.metadata.name && s.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME);
  const selected = selectedPods(service, pods).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  const types = addressTypesFor(service);

  const plan: Plan = { create: [], update: [], delete: [] };
  // Slices of an address type the Service no longer has are deleted.
  plan.delete.push(...mine.filter((s) => !(types as string[]).includes(s.addressType)));
  for (const at of types) {
    const p = reconcileAddressType(service, selected, mine.filter((s) => s.addressType === at), nodes, at);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }

  // finalize: turn a create + a delete of the same address type into one update of the old slice.
  for (let i = 0; i < plan.delete.length && plan.create.length > 0;) {
    const old = plan.delete[i];
    const fresh = plan.create[plan.create.length - 1];
    if (old.addressType === fresh.addressType && ownedBy(old, service)) {
      const { generateName: _g, ...meta } = fresh.metadata;
      fresh.metadata = { ...meta, name: old.metadata.name, uid: old.metadata.uid, resourceVersion: old.metadata.resourceVersion };
      if (old.metadata.creationTimestamp) fresh.metadata.creationTimestamp = old.metadata.creationTimestamp;
      plan.create.pop();
      plan.update.push(fresh);
      plan.delete.splice(i, 1);
    } else i++;
  }
  // No creates while the Service is being deleted: the garbage collector would race them.
  if (service.metadata.deletionTimestamp) plan.create = [];
  return plan;
}
