import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { statefulSetController } from "../../../../src/control-plane/controller-manager/statefulset-controller";
import { withSql } from "../../helpers";
import type { Sql } from "../../../../src/control-plane/etcd/sql";

const admin = { username: "t", groups: ["system:masters"] };
const R = {
  ns: findResource("", "v1", "namespaces")!, pods: findResource("", "v1", "pods")!, events: findResource("", "v1", "events")!,
  sts: findResource("apps", "v1", "statefulsets")!,
};
const T0 = Date.parse("2026-01-01T00:00:00Z");

function cluster(sql: Sql) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  const clock = { now: T0 };
  const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
  cm.register(statefulSetController(reg));
  const w = () => ({ user: admin, now: new Date(clock.now) });
  reg.create(R.ns, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, w());
  const settle = (): number | null => {
    for (let i = 0; i < 100; i++) {
      const next = cm.run();
      if (next === null || next > clock.now) return next;
    }
    throw new Error("controllers never settle");
  };
  const advance = (ms: number) => { clock.now += ms; return settle(); };
  const names = () => reg.list(R.pods, "default").items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!).sort();
  const pod = (n: string) => reg.get(R.pods, "default", n);
  /** The kubelet's part: a pod's phase and readiness. */
  const setPhase = (n: string, phase: string, ready = phase === "Running") => {
    const cur = reg.get(R.pods, "default", n);
    reg.update(R.pods, "default", n, { ...cur, status: { ...(cur.status ?? {}), phase, conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: new Date(clock.now).toISOString().replace(/\.\d+Z$/, "Z") }] } }, w(), "status");
  };
  /** Marks every live pod Running and Ready, then lets the controller react; repeats until stable. */
  const readyAll = () => {
    for (let i = 0; i < 20; i++) {
      const pending = reg.list(R.pods, "default").items.filter((p) => !(p.status?.phase === "Running" && p.status?.conditions?.[0]?.status === "True"));
      if (!pending.length) return;
      for (const p of pending) setPhase(p.metadata.name!, "Running");
      settle();
    }
  };
  const sts = (n = "web") => reg.get(R.sts, "default", n);
  const events = (reason?: string) => reg.list(R.events, "default").items.filter((e) => !reason || e.reason === reason);
  return { etcd, reg, clock, cm, w, settle, advance, names, pod, setPhase, readyAll, sts, events };
}

const stsObj = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name },
  spec: {
    serviceName: "nginx", replicas: 3, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } },
    ...spec,
  },
});

describe("statefulset controller", () => {
  it("OrderedReady: creates web-0, then web-1 only once web-0 is Running and Ready", () =>
    withSql((sql) => {
      const c = cluster(sql);
      const set = c.reg.create(R.sts, "default", stsObj("web"), c.w());
      c.settle();
      expect(c.names()).toEqual(["web-0"]);
      const p0 = c.pod("web-0");
      expect(p0.metadata.generateName).toBeUndefined();
      expect(p0.metadata.labels).toMatchObject({ app: "web", "statefulset.kubernetes.io/pod-name": "web-0", "apps.kubernetes.io/pod-index": "0" });
      expect(p0.metadata.labels!["controller-revision-hash"]).toMatch(/^web-[a-z0-9]+$/);
      expect(p0.spec).toMatchObject({ hostname: "web-0", subdomain: "nginx" });
      expect(p0.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);

      c.setPhase("web-0", "Running", false); // running, not ready: still waiting
      c.settle();
      expect(c.names()).toEqual(["web-0"]);
      c.setPhase("web-0", "Running", true);
      c.settle();
      expect(c.names()).toEqual(["web-0", "web-1"]);
      c.setPhase("web-1", "Running");
      c.settle();
      expect(c.names()).toEqual(["web-0", "web-1", "web-2"]);
      c.setPhase("web-2", "Running");
      c.settle();

      const s = c.sts();
      expect(s.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, observedGeneration: 1 });
      expect(s.status.currentRevision).toBe(p0.metadata.labels!["controller-revision-hash"]);
      expect(s.status.updateRevision).toBe(s.status.currentRevision);
      expect(c.events("SuccessfulCreate").map((e) => e.message).sort()).toEqual([0, 1, 2].map((i) => `create Pod web-${i} in StatefulSet web successful`));
      expect(c.events("SuccessfulCreate")[0].source.component).toBe("statefulset-controller");

      // Idempotent: nothing to do writes nothing.
      const rev = c.etcd.revision;
      c.cm.stop();
      c.advance(60_000);
      expect(c.etcd.revision).toBe(rev);
    }));

  it("Parallel creates every pod at once", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.sts, "default", stsObj("web", { podManagementPolicy: "Parallel" }), c.w());
      c.settle();
      expect(c.names()).toEqual(["web-0", "web-1", "web-2"]);
    }));

  it("scales down from the highest ordinal, one at a time", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.sts, "default", stsObj("web", { replicas: 4 }), c.w());
      c.settle();
      c.readyAll();
      expect(c.names()).toEqual(["web-0", "web-1", "web-2", "web-3"]);
      c.reg.guaranteedUpdate(R.sts, "default", "web", c.w(), (s) => ({ ...s, spec: { ...s.spec, replicas: 1 } }));
      c.cm.run(); // one pass: only the highest ordinal goes

      expect(c.names()).toEqual(["web-0", "web-1", "web-2"]);
      c.settle();
      expect(c.names()).toEqual(["web-0"]);
      expect(c.events("SuccessfulDelete").map((e) => e.message).sort()).toEqual([1, 2, 3].map((i) => `delete Pod web-${i} in StatefulSet web successful`));
      expect(c.sts().status).toMatchObject({ replicas: 1, readyReplicas: 1 });
    }));

  it("OrderedReady waits for an unhealthy pod before scaling down", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.sts, "default", stsObj("web"), c.w());
      c.settle();
      c.readyAll();
      c.setPhase("web-0", "Running", false);
      c.reg.guaranteedUpdate(R.sts, "default", "web", c.w(), (s) => ({ ...s, spec: { ...s.spec, replicas: 1 } }));
      c.settle();
      expect(c.names()).toEqual(["web-0", "web-1", "web-2"]);
      c.setPhase("web-0", "Running", true);
      c.settle();
      expect(c.names()).toEqual(["web-0"]);
    }));

  it("OrderedReady waits for a terminating pod to be gone before the next step", () =>
    withSql((sql) => {
      const c = cluster(sql);
      // A finalizer keeps deleted pods terminating, as a grace period on a node would.
      const obj = stsObj("web");
      (obj.spec.template.metadata as any).finalizers = ["example.com/hold"];
      c.reg.create(R.sts, "default", obj, c.w());
      c.settle();
      c.readyAll();
      c.reg.guaranteedUpdate(R.sts, "default", "web", c.w(), (s) => ({ ...s, spec: { ...s.spec, replicas: 1 } }));
      c.settle();
      expect(c.pod("web-2").metadata.deletionTimestamp).toBeDefined();
      expect(c.pod("web-1").metadata.deletionTimestamp).toBeUndefined();
      const release = (n: string) => c.reg.guaranteedUpdate(R.pods, "default", n, c.w(), (p) => { delete p.metadata.finalizers; return p; });
      release("web-2");
      c.settle();
      expect(c.pod("web-1").metadata.deletionTimestamp).toBeDefined();
      // A replica deleted by hand is recreated only once the old one is gone.
      c.reg.delete(R.pods, "default", "web-0", c.w());
      c.settle();
      expect(c.pod("web-0").metadata.deletionTimestamp).toBeDefined();
      const old = c.pod("web-0").metadata.uid;
      release("web-0");
      c.settle();
      expect(c.pod("web-0").metadata.uid).not.toBe(old);
      expect(c.pod("web-0").metadata.deletionTimestamp).toBeUndefined();
    }));

  it("recreates a deleted or failed pod with the same name", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.sts, "default", stsObj("web"), c.w());
      c.settle();
      c.readyAll();
      const before = c.pod("web-1").metadata.uid;
      c.reg.delete(R.pods, "default", "web-1", c.w());
      c.settle();
      expect(c.names()).toEqual(["web-0", "web-1", "web-2"]);
      expect(c.pod("web-1").metadata.uid).not.toBe(before);
      c.setPhase("web-1", "Running");
      c.settle();
      const uid2 = c.pod("web-2").metadata.uid;
      c.setPhase("web-2", "Failed", false);
      c.settle();
      expect(c.pod("web-2").metadata.uid).not.toBe(uid2);
      expect(c.pod("web-2").status?.phase).not.toBe("Failed");
      expect(c.events("SuccessfulDelete").map((e) => e.message)).toEqual(["delete Pod web-2 in StatefulSet web successful"]);
    }));

  it("rolls a template change out from the highest ordinal down, respecting the partition", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.sts, "default", stsObj("web", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }), c.w());
      c.settle();
      c.readyAll();
      const oldRev = c.sts().status.currentRevision;
      c.reg.guaranteedUpdate(R.sts, "default", "web", c.w(), (s) => {
        s.spec.template.spec.containers[0].image = "nginx:1.28";
        return s;
      });
      c.settle();
      // web-2 goes first and comes back at the new revision; web-1 waits for it to be ready.
      expect(c.events("SuccessfulDelete").map((e) => e.metadata.name)).toHaveLength(1);
      expect(c.pod("web-2").spec.containers[0].image).toBe("nginx:1.28");
      expect(c.pod("web-1").spec.containers[0].image).toBe("nginx:1.27");
      c.readyAll();
      const s = c.sts();
      expect(c.pod("web-1").spec.containers[0].image).toBe("nginx:1.28");
      expect(c.pod("web-0").spec.containers[0].image).toBe("nginx:1.27"); // below the partition
      expect(s.status.updateRevision).not.toBe(oldRev);
      expect(s.status).toMatchObject({ currentRevision: oldRev, currentReplicas: 1, updatedReplicas: 2, observedGeneration: 2 });
      // A pod below the partition deleted by hand comes back at the current (old) revision.
      c.reg.delete(R.pods, "default", "web-0", c.w());
      c.settle();
      expect(c.pod("web-0").spec.containers[0].image).toBe("nginx:1.27");
      // Partition 0 completes the rollout; the update revision becomes current.
      c.reg.guaranteedUpdate(R.sts, "default", "web", c.w(), (s2) => ({ ...s2, spec: { ...s2.spec, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } } } }));
      c.settle();
      c.readyAll();
      const done = c.sts();
      expect(c.pod("web-0").spec.containers[0].image).toBe("nginx:1.28");
      expect(done.status).toMatchObject({ currentRevision: done.status.updateRevision, currentReplicas: 3, updatedReplicas: 3, readyReplicas: 3 });
    }));
});
