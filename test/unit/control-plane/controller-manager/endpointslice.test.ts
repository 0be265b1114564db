import { describe, expect, it } from "vitest";
import type { ObjectMeta } from "../../../../src/control-plane/api-server/types";
import type { ContainerPort, Node, Pod, PodPhase, PodSpec, Service, ServiceSpec } from "../../../../src/control-plane/api-server/objects/core";
import type { EndpointSlice } from "../../../../src/control-plane/api-server/objects/others";
import {
  ANNOTATION_OVER_CAPACITY, desiredEndpoints, endpointsNeedUpdate,
} from "../../../../src/control-plane/controller-manager/endpoints/endpoints";
import {
  CONTROLLER_NAME, LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, desiredEndpointSlices,
} from "../../../../src/control-plane/controller-manager/endpoints/endpointslice";

// ---- fixtures ---------------------------------------------------------------------------------

function service(name = "web", spec: Partial<ServiceSpec> = {}, meta: Partial<ObjectMeta> = {}): Service {
  return {
    apiVersion: "v1", kind: "Service",
    metadata: { name, namespace: "default", uid: `uid-svc-${name}`, labels: { app: name }, ...meta },
    spec: {
      type: "ClusterIP", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], ipFamilies: ["IPv4"], selector: { app: name },
      ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }], sessionAffinity: "None", ...spec,
    },
  };
}

interface PodOpts { ns?: string; ready?: boolean; ip?: string | null; node?: string; labels?: Record<string, string>; ports?: ContainerPort[]; deleting?: boolean; phase?: PodPhase; spec?: Partial<PodSpec> }
let ipSeq = 1;
function pod(name: string, o: PodOpts = {}): Pod {
  const ip = o.ip === undefined ? `10.244.0.${ipSeq++}` : o.ip;
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: o.ns ?? "default", uid: `uid-${name}`, labels: o.labels ?? { app: "web" }, ...(o.deleting ? { deletionTimestamp: "2025-01-01T00:00:00Z" } : {}) },
    spec: { nodeName: o.node ?? "node-1", containers: [{ name: "c", image: "nginx", ports: o.ports ?? [{ name: "http", containerPort: 8080, protocol: "TCP" }] }], ...o.spec },
    status: {
      phase: o.phase ?? "Running",
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }],
    },
  };
}
const node = (name: string, zone: string): Node => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels: { "topology.kubernetes.io/zone": zone } }, spec: {} });

/** What the API server does with a plan: name creates, replace updates, drop deletes. */
let nameSeq = 0;
function apply(existing: EndpointSlice[], plan: { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] }): EndpointSlice[] {
  const gone = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  const out = existing.filter((s) => !gone.has(s.metadata.name)).map((s) => updated.get(s.metadata.name) ?? s);
  for (const c of plan.create) {
    const copy = JSON.parse(JSON.stringify(c)) as EndpointSlice;
    copy.metadata.name = `${c.metadata.generateName}${(nameSeq++).toString(36).padStart(5, "x")}`;
    copy.metadata.resourceVersion = "1";
    out.push(copy);
  }
  return out;
}
const allEndpoints = (slices: EndpointSlice[]) => slices.flatMap((s) => s.endpoints ?? []);
const noChange = { create: [], update: [], delete: [] };

// ---- EndpointSlices ---------------------------------------------------------------------------

describe("desiredEndpointSlices", () => {
  it("publishes 3 ready and 1 not-ready pod in one labelled, owned IPv4 slice", () => {
    const svc = service();
    const pods = [pod("a", { node: "node-1" }), pod("b", { node: "node-2" }), pod("c"), pod("d", { ready: false })];
    const plan = desiredEndpointSlices(svc, pods, [], [node("node-1", "zone-a"), node("node-2", "zone-b")]);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toHaveLength(1);
    const s = plan.create[0];
    expect(s.apiVersion).toBe("discovery.k8s.io/v1");
    expect(s.kind).toBe("EndpointSlice");
    expect(s.metadata.generateName).toBe("web-");
    expect(s.metadata.name).toBeUndefined();
    expect(s.metadata.namespace).toBe("default");
    expect(s.metadata.labels).toEqual({ app: "web", [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: CONTROLLER_NAME });
    expect(s.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Service", name: "web", uid: "uid-svc-web", controller: true, blockOwnerDeletion: true }]);
    expect(s.addressType).toBe("IPv4");
    expect(s.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(s.endpoints).toHaveLength(4);
    const a = s.endpoints!.find((e: any) => e.targetRef.name === "a");
    expect(a).toEqual({
      addresses: [pods[0].status!.podIP], conditions: { ready: true, serving: true, terminating: false },
      nodeName: "node-1", zone: "zone-a", targetRef: { kind: "Pod", namespace: "default", name: "a", uid: "uid-a" },
    });
    const d = s.endpoints!.find((e: any) => e.targetRef.name === "d");
    expect(d!.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(s.endpoints!.filter((e: any) => e.conditions.ready)).toHaveLength(3);
  });

  it("resolves named target ports per pod, grouping pods by their port set", () => {
    const svc = service("web", { ports: [{ name: "http", port: 80, targetPort: "web", protocol: "TCP" }] });
    const pods = [
      pod("a", { ports: [{ name: "web", containerPort: 8080, protocol: "TCP" }] }),
      pod("b", { ports: [{ name: "web", containerPort: 8080 }] }), // protocol defaults to TCP
      pod("c", { ports: [{ name: "web", containerPort: 9090, protocol: "TCP" }] }),
      pod("d", { ports: [{ name: "web", containerPort: 7070, protocol: "UDP" }] }), // wrong protocol: no port
      // A sidecar (restartable init container) can serve the named port too.
      pod("e", { ports: [], spec: { initContainers: [{ name: "side", image: "envoy", restartPolicy: "Always", ports: [{ name: "web", containerPort: 15001, protocol: "TCP" }] }] } }),
    ];
    const plan = desiredEndpointSlices(svc, pods, []);
    const byPort = new Map(plan.create.map((s) => [s.ports?.[0]?.port ?? null, s.endpoints!.map((e: any) => e.targetRef.name).sort()]));
    expect(byPort.get(8080)).toEqual(["a", "b"]);
    expect(byPort.get(9090)).toEqual(["c"]);
    expect(byPort.get(15001)).toEqual(["e"]);
    expect(byPort.get(null)).toEqual(["d"]); // published, but without ports
    expect(plan.create).toHaveLength(4);
  });

  it("leaves out pods of other namespaces, unselected, without IP, and terminal pods", () => {
    const pods = [
      pod("in"), pod("other-ns", { ns: "prod" }), pod("other-app", { labels: { app: "db" } }), pod("pending", { ip: null }),
      pod("done", { phase: "Succeeded" }), pod("failed", { phase: "Failed" }),
    ];
    const plan = desiredEndpointSlices(service(), pods, []);
    expect(allEndpoints(plan.create).map((e: any) => e.targetRef.name)).toEqual(["in"]);
  });

  it("marks terminating pods serving/terminating and never ready, unless publishNotReadyAddresses", () => {
    const pods = [pod("old", { deleting: true }), pod("old-unready", { deleting: true, ready: false })];
    const eps = allEndpoints(desiredEndpointSlices(service(), pods, []).create);
    expect(eps.find((e: any) => e.targetRef.name === "old")!.conditions).toEqual({ ready: false, serving: true, terminating: true });
    expect(eps.find((e: any) => e.targetRef.name === "old-unready")!.conditions).toEqual({ ready: false, serving: false, terminating: true });
    const pub = allEndpoints(desiredEndpointSlices(service("web", { publishNotReadyAddresses: true }), pods, []).create);
    expect(pub.every((e: any) => e.conditions.ready)).toBe(true);
  });

  it("writes nothing when nothing changed, and updates the same slice in place when something did", () => {
    const svc = service();
    const pods = [pod("a"), pod("b"), pod("c")];
    let slices = apply([], desiredEndpointSlices(svc, pods, []));
    expect(desiredEndpointSlices(svc, pods, slices)).toEqual(noChange);
    const name = slices[0].metadata.name;

    // b stops being ready: one update of the same slice.
    const pods2 = [pods[0], pod("b", { ip: pods[1].status!.podIP, ready: false }), pods[2]];
    const p2 = desiredEndpointSlices(svc, pods2, slices);
    expect(p2.create).toEqual([]);
    expect(p2.update.map((s) => s.metadata.name)).toEqual([name]);
    expect(p2.update[0].metadata.resourceVersion).toBe("1"); // the update is conditional on what was read
    slices = apply(slices, p2);
    expect(desiredEndpointSlices(svc, pods2, slices)).toEqual(noChange);

    // A Service label change reaches the slice's labels.
    const relabelled = service("web", {}, { labels: { app: "web", tier: "fe" } });
    const p3 = desiredEndpointSlices(relabelled, pods2, slices);
    expect(p3.update).toHaveLength(1);
    expect(p3.update[0].metadata.labels?.tier).toBe("fe");

    // All pods gone: the slice becomes the placeholder (updated, not deleted and recreated).
    const p4 = desiredEndpointSlices(svc, [], slices);
    expect(p4.create).toEqual([]);
    expect(p4.delete).toEqual([]);
    expect(p4.update.map((s) => [s.metadata.name, s.endpoints, s.ports])).toEqual([[name, null, null]]);
    slices = apply(slices, p4);
    expect(desiredEndpointSlices(svc, [], slices)).toEqual(noChange);

    // Pods back: the placeholder is reused for them.
    const p5 = desiredEndpointSlices(svc, pods, slices);
    expect(p5.create).toEqual([]);
    expect(p5.update.map((s) => [s.metadata.name, s.endpoints!.length])).toEqual([[name, 3]]);
  });

  it("creates a placeholder for a selector Service with no pods, and keeps it", () => {
    const plan = desiredEndpointSlices(service(), [], []);
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]).toMatchObject({ addressType: "IPv4", endpoints: null, ports: null });
    expect(desiredEndpointSlices(service(), [], apply([], plan))).toEqual(noChange);
  });

  it("splits more than 100 endpoints into slices of at most 100 and fills the tightest slice", () => {
    const svc = service();
    const pods = Array.from({ length: 250 }, (_, i) => pod(`p${String(i).padStart(3, "0")}`, { ip: `10.244.${i >> 8}.${i & 255}` }));
    const plan = desiredEndpointSlices(svc, pods, []);
    expect(plan.create.map((s) => s.endpoints!.length).sort((a, b) => a - b)).toEqual([50, 100, 100]);
    let slices = apply([], plan);
    expect(new Set(allEndpoints(slices).map((e: any) => e.addresses[0])).size).toBe(250);
    expect(desiredEndpointSlices(svc, pods, slices)).toEqual(noChange);

    // One more pod fits into the half-empty slice: one update, no new slice.
    const more = [...pods, pod("p999", { ip: "10.244.9.9" })];
    const p2 = desiredEndpointSlices(svc, more, slices);
    expect(p2.create).toEqual([]);
    expect(p2.update).toHaveLength(1);
    expect(p2.update[0].endpoints).toHaveLength(51);
    slices = apply(slices, p2);

    // Ten pods leave one full slice: only that slice is rewritten.
    const full = slices.find((s) => s.endpoints!.length === 100)!;
    const leaving = new Set(full.endpoints!.slice(0, 10).map((e: any) => e.targetRef.name));
    const p3 = desiredEndpointSlices(svc, more.filter((p) => !leaving.has(p.metadata.name!)), slices);
    expect(p3.update.map((s) => [s.metadata.name, s.endpoints!.length])).toEqual([[full.metadata.name, 90]]);
    expect(p3.create).toEqual([]);
    expect(p3.delete).toEqual([]);
  });

  it("gives selector-less and ExternalName Services nothing, and never touches other managers' slices", () => {
    expect(desiredEndpointSlices(service("web", { selector: undefined }), [pod("a")], [])).toEqual(noChange);
    expect(desiredEndpointSlices(service("web", { type: "ExternalName", externalName: "example.com" }), [pod("a")], [])).toEqual(noChange);
    const foreign: EndpointSlice = {
      apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", addressType: "IPv4", endpoints: [], ports: [],
      metadata: { name: "web-custom", namespace: "default", labels: { [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: "someone-else" } },
    };
    const plan = desiredEndpointSlices(service(), [pod("a")], [foreign]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toHaveLength(1);
  });

  it("marks headless Services, sets hostnames for their subdomain pods, and skips pods on vanished nodes", () => {
    const svc = service("db", { clusterIP: "None", clusterIPs: ["None"], selector: { app: "db" } });
    const p = pod("db-0", { labels: { app: "db" }, node: "node-1", spec: { hostname: "db-0", subdomain: "db" } });
    const ghost = pod("db-1", { labels: { app: "db" }, node: "node-gone" });
    const plan = desiredEndpointSlices(svc, [p, ghost], [], [node("node-1", "z")]);
    expect(plan.create[0].metadata.labels?.[LABEL_HEADLESS]).toBe("");
    expect(plan.create[0].endpoints!.map((e: any) => [e.targetRef.name, e.hostname])).toEqual([["db-0", "db-0"]]);
  });

  it("creates nothing while the Service is being deleted", () => {
    const svc = service("web", {}, { deletionTimestamp: "2025-01-01T00:00:00Z" });
    expect(desiredEndpointSlices(svc, [pod("a")], []).create).toEqual([]);
  });
});

// ---- Endpoints --------------------------------------------------------------------------------

describe("desiredEndpoints", () => {
  it("puts ready pods in addresses and the others in notReadyAddresses, sorted by IP", () => {
    const pods = [pod("a", { ip: "10.244.1.3" }), pod("b", { ip: "10.244.1.1" }), pod("c", { ip: "10.244.1.2", node: "node-2" }), pod("d", { ip: "10.244.1.4", ready: false })];
    const ep = desiredEndpoints(service(), pods)!;
    expect(ep).toMatchObject({ apiVersion: "v1", kind: "Endpoints", metadata: { name: "web", namespace: "default", labels: { app: "web" } } });
    expect(ep.subsets).toHaveLength(1);
    const [s] = ep.subsets!;
    expect(s.addresses!.map((a: any) => a.ip)).toEqual(["10.244.1.1", "10.244.1.2", "10.244.1.3"]);
    expect(s.addresses![1]).toEqual({ ip: "10.244.1.2", nodeName: "node-2", targetRef: { kind: "Pod", namespace: "default", name: "c", uid: "uid-c" } });
    expect(s.notReadyAddresses!.map((a: any) => a.targetRef.name)).toEqual(["d"]);
    expect(s.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
  });

  it("groups pods by the ports they offer and omits unnamed port names", () => {
    const svc = service("web", { ports: [{ port: 80, targetPort: "web", protocol: "TCP" }] });
    const pods = [pod("a", { ip: "10.0.0.1", ports: [{ name: "web", containerPort: 8080 }] }), pod("b", { ip: "10.0.0.2", ports: [{ name: "web", containerPort: 9090 }] }), pod("c", { ip: "10.0.0.3", ports: [] })];
    const ep = desiredEndpoints(svc, pods)!;
    expect(ep.subsets).toEqual([
      { addresses: [expect.objectContaining({ ip: "10.0.0.1" })], ports: [{ port: 8080, protocol: "TCP" }] },
      { addresses: [expect.objectContaining({ ip: "10.0.0.2" })], ports: [{ port: 9090, protocol: "TCP" }] },
    ]);
  });

  it("publishNotReadyAddresses lists every pod, terminating ones included; otherwise terminating pods drop out", () => {
    const pods = [pod("a", { ip: "10.0.0.1" }), pod("b", { ip: "10.0.0.2", ready: false }), pod("c", { ip: "10.0.0.3", deleting: true })];
    const plain = desiredEndpoints(service(), pods)!;
    expect(plain.subsets![0].addresses!.map((a: any) => a.ip)).toEqual(["10.0.0.1"]);
    expect(plain.subsets![0].notReadyAddresses!.map((a: any) => a.ip)).toEqual(["10.0.0.2"]);
    const pub = desiredEndpoints(service("web", { publishNotReadyAddresses: true }), pods)!;
    expect(pub.subsets![0].addresses!.map((a: any) => a.ip)).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    expect(pub.subsets![0].notReadyAddresses).toBeUndefined();
  });

  it("handles headless Services without ports, empty selections, and Services it does not manage", () => {
    const headless = service("db", { clusterIP: "None", clusterIPs: ["None"], ports: [], selector: { app: "db" } });
    const ep = desiredEndpoints(headless, [pod("db-0", { ip: "10.0.0.9", labels: { app: "db" } })])!;
    expect(ep.metadata.labels).toEqual({ app: "db", [LABEL_HEADLESS]: "" });
    expect(ep.subsets).toEqual([{ addresses: [expect.objectContaining({ ip: "10.0.0.9" })] }]);
    const empty = desiredEndpoints(service(), [pod("x", { labels: { app: "other" } })])!;
    expect(empty.subsets).toBeUndefined();
    expect(desiredEndpoints(service("web", { selector: undefined }), [pod("a")])).toBeNull();
    expect(desiredEndpoints(service("web", { type: "ExternalName" }), [pod("a")])).toBeNull();
  });

  it("reports no update when nothing changed and one when a pod's readiness did", () => {
    const pods = [pod("a", { ip: "10.0.0.1" }), pod("b", { ip: "10.0.0.2" })];
    const stored = { ...desiredEndpoints(service(), pods)!, metadata: { ...desiredEndpoints(service(), pods)!.metadata, resourceVersion: "7" } };
    expect(endpointsNeedUpdate(stored, desiredEndpoints(service(), pods)!)).toBe(false);
    const changed = desiredEndpoints(service(), [pods[0], pod("b", { ip: "10.0.0.2", ready: false })])!;
    expect(endpointsNeedUpdate(stored, changed)).toBe(true);
  });

  it("truncates past 1000 addresses and says so", () => {
    const pods = Array.from({ length: 1100 }, (_, i) => pod(`p${i}`, { ip: `10.1.${i >> 8}.${i & 255}`, ready: i < 950 }));
    const ep = desiredEndpoints(service(), pods)!;
    expect(ep.metadata.annotations).toEqual({ [ANNOTATION_OVER_CAPACITY]: "truncated" });
    const [s] = ep.subsets!;
    expect(s.addresses).toHaveLength(950); // ready addresses kept, not-ready ones cut
    expect(s.notReadyAddresses).toHaveLength(50);
  });
});
