import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import type { Sql } from "../../../../src/control-plane/etcd/sql";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import type { Node, Taint } from "../../../../src/control-plane/api-server/objects/core";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { daemonSetController, shouldRunOn, templateHash } from "../../../../src/control-plane/controller-manager/daemonset-controller";
import { REVISION_HASH } from "../../../../src/control-plane/controller-manager/controller-utils";
import { withSql } from "../../helpers";

const admin = { username: "t", groups: ["system:masters"] };
const R = {
  ns: findResource("", "v1", "namespaces")!, pods: findResource("", "v1", "pods")!, nodes: findResource("", "v1", "nodes")!,
  events: findResource("", "v1", "events")!, ds: findResource("apps", "v1", "daemonsets")!,
};
const T0 = Date.parse("2026-01-01T00:00:00Z");

function nodeObj(name: string, o: { labels?: Record<string, string>; taints?: Taint[] } = {}): Node {
  const allocatable = { cpu: "4", memory: "8Gi", pods: "110" };
  return {
    apiVersion: "v1", kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", ...(o.labels ?? {}) } },
    spec: o.taints ? { taints: o.taints } : {},
    status: { allocatable, capacity: allocatable, conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }] },
  };
}

function dsObj(name: string, podSpec: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "agent", image: "fluentd:1" }], ...podSpec } },
      ...spec,
    },
  };
}

function cluster(sql: Sql, nodes = ["node-1", "node-2", "node-3"]) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  const clock = { now: T0 };
  const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
  cm.register(daemonSetController(reg));
  const w = () => ({ user: admin, now: new Date(clock.now) });
  reg.create(R.ns, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, w());
  for (const n of nodes) reg.create(R.nodes, undefined, nodeObj(n), w());
  const settle = (): number | null => {
    for (let i = 0; i < 100; i++) {
      const next = cm.run();
      if (next === null || next > clock.now) return next;
    }
    throw new Error("controllers never settle");
  };
  const pods = () => reg.list(R.pods, "default").items.filter((p) => !p.metadata.deletionTimestamp);
  const nodeOf = (p: KubeObject) => p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0];
  /** The kubelet's part: the pod runs and is ready. */
  const ready = (p: KubeObject) => {
    const cur = reg.get(R.pods, "default", p.metadata.name!);
    reg.update(R.pods, "default", cur.metadata.name!, { ...cur, status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date(clock.now).toISOString().replace(/\.\d+Z/, "Z") }] } }, w(), "status");
  };
  const ds = (name: string) => reg.get(R.ds, "default", name);
  return { etcd, reg, clock, cm, w, settle, pods, nodeOf, ready, ds };
}

describe("daemonset controller", () => {
  it("runs one pod per node, pinned by matchFields, and reports status", () =>
    withSql((sql) => {
      const c = cluster(sql);
      const created = c.reg.create(R.ds, "default", dsObj("agent"), c.w());
      c.settle();
      const pods = c.pods();
      expect(pods.map(c.nodeOf).sort()).toEqual(["node-1", "node-2", "node-3"]);
      const hash = templateHash(created.spec.template);
      for (const p of pods) {
        expect(p.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
        expect(p.metadata.labels).toEqual({ app: "agent", [REVISION_HASH]: hash, "pod-template-generation": "1" });
        expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
        expect(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({ nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [c.nodeOf(p)] }] }] });
        expect(p.spec.tolerations).toEqual(expect.arrayContaining([
          { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
          { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
          { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
          { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
          { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
          { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
        ]));
      }
      expect(c.ds("agent").status).toEqual({ currentNumberScheduled: 3, desiredNumberScheduled: 3, numberMisscheduled: 0, numberReady: 0, observedGeneration: 1, updatedNumberScheduled: 3, numberUnavailable: 3 });
      for (const p of pods) c.ready(p);
      c.settle();
      expect(c.ds("agent").status).toEqual({ currentNumberScheduled: 3, desiredNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3, observedGeneration: 1, updatedNumberScheduled: 3, numberAvailable: 3 });
      const events = c.reg.list(R.events, "default").items.filter((e) => e.reason === "SuccessfulCreate");
      expect(events.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
      expect(events[0].source.component).toBe("daemonset-controller");

      // A full resync with nothing to do writes nothing.
      const rev = c.etcd.revision;
      c.cm.stop();
      c.settle();
      expect(c.etcd.revision).toBe(rev);
    }));

  it("skips a tainted node unless tolerated, honours nodeSelector, and rides out unschedulable", () =>
    withSql((sql) => {
      const c = cluster(sql, []);
      c.reg.create(R.nodes, undefined, nodeObj("plain"), c.w());
      c.reg.create(R.nodes, undefined, nodeObj("gpu", { labels: { gpu: "true" }, taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }), c.w());
      c.reg.create(R.nodes, undefined, nodeObj("cordoned", { taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] }), c.w());
      c.reg.create(R.ds, "default", dsObj("plain"), c.w());
      c.reg.create(R.ds, "default", dsObj("tolerant", { tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] }), c.w());
      c.reg.create(R.ds, "default", dsObj("gpu-only", { nodeSelector: { gpu: "true" }, tolerations: [{ operator: "Exists" }] }), c.w());
      c.settle();
      const on = (ds: string) => c.pods().filter((p) => p.metadata.labels!.app === ds).map(c.nodeOf).sort();
      expect(on("plain")).toEqual(["cordoned", "plain"]);
      expect(on("tolerant")).toEqual(["cordoned", "gpu", "plain"]);
      expect(on("gpu-only")).toEqual(["gpu"]);
      expect(c.ds("plain").status.desiredNumberScheduled).toBe(2);

      expect(shouldRunOn({}, nodeObj("x", { taints: [{ key: "k", effect: "NoSchedule" }] }))).toEqual({ run: false, stay: true });
      expect(shouldRunOn({}, nodeObj("x", { taints: [{ key: "k", effect: "NoExecute" }] }))).toEqual({ run: false, stay: false });
      expect(shouldRunOn({}, nodeObj("x", { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoExecute" }] }))).toEqual({ run: true, stay: true });

      // A NoExecute taint evicts the daemon pod; a NoSchedule one would not.
      c.reg.guaranteedUpdate(R.nodes, undefined, "plain", c.w(), (n) => ({ ...n, spec: { taints: [{ key: "maintenance", effect: "NoExecute" }] } }));
      c.settle();
      expect(on("plain")).toEqual(["cordoned"]);
    }));

  it("adds a pod when a node joins and drops the pod of a node that leaves", () =>
    withSql((sql) => {
      const c = cluster(sql, ["node-1"]);
      c.reg.create(R.ds, "default", dsObj("agent"), c.w());
      c.settle();
      expect(c.pods().map(c.nodeOf)).toEqual(["node-1"]);
      c.reg.create(R.nodes, undefined, nodeObj("node-2"), c.w());
      c.settle();
      expect(c.pods().map(c.nodeOf).sort()).toEqual(["node-1", "node-2"]);
      expect(c.ds("agent").status.desiredNumberScheduled).toBe(2);
      // Heartbeats (status-only node writes) do not wake the controller.
      const before = c.cm.reconciles.get("daemonset");
      c.reg.guaranteedUpdate(R.nodes, undefined, "node-2", c.w(), (n) => ({ ...n, status: { ...n.status, conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: "2026-01-01T00:00:10Z" }] } }));
      c.settle();
      expect(c.cm.reconciles.get("daemonset")).toBe(before);
      c.reg.delete(R.nodes, undefined, "node-1", c.w());
      c.settle();
      expect(c.pods().map(c.nodeOf)).toEqual(["node-2"]);
    }));

  it("rolls a template change one node at a time (maxUnavailable 1)", () =>
    withSql((sql) => {
      const c = cluster(sql, ["n1", "n2", "n3", "n4"]);
      c.reg.create(R.ds, "default", dsObj("agent"), c.w());
      c.settle();
      for (const p of c.pods()) c.ready(p);
      c.settle();
      const oldHash = c.pods()[0].metadata.labels![REVISION_HASH];
      const updated = c.reg.guaranteedUpdate(R.ds, "default", "agent", c.w(), (d) => {
        d.spec.template.spec.containers[0].image = "fluentd:2";
        return d;
      });
      const newHash = templateHash(updated.spec.template);
      expect(newHash).not.toBe(oldHash);
      for (let round = 0; round < 10; round++) {
        c.settle();
        const pods = c.pods();
        const unavailable = 4 - pods.filter((p) => p.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True")).length;
        expect(unavailable).toBeLessThanOrEqual(1);
        if (pods.length === 4 && pods.every((p) => p.metadata.labels![REVISION_HASH] === newHash) && unavailable === 0) break;
        for (const p of pods) if (p.metadata.labels![REVISION_HASH] === newHash && !p.status?.conditions) c.ready(p);
      }
      const pods = c.pods();
      expect(pods).toHaveLength(4);
      expect(pods.every((p) => p.metadata.labels![REVISION_HASH] === newHash && p.spec.containers[0].image === "fluentd:2")).toBe(true);
      expect(pods.map(c.nodeOf).sort()).toEqual(["n1", "n2", "n3", "n4"]);
      c.settle();
      expect(c.ds("agent").status).toMatchObject({ observedGeneration: 2, updatedNumberScheduled: 4, numberAvailable: 4, numberReady: 4 });
      expect(c.reg.list(R.events, "default").items.filter((e) => e.reason === "SuccessfulDelete")).toHaveLength(4);
    }));
});
