// The ReplicaSet controller over a real Registry, with a manual clock and kubelets simulated by
// status writes.
import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry, rfc3339 } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import { errors } from "../../../../src/control-plane/api-server/status";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { REPLICAS_PER_SYNC, replicaSetController } from "../../../../src/control-plane/controller-manager/replicaset-controller";
import { withSql } from "../../helpers";

const admin = { username: "t", groups: ["system:masters"] };
const podsR = findResource("", "v1", "pods")!;
const rsR = findResource("apps", "v1", "replicasets")!;
const eventsR = findResource("", "v1", "events")!;

function setup(sql: ConstructorParameters<typeof Etcd>[0]) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  const clock = { t: Date.parse("2026-01-01T00:00:00Z") };
  const ctx = () => ({ user: admin, now: new Date(clock.t) });
  reg.create(findResource("", "v1", "namespaces")!, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, ctx());
  const mgr = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.t);
  mgr.register(replicaSetController(reg));
  const settle = () => { for (let i = 0; i < 50; i++) { const next = mgr.run(); if (next === null || next > clock.t) return; } };
  const pods = () => reg.list(podsR, "default").items.filter((p) => !p.metadata.deletionTimestamp);
  const rs = (name = "web") => reg.get(rsR, "default", name);
  const events = (reason?: string) => reg.list(eventsR, "default").items.filter((e) => !reason || e.reason === reason);
  /** A kubelet: the pod runs and turns Ready now. */
  const ready = (p: KubeObject, isReady = true) => reg.guaranteedUpdate(podsR, "default", p.metadata.name!, ctx(), (cur) => ({
    ...cur, status: { ...cur.status, phase: "Running", conditions: [{ type: "Ready", status: isReady ? "True" : "False", lastTransitionTime: rfc3339(new Date(clock.t)) }] },
  }), "status");
  return { etcd, reg, clock, ctx, mgr, settle, pods, rs, events, ready };
}

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }] } }, ...extra },
  };
}

describe("ReplicaSet controller", () => {
  it("creates and deletes at most REPLICAS_PER_SYNC pods per sync, queued again at once until done", () =>
    withSql((sql) => {
      const h = setup(sql);
      const n = 2 * REPLICAS_PER_SYNC + 10;
      h.reg.create(rsR, "default", replicaSet("big", n), h.ctx());
      // One run: one sync of the ReplicaSet, bounded; the rest is due now, not later.
      expect(h.mgr.run()).toBe(h.clock.t);
      expect(h.pods()).toHaveLength(REPLICAS_PER_SYNC);
      expect(h.mgr.run()).toBe(h.clock.t);
      expect(h.pods()).toHaveLength(2 * REPLICAS_PER_SYNC);
      h.settle();
      expect(h.pods()).toHaveLength(n);
      expect(h.rs("big").status.replicas).toBe(n);
      h.reg.guaranteedUpdate(rsR, "default", "big", h.ctx(), (cur) => ({ ...cur, spec: { ...cur.spec, replicas: 0 } }));
      h.mgr.run();
      expect(h.pods()).toHaveLength(n - REPLICAS_PER_SYNC);
      h.settle();
      expect(h.pods()).toHaveLength(0);
    }));

  it("creates N owned pods named <rs>-xxxxx and reports status; a second run writes nothing", () =>
    withSql((sql) => {
      const h = setup(sql);
      const created = h.reg.create(rsR, "default", replicaSet("web", 3), h.ctx());
      h.settle();
      const pods = h.pods();
      expect(pods).toHaveLength(3);
      for (const p of pods) {
        expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        expect(p.metadata.labels).toEqual({ app: "web" });
        expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      }
      expect(h.events("SuccessfulCreate").map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
      expect(h.rs().status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });

      for (const p of pods) h.ready(p);
      h.settle();
      expect(h.rs().status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
      const rev = h.etcd.revision;
      h.mgr.run();
      h.settle();
      expect(h.etcd.revision).toBe(rev);
    }));

  it("creates in slow-start batches 1, 2, 4 and stops at the first failing batch", () =>
    withSql((sql) => {
      const h = setup(sql);
      let attempts = 0;
      // A quota of 4 pods: the 5th create and later are refused.
      h.reg.addAdmission((op, r, _obj, _old, _ctx, reg) => {
        if (op !== "CREATE" || r.kind !== "Pod") return;
        attempts++;
        if (reg.list(podsR, "default").items.length >= 4) throw errors.forbidden("exceeded quota: pods");
      });
      h.reg.create(rsR, "default", replicaSet("web", 10), h.ctx());
      h.mgr.run();
      // 1 + 2 + 4 tried: the third batch had 1 success and 3 failures, so no batch of 8 followed.
      expect(attempts).toBe(7);
      expect(h.pods()).toHaveLength(4);
      expect(h.events("FailedCreate")[0]).toMatchObject({ type: "Warning" });
      expect(h.events("FailedCreate")[0].message).toContain("Error creating: ");
      expect(h.rs().status.conditions[0]).toMatchObject({ type: "ReplicaFailure", status: "True", reason: "FailedCreate" });
    }));

  it("scales down deleting unready and unscheduled pods before ready ones", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(rsR, "default", replicaSet("web", 4), h.ctx());
      h.settle();
      const [a, b, c, d] = h.pods();
      h.ready(a); h.ready(b); h.ready(c, false);
      void d; // stays Pending
      h.clock.t += 60_000;
      h.settle();
      h.reg.guaranteedUpdate(rsR, "default", "web", h.ctx(), (cur) => ({ ...cur, spec: { ...cur.spec, replicas: 2 } }));
      h.settle();
      expect(h.pods().map((p) => p.metadata.name).sort()).toEqual([a.metadata.name, b.metadata.name].sort());
      expect(h.events("SuccessfulDelete").map((e) => e.message).sort()).toEqual([`Deleted pod: ${c.metadata.name}`, `Deleted pod: ${d.metadata.name}`].sort());
      expect(h.rs().status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 2 });
    }));

  it("adopts a matching orphan and releases a pod whose labels no longer match", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(podsR, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "orphan", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } }, h.ctx());
      const rs = h.reg.create(rsR, "default", replicaSet("web", 2), h.ctx());
      h.settle();
      const pods = h.pods();
      expect(pods).toHaveLength(2);
      const orphan = h.reg.get(podsR, "default", "orphan");
      expect(orphan.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      // Relabel it: released, and a replacement is made.
      h.reg.guaranteedUpdate(podsR, "default", "orphan", h.ctx(), (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { app: "debug" } } }));
      h.settle();
      expect(h.reg.get(podsR, "default", "orphan").metadata.ownerReferences).toBeUndefined();
      expect(h.pods().filter((p) => p.metadata.labels?.app === "web")).toHaveLength(2);
    }));

  it("counts availability only after minReadySeconds and requeues for it", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(rsR, "default", replicaSet("web", 2, { minReadySeconds: 10 }), h.ctx());
      h.settle();
      for (const p of h.pods()) h.ready(p);
      h.settle();
      expect(h.rs().status).toMatchObject({ readyReplicas: 2 });
      expect(h.rs().status.availableReplicas).toBeUndefined();
      h.clock.t += 11_000;
      h.settle();
      expect(h.rs().status.availableReplicas).toBe(2);
    }));

  it("replaces a pod deleted from under it and ignores pods owned by another controller", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(podsR, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "other", labels: { app: "web" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: "u-x", controller: true }] }, spec: { containers: [{ name: "c", image: "nginx" }] } }, h.ctx());
      h.reg.create(rsR, "default", replicaSet("web", 2), h.ctx());
      h.settle();
      const mine = h.pods().filter((p) => p.metadata.name !== "other");
      expect(mine).toHaveLength(2);
      h.reg.delete(podsR, "default", mine[0].metadata.name!, h.ctx());
      h.settle();
      expect(h.pods().filter((p) => p.metadata.name !== "other")).toHaveLength(2);
      expect(h.rs().status.replicas).toBe(2);
    }));
});
