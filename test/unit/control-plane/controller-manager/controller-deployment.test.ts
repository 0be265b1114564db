// The Deployment and ReplicaSet controllers together over a real Registry, with a manual clock and
// kubelets simulated by status writes (pods turn Running and Ready when the test says so).
import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry, rfc3339 } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { replicaSetController } from "../../../../src/control-plane/controller-manager/replicaset-controller";
import { deploymentController } from "../../../../src/control-plane/controller-manager/deployment/deployment-controller";
import { resolveFenceposts } from "../../../../src/control-plane/controller-manager/deployment/deployment-util";
import { computeHash } from "../../../../src/control-plane/controller-manager/controller-utils";
import { withSql } from "../../helpers";

const admin = { username: "t", groups: ["system:masters"] };
const podsR = findResource("", "v1", "pods")!;
const rsR = findResource("apps", "v1", "replicasets")!;
const deployR = findResource("apps", "v1", "deployments")!;
const eventsR = findResource("", "v1", "events")!;

function setup(sql: ConstructorParameters<typeof Etcd>[0]) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  const clock = { t: Date.parse("2026-01-01T00:00:00Z") };
  const ctx = () => ({ user: admin, now: new Date(clock.t) });
  reg.create(findResource("", "v1", "namespaces")!, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, ctx());
  const mgr = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.t);
  mgr.register(replicaSetController(reg));
  mgr.register(deploymentController(reg));
  const settle = () => { for (let i = 0; i < 100; i++) { const next = mgr.run(); if (next === null || next > clock.t) return; } };
  const pods = () => reg.list(podsR, "default").items.filter((p) => !p.metadata.deletionTimestamp);
  const rss = () => reg.list(rsR, "default").items;
  const dep = (name = "web") => reg.get(deployR, "default", name);
  const events = (reason?: string) => reg.list(eventsR, "default").items.filter((e) => !reason || e.reason === reason);
  const isReady = (p: KubeObject) => p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
  const ready = (p: KubeObject) => reg.guaranteedUpdate(podsR, "default", p.metadata.name!, ctx(), (cur) => ({
    ...cur, status: { ...cur.status, phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: rfc3339(new Date(clock.t)) }] },
  }), "status");
  /** Every kubelet at once: all pods Ready, then the controllers catch up. */
  const allReady = () => { for (let i = 0; i < 10; i++) { const todo = pods().filter((p) => !isReady(p)); if (!todo.length) break; for (const p of todo) ready(p); settle(); } };
  const edit = (mut: (d: KubeObject) => void, name = "web") => reg.guaranteedUpdate(deployR, "default", name, ctx(), (cur) => { mut(cur); return cur; });
  return { etcd, reg, clock, ctx, mgr, settle, pods, rss, dep, events, isReady, ready, allReady, edit };
}

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.26" }] } }, ...spec },
  };
}

const cond = (d: KubeObject, type: string) => d.status?.conditions?.find((c: any) => c.type === type);
const setImage = (image: string) => (d: KubeObject) => { d.spec.template.spec.containers[0].image = image; };

describe("Deployment controller", () => {
  it("creates ReplicaSet <name>-<hash> at revision 1 and reaches a complete rollout", () =>
    withSql((sql) => {
      const h = setup(sql);
      const d0 = h.reg.create(deployR, "default", deployment("web", 3), h.ctx());
      h.settle();
      const [rs] = h.rss();
      const hash = rs.metadata.labels!["pod-template-hash"];
      expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
      expect(hash).toBe(computeHash(d0.spec.template));
      expect(rs.metadata.name).toBe(`web-${hash}`);
      expect(rs.spec.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
      expect(rs.spec.template.metadata.labels).toEqual({ app: "web", "pod-template-hash": hash });
      expect(rs.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4" });
      expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: d0.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(h.pods().every((p) => p.metadata.labels!["pod-template-hash"] === hash && p.metadata.name!.startsWith(`web-${hash}-`))).toBe(true);
      expect(h.dep().metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "1" });
      expect(h.events("ScalingReplicaSet").map((e) => e.message)).toEqual([`Scaled up replica set web-${hash} from 0 to 3`]);
      expect(h.dep().status).toMatchObject({ replicas: 3, updatedReplicas: 3, unavailableReplicas: 3, observedGeneration: 1 });
      expect(cond(h.dep(), "Available")).toMatchObject({ status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." });
      expect(cond(h.dep(), "Progressing")).toMatchObject({ status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "web-${hash}" is progressing.` });

      h.allReady();
      const d = h.dep();
      expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
      expect(d.status.unavailableReplicas).toBeUndefined();
      expect(cond(d, "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." });
      expect(cond(d, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "web-${hash}" has successfully progressed.` });
    }));

  it("is idempotent: with nothing changed, another full pass writes nothing", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(deployR, "default", deployment("web", 3), h.ctx());
      h.settle();
      h.allReady();
      const rev = h.etcd.revision;
      h.clock.t += 5_000;
      for (const c of [replicaSetController(h.reg), deploymentController(h.reg)]) {
        for (const key of c.resync(h.reg)) c.reconcile(key, { reg: h.reg, now: h.clock.t, write: h.ctx() });
        for (const key of c.resync(h.reg)) c.reconcile(key, { reg: h.reg, now: h.clock.t, write: h.ctx() });
      }
      h.settle();
      expect(h.etcd.revision).toBe(rev);
    }));

  it("rolls out a template change as revision 2, never below replicas - maxUnavailable available", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(deployR, "default", deployment("web", 4, { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }), h.ctx());
      h.settle();
      h.allReady();
      const oldRS = h.rss()[0];
      h.clock.t += 1000;
      h.edit(setImage("nginx:1.27"));
      h.settle();
      const newRS = h.rss().find((r) => r.metadata.name !== oldRS.metadata.name)!;
      expect(newRS.metadata.annotations!["deployment.kubernetes.io/revision"]).toBe("2");
      expect(h.dep().metadata.annotations!["deployment.kubernetes.io/revision"]).toBe("2");
      expect(cond(h.dep(), "Progressing")?.reason).toBe("ReplicaSetUpdated");

      const seen: { available: number; total: number }[] = [];
      for (let step = 0; step < 20; step++) {
        const pods = h.pods();
        const available = pods.filter(h.isReady).length;
        seen.push({ available, total: pods.length });
        expect(available).toBeGreaterThanOrEqual(3); // replicas 4 - maxUnavailable 1
        expect(pods.length).toBeLessThanOrEqual(5); // replicas 4 + maxSurge 1
        const next = pods.find((p) => !h.isReady(p));
        if (!next) break;
        h.clock.t += 1000;
        h.ready(next); // one kubelet at a time
        h.settle();
      }
      expect(seen.length).toBeGreaterThan(3);
      const d = h.dep();
      expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4, readyReplicas: 4, observedGeneration: 2 });
      expect(h.pods().every((p) => p.metadata.labels!["pod-template-hash"] === newRS.metadata.labels!["pod-template-hash"])).toBe(true);
      expect(h.reg.get(rsR, "default", oldRS.metadata.name!).spec.replicas).toBe(0);
      expect(cond(d, "Progressing")).toMatchObject({ reason: "NewReplicaSetAvailable", message: `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` });
      const msgs = h.events("ScalingReplicaSet").map((e) => e.message);
      expect(msgs).toContain(`Scaled up replica set ${newRS.metadata.name} from 0 to 1`);
      expect(msgs).toContain(`Scaled down replica set ${oldRS.metadata.name} from 4 to 3`);
      expect(msgs.some((m) => m.startsWith(`Scaled down replica set ${oldRS.metadata.name} from `) && m.endsWith(" to 0"))).toBe(true);

      // Rolling back (kubectl rollout undo puts the old template back): the old RS becomes revision 3.
      h.edit(setImage("nginx:1.26"));
      h.settle();
      h.allReady();
      const back = h.reg.get(rsR, "default", oldRS.metadata.name!);
      expect(back.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" });
      expect(h.rss()).toHaveLength(2);
      expect(h.dep().status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    }));

  it("Recreate scales the old ReplicaSet to 0 before the new one appears", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(deployR, "default", deployment("web", 3, { strategy: { type: "Recreate" } }), h.ctx());
      h.settle();
      h.allReady();
      const oldRS = h.rss()[0];
      // Slow the API's pod deletes down by keeping a finalizer on old pods: the new RS must wait.
      for (const p of h.pods()) h.reg.guaranteedUpdate(podsR, "default", p.metadata.name!, h.ctx(), (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: ["test/hold"] } }));
      h.edit(setImage("nginx:1.27"));
      h.settle();
      expect(h.reg.get(rsR, "default", oldRS.metadata.name!).spec.replicas).toBe(0);
      expect(h.rss()).toHaveLength(1); // old pods still terminating: no new ReplicaSet yet
      for (const p of h.reg.list(podsR, "default").items) h.reg.guaranteedUpdate(podsR, "default", p.metadata.name!, h.ctx(), (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: undefined } }));
      h.settle();
      expect(h.rss()).toHaveLength(2);
      h.allReady();
      expect(h.dep().status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
      expect(h.events("ScalingReplicaSet").map((e) => e.message)).toContain(`Scaled down replica set ${oldRS.metadata.name} from 3 to 0`);
    }));

  it("scales: a replicas change resizes the ReplicaSet without a new revision", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(deployR, "default", deployment("web", 2), h.ctx());
      h.settle();
      h.allReady();
      h.edit((d) => { d.spec.replicas = 5; });
      h.settle();
      h.allReady();
      const rss = h.rss();
      expect(rss).toHaveLength(1);
      expect(rss[0].spec.replicas).toBe(5);
      expect(rss[0].metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "5", "deployment.kubernetes.io/max-replicas": "7" });
      expect(h.dep().status).toMatchObject({ replicas: 5, availableReplicas: 5, observedGeneration: 2 });
      h.edit((d) => { d.spec.replicas = 1; });
      h.settle();
      expect(h.pods()).toHaveLength(1);
      // Event names end in a hash, so the list is in no particular order.
      expect(h.events("ScalingReplicaSet").map((e) => e.message).sort()).toEqual([
        `Scaled down replica set ${rss[0].metadata.name} from 5 to 1`,
        `Scaled up replica set ${rss[0].metadata.name} from 0 to 2`,
        `Scaled up replica set ${rss[0].metadata.name} from 2 to 5`,
      ]);
    }));

  it("paused: a template change waits; resume rolls it out; conditions say so", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(deployR, "default", deployment("web", 2), h.ctx());
      h.settle();
      h.allReady();
      h.edit((d) => { d.spec.paused = true; });
      h.settle();
      expect(cond(h.dep(), "Progressing")).toMatchObject({ status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" });
      h.edit(setImage("nginx:1.27"));
      h.settle();
      expect(h.rss()).toHaveLength(1);
      expect(h.dep().status.observedGeneration).toBe(3);
      h.edit((d) => { d.spec.paused = false; });
      h.settle();
      expect(h.rss()).toHaveLength(2);
      h.allReady();
      expect(cond(h.dep(), "Progressing")?.reason).toBe("NewReplicaSetAvailable");
      expect(h.dep().status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    }));

  it("keeps revisionHistoryLimit old ReplicaSets and deletes the oldest", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(deployR, "default", deployment("web", 1, { revisionHistoryLimit: 1 }), h.ctx());
      h.settle();
      h.allReady();
      for (const image of ["nginx:1.27", "nginx:1.28", "nginx:1.29"]) {
        h.clock.t += 1000;
        h.edit(setImage(image));
        h.settle();
        h.allReady();
      }
      const revs = h.rss().map((r) => r.metadata.annotations!["deployment.kubernetes.io/revision"]).sort();
      expect(revs).toEqual(["3", "4"]);
      expect(h.dep().metadata.annotations!["deployment.kubernetes.io/revision"]).toBe("4");
    }));

  it("reports ProgressDeadlineExceeded when pods never become ready", () =>
    withSql((sql) => {
      const h = setup(sql);
      h.reg.create(deployR, "default", deployment("web", 2, { progressDeadlineSeconds: 30 }), h.ctx());
      h.settle();
      h.clock.t += 32_000;
      h.settle();
      const p = cond(h.dep(), "Progressing");
      expect(p).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
      expect(p.message).toMatch(/^ReplicaSet "web-\w+" has timed out progressing\.$/);
    }));

  it("resolves maxSurge/maxUnavailable fenceposts like the real one", () => {
    expect(resolveFenceposts("25%", "25%", 10)).toEqual([3, 2]);
    expect(resolveFenceposts("25%", "25%", 1)).toEqual([1, 0]);
    expect(resolveFenceposts(0, 0, 3)).toEqual([0, 1]);
    expect(resolveFenceposts("0%", "50%", 3)).toEqual([0, 1]);
  });
});
