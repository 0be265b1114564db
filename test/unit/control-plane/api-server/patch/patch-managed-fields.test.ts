import { describe, expect, it } from "vitest";
import { serverSideApply, updateManagedFields } from "../../../../../src/control-plane/api-server/patch";
import type { KubeObject } from "../../../../../src/control-plane/api-server/types";

const T0 = "2025-01-01T00:00:00Z";
const T1 = "2025-01-01T00:05:00Z";

const created = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", uid: "u1", resourceVersion: "5", creationTimestamp: T0, labels: { app: "web" } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } },
  },
  status: { replicas: 0 },
});

const fieldsOf = (o: KubeObject, manager: string) => o.metadata.managedFields!.find((m) => m.manager === manager)?.fieldsV1;

describe("updateManagedFields", () => {
  it("records a create like kube-apiserver (\".\" for added maps and list items, none for Go value structs)", () => {
    const obj = created();
    updateManagedFields(undefined, obj, { manager: "kubectl-create", operation: "Update", now: T0 });
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "apps/v1",
        time: T0,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:strategy": { "f:rollingUpdate": { ".": {}, "f:maxSurge": {} }, "f:type": {} },
            "f:template": {
              "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
              "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } } },
            },
          },
        },
      },
    ]);
  });

  it("moves changed fields to the updating manager and drops removed ones", () => {
    const v1 = created();
    updateManagedFields(undefined, v1, { manager: "kubectl-create", operation: "Update", now: T0 });
    const v2 = structuredClone(v1);
    v2.spec.replicas = 3;
    delete v2.metadata.labels;
    updateManagedFields(v1, v2, { manager: "kubectl-edit", operation: "Update", now: T1 });
    expect(v2.metadata.managedFields!.map((m) => [m.manager, m.time])).toEqual([
      ["kubectl-create", T0],
      ["kubectl-edit", T1],
    ]);
    expect(fieldsOf(v2, "kubectl-edit")).toEqual({ "f:spec": { "f:replicas": {} } });
    const creator = fieldsOf(v2, "kubectl-create")!;
    expect(creator["f:metadata"]).toBeUndefined();
    expect((creator["f:spec"] as Record<string, unknown>)["f:replicas"]).toBeUndefined();
  });

  it("merges repeated updates of one manager and keeps its time when it only removed fields", () => {
    const v1 = created();
    updateManagedFields(undefined, v1, { manager: "m", operation: "Update", now: T0 });
    const v2 = structuredClone(v1);
    delete v2.spec.template.metadata.labels;
    updateManagedFields(v1, v2, { manager: "m", operation: "Update", now: T1 });
    expect(v2.metadata.managedFields).toHaveLength(1);
    expect(v2.metadata.managedFields![0].time).toBe(T0);
  });

  it("ignores status on the main resource and records only status for /status", () => {
    const v1 = created();
    updateManagedFields(undefined, v1, { manager: "kubectl-create", operation: "Update", now: T0 });
    expect(JSON.stringify(v1.metadata.managedFields)).not.toContain("f:status");
    const v2 = structuredClone(v1);
    v2.status = { replicas: 1, conditions: [{ type: "Available", status: "True" }] };
    updateManagedFields(v1, v2, { manager: "kube-controller-manager", operation: "Update", now: T1, subresource: "status" });
    const entry = v2.metadata.managedFields!.find((m) => m.manager === "kube-controller-manager")!;
    expect(entry.subresource).toBe("status");
    expect(entry.fieldsV1).toEqual({
      "f:status": { "f:conditions": { ".": {}, 'k:{"type":"Available"}': { ".": {}, "f:status": {}, "f:type": {} } }, "f:replicas": {} },
    });
  });

  it("takes fields from an applier, so the next apply without force conflicts", () => {
    const cfg: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2 } };
    const live = serverSideApply(undefined, cfg, { manager: "kubectl", force: false, now: T0 });
    const scaled = structuredClone(live);
    scaled.spec.replicas = 4;
    updateManagedFields(live, scaled, { manager: "kubectl", operation: "Update", now: T1, subresource: "scale" });
    // Apply entries sort before Update ones; the Apply entry no longer owns anything and disappears.
    expect(scaled.metadata.managedFields!.map((m) => [m.manager, m.operation, m.subresource])).toEqual([["kubectl", "Update", "scale"]]);
    expect(() => serverSideApply(scaled, { ...cfg, spec: { replicas: 3 } }, { manager: "kubectl", force: false, now: T1 })).toThrow(
      'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
  });

  it("uses managed fields a client sent in the new object, else the live ones", () => {
    const v1 = created();
    updateManagedFields(undefined, v1, { manager: "a", operation: "Update", now: T0 });
    const v2 = structuredClone(v1);
    v2.metadata.managedFields = [{ manager: "z", operation: "Update", apiVersion: "apps/v1", time: T0, fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:paused": {} } } }];
    v2.spec.paused = true;
    updateManagedFields(v1, v2, { manager: "b", operation: "Update", now: T1 });
    expect(v2.metadata.managedFields!.map((m) => m.manager)).toEqual(["b"]);
  });

  it("sorts entries: Apply first, then by time, then by manager", () => {
    const obj = created();
    obj.metadata.managedFields = [
      { manager: "zz", operation: "Update", apiVersion: "apps/v1", time: T0, fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:paused": {} } } },
      { manager: "aa", operation: "Update", apiVersion: "apps/v1", time: T1, fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:minReadySeconds": {} } } },
      { manager: "kubectl", operation: "Apply", apiVersion: "apps/v1", time: T1, fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:replicas": {} } } },
    ];
    obj.spec.paused = true;
    obj.spec.minReadySeconds = 1;
    const next = structuredClone(obj);
    next.metadata.labels = { app: "web", x: "y" };
    updateManagedFields(obj, next, { manager: "mm", operation: "Update", now: T0 });
    expect(next.metadata.managedFields!.map((m) => m.manager)).toEqual(["kubectl", "mm", "zz", "aa"]);
  });
});
