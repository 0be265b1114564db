import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Pod, Service } from "../../../../src/control-plane/api-server/objects/core";
import type { EndpointSlice } from "../../../../src/control-plane/api-server/objects/others";
import { desiredEndpointSlices } from "../../../../src/control-plane/controller-manager/endpoints/endpointslice";
import {
  type AffinityTable, type ProxyRules, type RouteRequest, buildRules, describeRules, newAffinityTable, route,
} from "../../../../src/node/kube-proxy";

// ---- fixtures ---------------------------------------------------------------------------------

// Specs as a student may send them (wrong types included): the proxy reads them as stored.
function service(name: string, spec: Record<string, unknown> = {}, status?: unknown): Service {
  return {
    apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: {
      type: "ClusterIP", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], ipFamilies: ["IPv4"], selector: { app: name },
      ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }], sessionAffinity: "None", internalTrafficPolicy: "Cluster", ...spec,
    },
    ...(status ? { status } : {}),
  } as Service;
}

interface Ep { ip: string; node: string; ready?: boolean; serving?: boolean; terminating?: boolean; pod?: string }
function slice(svc: string, eps: Ep[], ports: unknown[] = [{ name: "http", port: 8080, protocol: "TCP" }]): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", addressType: "IPv4", ports,
    metadata: { name: `${svc}-abc`, namespace: "default", labels: { "kubernetes.io/service-name": svc } },
    endpoints: eps.map((e) => ({
      addresses: [e.ip], nodeName: e.node,
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      targetRef: { kind: "Pod", namespace: "default", name: e.pod ?? `pod-${e.ip}` },
    })),
  } as EndpointSlice;
}

const THREE: Ep[] = [{ ip: "10.244.1.2", node: "node-1" }, { ip: "10.244.2.2", node: "node-2" }, { ip: "10.244.3.2", node: "node-3" }];
const fromPod = (ip = "10.244.1.9", nodeName = "node-1"): RouteRequest["from"] => ({ kind: "pod", ip, nodeName });
const external: RouteRequest["from"] = { kind: "external", ip: "203.0.113.7", nodeName: "" };

/** mulberry32: a seeded rand for reproducible distributions. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function go(rules: ProxyRules, from: RouteRequest["from"], to: RouteRequest["to"], opts: { now?: number; affinity?: AffinityTable; rand?: () => number } = {}) {
  return route(rules, { from, to, now: opts.now ?? 0 }, opts.affinity ?? newAffinityTable(), opts.rand ?? (() => 0));
}
const hit = (r: ReturnType<typeof go>) => (r.result.ok ? r.result.endpoint.ip : `ERR ${r.result.error}`);

// ---- rules ------------------------------------------------------------------------------------

describe("buildRules / describeRules", () => {
  it("programs each Service port with its endpoints, skipping headless and ExternalName Services", () => {
    const services = [
      service("web", { type: "NodePort", ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }], externalTrafficPolicy: "Cluster" }),
      service("db", { clusterIP: "None", clusterIPs: ["None"] }),
      service("ext", { type: "ExternalName", externalName: "example.com", clusterIP: undefined, clusterIPs: undefined }),
    ];
    const rules = buildRules(services, [slice("web", [...THREE, { ip: "10.244.1.3", node: "node-1", ready: false }]), slice("db", THREE)], "node-1");
    expect(rules.servicePorts.map((s) => s.id)).toEqual(["default/web:http"]);
    const sp = rules.servicePorts[0];
    expect(sp).toMatchObject({ clusterIPs: ["10.96.0.10"], port: 80, nodePort: 30080, protocol: "TCP", hasEndpoints: true, sessionAffinity: "None" });
    expect(sp.endpoints).toHaveLength(4);
    expect(sp.endpoints[0]).toEqual({ ip: "10.244.1.2", port: 8080, ready: true, serving: true, terminating: false, nodeName: "node-1", local: true, pod: { namespace: "default", name: "pod-10.244.1.2" } });
    expect(sp.clusterEndpoints.map((i) => sp.endpoints[i].ip)).toEqual(["10.244.1.2", "10.244.2.2", "10.244.3.2"]);
    expect(describeRules(rules)).toEqual([{ service: "default/web", type: "NodePort", clusterIP: "10.96.0.10", ports: ["80:30080/TCP"], endpoints: 4, ready: 3 }]);
    expect(JSON.parse(JSON.stringify(rules))).toEqual(rules); // plain data: storable and sendable
  });

  it("matches slice ports to Service ports by name and protocol", () => {
    const svc = service("web", { ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "metrics", port: 9100, protocol: "TCP" }] });
    const s = slice("web", THREE, [{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9101, protocol: "TCP" }, { name: "http", port: 53, protocol: "UDP" }]);
    const rules = buildRules([svc], [s], "node-1");
    expect(rules.servicePorts.map((p) => [p.id, p.endpoints.map((e) => e.port)[0]])).toEqual([["default/web:http", 8080], ["default/web:metrics", 9101]]);
    expect(describeRules(rules)[0]).toMatchObject({ ports: ["80/TCP", "9100/TCP"], endpoints: 3, ready: 3 });
  });

  it("takes slices straight from the EndpointSlice controller", () => {
    const svc = service("web");
    const pods: Pod[] = THREE.map((e, i) => ({
      apiVersion: "v1", kind: "Pod", metadata: { name: `web-${i}`, namespace: "default", uid: `p${i}`, labels: { app: "web" } },
      spec: { nodeName: e.node, containers: [{ name: "c", image: "nginx" }] },
      status: { phase: "Running", podIP: e.ip, podIPs: [{ ip: e.ip }], conditions: [{ type: "Ready", status: "True" }] },
    }));
    const slices = desiredEndpointSlices(svc, pods, []).create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `web-${i}` } }) as EndpointSlice);
    const r = go(buildRules([svc], slices, "node-1"), fromPod(), { service: { namespace: "default", name: "web" } });
    expect(r.result).toEqual({ ok: true, endpoint: { ip: "10.244.1.2", port: 8080, pod: { namespace: "default", name: "web-0" }, nodeName: "node-1" }, service: "default/web:http", via: "ClusterIP" });
  });
});

// ---- routing ----------------------------------------------------------------------------------

describe("route", () => {
  const rules = buildRules([service("web")], [slice("web", THREE)], "node-1");

  it("routes by name (port name, number or default), by ClusterIP, and explains failures", () => {
    for (const port of ["http", 80, "80", undefined]) {
      expect(go(rules, fromPod(), { service: { namespace: "default", name: "web", port } }).result).toMatchObject({ ok: true, via: "ClusterIP", service: "default/web:http" });
    }
    expect(go(rules, fromPod(), { clusterIP: "10.96.0.10", port: 80 }).result).toMatchObject({ ok: true, via: "ClusterIP", endpoint: { port: 8080 } });
    expect(go(rules, fromPod(), { service: { namespace: "default", name: "nope" } }).result).toMatchObject({ ok: false, error: "no such service" });
    expect(go(rules, fromPod(), { service: { namespace: "other", name: "web" } }).result).toMatchObject({ ok: false, error: "no such service" });
    expect(go(rules, fromPod(), { clusterIP: "10.96.9.9", port: 80 }).result).toMatchObject({ ok: false, error: "no such service" });
    expect(go(rules, fromPod(), { clusterIP: "10.96.0.10", port: 81 }).result).toMatchObject({ ok: false, error: "connection timed out" });
    expect(go(rules, external, { clusterIP: "10.96.0.10", port: 80 }).result).toMatchObject({ ok: false, error: "connection timed out" });
  });

  it("refuses connections to a Service without endpoints, as the REJECT rule does", () => {
    const r = buildRules([service("web")], [slice("web", [{ ip: "10.244.1.2", node: "node-1", ready: false }])], "node-1");
    expect(go(r, fromPod(), { service: { namespace: "default", name: "web" } }).result).toEqual({ ok: false, error: "connection refused", reason: "default/web:http has no endpoints" });
    const none = buildRules([service("web")], [], "node-1");
    expect(go(none, fromPod(), { clusterIP: "10.96.0.10", port: 80 }).result).toMatchObject({ ok: false, error: "connection refused" });
  });

  it("falls back to serving terminating endpoints only when none is ready", () => {
    const eps: Ep[] = [{ ip: "10.244.1.2", node: "node-1", ready: false, serving: true, terminating: true }, { ip: "10.244.2.2", node: "node-2", ready: false, serving: false, terminating: true }];
    const r = buildRules([service("web")], [slice("web", eps)], "node-1");
    for (const x of [0, 0.5, 0.99]) expect(hit(go(r, fromPod(), { clusterIP: "10.96.0.10", port: 80 }, { rand: () => x }))).toBe("10.244.1.2");
    const withReady = buildRules([service("web")], [slice("web", [...eps, { ip: "10.244.3.2", node: "node-3" }])], "node-1");
    for (const x of [0, 0.5, 0.99]) expect(hit(go(withReady, fromPod(), { clusterIP: "10.96.0.10", port: 80 }, { rand: () => x }))).toBe("10.244.3.2");
  });

  it("NodePort with externalTrafficPolicy Cluster reaches every endpoint from any node", () => {
    const svc = service("web", { type: "NodePort", externalTrafficPolicy: "Cluster", ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }] });
    for (const n of ["node-1", "node-2", "node-3", "node-4"]) {
      const r = buildRules([svc], [slice("web", THREE)], n);
      const seen = new Set([0, 0.4, 0.8].map((x) => hit(go(r, external, { nodePort: 30080 }, { rand: () => x }))));
      expect(seen).toEqual(new Set(THREE.map((e) => e.ip)));
      expect(go(r, external, { nodePort: 30080 }).result).toMatchObject({ ok: true, via: "NodePort" });
    }
    expect(go(buildRules([svc], [slice("web", THREE)], "node-1"), external, { nodePort: 30999 }).result).toMatchObject({ ok: false, error: "connection refused" });
  });

  it("NodePort with externalTrafficPolicy Local only uses this node's endpoints, except for traffic from pods", () => {
    const svc = service("web", { type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }] });
    const eps: Ep[] = [...THREE, { ip: "10.244.1.3", node: "node-1" }];
    const n1 = buildRules([svc], [slice("web", eps)], "node-1");
    const seen = new Set(Array.from({ length: 20 }, (_, i) => hit(go(n1, external, { nodePort: 30080 }, { rand: () => i / 20 }))));
    expect(seen).toEqual(new Set(["10.244.1.2", "10.244.1.3"]));
    // A node with no local endpoint drops the packet: the client times out.
    const n4 = buildRules([svc], [slice("web", eps)], "node-4");
    expect(go(n4, external, { nodePort: 30080 }).result).toEqual({ ok: false, error: "connection timed out", reason: "default/web:http has no local endpoints" });
    expect(go(n4, { kind: "node", ip: "192.168.0.2", nodeName: "node-2" }, { nodePort: 30080 }).result).toMatchObject({ ok: false, error: "connection timed out" });
    // From a pod or from the node itself kube-proxy short-circuits to the Cluster chain.
    expect(go(n4, fromPod("10.244.4.5", "node-4"), { nodePort: 30080 }).result.ok).toBe(true);
    expect(go(n4, { kind: "node", ip: "192.168.0.4", nodeName: "node-4" }, { nodePort: 30080 }).result.ok).toBe(true);
    // ClusterIP traffic follows internalTrafficPolicy (Cluster), not the external policy.
    expect(go(n4, fromPod("10.244.4.5", "node-4"), { clusterIP: "10.96.0.10", port: 80 }).result.ok).toBe(true);
  });

  it("internalTrafficPolicy Local keeps ClusterIP traffic on the client's node", () => {
    const svc = service("web", { internalTrafficPolicy: "Local" });
    const n2 = buildRules([svc], [slice("web", THREE)], "node-2");
    for (const x of [0, 0.5, 0.99]) expect(hit(go(n2, fromPod("10.244.2.9", "node-2"), { service: { namespace: "default", name: "web" } }, { rand: () => x }))).toBe("10.244.2.2");
    const n4 = buildRules([svc], [slice("web", THREE)], "node-4");
    expect(go(n4, fromPod("10.244.4.9", "node-4"), { service: { namespace: "default", name: "web" } }).result).toMatchObject({ ok: false, error: "connection timed out" });
  });

  it("routes a LoadBalancer's ingress IP like its ClusterIP", () => {
    const svc = service("web", { type: "LoadBalancer", externalTrafficPolicy: "Cluster", ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }] },
      { loadBalancer: { ingress: [{ ip: "198.51.100.10", ipMode: "VIP" }] } });
    const r = buildRules([svc], [slice("web", THREE)], "node-3");
    expect(go(r, external, { externalIP: "198.51.100.10", port: 80 }).result).toMatchObject({ ok: true, via: "LoadBalancer", endpoint: { port: 8080 } });
    expect(go(r, fromPod(), { clusterIP: "198.51.100.10", port: 80 }).result).toMatchObject({ ok: true, via: "LoadBalancer" });
    expect(describeRules(r)[0]).toMatchObject({ type: "LoadBalancer", ports: ["80:30080/TCP"] });
  });

  it("ClientIP session affinity sticks to one endpoint until the timeout lapses, renewed by each use", () => {
    const svc = service("web", { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    const r = buildRules([svc], [slice("web", THREE)], "node-1");
    const to = { service: { namespace: "default", name: "web" } };
    let aff = newAffinityTable();
    const first = go(r, fromPod(), to, { now: 0, affinity: aff, rand: () => 0.5 });
    aff = first.affinity;
    expect(hit(first)).toBe("10.244.2.2");
    // Later connections (different rand) stay put while within 60s of the last one.
    for (const t of [10_000, 50_000, 100_000]) {
      const next = go(r, fromPod(), to, { now: t, affinity: aff, rand: () => 0.99 });
      expect(hit(next)).toBe("10.244.2.2");
      aff = next.affinity;
    }
    // Another client is balanced independently.
    expect(hit(go(r, fromPod("10.244.1.50"), to, { now: 100_000, affinity: aff, rand: () => 0 }))).toBe("10.244.1.2");
    // After 60s of silence the entry lapses (and is reaped) and a fresh choice is made.
    const late = go(r, fromPod(), to, { now: 160_001, affinity: aff, rand: () => 0.99 });
    expect(hit(late)).toBe("10.244.3.2");
    expect(JSON.parse(JSON.stringify(late.affinity))).toEqual(late.affinity);
    // An endpoint that is no longer ready is not kept for affinity's sake.
    const gone = buildRules([svc], [slice("web", [THREE[0], { ...THREE[1], ready: false }, THREE[2]])], "node-1");
    expect(hit(go(gone, fromPod(), to, { now: 110_000, affinity: aff, rand: () => 0 }))).toBe("10.244.1.2");
  });

  it("defaults the affinity timeout to 10800 seconds", () => {
    const r = buildRules([service("web", { sessionAffinity: "ClientIP" })], [slice("web", THREE)], "node-1");
    expect(r.servicePorts[0].affinityTimeoutSeconds).toBe(10800);
    const a = go(r, fromPod(), { clusterIP: "10.96.0.10", port: 80 }, { now: 1000, rand: () => 0.5 }).affinity;
    expect(Object.values(a.entries)).toEqual([{ endpoint: "10.244.2.2:8080", expires: 1000 + 10800 * 1000 }]);
  });

  it("spreads connections roughly uniformly over ready endpoints", () => {
    const eps: Ep[] = [...THREE, { ip: "10.244.1.3", node: "node-1" }, { ip: "10.244.9.9", node: "node-9", ready: false }];
    const r = buildRules([service("web")], [slice("web", eps)], "node-1");
    const rand = seeded(42);
    const counts = new Map<string, number>();
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const ip = hit(go(r, fromPod(), { clusterIP: "10.96.0.10", port: 80 }, { rand }));
      counts.set(ip, (counts.get(ip) ?? 0) + 1);
    }
    expect(counts.has("10.244.9.9")).toBe(false);
    expect(counts.size).toBe(4);
    for (const c of counts.values()) expect(Math.abs(c / N - 0.25)).toBeLessThan(0.03);
  });

  it("property: whenever some endpoint is ready, a connection lands on a ready endpoint", () => {
    const epArb = fc.record({ ready: fc.boolean(), serving: fc.boolean(), terminating: fc.boolean(), node: fc.constantFrom("node-1", "node-2", "node-3") });
    fc.assert(fc.property(fc.array(epArb, { maxLength: 12 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.boolean(), (list, x, affinity) => {
      const eps: Ep[] = list.map((e, i) => ({ ip: `10.244.0.${i + 1}`, ...e }));
      const svc = service("web", affinity ? { sessionAffinity: "ClientIP" } : {});
      const r = buildRules([svc], [slice("web", eps)], "node-1");
      const out = go(r, fromPod(), { service: { namespace: "default", name: "web" } }, { rand: () => x });
      const byIP = new Map(eps.map((e) => [e.ip, e]));
      if (eps.some((e) => e.ready)) {
        expect(out.result.ok).toBe(true);
        expect(byIP.get(hit(out))!.ready).toBe(true);
      } else if (eps.some((e) => e.serving && e.terminating)) {
        expect(out.result.ok).toBe(true);
        const e = byIP.get(hit(out))!;
        expect(e.serving && e.terminating).toBe(true);
      } else {
        expect(out.result).toMatchObject({ ok: false, error: "connection refused" });
      }
    }), { numRuns: 300 });
  });
});
