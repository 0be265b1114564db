// Subresources and the less common verbs, through the real Worker entry.
import { describe, expect, it } from "vitest";
import { client, newClassroom, nginxDeployment, pod, readEvents } from "../../api-helpers";

describe("subresources", () => {
  it("status writes change only status; main writes never change status", async () => {
    const k = client(await newClassroom("api", 0, { controllers: false }));
    await k.post("/apis/apps/v1/namespaces/default/deployments", nginxDeployment);
    const path = "/apis/apps/v1/namespaces/default/deployments/nginx-deployment";
    const st = await k.patch(`${path}/status`, { status: { replicas: 3, readyReplicas: 2 }, spec: { replicas: 9 } }, "application/merge-patch+json");
    expect(st.status).toBe(200);
    expect(st.body.status).toMatchObject({ replicas: 3, readyReplicas: 2 });
    expect(st.body.spec.replicas).toBe(3);
    const main = await k.patch(path, { status: { replicas: 0 }, spec: { replicas: 4 } }, "application/merge-patch+json");
    expect(main.body.status.replicas).toBe(3);
    expect(main.body.spec.replicas).toBe(4);
    expect((await k.get(`${path}/status`)).body.status.readyReplicas).toBe(2);
  });

  it("scale reads and writes spec.replicas through an autoscaling/v1 Scale", async () => {
    const k = client(await newClassroom());
    await k.post("/apis/apps/v1/namespaces/default/deployments", nginxDeployment);
    const path = "/apis/apps/v1/namespaces/default/deployments/nginx-deployment";
    const scale = await k.get(`${path}/scale`);
    expect(scale.body).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 3 }, status: { selector: "app=nginx" } });
    const patched = await k.patch(`${path}/scale`, { spec: { replicas: 5 } }, "application/merge-patch+json");
    expect(patched.body.spec.replicas).toBe(5);
    expect((await k.get(path)).body.spec.replicas).toBe(5);
    const bad = await k.patch(`${path}/scale`, { spec: { replicas: -1 } }, "application/merge-patch+json");
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0].field).toBe("spec.replicas");
  });

  it("binding assigns a node once, with the PodScheduled condition", async () => {
    const k = client(await newClassroom());
    await k.post("/api/v1/namespaces/default/pods", pod("p"));
    const target = { apiVersion: "v1", kind: "Binding", metadata: { name: "p" }, target: { apiVersion: "v1", kind: "Node", name: "node-1" } };
    expect((await k.post("/api/v1/namespaces/default/pods/p/binding", target)).status).toBe(201);
    const p = (await k.get("/api/v1/namespaces/default/pods/p")).body;
    expect(p.spec.nodeName).toBe("node-1");
    expect(p.status.conditions.find((c: any) => c.type === "PodScheduled").status).toBe("True");
    const again = await k.post("/api/v1/namespaces/default/pods/p/binding", { ...target, target: { ...target.target, name: "node-2" } });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('is already assigned to node "node-1"');
  });

  it("a pod on a node is deleted gracefully; eviction and grace 0 finish it", async () => {
    const k = client(await newClassroom());
    for (const n of ["a", "b"]) {
      await k.post("/api/v1/namespaces/default/pods", pod(n));
      await k.post(`/api/v1/namespaces/default/pods/${n}/binding`, { apiVersion: "v1", kind: "Binding", metadata: { name: n }, target: { kind: "Node", name: "node-1" } });
    }
    const graceful = await k.del("/api/v1/namespaces/default/pods/a");
    expect(graceful.status).toBe(202);
    expect(graceful.body.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(graceful.body.metadata.deletionTimestamp).toBeTruthy();
    expect((await k.get("/api/v1/namespaces/default/pods/a")).status).toBe(200);
    expect((await k.del("/api/v1/namespaces/default/pods/a", { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 })).status).toBe(200);
    expect((await k.get("/api/v1/namespaces/default/pods/a")).status).toBe(404);

    const evicted = await k.post("/api/v1/namespaces/default/pods/b/eviction", { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "b" }, deleteOptions: { gracePeriodSeconds: 0 } });
    expect(evicted.status).toBe(201);
    expect(evicted.body).toMatchObject({ kind: "Status", status: "Success" });
    expect((await k.get("/api/v1/namespaces/default/pods/b")).status).toBe(404);
  });

  it("log asks for a container when a pod has several, and is empty until the pod runs", async () => {
    const k = client(await newClassroom());
    await k.post("/api/v1/namespaces/default/pods", { ...pod("two"), spec: { containers: [{ name: "a", image: "nginx" }, { name: "b", image: "redis" }] } });
    const ask = await k.get("/api/v1/namespaces/default/pods/two/log");
    expect(ask.status).toBe(400);
    expect(ask.body.message).toBe("a container name must be specified for pod two, choose one of: [a b]");
    expect((await k.get("/api/v1/namespaces/default/pods/two/log?container=zz")).status).toBe(400);
    const log = await k.call("GET", "/api/v1/namespaces/default/pods/two/log?container=a");
    expect(log.status).toBe(200);
    expect(await log.text()).toBe("");
  });
});

describe("other verbs", () => {
  it("deletecollection deletes what the selector matches", async () => {
    const k = client(await newClassroom());
    for (const [n, app] of [["a", "web"], ["b", "web"], ["c", "db"]]) await k.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: n, labels: { app } } });
    const res = await k.del("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb");
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.metadata.name)).toEqual(["a", "b"]);
    expect((await k.get("/api/v1/namespaces/default/configmaps")).body.items.map((i: any) => i.metadata.name).filter((n: string) => n !== "kube-root-ca.crt")).toEqual(["c"]);
  });

  it("dryRun=All validates and answers without storing", async () => {
    const k = client(await newClassroom());
    const res = await k.post("/api/v1/namespaces/default/configmaps?dryRun=All", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry" }, data: { a: "1" } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.uid).toBeTruthy();
    expect((await k.get("/api/v1/namespaces/default/configmaps/dry")).status).toBe(404);
  });

  it("finalizers hold a delete until they are removed", async () => {
    const k = client(await newClassroom());
    await k.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/hold"] } });
    const del = await k.del("/api/v1/namespaces/default/configmaps/held");
    expect(del.status).toBe(202);
    expect((await k.get("/api/v1/namespaces/default/configmaps/held")).body.metadata.deletionTimestamp).toBeTruthy();
    await k.patch("/api/v1/namespaces/default/configmaps/held", { metadata: { finalizers: null } }, "application/merge-patch+json");
    expect((await k.get("/api/v1/namespaces/default/configmaps/held")).status).toBe(404);
  });

  it("events.k8s.io/v1 and core Events are one store in two shapes", async () => {
    const k = client(await newClassroom());
    await k.post("/apis/events.k8s.io/v1/namespaces/default/events", {
      apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "e1" }, eventTime: "2026-01-01T00:00:00.000000Z",
      reason: "Pulled", note: "pulled nginx", type: "Normal", action: "Pull", reportingController: "kubelet", reportingInstance: "node-1",
      regarding: { kind: "Pod", name: "web", namespace: "default" },
    });
    const core = (await k.get("/api/v1/namespaces/default/events/e1")).body;
    expect(core).toMatchObject({ apiVersion: "v1", message: "pulled nginx", involvedObject: { name: "web" }, reportingComponent: "kubelet" });
    const byRegarding = await k.get("/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dweb");
    expect(byRegarding.body.items.map((e: any) => e.note)).toEqual(["pulled nginx"]);
  });

  it("autoscaling/v1 HPAs are stored as v2 and read back in either version", async () => {
    const k = client(await newClassroom());
    const v1 = { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "web" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 } };
    expect((await k.post("/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", v1)).status).toBe(201);
    const v2 = (await k.get("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web")).body;
    expect(v2.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
    expect((await k.get("/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web")).body.spec.targetCPUUtilizationPercentage).toBe(70);
  });

  it("a watch ends at timeoutSeconds; sendInitialEvents ends its initial state with a bookmark", async () => {
    const k = client(await newClassroom());
    await k.post("/api/v1/namespaces/default/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "a" } });
    const res = await k.call("GET", "/api/v1/namespaces/default/secrets?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1");
    const events = await readEvents(res, 99); // returns when the server closes the stream
    expect(events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK"]);
    expect(events[1].object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
  });

  it("answers unknown resources, bad verbs and bad parameters with Status errors", async () => {
    const k = client(await newClassroom());
    expect((await k.get("/api/v1/widgets")).status).toBe(404);
    expect((await k.get("/apis/apps/v1/namespaces/default/deployments/x/log")).status).toBe(404);
    expect((await k.call("PUT", "/api/v1/namespaces/default/pods", "{}")).status).toBe(405);
    expect((await k.get("/api/v1/pods?limit=abc")).status).toBe(400);
    expect((await k.get("/api/v1/pods?watch=true&resourceVersion=abc")).status).toBe(400);
    expect((await k.get("/api/v1/pods?continue=garbage")).status).toBe(400);
    expect((await k.patch("/api/v1/namespaces/default/pods/none", {}, "application/merge-patch+json")).status).toBe(404);
    expect((await k.patch("/api/v1/namespaces/default/pods/none", {}, "text/plain")).status).toBe(415);
  });
});
