// The Endpoints controller's sync (pkg/controller/endpoint/endpoints_controller.go, v1.32) as a pure
// function: the core/v1 Endpoints object a Service should have, given the pods of its namespace.
// The loop that reads, compares and writes it is wired elsewhere.
import type { ObjectMeta } from "../../api-server/types";
import type { Endpoints, Pod, Service, ServicePort } from "../../api-server/objects/core";
import type { ObjectReference } from "../../api-server/objects/meta";
import {
  LABEL_HEADLESS, controllerManagesEndpoints, findPort, isServiceIPSet, podIPs, selectedPods,
  shouldPodBeInEndpoints, shouldSetHostname,
} from "./endpointslice";
import { isPodReady } from "../controller-utils";

/** maxCapacity: more addresses than this are truncated and the object annotated. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
export const ANNOTATION_OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";

interface Address { ip: string; hostname?: string; nodeName?: string; targetRef?: ObjectReference }
interface Port { name?: string; port: number; protocol: string; appProtocol?: string }
interface Subset { addresses?: Address[]; notReadyAddresses?: Address[]; ports?: Port[] }

/** podToEndpointAddressForService: the pod IP of the Service's (first) family. */
function podAddress(service: Service, pod: Pod): Address | undefined {
  const fams: string[] = Array.isArray(service.spec?.ipFamilies) ? service.spec.ipFamilies : [];
  const ips = podIPs(pod);
  let v6: boolean;
  if (fams.length > 0) v6 = fams[0] === "IPv6";
  else if (isServiceIPSet(service)) v6 = String(service.spec.clusterIP).includes(":");
  else v6 = ips[0].includes(":"); // headless without families: whatever the pod has first
  const ip = ips.find((a) => a.includes(":") === v6);
  if (!ip) return undefined;
  const addr: Address = { ip };
  if (shouldSetHostname(pod, service)) addr.hostname = pod.spec.hostname;
  addr.nodeName = pod.spec?.nodeName ?? "";
  addr.targetRef = { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  return addr;
}

const addrKey = (a: Address) => `${a.ip}\u0000${a.targetRef?.uid ?? ""}`;
const portId = (p: Port | null) => (p ? JSON.stringify([p.name ?? "", p.port, p.protocol, p.appProtocol ?? null]) : "");
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * RepackSubsets: group addresses that offer exactly the same ports into one subset. An address
 * ready on a port stays ready there even if also listed as not ready.
 */
function repack(entries: { addr: Address; port: Port | null; ready: boolean }[]): Subset[] {
  const addrs = new Map<string, Address>();
  const byPort = new Map<string, { port: Port | null; ready: Map<string, boolean> }>();
  for (const e of entries) {
    const k = addrKey(e.addr);
    if (!addrs.has(k)) addrs.set(k, e.addr);
    const pid = portId(e.port);
    if (!byPort.has(pid)) byPort.set(pid, { port: e.port, ready: new Map() });
    const set = byPort.get(pid)!.ready;
    if (set.get(k) !== true) set.set(k, e.ready);
  }
  // Address sets (with readiness) → the ports they offer.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: Port[] }>();
  for (const { port, ready } of byPort.values()) {
    const gk = [...ready].map(([k, r]) => `${k}\u0000${r}`).sort().join("\u0001");
    if (!groups.has(gk)) groups.set(gk, { ready, ports: [] });
    if (port) groups.get(gk)!.ports.push(port);
  }
  const byIP = (a: Address, b: Address) => cmp(a.ip, b.ip) || cmp(a.targetRef?.uid ?? "", b.targetRef?.uid ?? "");
  const subsets: Subset[] = [];
  for (const g of groups.values()) {
    const ready: Address[] = [], notReady: Address[] = [];
    for (const [k, r] of g.ready) (r ? ready : notReady).push(addrs.get(k)!);
    const s: Subset = {};
    if (ready.length) s.addresses = ready.sort(byIP);
    if (notReady.length) s.notReadyAddresses = notReady.sort(byIP);
    if (g.ports.length) s.ports = g.ports.sort((a, b) => cmp(a.name ?? "", b.name ?? "") || a.port - b.port || cmp(a.protocol, b.protocol));
    subsets.push(s);
  }
  // Upstream orders subsets by a hash; any stable order serves, so: by first address.
  const first = (s: Subset) => (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? "";
  return subsets.sort((a, b) => cmp(first(a), first(b)) || cmp(portId(a.ports?.[0] ?? null), portId(b.ports?.[0] ?? null)));
}

/**
 * truncateEndpoints: keep at most MAX_ENDPOINTS_CAPACITY addresses, each subset its proportional
 * share (rounded up); not-ready addresses go first, and all of them if the ready ones alone overflow.
 */
function truncate(subsets: Subset[]): boolean {
  let ready = 0, notReady = 0;
  for (const s of subsets) { ready += s.addresses?.length ?? 0; notReady += s.notReadyAddresses?.length ?? 0; }
  if (ready + notReady <= MAX_ENDPOINTS_CAPACITY) return false;
  const truncateReady = ready > MAX_ENDPOINTS_CAPACITY;
  const max = truncateReady ? MAX_ENDPOINTS_CAPACITY : MAX_ENDPOINTS_CAPACITY - ready;
  const total = truncateReady ? ready : notReady;
  let room = max;
  for (const s of subsets) {
    const n = (truncateReady ? s.addresses : s.notReadyAddresses)?.length ?? 0;
    const take = Math.min(Math.ceil((n / total) * max), room);
    if (truncateReady) { s.addresses = s.addresses?.slice(0, take); delete s.notReadyAddresses; } else s.notReadyAddresses = s.notReadyAddresses?.slice(0, take);
    if (s.addresses?.length === 0) delete s.addresses;
    if (s.notReadyAddresses?.length === 0) delete s.notReadyAddresses;
    room -= take;
  }
  return true;
}

/**
 * The Endpoints object (named like the Service) the controller wants, with ready pods under
 * `addresses` and the rest under `notReadyAddresses` (all under `addresses` with
 * publishNotReadyAddresses). null when the controller publishes none for this Service:
 * ExternalName or no selector. Those may have user-written Endpoints, so a caller deletes on
 * null only an object it created; when the Service itself is gone the caller deletes outright.
 */
export function desiredEndpoints(service: Service, pods: Pod[]): Endpoints | null {
  if (!controllerManagesEndpoints(service)) return null;
  const publishAll = service.spec?.publishNotReadyAddresses === true;
  const svcPorts: ServicePort[] = Array.isArray(service.spec?.ports) ? service.spec.ports : [];
  const entries: { addr: Address; port: Port | null; ready: boolean }[] = [];
  const sorted = selectedPods(service, pods).sort((a, b) => cmp(a.metadata.name ?? "", b.metadata.name ?? ""));
  for (const pod of sorted) {
    // Terminating pods are dropped unless the Service publishes everything (then they count as ready).
    if (!shouldPodBeInEndpoints(pod, publishAll)) continue;
    const addr = podAddress(service, pod);
    if (!addr) continue;
    const ready = publishAll || isPodReady(pod);
    if (svcPorts.length === 0) {
      // Only a headless Service may have no ports; its addresses are published without any.
      if (!isServiceIPSet(service)) entries.push({ addr, port: null, ready });
      continue;
    }
    for (const sp of svcPorts) {
      const num = findPort(pod, sp);
      if (num === undefined) continue;
      const port: Port = { name: sp.name ?? "", port: num, protocol: sp.protocol ?? "TCP" };
      if (!port.name) delete port.name; // EndpointPort.name is omitempty
      if (sp.appProtocol != null) port.appProtocol = sp.appProtocol;
      entries.push({ addr, port, ready });
    }
  }
  const subsets = repack(entries);
  const truncated = truncate(subsets);

  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  if (isServiceIPSet(service)) delete labels[LABEL_HEADLESS];
  else labels[LABEL_HEADLESS] = "";
  const metadata: ObjectMeta = { name: service.metadata.name, namespace: service.metadata.namespace, labels };
  if (truncated) metadata.annotations = { [ANNOTATION_OVER_CAPACITY]: "truncated" };
  const out: Endpoints = { apiVersion: "v1", kind: "Endpoints", metadata };
  if (subsets.length) out.subsets = subsets; // subsets is omitempty
  return out;
}

/**
 * Whether `current` must be rewritten to match `desired`: subsets, labels or the over-capacity
 * annotation differ (the controller skips the write otherwise, so no churn).
 */
export function endpointsNeedUpdate(current: Endpoints, desired: Endpoints): boolean {
  const cap = (o: Endpoints) => o.metadata.annotations?.[ANNOTATION_OVER_CAPACITY] ?? "";
  return !same(current.subsets ?? [], desired.subsets ?? []) || !same(current.metadata.labels ?? {}, desired.metadata.labels ?? {}) || cap(current) !== cap(desired);
}

/**
 * JSON equality whatever the key order (stored objects need not keep the order we wrote); a
 * missing value equals null. Compared in place: a string per object of 1,000 addresses was the
 * larger part of a sync.
 */
function same(a: unknown, b: unknown): boolean {
  if (a === b || (a == null && b == null)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const k of keys) if (!(k in bo) || !same(ao[k], bo[k])) return false;
  return true;
}
