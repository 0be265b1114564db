import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { client, newClassroom, nginxDeployment, pod, readEvents } from "../../api-helpers";
import { queryBool } from "../../../../src/control-plane/api-server/request-info";

/** Compacts a classroom's etcd history up to its current revision, from inside the object. */
async function compactClassroom(id: string): Promise<void> {
  const ns = (env as any).CLASSROOM;
  const run = (runInDurableObject as unknown) as (stub: unknown, fn: (obj: any) => void) => Promise<void>;
  await run(ns.get(ns.idFromName(id)), (obj) => obj.etcd.compact(obj.etcd.revision));
}

describe("classrooms and authentication", () => {
  it("creates a classroom with unguessable id and credentials and a kubeconfig", async () => {
    const cls = await newClassroom("Turma A");
    expect(cls.id).toMatch(/^[0-9a-f]{32}$/);
    expect(cls.instructorToken.length).toBeGreaterThanOrEqual(43); // 32 bytes base64url
    expect(cls.kubeconfig).toContain(`/clusters/${cls.id}/auth/${cls.instructorToken}`);
    expect(cls.kubeconfig).toContain("current-context:");
  });

  it("rejects bad classroom requests with a Status and field causes", async () => {
    const { exports } = await import("cloudflare:workers");
    const res = await (exports as any).default.fetch("http://kubeclass.test/api/classrooms", { method: "POST", body: JSON.stringify({ name: "", nodes: -1 }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(422);
    const body: any = await res.json();
    expect(body.reason).toBe("Invalid");
    expect(body.details.causes.map((c: any) => c.field)).toEqual(["name", "nodes"]);
  });

  it("answers 401 without a valid credential and never lets one classroom's token into another", async () => {
    const a = await newClassroom("a");
    const b = await newClassroom("b");
    expect((await client(a, "not-a-token").get("/api/v1/namespaces")).status).toBe(401);
    expect((await client({ ...b, instructorToken: a.instructorToken }).get("/api/v1/namespaces")).status).toBe(401);
    expect((await client(a, a.joinToken).get("/api/v1/namespaces")).status).toBe(401);
    const ok = await client(a).get("/api/v1/namespaces");
    expect(ok.status).toBe(200);
    expect(ok.body.items.map((n: any) => n.metadata.name).sort()).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
    // /version is public, as on a real cluster.
    const v = await client(a, "x").get("/version");
    expect(v.body.minor).toBe("32");
  });
});

describe("kubeclass API: bearer tokens, snapshot and restore", () => {
  it("accepts the instructor's bearer token on /clusters/<id>/ (the HTTPS form)", async () => {
    const { exports } = await import("cloudflare:workers");
    const cls = await newClassroom();
    const res = await (exports as any).default.fetch(`http://kubeclass.test/clusters/${cls.id}/api/v1/namespaces/default`, { headers: { authorization: `Bearer ${cls.instructorToken}` } });
    expect(res.status).toBe(200);
    const anon = await (exports as any).default.fetch(`http://kubeclass.test/clusters/${cls.id}/api/v1/namespaces/default`);
    expect(anon.status).toBe(401);
    expect((await (exports as any).default.fetch(`http://kubeclass.test/clusters/not-an-id/api`)).status).toBe(404);
  });

  it("lets only the instructor snapshot and restore etcd", async () => {
    const { exports } = await import("cloudflare:workers");
    const w = (exports as any).default;
    const cls = await newClassroom();
    const k = client(cls);
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    await k.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "keep" }, data: { v: "1" } });
    expect((await w.fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/snapshot`, { headers: auth(cls.joinToken) })).status).toBe(403);
    expect((await w.fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/snapshot`)).status).toBe(401);
    const snapRes = await w.fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/snapshot`, { headers: auth(cls.instructorToken) });
    expect(snapRes.status).toBe(200);
    const snap: any = await snapRes.json();
    expect(snap.kvs.map((kv: any) => kv.key)).toContain("/registry/configmaps/default/keep");

    await k.del("/api/v1/namespaces/default/configmaps/keep");
    await k.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "later" } });
    const bad = await w.fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/restore`, { method: "POST", headers: auth(cls.instructorToken), body: JSON.stringify({ nope: 1 }) });
    expect(bad.status).toBe(400);
    const restored = await w.fetch(`http://kubeclass.test/api/classrooms/${cls.id}/etcd/restore`, { method: "POST", headers: auth(cls.instructorToken), body: JSON.stringify(snap) });
    expect(restored.status).toBe(200);
    const names = (await k.get("/api/v1/namespaces/default/configmaps")).body.items.map((c: any) => c.metadata.name).filter((n: string) => n !== "kube-root-ca.crt");
    expect(names).toEqual(["keep"]);
  });
});

describe("CRUD, defaults and validation", () => {
  it("creates, reads, updates with optimistic concurrency, and deletes", async () => {
    const k = client(await newClassroom("api", 0, { controllers: false }));
    const created = await k.post("/apis/apps/v1/namespaces/default/deployments", nginxDeployment);
    expect(created.status).toBe(201);
    const d = created.body;
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.metadata.generation).toBe(1);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
    expect(d.spec.template.spec.containers[0].imagePullPolicy).toBe("IfNotPresent");
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", nginxDeployment)).body.reason).toBe("AlreadyExists");

    const stale = structuredClone(d);
    d.spec.replicas = 5;
    const upd = await k.put("/apis/apps/v1/namespaces/default/deployments/nginx-deployment", d);
    expect(upd.status).toBe(200);
    expect(upd.body.metadata.generation).toBe(2);
    stale.spec.replicas = 1;
    const conflict = await k.put("/apis/apps/v1/namespaces/default/deployments/nginx-deployment", stale);
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toBe('Operation cannot be fulfilled on deployments.apps "nginx-deployment": the object has been modified; please apply your changes to the latest version and try again');

    // A label change is metadata: generation stays.
    const labelled = await k.patch("/apis/apps/v1/namespaces/default/deployments/nginx-deployment", { metadata: { labels: { tier: "web" } } }, "application/merge-patch+json");
    expect(labelled.body.metadata.generation).toBe(2);
    expect(labelled.body.metadata.labels).toEqual({ app: "nginx", tier: "web" });

    const del = await k.del("/apis/apps/v1/namespaces/default/deployments/nginx-deployment");
    expect(del.status).toBe(200);
    expect((await k.get("/apis/apps/v1/namespaces/default/deployments/nginx-deployment")).status).toBe(404);
  });

  it("rejects invalid objects with 422 and causes, storing nothing", async () => {
    const k = client(await newClassroom());
    const bad = structuredClone(nginxDeployment);
    bad.metadata.name = "Bad_Name";
    (bad.spec.template.spec.containers[0] as any).image = "";
    const res = await k.post("/apis/apps/v1/namespaces/default/deployments", bad);
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^Deployment\.apps "Bad_Name" is invalid: \[/);
    expect(res.body.details.causes.map((c: any) => c.field)).toContain("metadata.name");
    expect(res.body.details.causes.map((c: any) => c.field)).toContain("spec.template.spec.containers[0].image");
    expect((await k.get("/apis/apps/v1/namespaces/default/deployments")).body.items).toHaveLength(0);
  });

  it("answers malformed bodies, wrong types, oversize bodies and unknown media types with Status errors", async () => {
    const k = client(await newClassroom());
    const malformed = await k.post("/api/v1/namespaces/default/pods", "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.kind).toBe("Status");
    const wrongKind = await k.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Service", metadata: { name: "x" } });
    expect(wrongKind.status).toBe(400);
    const big = await k.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: { a: "x".repeat(3 * 1024 * 1024) } });
    expect(big.status).toBe(413);
    const media = await k.post("/api/v1/namespaces/default/pods", "x", { "content-type": "text/csv" });
    expect(media.status).toBe(415);
    const missingNs = await k.post("/api/v1/namespaces/nope/pods", pod("a"));
    expect(missingNs.status).toBe(404);
    expect(missingNs.body.message).toBe('namespaces "nope" not found');
    expect((await k.get("/api/v1/namespaces/default/pods")).body.items).toHaveLength(0);
  });

  it("warns (HTTP Warning 299) about what is stored but not simulated", async () => {
    const k = client(await newClassroom());
    const res = await k.post("/api/v1/namespaces/default/pods", { ...pod("pvc"), spec: { containers: [{ name: "c", image: "nginx" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] } });
    expect(res.status).toBe(201);
    expect(res.headers.get("warning")).toBe('299 - "volume \\"data\\" uses persistentVolumeClaim, which kubeclass stores but does not simulate (no storage backend)"');
  });

  it("defaults pods: Pending status, QoS, default tolerations, pull policy from the tag", async () => {
    const k = client(await newClassroom());
    const p = (await k.post("/api/v1/namespaces/default/pods", { ...pod("web"), spec: { containers: [{ name: "c", image: "nginx" }] } })).body;
    expect(p.status).toMatchObject({ phase: "Pending", qosClass: "BestEffort" });
    expect(p.spec).toMatchObject({ restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30, schedulerName: "default-scheduler" });
    expect(p.spec.containers[0].imagePullPolicy).toBe("Always");
    expect(p.spec.tolerations.map((t: any) => t.key)).toEqual(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]);
  });
});

describe("paths with odd escapes", () => {
  it("a %XX that is not UTF-8 is a byte (no such object), a broken escape is 400: never a 500", async () => {
    const k = client(await newClassroom("escapes", 0, { controllers: false }));
    expect((await k.get("/api/v1/namespaces/%ff/pods")).status).toBe(200); // a namespace no one has: an empty list
    const cm = await k.get("/api/v1/namespaces/default/configmaps/%C0%AE");
    expect(cm.status).toBe(404);
    expect(cm.body).toMatchObject({ kind: "Status", reason: "NotFound", code: 404 });
    const apis = await k.get("/apis/%ff");
    expect(apis.status).toBe(404);
    const bad = await k.get("/api/v1/namespaces/default/pods/a%zz");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: "Status", reason: "BadRequest", message: 'invalid URL escape "%zz"' });
  });
});

describe("query booleans as apimachinery reads them", () => {
  it("force=True (the Python client's spelling) forces a server-side apply; force=false does not", async () => {
    const k = client(await newClassroom("bools", 0, { controllers: false }));
    const cm = (v: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { k: v } });
    const path = "/api/v1/namespaces/default/configmaps/c";
    expect((await k.patch(`${path}?fieldManager=a`, cm("1"), "application/apply-patch+yaml")).status).toBe(201);
    expect((await k.patch(`${path}?fieldManager=b&force=false`, cm("2"), "application/apply-patch+yaml")).status).toBe(409);
    const forced = await k.patch(`${path}?fieldManager=b&force=True`, cm("2"), "application/apply-patch+yaml");
    expect(forced.status).toBe(200);
    expect(forced.body.data.k).toBe("2");
    expect(queryBool(new URLSearchParams("follow=True"), "follow")).toBe(true);
    expect(queryBool(new URLSearchParams("follow=0"), "follow")).toBe(false);
    expect(queryBool(new URLSearchParams("follow=FALSE"), "follow")).toBe(false);
    expect(queryBool(new URLSearchParams(""), "follow")).toBe(false);
  });
});

describe("list, selectors, tables and pagination", () => {
  it("filters by label and field selectors and pages with limit/continue", async () => {
    const k = client(await newClassroom());
    for (let i = 0; i < 5; i++) await k.post("/api/v1/namespaces/default/pods", pod(`p${i}`, { app: i % 2 ? "web" : "db", idx: String(i) }));
    const web = await k.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb");
    expect(web.body.items.map((p: any) => p.metadata.name)).toEqual(["p1", "p3"]);
    const notin = await k.get("/api/v1/pods?labelSelector=" + encodeURIComponent("idx notin (0,1),app"));
    expect(notin.body.items.map((p: any) => p.metadata.name)).toEqual(["p2", "p3", "p4"]);
    const byName = await k.get("/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dp2");
    expect(byName.body.items.map((p: any) => p.metadata.name)).toEqual(["p2"]);
    const unscheduled = await k.get("/api/v1/pods?fieldSelector=" + encodeURIComponent("spec.nodeName=,status.phase!=Succeeded"));
    expect(unscheduled.body.items).toHaveLength(5);
    expect((await k.get("/api/v1/pods?fieldSelector=spec.foo%3Dx")).status).toBe(400);
    expect((await k.get("/api/v1/pods?labelSelector=" + encodeURIComponent("a in (b"))).status).toBe(400);

    const page1 = await k.get("/api/v1/namespaces/default/pods?limit=2");
    expect(page1.body.items.map((p: any) => p.metadata.name)).toEqual(["p0", "p1"]);
    expect(page1.body.metadata.remainingItemCount).toBe(3);
    const page2 = await k.get(`/api/v1/namespaces/default/pods?limit=2&continue=${page1.body.metadata.continue}`);
    expect(page2.body.items.map((p: any) => p.metadata.name)).toEqual(["p2", "p3"]);
    const page3 = await k.get(`/api/v1/namespaces/default/pods?limit=2&continue=${page2.body.metadata.continue}`);
    expect(page3.body.items.map((p: any) => p.metadata.name)).toEqual(["p4"]);
    expect(page3.body.metadata.continue).toBeUndefined();
  });

  it("serves Tables with the real pod columns when asked", async () => {
    const k = client(await newClassroom());
    await k.post("/api/v1/namespaces/default/pods", pod("web"));
    const t = await k.get("/api/v1/namespaces/default/pods", { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" });
    expect(t.body.kind).toBe("Table");
    expect(t.body.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(t.body.rows[0].cells.slice(0, 4)).toEqual(["web", "0/1", "Pending", "0"]);
    expect(t.body.rows[0].object.kind).toBe("PartialObjectMetadata");
  });
});

// Secrets: no controller touches them (every namespace also holds a kube-root-ca.crt ConfigMap).
const cm = (name: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name }, stringData: { k: "v" } });

describe("watch", () => {
  // ConfigMaps: nothing in the cluster acts on them, so the only events are the test's own.
  it("streams initial state, then changes; resumes after a revision; 410 when compacted away", async () => {
    const cls = await newClassroom();
    const k = client(cls);
    const a = (await k.post("/api/v1/namespaces/default/secrets", cm("a"))).body;
    const watchRes = await k.call("GET", "/api/v1/namespaces/default/secrets?watch=true&resourceVersion=0");
    expect(watchRes.headers.get("content-type")).toBe("application/json");
    const eventsP = readEvents(watchRes, 3);
    await k.post("/api/v1/namespaces/default/secrets", cm("b"));
    await k.del("/api/v1/namespaces/default/secrets/a");
    const events = await eventsP;
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([["ADDED", "a"], ["ADDED", "b"], ["DELETED", "a"]]);

    // Resume after a's creation: b's ADDED and a's DELETED, nothing at or before the revision.
    const resumed = await readEvents(await k.call("GET", `/api/v1/namespaces/default/secrets?watch=1&resourceVersion=${a.metadata.resourceVersion}`), 2);
    expect(resumed.map((e) => [e.type, e.object.metadata.name])).toEqual([["ADDED", "b"], ["DELETED", "a"]]);

    // Compact the classroom's etcd past a's revision: resuming from there is 410 Expired, as informers expect.
    await compactClassroom(cls.id);
    const gone = await readEvents(await k.call("GET", `/api/v1/namespaces/default/secrets?watch=1&resourceVersion=${a.metadata.resourceVersion}`), 1);
    expect(gone[0].type).toBe("ERROR");
    expect(gone[0].object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect(gone[0].object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it("turns a label change out of the selector into DELETED for that watcher", async () => {
    const k = client(await newClassroom());
    await k.post("/api/v1/namespaces/default/secrets", { ...cm("a"), metadata: { name: "a", labels: { app: "web" } } });
    const res = await k.call("GET", "/api/v1/namespaces/default/secrets?watch=true&labelSelector=app%3Dweb");
    const p = readEvents(res, 2);
    await k.patch("/api/v1/namespaces/default/secrets/a", { metadata: { labels: { app: "db" } } }, "application/merge-patch+json");
    expect((await p).map((e) => e.type)).toEqual(["ADDED", "DELETED"]);
  });
});
