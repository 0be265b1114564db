import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { deploymentController } from "../../../../src/control-plane/controller-manager/deployment/deployment-controller";
import { replicaSetController } from "../../../../src/control-plane/controller-manager/replicaset-controller";
import { statefulSetController } from "../../../../src/control-plane/controller-manager/statefulset-controller";
import { formatMilliQuantity, hpaController } from "../../../../src/control-plane/controller-manager/hpa/hpa-controller";
import { withSql } from "../../helpers";
import type { Sql } from "../../../../src/control-plane/etcd/sql";

const admin = { username: "t", groups: ["system:masters"] };
const R = {
  ns: findResource("", "v1", "namespaces")!, pods: findResource("", "v1", "pods")!, events: findResource("", "v1", "events")!,
  deploy: findResource("apps", "v1", "deployments")!, sts: findResource("apps", "v1", "statefulsets")!,
  hpa: findResource("autoscaling", "v2", "horizontalpodautoscalers")!,
};
const T0 = Date.parse("2026-01-01T00:00:00Z");

function cluster(sql: Sql) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  const clock = { now: T0 };
  const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
  /** The metrics source: per-pod cpu usage in millicores, the same for every pod unless set. */
  const load = { cpuMillis: 0, memoryBytes: 0, perPod: new Map<string, number>() };
  const usage = () => new Map(reg.list(R.pods, "default").items.map((p) => [`default/${p.metadata.name}`, { cpuMillis: load.perPod.get(p.metadata.name!) ?? load.cpuMillis, memoryBytes: load.memoryBytes }]));
  cm.register(deploymentController(reg));
  cm.register(replicaSetController(reg));
  cm.register(statefulSetController(reg));
  cm.register(hpaController(reg, usage));
  const w = () => ({ user: admin, now: new Date(clock.now) });
  reg.create(R.ns, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, w());
  /** The kubelet's part: every pod Running and Ready as soon as it exists. */
  const runPods = () => {
    for (const p of reg.list(R.pods, "default").items) {
      if (p.status?.phase === "Running" || p.metadata.deletionTimestamp) continue;
      const ts = new Date(clock.now).toISOString().replace(/\.\d+Z$/, "Z");
      reg.update(R.pods, "default", p.metadata.name!, { ...p, status: { ...(p.status ?? {}), phase: "Running", startTime: ts, conditions: [{ type: "Ready", status: "True", lastTransitionTime: ts }] } }, w(), "status");
    }
  };
  const settle = (): number | null => {
    for (let i = 0; i < 100; i++) {
      const next = cm.run();
      runPods();
      // Settled: nothing due now and every pod running.
      if ((next === null || next > clock.now) && !reg.list(R.pods, "default").items.some((p) => p.status?.phase !== "Running")) return next;
    }
    throw new Error("controllers never settle");
  };
  const advance = (ms: number) => { clock.now += ms; return settle(); };
  const replicas = (name = "web") => reg.get(R.deploy, "default", name).spec.replicas;
  const livePods = () => reg.list(R.pods, "default").items.filter((p) => !p.metadata.deletionTimestamp);
  const hpa = (name = "web") => reg.get(R.hpa, "default", name);
  const events = (reason?: string) => reg.list(R.events, "default").items.filter((e) => !reason || e.reason === reason);
  return { etcd, reg, clock, cm, w, load, settle, advance, replicas, livePods, hpa, events };
}

const container = (requests?: Record<string, string>) => ({ name: "php", image: "registry.k8s.io/hpa-example", ...(requests ? { resources: { requests } } : {}) });
const deployObj = (name: string, replicas: number, requests: Record<string, string> | null = { cpu: "200m" }): KubeObject => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container(requests ?? undefined)] } } },
});
const hpaObj = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name }, minReplicas: 1, maxReplicas: 10,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
    ...spec,
  },
});
const cond = (h: KubeObject, type: string) => h.status?.conditions?.find((c: any) => c.type === type);

describe("horizontal pod autoscaler controller", () => {
  it("scales a Deployment up when usage is above target, at most 4 pods or double per 15 s", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.deploy, "default", deployObj("web", 1), c.w());
      c.settle();
      expect(c.livePods()).toHaveLength(1);
      c.load.cpuMillis = 200; // 100% of the 200m request against a 50% target: wants 2
      c.reg.create(R.hpa, "default", hpaObj("web"), c.w());
      expect(c.settle()).toBe(c.clock.now + 15_000);
      expect(c.replicas()).toBe(2);
      expect(c.livePods()).toHaveLength(2);
      let h = c.hpa();
      expect(h.status).toMatchObject({ currentReplicas: 1, desiredReplicas: 2, lastScaleTime: "2026-01-01T00:00:00Z" });
      expect(h.status.currentMetrics).toEqual([{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 100, averageValue: "200m" } } }]);
      expect(cond(h, "AbleToScale")).toMatchObject({ status: "True", reason: "SucceededRescale", message: "the HPA controller was able to update the target scale to 2" });
      expect(cond(h, "ScalingActive")).toMatchObject({ status: "True", reason: "ValidMetricFound", message: "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)" });
      expect(cond(h, "ScalingLimited")).toMatchObject({ status: "False", reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" });
      expect(c.events("SuccessfulRescale").map((e) => [e.message, e.source.component])).toEqual([["New size: 2; reason: cpu resource utilization (percentage of request) above target", "horizontal-pod-autoscaler"]]);

      // Heavy load: 4x the target wants 8, but one sync may only go to max(2*2, 4) = 4.
      c.load.cpuMillis = 400;
      c.advance(15_000);
      expect(c.replicas()).toBe(4);
      h = c.hpa();
      expect(cond(h, "ScalingLimited")).toMatchObject({ status: "True", reason: "ScaleUpLimit", message: "the desired replica count is increasing faster than the maximum scale rate" });
      expect(c.events("SuccessfulRescale").map((e) => e.message)).toContain("New size: 4; reason: cpu resource utilization (percentage of request) above target");
      c.advance(15_000);
      expect(c.replicas()).toBe(8);
      // Still above target at 8 pods: wants 16, clamped at maxReplicas 10.
      c.advance(15_000);
      expect(c.replicas()).toBe(10);
      expect(cond(c.hpa(), "ScalingLimited")).toMatchObject({ status: "True", reason: "TooManyReplicas", message: "the desired replica count is more than the maximum replica count" });

      // Idempotent: at max with the same load, one more sync changes nothing but the status.
      c.advance(15_000);
      const rev = c.etcd.revision;
      c.advance(15_000);
      expect(c.replicas()).toBe(10);
      expect(c.etcd.revision).toBe(rev);
    }));

  it("holds a scale-down for the 5 minute stabilization window, and respects minReplicas", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.deploy, "default", deployObj("web", 4), c.w());
      c.settle();
      c.load.cpuMillis = 100; // exactly at the 50% target
      c.reg.create(R.hpa, "default", hpaObj("web", { minReplicas: 2 }), c.w());
      c.settle();
      expect(c.replicas()).toBe(4);
      expect(cond(c.hpa(), "AbleToScale")).toMatchObject({ reason: "ReadyForNewScale", message: "recommended size matches current size" });

      c.load.cpuMillis = 10; // idle: wants 1, below minReplicas 2
      c.advance(15_000);
      expect(c.replicas()).toBe(4);
      expect(cond(c.hpa(), "AbleToScale")).toMatchObject({ status: "True", reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" });
      for (let t = 30_000; t < 300_000; t += 15_000) c.advance(15_000);
      expect(c.replicas()).toBe(4);
      c.advance(15_000); // the last recommendation of 4 is now older than 5 minutes
      c.advance(15_000);
      expect(c.replicas()).toBe(2);
      expect(c.events("SuccessfulRescale").map((e) => e.message)).toContain("New size: 2; reason: All metrics below target");
      expect(cond(c.hpa(), "ScalingLimited")).toMatchObject({ status: "True", reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" });
    }));

  it("stays within the 10% tolerance", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.deploy, "default", deployObj("web", 3), c.w());
      c.settle();
      c.load.cpuMillis = 108; // 54% of request against 50%: a ratio of 1.08
      c.reg.create(R.hpa, "default", hpaObj("web"), c.w());
      c.settle();
      c.advance(15_000);
      expect(c.replicas()).toBe(3);
      expect(c.hpa().status).toMatchObject({ currentReplicas: 3, desiredReplicas: 3 });
      expect(c.events("SuccessfulRescale")).toHaveLength(0);
    }));

  it("brings replicas into [minReplicas, maxReplicas] whatever the metrics", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.deploy, "default", deployObj("web", 7), c.w());
      c.load.cpuMillis = 100;
      c.reg.create(R.hpa, "default", hpaObj("web", { minReplicas: 2, maxReplicas: 5 }), c.w());
      c.settle();
      expect(c.replicas()).toBe(5);
      expect(c.events("SuccessfulRescale").map((e) => e.message)).toEqual(["New size: 5; reason: Current number of replicas above Spec.MaxReplicas"]);
    }));

  it("reports a missing cpu request as FailedGetResourceMetric and does not scale", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.deploy, "default", deployObj("web", 1, null), c.w());
      c.settle();
      c.load.cpuMillis = 500;
      c.reg.create(R.hpa, "default", hpaObj("web"), c.w());
      c.settle();
      const pod = c.livePods()[0].metadata.name;
      expect(c.replicas()).toBe(1);
      const h = c.hpa();
      expect(cond(h, "AbleToScale")).toMatchObject({ status: "True", reason: "SucceededGetScale" });
      expect(cond(h, "ScalingActive")).toMatchObject({ status: "False", reason: "FailedGetResourceMetric", message: `the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container php of Pod ${pod}` });
      expect(c.events("FailedGetResourceMetric").map((e) => [e.type, e.message])).toEqual([["Warning", `failed to get cpu utilization: missing request for cpu in container php of Pod ${pod}`]]);
      expect(c.events("FailedComputeMetricsReplicas").map((e) => e.message)).toEqual([`invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: missing request for cpu in container php of Pod ${pod}`]);
    }));

  it("scales by AverageValue and with spec.behavior rules, and targets StatefulSets", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.sts, "default", {
        apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db" },
        spec: { replicas: 2, serviceName: "db", podManagementPolicy: "Parallel", selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } }, spec: { containers: [container()] } } },
      }, c.w());
      c.settle();
      c.load.memoryBytes = 300 * 1024 * 1024;
      c.reg.create(R.hpa, "default", hpaObj("db", {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: "db" }, maxReplicas: 20,
        metrics: [{ type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } } }],
        behavior: { scaleUp: { policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
      }), c.w());
      c.settle();
      const sts = () => c.reg.get(R.sts, "default", "db");
      expect(sts().spec.replicas).toBe(3); // wants 6; one pod per minute
      expect(c.hpa("db").status.currentMetrics).toEqual([{ type: "Resource", resource: { name: "memory", current: { averageValue: "314572800" } } }]);
      expect(c.events("SuccessfulRescale").map((e) => e.message)).toEqual(["New size: 3; reason: memory resource above target"]);
      c.advance(15_000);
      expect(sts().spec.replicas).toBe(3);
      c.advance(45_000);
      expect(sts().spec.replicas).toBe(4);
    }));

  it("reports FailedGetScale for a missing target, and forgets a deleted HPA", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.hpa, "default", hpaObj("ghost"), c.w());
      expect(c.settle()).toBe(c.clock.now + 15_000);
      expect(cond(c.hpa("ghost"), "AbleToScale")).toMatchObject({ status: "False", reason: "FailedGetScale", message: `the HPA controller was unable to get the target's current scale: deployments.apps "ghost" not found` });
      expect(c.events("FailedGetScale").map((e) => e.message)).toEqual([`deployments.apps "ghost" not found`]);
      c.reg.delete(R.hpa, "default", "ghost", c.w());
      expect(c.advance(15_000)).toBeNull(); // no more periodic syncs
    }));

  it("formats milli-quantities as DecimalSI", () => {
    expect(formatMilliQuantity(250)).toBe("250m");
    expect(formatMilliQuantity(2000)).toBe("2");
    expect(formatMilliQuantity(100_000_000_000)).toBe("100M");
  });
});
