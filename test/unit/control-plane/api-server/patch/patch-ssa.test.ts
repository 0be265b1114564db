import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PatchError, serverSideApply, updateManagedFields } from "../../../../../src/control-plane/api-server/patch";
import type { KubeObject } from "../../../../../src/control-plane/api-server/types";

const T0 = "2025-01-01T00:00:00Z";
const T1 = "2025-01-01T00:01:00.123Z";

const config = (over: { replicas?: number; image?: string; labels?: Record<string, string>; containers?: unknown[] } = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels: over.labels ?? { app: "web" } },
  spec: {
    ...(over.replicas !== undefined ? { replicas: over.replicas } : {}),
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: over.containers ?? [{ name: "nginx", image: over.image ?? "nginx:1.25", ports: [{ containerPort: 80 }] }] },
    },
  },
});

const apply = (live: KubeObject | undefined, cfg: KubeObject, manager = "kubectl", force = false, now = T0) =>
  serverSideApply(live, cfg, { manager, force, now });

function conflict(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    return e as PatchError;
  }
  throw new Error("expected a conflict");
}

describe("server-side apply", () => {
  it("creates the object and records the applied field set in FieldsV1 form", () => {
    const out = apply(undefined, config({ replicas: 2 }));
    expect(out.spec.replicas).toBe(2);
    expect(out.spec.template.spec.containers).toEqual([{ name: "nginx", image: "nginx:1.25", ports: [{ containerPort: 80 }] }]);
    expect(out.metadata.managedFields).toEqual([
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: T0,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"nginx"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it("re-applies by the same manager without conflicts and does not mutate inputs", () => {
    const live = apply(undefined, config({ replicas: 2 }));
    const liveCopy = structuredClone(live);
    const cfg = config({ replicas: 3, image: "nginx:1.26" });
    const cfgCopy = structuredClone(cfg);
    const out = apply(live, cfg, "kubectl", false, T1);
    expect(out.spec.replicas).toBe(3);
    expect(out.spec.template.spec.containers[0].image).toBe("nginx:1.26");
    expect(out.metadata.managedFields![0].time).toBe("2025-01-01T00:01:00Z");
    expect(live).toEqual(liveCopy);
    expect(cfg).toEqual(cfgCopy);
  });

  it("keeps fields nobody applied (server defaults, other writers)", () => {
    const live = apply(undefined, config({ replicas: 2 }));
    live.spec.template.spec.containers[0].imagePullPolicy = "IfNotPresent";
    live.spec.revisionHistoryLimit = 10;
    const out = apply(live, config({ replicas: 2, image: "nginx:1.26" }));
    expect(out.spec.revisionHistoryLimit).toBe(10);
    expect(out.spec.template.spec.containers[0]).toEqual({ name: "nginx", image: "nginx:1.26", imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80 }] });
  });

  it("conflicts with a field another manager owns and the apply would change (real message)", () => {
    const live = apply(undefined, config({ replicas: 2 }), "kubectl");
    // kubectl scale then took replicas over.
    const scaled = structuredClone(live);
    scaled.spec.replicas = 5;
    updateManagedFields(live, scaled, { manager: "kubectl-client-side-apply", operation: "Update", now: T1 });
    const e = conflict(() => apply(scaled, config({ replicas: 3 }), "other"));
    expect(e.code).toBe(409);
    expect(e.reason).toBe("Conflict");
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(e.causes).toEqual([{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: ".spec.replicas" }]);
  });

  it("lists several conflicts grouped by manager", () => {
    const live = apply(undefined, config({ replicas: 2 }), "alice");
    const e = conflict(() => apply(live, config({ replicas: 3, image: "nginx:2" }), "bob"));
    expect(e.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    expect(e.causes!.map((c) => c.field)).toEqual([".spec.replicas", '.spec.template.spec.containers[name="nginx"].image']);
  });

  it("shares ownership when the applied value equals the live one", () => {
    const live = apply(undefined, config({ replicas: 2 }), "alice");
    const out = apply(live, config({ replicas: 2 }), "bob", false, T1);
    const byManager = Object.fromEntries(out.metadata.managedFields!.map((m) => [m.manager, m.fieldsV1]));
    expect((byManager.alice["f:spec"] as Record<string, unknown>)["f:replicas"]).toEqual({});
    expect((byManager.bob["f:spec"] as Record<string, unknown>)["f:replicas"]).toEqual({});
  });

  it("with force takes ownership away from the other manager", () => {
    const live = apply(undefined, config({ replicas: 2 }), "alice");
    const out = apply(live, config({ replicas: 3 }), "bob", true, T1);
    expect(out.spec.replicas).toBe(3);
    const alice = out.metadata.managedFields!.find((m) => m.manager === "alice")!;
    expect((alice.fieldsV1["f:spec"] as Record<string, unknown>)["f:replicas"]).toBeUndefined();
    expect((alice.fieldsV1["f:spec"] as Record<string, unknown>)["f:selector"]).toEqual({});
  });

  it("removes fields the manager stopped applying unless someone else owns them", () => {
    const live = apply(undefined, config({ replicas: 2, labels: { app: "web", tier: "fe", team: "a" } }), "alice");
    const shared = apply(live, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", labels: { team: "a" } } }, "bob", false, T1);
    const out = apply(shared, config({ labels: { app: "web" } }), "alice", false, T1);
    expect(out.metadata.labels).toEqual({ app: "web", team: "a" });
    expect(out.spec.replicas).toBeUndefined(); // no longer applied, owned by nobody else
  });

  it("merges containers by name: other managers' containers stay, dropped ones go", () => {
    const live = apply(undefined, config({ containers: [{ name: "nginx", image: "nginx" }, { name: "log", image: "fluent" }] }), "alice");
    const withSidecar = apply(
      live,
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: { spec: { containers: [{ name: "mesh", image: "envoy" }] } } } },
      "injector",
    );
    expect(withSidecar.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["nginx", "log", "mesh"]);
    const out = apply(withSidecar, config({ containers: [{ name: "nginx", image: "nginx:2" }] }), "alice");
    expect(out.spec.template.spec.containers).toEqual([
      { name: "nginx", image: "nginx:2" },
      { name: "mesh", image: "envoy" },
    ]);
  });

  it("follows the applied order for shared list items", () => {
    const live = apply(undefined, config({ containers: [{ name: "a", image: "a" }, { name: "b", image: "b" }] }), "alice");
    const out = apply(live, config({ containers: [{ name: "b", image: "b" }, { name: "a", image: "a" }] }), "alice");
    expect(out.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["b", "a"]);
  });

  it("keys ports by containerPort and the defaulted protocol, and Service ports by port+protocol", () => {
    const svc: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 53, protocol: "UDP" }, { port: 53 }] } };
    const out = apply(undefined, svc);
    const ports = (out.metadata.managedFields![0].fieldsV1["f:spec"] as Record<string, Record<string, unknown>>)["f:ports"];
    expect(Object.keys(ports)).toEqual(['k:{"port":53,"protocol":"TCP"}', 'k:{"port":53,"protocol":"UDP"}']);
  });

  it("owns finalizers as a set and replaces atomic lists", () => {
    const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", finalizers: ["x/y"] }, data: { a: "1" } };
    const out = apply(undefined, cm);
    expect(out.metadata.managedFields![0].fieldsV1).toEqual({
      "f:data": { "f:a": {} },
      "f:metadata": { "f:finalizers": { 'v:"x/y"': {} } },
    });
    const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { taints: [{ key: "a", effect: "NoSchedule" }] } };
    const n1 = apply(undefined, node);
    const n2 = apply(n1, { ...node, spec: { taints: [{ key: "b", effect: "NoSchedule" }] } });
    expect(n2.spec.taints).toEqual([{ key: "b", effect: "NoSchedule" }]);
    expect(n2.metadata.managedFields![0].fieldsV1).toEqual({ "f:spec": { "f:taints": {} } });
  });

  it("ignores status on kinds with a status subresource and rejects managedFields in the config", () => {
    const live = apply(undefined, config({ replicas: 1 }));
    live.status = { replicas: 1 };
    const out = apply(live, { ...config({ replicas: 1 }), status: { replicas: 9 } });
    expect(out.status).toEqual({ replicas: 1 });
    const bad = { ...config(), metadata: { name: "web", managedFields: [] } } as KubeObject;
    const e = conflict(() => apply(live, bad));
    expect(e.code).toBe(400);
  });

  it("clears a field applied as null and keeps owning it; merges unknown kinds with atomic lists", () => {
    const live = apply(undefined, config({ replicas: 2 }));
    const cleared = apply(live, { ...config(), spec: { ...config().spec, replicas: null } });
    expect(cleared.spec.replicas).toBeUndefined();
    expect((cleared.metadata.managedFields![0].fieldsV1["f:spec"] as Record<string, unknown>)["f:replicas"]).toEqual({});
    const widget: KubeObject = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { items: [1, 2], cfg: { a: 1 } } };
    const w1 = apply(undefined, widget);
    const w2 = apply(w1, { ...widget, spec: { items: [3], cfg: { b: 2 } } });
    expect(w2.spec).toEqual({ items: [3], cfg: { b: 2 } }); // cfg.a was applied before and is pruned
    expect(w2.metadata.managedFields![0].fieldsV1).toEqual({ "f:spec": { "f:cfg": { "f:b": {} }, "f:items": {} } });
  });

  it("property: applying the same configuration twice is a no-op", () => {
    const container = fc.record({ name: fc.constantFrom("a", "b", "c"), image: fc.constantFrom("x", "y") });
    fc.assert(
      fc.property(
        fc.uniqueArray(container, { selector: (c) => c.name, minLength: 1, maxLength: 3 }),
        fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        fc.dictionary(fc.constantFrom("app", "tier", "env"), fc.constantFrom("1", "2")),
        (containers, replicas, labels) => {
          const cfg = config({ containers, replicas, labels });
          const once = apply(undefined, cfg);
          expect(apply(once, cfg, "kubectl", false, T1)).toEqual(once);
        },
      ),
    );
  });
});
