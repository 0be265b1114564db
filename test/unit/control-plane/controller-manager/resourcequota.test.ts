import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { client, joinAs, newClassroom } from "../../api-helpers";
import { recordEvent } from "../../../../src/control-plane/api-server/events";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import { ApiError } from "../../../../src/control-plane/api-server/status";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { resourceQuotaController } from "../../../../src/control-plane/controller-manager/resourcequota-controller";
import { quotaAdmission } from "../../../../src/control-plane/api-server/registry/quota-admission";
import { withSql } from "../../helpers";
import type { Sql } from "../../../../src/control-plane/etcd/sql";

const admin = { username: "t", groups: ["system:masters"] };
const R = {
  ns: findResource("", "v1", "namespaces")!, pods: findResource("", "v1", "pods")!, quotas: findResource("", "v1", "resourcequotas")!,
  services: findResource("", "v1", "services")!, configmaps: findResource("", "v1", "configmaps")!,
};
const T0 = Date.parse("2026-01-01T00:00:00Z");

function cluster(sql: Sql) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  reg.addAdmission(quotaAdmission);
  const clock = { now: T0 };
  const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
  cm.register(resourceQuotaController(reg));
  const w = () => ({ user: admin, now: new Date(clock.now) });
  reg.create(R.ns, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, w());
  const settle = () => {
    for (let i = 0; i < 100; i++) {
      const next = cm.run();
      if (next === null || next > clock.now) return next;
    }
    throw new Error("controllers never settle");
  };
  const quota = (name = "compute-quota") => reg.get(R.quotas, "default", name);
  return { etcd, reg, clock, cm, w, settle, quota };
}

const pod = (name: string, resources?: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1", kind: "Pod", metadata: { name },
  spec: { containers: [{ name: "app", image: "nginx", ...(resources ? { resources } : {}) }], ...extra },
});
const quotaObj = (name: string, hard: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name }, spec: { hard, ...spec } });

function refusal(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return { code: e.status.code!, reason: e.status.reason!, message: e.status.message! };
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("resourcequota controller and admission", () => {
  it("counts usage into status, refuses the pod over quota with the real message, and stores nothing", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.quotas, "default", quotaObj("compute-quota", { "requests.cpu": "2", "requests.memory": "2Gi", pods: "10" }), c.w());
      c.settle();
      expect(c.quota().status).toEqual({ hard: { "requests.cpu": "2", "requests.memory": "2Gi", pods: "10" }, used: { "requests.cpu": "0", "requests.memory": "0", pods: "0" } });

      for (let i = 0; i < 3; i++) c.reg.create(R.pods, "default", pod(`web-${i}`, { requests: { cpu: "600m", memory: "256Mi" } }), c.w());
      // Admission charged each create at once, before the controller ran.
      expect(c.quota().status.used).toEqual({ "requests.cpu": "1800m", "requests.memory": "768Mi", pods: "3" });
      c.settle();
      expect(c.quota().status.used).toEqual({ "requests.cpu": "1800m", "requests.memory": "768Mi", pods: "3" });

      const err = refusal(() => c.reg.create(R.pods, "default", pod("big", { requests: { cpu: "500m", memory: "128Mi" } }), c.w()));
      expect(err).toEqual({ code: 403, reason: "Forbidden", message: 'pods "big" is forbidden: exceeded quota: compute-quota, requested: requests.cpu=500m, used: requests.cpu=1800m, limited: requests.cpu=2' });
      expect(c.reg.tryGet(R.pods, "default", "big")).toBeUndefined();
      expect(c.quota().status.used["requests.cpu"]).toBe("1800m");

      // Exactly up to the limit is allowed; then a deleted pod frees its share.
      c.reg.create(R.pods, "default", pod("fits", { requests: { cpu: "200m", memory: "128Mi" } }), c.w());
      expect(c.quota().status.used["requests.cpu"]).toBe("2");
      c.reg.delete(R.pods, "default", "web-0", c.w());
      c.settle();
      expect(c.quota().status.used).toEqual({ "requests.cpu": "1400m", "requests.memory": "640Mi", pods: "3" });
    }));

  it("refuses pods that do not state limits under a limits quota", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.quotas, "default", quotaObj("compute-quota", { "limits.cpu": "4", "limits.memory": "4Gi" }), c.w());
      c.settle();
      const err = refusal(() => c.reg.create(R.pods, "default", pod("nolimits", { requests: { cpu: "100m" } }), c.w()));
      expect(err.code).toBe(403);
      expect(err.message).toBe('pods "nolimits" is forbidden: failed quota: compute-quota: must specify limits.cpu for: app; limits.memory for: app');
      expect(c.reg.tryGet(R.pods, "default", "nolimits")).toBeUndefined();
      c.reg.create(R.pods, "default", pod("ok", { limits: { cpu: "1", memory: "1Gi" } }), c.w());
      c.settle();
      expect(c.quota().status.used).toEqual({ "limits.cpu": "1", "limits.memory": "1Gi" });
    }));

  it("counts objects (services, count/configmaps) and terminal pods only in count/pods", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.quotas, "default", quotaObj("objects", { services: "1", "services.loadbalancers": "0", "count/configmaps": "2", pods: "5", "count/pods": "5" }), c.w());
      c.settle();
      c.reg.create(R.services, "default", { apiVersion: "v1", kind: "Service", metadata: { name: "a" }, spec: { ports: [{ port: 80 }] } }, c.w());
      const err = refusal(() => c.reg.create(R.services, "default", { apiVersion: "v1", kind: "Service", metadata: { name: "b" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }, c.w()));
      expect(err.message).toBe('services "b" is forbidden: exceeded quota: objects, requested: services=1,services.loadbalancers=1, used: services=1,services.loadbalancers=0, limited: services=1,services.loadbalancers=0');
      c.reg.create(R.configmaps, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "one" } }, c.w());
      c.reg.create(R.pods, "default", pod("done"), c.w());
      c.reg.guaranteedUpdate(R.pods, "default", "done", c.w(), (p) => ({ ...p, status: { phase: "Succeeded" } }), "status");
      c.settle();
      expect(c.quota("objects").status.used).toEqual({ services: "1", "services.loadbalancers": "0", "count/configmaps": "1", pods: "0", "count/pods": "1" });
    }));

  it("is idempotent: a settled namespace writes nothing more", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.quotas, "default", quotaObj("compute-quota", { cpu: "2", memory: "1G" }), c.w());
      c.reg.create(R.quotas, "default", quotaObj("besteffort", { pods: "1" }, { scopes: ["BestEffort"] }), c.w());
      c.settle();
      c.reg.create(R.pods, "default", pod("a", { requests: { cpu: "250m", memory: "500M" } }), c.w());
      c.reg.create(R.pods, "default", pod("b", { requests: { cpu: "250m", memory: "500M" } }), c.w());
      c.settle();
      expect(c.quota().status.used).toEqual({ cpu: "500m", memory: "1G" });
      expect(c.quota("besteffort").status.used).toEqual({ pods: "0" });
      const rev = c.etcd.revision;
      c.clock.now += 6 * 60_000; // past the periodic recount
      c.settle();
      expect(c.etcd.revision).toBe(rev);
    }));

  it("charges at once so back-to-back creates cannot both fit; dry runs charge nothing; updates are judged by their growth", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.quotas, "default", quotaObj("few", { pods: "1", "services.loadbalancers": "0" }), c.w());
      c.settle();
      c.reg.create(R.pods, "default", pod("dry"), { ...c.w(), dryRun: true });
      expect(c.quota("few").status.used.pods).toBe("0");
      c.reg.create(R.pods, "default", pod("first"), c.w());
      // No controller run in between: the admission's own charge refuses the second.
      const err = refusal(() => c.reg.create(R.pods, "default", pod("second"), c.w()));
      expect(err.message).toBe('pods "second" is forbidden: exceeded quota: few, requested: pods=1, used: pods=1, limited: pods=1');

      c.reg.create(R.services, "default", { apiVersion: "v1", kind: "Service", metadata: { name: "svc" }, spec: { ports: [{ port: 80 }] } }, c.w());
      const up = refusal(() => c.reg.guaranteedUpdate(R.services, "default", "svc", c.w(), (s) => ({ ...s, spec: { ...s.spec, type: "LoadBalancer" } })));
      expect(up.message).toBe('services "svc" is forbidden: exceeded quota: few, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0');
      expect(c.reg.get(R.services, "default", "svc").spec.type).toBe("ClusterIP");
    }));

  it("refuses writes a quota restricts until its usage has been counted", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.quotas, "default", quotaObj("fresh", { pods: "2", "requests.cpu": "1" }), c.w());
      // No status yet: the quota restricts nothing.
      c.reg.create(R.pods, "default", pod("early", { requests: { cpu: "100m" } }), c.w());
      c.reg.guaranteedUpdate(R.quotas, "default", "fresh", c.w(), (q) => ({ ...q, status: { hard: q.spec.hard, used: { pods: "1" } } }), "status");
      const err = refusal(() => c.reg.create(R.pods, "default", pod("late", { requests: { cpu: "100m" } }), c.w()));
      expect(err.message).toBe('pods "late" is forbidden: status unknown for quota: fresh, resources: pods,requests.cpu');
      c.settle();
      expect(c.quota("fresh").status.used).toEqual({ pods: "1", "requests.cpu": "100m" });
      c.reg.create(R.pods, "default", pod("late", { requests: { cpu: "100m" } }), c.w());
      expect(c.quota("fresh").status.used).toEqual({ pods: "2", "requests.cpu": "200m" });
    }));
});

describe("count/events in the student quota", () => {
  const run = (runInDurableObject as unknown) as <T>(stub: unknown, fn: (obj: any) => Promise<T> | T) => Promise<T>;
  const stubOf = (id: string): any => {
    const ns = (env as any).CLASSROOM;
    return ns.get(ns.idFromName(id));
  };

  it("refuses the system's Event past the quota with the real message; its recorders drop it and pods still start", async () => {
    const cls = await newClassroom("events-quota", 1);
    const stub = () => stubOf(cls.id);
    await stub().setClock({ paused: true });
    const ana = client(cls, (await joinAs(cls, "ana")).body.token);
    const admin = client(cls);
    await stub().advance(1000);
    const quotaPath = "/api/v1/namespaces/student-ana/resourcequotas/student-quota";
    expect((await admin.get(quotaPath)).body.status.used["count/events"]).toBe("0");

    // The system's recorder (controllers, scheduler) writes until the quota refuses; every Event is
    // about another object, so the correlator combines none of them.
    const written = await run(stub(), (obj) => {
      const at = new Date(obj.loop.now());
      let n = 0;
      for (let i = 0; i < 1100; i++) {
        const regarding = { apiVersion: "v1", kind: "Pod", metadata: { name: `p${i}`, namespace: "student-ana", uid: `uid-${i}` } };
        if (!recordEvent(obj.api.registry, { regarding, reason: "Pulled", message: `image pulled for p${i}`, component: "kubelet", host: "node-1", now: at })) break;
        n++;
      }
      return n;
    });
    expect(written).toBe(1000);
    await stub().advance(1000);
    const counted = (await admin.get(quotaPath)).body;
    expect(counted.spec.hard["count/events"]).toBe("1k"); // 1000 in the canonical form a real API server prints
    expect(counted.status.used["count/events"]).toBe("1k");

    const event = {
      apiVersion: "v1", kind: "Event", metadata: { name: "extra", namespace: "student-ana" },
      involvedObject: { kind: "Pod", name: "p0", namespace: "student-ana" }, reason: "Extra", message: "one more", type: "Normal", source: { component: "test" },
    };
    const over = await admin.post("/api/v1/namespaces/student-ana/events", event);
    expect(over.status).toBe(403);
    expect(over.body).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
    expect(over.body.message).toBe('events "extra" is forbidden: exceeded quota: student-quota, requested: count/events=1, used: count/events=1k, limited: count/events=1k');

    // Nothing else breaks: the scheduler's, the controllers' and the kubelet's Events are refused
    // and dropped, and the student's Deployment still runs.
    const faultsBefore = (await run(stub(), (obj) => obj.loop.faults())).total;
    const deployment = {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" },
      spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] } } },
    };
    expect((await ana.post("/apis/apps/v1/namespaces/student-ana/deployments", deployment)).status).toBe(201);
    await stub().advance(60_000);
    const pods = (await ana.get("/api/v1/namespaces/student-ana/pods?labelSelector=app%3Dweb")).body.items as any[];
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.spec.nodeName === "node-1" && p.status.phase === "Running")).toBe(true);
    expect((await ana.get("/api/v1/namespaces/student-ana/events")).body.items).toHaveLength(1000);
    expect((await admin.get(quotaPath)).body.status.used["count/events"]).toBe("1k");
    expect((await run(stub(), (obj) => obj.loop.faults())).total).toBe(faultsBefore);
  }, 60_000);
});
