// Students and what they may do: the RBAC matrix (student × verb × own namespace / another
// namespace / cluster-scoped / another classroom), joining, who-created-what, and rate limits.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { client, joinAs, newClassroom, pod, type Classroom } from "../../api-helpers";

const worker = () => (exports as any).default as Fetcher;

const join = joinAs;

let A: Classroom;
let B: Classroom;
let ana: string;
let bia: string;

beforeAll(async () => {
  A = await newClassroom("rbac-a");
  B = await newClassroom("rbac-b");
  ana = (await join(A, "ana")).body.token;
  bia = (await join(A, "bia")).body.token;
  const admin = client(A);
  await admin.post("/api/v1/namespaces/student-bia/pods", pod("bias-pod"));
  await admin.post("/api/v1/namespaces/student-bia/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "bias-secret" }, stringData: { pw: "x" } });
  await admin.post("/api/v1/namespaces/student-ana/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "anas-secret" }, stringData: { pw: "y" } });
});

describe("joining", () => {
  it("gives a namespace, a token and a kubeconfig scoped to it; names are unique and validated", async () => {
    const res = await join(A, "caio");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "caio", namespace: "student-caio" });
    expect(res.body.kubeconfig).toContain("namespace: student-caio");
    expect(res.body.kubeconfig).toContain(`/clusters/${A.id}/auth/${res.body.token}`);
    expect((await join(A, "caio")).status).toBe(409);
    const bad = await join(A, "Caio Silva");
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0].field).toBe("name");
    expect((await join(A, "dani", "wrong-token")).status).toBe(401);
    expect((await join(A, "dani", B.joinToken)).status).toBe(401);
    const quota = (await client(A).get("/api/v1/namespaces/student-caio/resourcequotas/student-quota")).body;
    expect(quota.spec.hard).toEqual({
      pods: "20", services: "10", "count/configmaps": "50", "count/secrets": "50", persistentvolumeclaims: "10",
      "services.nodeports": "5", "services.loadbalancers": "2", "count/events": "1k",
    });
  });
});

describe("the RBAC matrix", () => {
  const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });
  // [who, method, path, body, expected status]
  const rows: [string, string, string, unknown, number][] = [
    // own namespace: full control
    ["ana", "POST", "/api/v1/namespaces/student-ana/pods", pod("mine"), 201],
    ["ana", "GET", "/api/v1/namespaces/student-ana/pods/mine", undefined, 200],
    ["ana", "PATCH", "/api/v1/namespaces/student-ana/pods/mine", { metadata: { labels: { x: "y" } } }, 200],
    ["ana", "POST", "/api/v1/namespaces/student-ana/configmaps", cm("c1"), 201],
    ["ana", "GET", "/api/v1/namespaces/student-ana/secrets/anas-secret", undefined, 200],
    ["ana", "DELETE", "/api/v1/namespaces/student-ana/configmaps/c1", undefined, 200],
    ["ana", "PATCH", "/api/v1/namespaces/student-ana/resourcequotas/student-quota", { spec: { hard: { pods: "999" } } }, 403],
    // own namespace, but only what RBAC's "edit" grants: no */status, binding, events, leases, endpoints
    ["ana", "PATCH", "/api/v1/namespaces/student-ana/pods/mine/status", { status: { phase: "Succeeded" } }, 403],
    ["ana", "GET", "/api/v1/namespaces/student-ana/pods/mine/status", undefined, 200],
    ["ana", "POST", "/api/v1/namespaces/student-ana/pods/mine/binding", { apiVersion: "v1", kind: "Binding", metadata: { name: "mine" }, target: { kind: "Node", name: "n1" } }, 403],
    ["ana", "POST", "/api/v1/namespaces/student-ana/bindings", { apiVersion: "v1", kind: "Binding", metadata: { name: "mine" }, target: { kind: "Node", name: "n1" } }, 403],
    ["ana", "POST", "/apis/batch/v1/namespaces/student-ana/jobs", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } } }, 201],
    ["ana", "PATCH", "/apis/batch/v1/namespaces/student-ana/jobs/j/status", { status: { completedIndexes: "0-99999999999" } }, 403],
    ["ana", "PATCH", "/apis/apps/v1/namespaces/student-ana/deployments/none/status", { status: { replicas: 9 } }, 403],
    ["ana", "POST", "/api/v1/namespaces/student-ana/events", { apiVersion: "v1", kind: "Event", metadata: { name: "forged" }, involvedObject: { kind: "Pod", name: "mine", namespace: "student-ana" }, reason: "Hacked", message: "x" }, 403],
    ["ana", "GET", "/api/v1/namespaces/student-ana/events", undefined, 200],
    ["ana", "POST", "/apis/coordination.k8s.io/v1/namespaces/student-ana/leases", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l" }, spec: {} }, 403],
    ["ana", "POST", "/api/v1/namespaces/student-ana/endpoints", { apiVersion: "v1", kind: "Endpoints", metadata: { name: "e" } }, 403],
    ["ana", "POST", "/apis/discovery.k8s.io/v1/namespaces/student-ana/endpointslices", { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "e" }, addressType: "IPv4", endpoints: [] }, 403],
    // and what "edit" does grant there
    ["ana", "POST", "/api/v1/namespaces/student-ana/services", { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } }, 201],
    ["ana", "POST", "/api/v1/namespaces/student-ana/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa" } }, 201],
    ["ana", "POST", "/apis/apps/v1/namespaces/student-ana/deployments", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { selector: { matchLabels: { app: "d" } }, template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } }, 201],
    ["ana", "PATCH", "/apis/apps/v1/namespaces/student-ana/deployments/d/scale", { spec: { replicas: 2 } }, 200],
    // another student's namespace: read, but no Secrets and no writes
    ["ana", "GET", "/api/v1/namespaces/student-bia/pods", undefined, 200],
    ["ana", "GET", "/api/v1/namespaces/student-bia/pods/bias-pod", undefined, 200],
    ["ana", "GET", "/api/v1/namespaces/student-bia/secrets/bias-secret", undefined, 403],
    ["ana", "GET", "/api/v1/namespaces/student-bia/secrets", undefined, 403],
    ["ana", "POST", "/api/v1/namespaces/student-bia/pods", pod("intruder"), 403],
    ["ana", "DELETE", "/api/v1/namespaces/student-bia/pods/bias-pod", undefined, 403],
    ["ana", "PATCH", "/api/v1/namespaces/student-bia/pods/bias-pod", { metadata: { labels: { x: "y" } } }, 403],
    ["ana", "GET", "/api/v1/secrets", undefined, 403],
    ["ana", "GET", "/api/v1/pods", undefined, 200],
    // cluster-scoped: read only
    ["ana", "GET", "/api/v1/nodes", undefined, 200],
    ["ana", "GET", "/api/v1/namespaces", undefined, 200],
    ["ana", "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "anas-own" } }, 403],
    ["ana", "DELETE", "/api/v1/namespaces/student-bia", undefined, 403],
    ["ana", "POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "rogue" } }, 403],
    ["ana", "POST", "/apis/scheduling.k8s.io/v1/priorityclasses", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "vip" }, value: 1000 }, 403],
    ["ana", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: { verb: "create", resource: "pods", namespace: "student-bia" } } }, 201],
    // the same for the other student, mirrored
    ["bia", "POST", "/api/v1/namespaces/student-bia/configmaps", cm("b1"), 201],
    ["bia", "GET", "/api/v1/namespaces/student-ana/secrets/anas-secret", undefined, 403],
    // the instructor: everything
    ["instructor", "GET", "/api/v1/namespaces/student-ana/secrets/anas-secret", undefined, 200],
    ["instructor", "POST", "/api/v1/namespaces/student-bia/configmaps", cm("i1"), 201],
    ["instructor", "POST", "/apis/scheduling.k8s.io/v1/priorityclasses", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "vip" }, value: 1000 }, 201],
  ];
  it.each(rows)("%s %s %s → %i", async (who, method, path, body, expected) => {
    const token = who === "ana" ? ana : who === "bia" ? bia : A.instructorToken;
    const res = await client(A, token).call(method, path, body, method === "PATCH" ? { "content-type": "application/merge-patch+json" } : {});
    expect(res.status).toBe(expected);
  });

  // The tests below use students of their own: the matrix spends most of ana's request budget
  // (40 at once, 10/s), and on a fast machine a few more requests of hers would get 429.
  it("refuses with the real Forbidden text", async () => {
    const eli = (await join(A, "eli")).body.token;
    const res = await client(A, eli).del("/api/v1/namespaces/student-bia/pods/bias-pod");
    expect(res.body).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
    expect(res.body.message).toBe('pods "bias-pod" is forbidden: User "kubeclass:student:eli" cannot delete resource "pods" in API group "" in the namespace "student-bia"');
    const cluster = await client(A, eli).post("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "rogue" } });
    expect(cluster.body.message).toBe('nodes is forbidden: User "kubeclass:student:eli" cannot create resource "nodes" in API group "" at the cluster scope');
  });

  it("a status write in their own namespace is refused with the real Forbidden text", async () => {
    const fabi = (await join(A, "fabi")).body.token;
    await client(A, fabi).post("/api/v1/namespaces/student-fabi/pods", pod("statusless"));
    const res = await client(A, fabi).patch("/api/v1/namespaces/student-fabi/pods/statusless/status", { status: { phase: "Running" } }, "application/merge-patch+json");
    expect(res.body).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
    expect(res.body.message).toBe('pods "statusless" is forbidden: User "kubeclass:student:fabi" cannot patch resource "pods/status" in API group "" in the namespace "student-fabi"');
    expect((await client(A).get("/api/v1/namespaces/student-fabi/pods/statusless")).body.status.phase).toBe("Pending");
    const events = await client(A, fabi).post("/api/v1/namespaces/student-fabi/events", { apiVersion: "v1", kind: "Event", metadata: { name: "forged" }, involvedObject: { kind: "Pod", name: "statusless" }, reason: "X", message: "x" });
    expect(events.body.message).toBe('events is forbidden: User "kubeclass:student:fabi" cannot create resource "events" in API group "" in the namespace "student-fabi"');
  });

  it("a student's token is unknown in another classroom", async () => {
    expect((await client(B, ana).get("/api/v1/pods")).status).toBe(401);
    expect((await client(B, ana).post("/api/v1/namespaces/default/pods", pod("x"))).status).toBe(401);
  });
});

describe("who created what", () => {
  it("the server records the creator, whatever the client says", async () => {
    // A student of their own: ana's request budget (40 at once) is spent by the matrix above.
    const dora = (await join(A, "dora")).body.token;
    const res = await client(A, dora).post("/api/v1/namespaces/student-dora/pods", { ...pod("honest"), metadata: { name: "honest", annotations: { "kubeclass.dev/created-by": "kubeclass:student:bia" } } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.annotations["kubeclass.dev/created-by"]).toBe("kubeclass:student:dora");
    const patched = await client(A, dora).patch("/api/v1/namespaces/student-dora/pods/honest", { metadata: { annotations: { "kubeclass.dev/created-by": "someone-else" } } }, "application/merge-patch+json");
    expect(patched.body.metadata.annotations["kubeclass.dev/created-by"]).toBe("kubeclass:student:dora");
  });
});

describe("fairness", () => {
  it("the instructor sets a per-student quota; a pod over it is refused with the real message", async () => {
    const cls = await newClassroom("quota");
    const token = (await join(cls, "eva")).body.token;
    const put = (body: unknown) => worker().fetch(`http://kubeclass.test/api/classrooms/${cls.id}/quota`, { method: "PUT", headers: { authorization: `Bearer ${cls.instructorToken}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await put({ pods: "two" })).status).toBe(422);
    expect((await put({ pods: "2" })).status).toBe(200);
    const k = client(cls, token);
    expect((await k.post("/api/v1/namespaces/student-eva/pods", pod("p1"))).status).toBe(201);
    expect((await k.post("/api/v1/namespaces/student-eva/pods", pod("p2"))).status).toBe(201);
    const third = await k.post("/api/v1/namespaces/student-eva/pods", pod("p3"));
    expect(third.status).toBe(403);
    expect(third.body.message).toBe('pods "p3" is forbidden: exceeded quota: student-quota, requested: pods=1, used: pods=2, limited: pods=2');
    // A student who joins later gets the same quota.
    await join(cls, "gil");
    expect((await client(cls).get("/api/v1/namespaces/student-gil/resourcequotas/student-quota")).body.spec.hard.pods).toBe("2");
  });

  it("a student's burst beyond the rate limit gets 429 with Retry-After", async () => {
    const cls = await newClassroom("rate");
    const token = (await join(cls, "loopy")).body.token;
    const k = client(cls, token);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 60; i++) {
      const res = await k.call("GET", "/api/v1/namespaces/student-loopy/pods");
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
      await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(40);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // The instructor is never throttled.
    expect((await client(cls).get("/api/v1/pods")).status).toBe(200);
  });
});
