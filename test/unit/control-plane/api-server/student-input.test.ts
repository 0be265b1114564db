// What a student can type that once gave a 500 or broke the classroom for others (audit item 8):
// bodies nested thousands deep, wrongly-typed pod specs and selectors, grace periods past what a
// date can hold, and a full NodePort range. Each refusal is the Status kube-apiserver 1.32 gives,
// through the real Worker entry; nothing refused is stored.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { client, joinAs, kubeclassApi, newClassroom, readEvents, type Classroom } from "../../api-helpers";
import { MAX_BODY_DEPTH } from "../../../../src/control-plane/api-server/depth";

const MERGE = "application/merge-patch+json";
const SMP = "application/strategic-merge-patch+json";
const JSONPATCH = "application/json-patch+json";
const APPLY = "application/apply-patch+yaml";
const TABLE = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" };
const run = (runInDurableObject as unknown) as <T>(stub: unknown, fn: (obj: any) => Promise<T> | T) => Promise<T>;
const stubOf = (id: string): any => (env as any).CLASSROOM.get((env as any).CLASSROOM.idFromName(id));

/** {"a":{"a":…"x"}} with `levels` objects. */
const deep = (levels: number): unknown => {
  let v: unknown = "x";
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};
const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { k: "v" }, ...extra });
const hex = (s: string) => [...new TextEncoder().encode(s).subarray(0, 30)].map((b) => b.toString(16).padStart(2, "0")).join("");
const tpl = (spec: Record<string, unknown> = { containers: [{ name: "c", image: "nginx" }] }) => ({ metadata: { labels: { app: "x" } }, spec });

let A: Classroom;
let ana: string;
let bia: string;
// One student per group of tests: each stays within a student's request rate (burst 40).
let cid: string;
let dan: string;
let fay: string;
beforeAll(async () => {
  A = await newClassroom("student-input", 0, { controllers: false });
  [ana, bia, cid, dan, fay] = await Promise.all(["ana", "bia", "cid", "dan", "fay"].map(async (n) => (await joinAs(A, n)).body.token));
});

describe("(a) nesting depth is bounded when a body is decoded", () => {
  it("a create nested 5,000 deep: 400 with Go's JSON scanner text, as transformDecodeError words it; nothing stored", async () => {
    const k = client(A, ana);
    const text = JSON.stringify(cm("deep", { x: deep(5000) }));
    const res = await k.post("/api/v1/namespaces/student-ana/configmaps", text);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
    expect(res.body.message).toBe(`the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character '{' exceeded max depth (${text.slice(0, 30)} ...)`);
    expect((await k.get("/api/v1/namespaces/student-ana/configmaps/deep")).status).toBe(404);
    // Within the bound a deep object is stored and read back as usual.
    expect((await k.post("/api/v1/namespaces/student-ana/configmaps", cm("deep", { x: deep(MAX_BODY_DEPTH - 2) }))).status).toBe(201);
    expect((await k.get("/api/v1/namespaces/student-ana/configmaps/deep")).status).toBe(200);
  });

  it("a YAML create or an update nested too deep: 400, nothing stored or changed", async () => {
    const k = client(A, ana);
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep-yaml\nx: ${JSON.stringify(deep(2000))}\n`;
    const res = await k.post("/api/v1/namespaces/student-ana/configmaps", yaml, { "content-type": "application/yaml" });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`the object provided is unrecognized (must be of type ConfigMap): error converting YAML to JSON: yaml: exceeded max depth of ${MAX_BODY_DEPTH} (${hex(yaml)} ...)`);
    expect((await k.get("/api/v1/namespaces/student-ana/configmaps/deep-yaml")).status).toBe(404);
    expect((await k.post("/api/v1/namespaces/student-ana/configmaps", cm("upd"))).status).toBe(201);
    const put = await k.put("/api/v1/namespaces/student-ana/configmaps/upd", cm("upd", { x: deep(10_000) }));
    expect(put.status).toBe(400);
    expect(put.body.message).toMatch(/^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: invalid character '\{' exceeded max depth \(/);
    expect((await k.get("/api/v1/namespaces/student-ana/configmaps/upd")).body.x).toBeUndefined();
  });

  it.each([
    [MERGE, { x: deep(5000) }, "error decoding patch: invalid character '{' exceeded max depth"],
    [SMP, { x: deep(5000) }, "invalid character '{' exceeded max depth"],
    [JSONPATCH, [{ op: "add", path: "/x", value: deep(5000) }], "error decoding patch: invalid character '{' exceeded max depth"],
  ])("a %s patch nested 5,000 deep: 400 with patch.go's text, object unchanged", async (type, body, message) => {
    const k = client(A, ana);
    const name = `p-${type.split("/")[1].split("+")[0]}`;
    expect((await k.post("/api/v1/namespaces/student-ana/configmaps", cm(name))).status).toBe(201);
    const res = await k.patch(`/api/v1/namespaces/student-ana/configmaps/${name}`, body, type);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: "Status", reason: "BadRequest", message });
    expect((await k.get(`/api/v1/namespaces/student-ana/configmaps/${name}`)).body.x).toBeUndefined();
  });

  it("a server-side apply nested 5,000 deep: 400 with the YAML decoder's text, nothing created", async () => {
    const k = client(A, ana);
    const res = await k.patch("/api/v1/namespaces/student-ana/configmaps/applied?fieldManager=ana", cm("applied", { x: deep(5000) }), APPLY);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_BODY_DEPTH}`);
    expect((await k.get("/api/v1/namespaces/student-ana/configmaps/applied")).status).toBe(404);
  });

  it("a JSON patch that nests the object deeper op by op (copy into itself) is 422 on the field patch; object unchanged", async () => {
    const k = client(A, ana);
    expect((await k.post("/api/v1/namespaces/student-ana/configmaps", cm("grow", { x: deep(300) }))).status).toBe(201);
    const leaf = "/x" + "/a".repeat(299);
    // Each copy doubles the depth; unbounded, a few dozen would overflow every recursive step after.
    const ops = Array.from({ length: 40 }, (_, i) => ({ op: "copy", from: "/x", path: leaf + "/a".repeat(i * 300) }));
    const res = await k.patch("/api/v1/namespaces/student-ana/configmaps/grow", ops, JSONPATCH);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ kind: "Status", reason: "Invalid", code: 422 });
    expect(res.body.details.causes[0]).toMatchObject({ reason: "FieldValueInvalid", field: "patch" });
    expect(res.body.message).toMatch(/^ "" is invalid: patch: Invalid value: "\{\\"apiVersion\\":\\"v1\\",/);
    expect(res.body.message).toMatch(/: couldn't get version\/kind; json parse error: invalid character '\{' exceeded max depth$/);
    const stored = (await k.get("/api/v1/namespaces/student-ana/configmaps/grow")).body;
    expect(JSON.stringify(stored.x)).toBe(JSON.stringify(deep(300)));
  });
});

describe("(b) wrongly-typed pod specs are refused when decoding, before any strategy runs", () => {
  const pod = (spec: unknown) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "typed" }, spec });
  it.each([
    [{ containers: {} }, "object into Go struct field PodSpec.spec.containers of type []v1.Container"],
    [{ containers: 5 }, "number into Go struct field PodSpec.spec.containers of type []v1.Container"],
    [{ containers: [5] }, "number into Go struct field PodSpec.spec.containers of type v1.Container"],
    [{ containers: [{ name: "c", image: "nginx" }], initContainers: 5 }, "number into Go struct field PodSpec.spec.initContainers of type []v1.Container"],
    [{ containers: [{ name: "c", image: "nginx", resources: { requests: 5 } }] }, "number into Go struct field ResourceRequirements.spec.containers.resources.requests of type v1.ResourceList"],
    [{ containers: [{ name: "c", image: "nginx", env: [{ name: "A", value: 5 }] }] }, "number into Go struct field EnvVar.spec.containers.env.value of type string"],
    [{ containers: [{ name: "c", image: "nginx" }], terminationGracePeriodSeconds: "30" }, "string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64"],
  ])("pod spec %j: 400 json: cannot unmarshal %s; nothing stored", async (spec, text) => {
    const k = client(A, cid);
    const res = await k.post("/api/v1/namespaces/student-cid/pods", pod(spec));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
    expect(res.body.message).toBe(`Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal ${text}`);
    expect((await k.get("/api/v1/namespaces/student-cid/pods/typed")).status).toBe(404);
  });

  it("containers: [null] decodes to one empty container, which validation refuses (422)", async () => {
    const res = await client(A, cid).post("/api/v1/namespaces/student-cid/pods", pod({ containers: [null] }));
    expect(res.status).toBe(422);
    expect(res.body.message).toContain("spec.containers[0].name: Required value");
  });

  it.each([
    ["apps/v1", "deployments", "Deployment", { selector: { matchLabels: { app: "x" } }, template: tpl({ containers: {} }) }, "spec.template.spec.containers"],
    ["apps/v1", "replicasets", "ReplicaSet", { selector: { matchLabels: { app: "x" } }, template: tpl({ containers: {} }) }, "spec.template.spec.containers"],
    ["batch/v1", "jobs", "Job", { template: { spec: { restartPolicy: "Never", containers: {} } } }, "spec.template.spec.containers"],
    ["batch/v1", "cronjobs", "CronJob", { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: {} } } } } }, "spec.jobTemplate.spec.template.spec.containers"],
  ])("a %s %s whose pod template has containers: {} is refused the same way", async (gv, plural, kind, spec, path) => {
    const res = await client(A, cid).post(`/apis/${gv}/namespaces/student-cid/${plural}`, { apiVersion: gv, kind, metadata: { name: "tpl" }, spec });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal object into Go struct field PodSpec.${path} of type []v1.Container`);
    expect((await client(A, cid).get(`/apis/${gv}/namespaces/student-cid/${plural}/tpl`)).status).toBe(404);
  });

  it("a merge patch that makes a template's containers an object: 422 on the field patch, object unchanged", async () => {
    const k = client(A, cid);
    const d = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "patched" }, spec: { selector: { matchLabels: { app: "x" } }, template: tpl() } };
    expect((await k.post("/apis/apps/v1/namespaces/student-cid/deployments", d)).status).toBe(201);
    const res = await k.patch("/apis/apps/v1/namespaces/student-cid/deployments/patched", { spec: { template: { spec: { containers: {} } } } }, MERGE);
    expect(res.status).toBe(422);
    expect(res.body.details.causes[0]).toMatchObject({ reason: "FieldValueInvalid", field: "patch" });
    expect(res.body.message).toMatch(/: json: cannot unmarshal object into Go struct field PodSpec\.spec\.template\.spec\.containers of type \[\]v1\.Container$/);
    expect((await k.get("/apis/apps/v1/namespaces/student-cid/deployments/patched")).body.spec.template.spec.containers).toHaveLength(1);
  });
});

describe("(c) malformed workload selectors never reach storage, and one stored anyway breaks nobody's list", () => {
  const workload = (plural: string, selector: unknown) => {
    const labels = { app: "x" };
    const spec = plural === "jobs"
      ? { manualSelector: true, selector, template: { metadata: { labels }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } }
      : { selector, template: tpl() };
    const [gv, kind] = plural === "jobs" ? ["batch/v1", "Job"] : ["apps/v1", { deployments: "Deployment", replicasets: "ReplicaSet", daemonsets: "DaemonSet" }[plural]!];
    return { gv, kind, body: { apiVersion: gv, kind, metadata: { name: "sel" }, spec } };
  };
  const cases: [string, unknown, string][] = [];
  for (const plural of ["deployments", "replicasets", "daemonsets", "jobs"]) {
    cases.push([plural, { matchLabels: { app: "x" }, matchExpressions: {} }, "object into Go struct field LabelSelector.spec.selector.matchExpressions of type []v1.LabelSelectorRequirement"]);
    cases.push([plural, { matchLabels: { app: "x" }, matchExpressions: 5 }, "number into Go struct field LabelSelector.spec.selector.matchExpressions of type []v1.LabelSelectorRequirement"]);
    cases.push([plural, { matchLabels: { app: "x" }, matchExpressions: [{ key: "a", operator: "Exists", values: 5 }] }, "number into Go struct field LabelSelectorRequirement.spec.selector.matchExpressions.values of type []string"]);
  }
  it.each(cases)("%s with selector %j: 400 json: cannot unmarshal %s", async (plural, selector, text) => {
    const { gv, kind, body } = workload(plural, selector);
    const k = client(A, dan);
    const res = await k.post(`/apis/${gv}/namespaces/student-dan/${plural}`, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal ${text}`);
    expect((await k.get(`/apis/${gv}/namespaces/student-dan/${plural}/sel`)).status).toBe(404);
  });

  it("a malformed Deployment already in etcd: tables (list and watch) and GET …/scale still answer, for the instructor and a classmate", async () => {
    const bad = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "legacy", namespace: "student-dan", uid: "u-legacy", creationTimestamp: "2024-01-01T00:00:00Z" },
      spec: { replicas: 1, selector: { matchLabels: { app: "x" }, matchExpressions: [{ key: "a", operator: "Exists", values: 5 }] }, template: tpl({ containers: {} }) } };
    const odd = { ...bad, metadata: { ...bad.metadata, name: "legacy2", uid: "u-legacy2" }, spec: { ...bad.spec, selector: { matchExpressions: {} }, template: tpl() } };
    await run(stubOf(A.id), (obj) => {
      obj.etcd.put("/registry/deployments/student-dan/legacy", JSON.stringify(bad));
      obj.etcd.put("/registry/deployments/student-dan/legacy2", JSON.stringify(odd));
    });
    for (const k of [client(A), client(A, bia)]) {
      const t = await k.get("/apis/apps/v1/deployments", TABLE);
      expect(t.status, JSON.stringify(t.body)).toBe(200);
      expect(t.body.rows.find((r: any) => r.cells[0] === "legacy")).toBeDefined();
      const row = t.body.rows.find((r: any) => r.cells[0] === "legacy2");
      expect(row.cells[row.cells.length - 1]).toBe("<invalid>");
    }
    const scale = await client(A).get("/apis/apps/v1/namespaces/student-dan/deployments/legacy2/scale");
    expect(scale.status).toBe(200);
    expect(scale.body).toMatchObject({ kind: "Scale", spec: { replicas: 1 } });
    expect(scale.body.status.selector).toBeUndefined();
    const w = await client(A).call("GET", "/apis/apps/v1/namespaces/student-dan/deployments?watch=true", undefined, TABLE);
    expect(w.status).toBe(200);
    const events = await readEvents(w, 2);
    expect(events.map((e) => [e.type, e.object.kind])).toEqual([["ADDED", "Table"], ["ADDED", "Table"]]);
  });
});

describe("(d) grace periods past what a date can hold", () => {
  // What rest.BeforeDelete's now.Add(time.Second * time.Duration(g)) gives: int64 nanoseconds wrap.
  const goAfter = (from: number, g: bigint) => from + Number(BigInt.asIntN(64, g * 1_000_000_000n) / 1_000_000n);

  it("DELETE ?gracePeriodSeconds=9999999999999 of a running pod: 202, Go's wrapped deletionTimestamp; a forced delete then completes", async () => {
    const k = client(A, fay);
    const p = { apiVersion: "v1", kind: "Pod", metadata: { name: "slow" }, spec: { nodeName: "nowhere", containers: [{ name: "c", image: "nginx" }] } };
    const created = await k.post("/api/v1/namespaces/student-fay/pods", p);
    expect(created.status).toBe(201);
    const res = await k.del("/api/v1/namespaces/student-fay/pods/slow?gracePeriodSeconds=9999999999999");
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.metadata.deletionGracePeriodSeconds).toBe(9999999999999);
    const want = goAfter(Date.parse(created.body.metadata.creationTimestamp), 9999999999999n);
    expect(Math.abs(Date.parse(res.body.metadata.deletionTimestamp) - want)).toBeLessThan(120_000);
    expect((await k.del("/api/v1/namespaces/student-fay/pods/slow?gracePeriodSeconds=0")).status).toBe(200);
    expect((await k.get("/api/v1/namespaces/student-fay/pods/slow")).status).toBe(404);
  });

  it("a pod with terminationGracePeriodSeconds 9000000000000: removing its student deletes it like any other", async () => {
    const cls = await newClassroom("grace");
    const stub = stubOf(cls.id);
    await stub.setClock({ paused: true });
    const k = client(cls, (await joinAs(cls, "eve")).body.token);
    const p = { apiVersion: "v1", kind: "Pod", metadata: { name: "forever" }, spec: { nodeName: "nowhere", terminationGracePeriodSeconds: 9_000_000_000_000, containers: [{ name: "c", image: "nginx" }] } };
    expect((await k.post("/api/v1/namespaces/student-eve/pods", p)).status).toBe(201);
    expect((await kubeclassApi(cls, "DELETE", "/students/eve")).status).toBe(200);
    await stub.advance(5_000);
    const admin = client(cls);
    const left = await admin.get("/api/v1/namespaces/student-eve/pods/forever");
    // The namespace controller's delete went through: the pod terminates (its node is not there to end it).
    if (left.status === 200) {
      expect(left.body.metadata.deletionGracePeriodSeconds).toBe(9_000_000_000_000);
      expect(Number.isNaN(Date.parse(left.body.metadata.deletionTimestamp))).toBe(false);
      const ns = (await admin.get("/api/v1/namespaces/student-eve")).body;
      expect(JSON.stringify(ns.status?.conditions ?? [])).not.toContain("Invalid time value");
      expect((await admin.del("/api/v1/namespaces/student-eve/pods/forever?gracePeriodSeconds=0")).status).toBe(200);
      await stub.advance(5_000);
    }
    expect((await admin.get("/api/v1/namespaces/student-eve")).status).toBe(404);
  });
});

describe("(e) a full NodePort range", () => {
  it("is upstream's InternalError (alloc.go: apierrors.NewInternalError), a full Status; nothing stored, ClusterIP Services unaffected", async () => {
    const cls = await newClassroom("ports", 0, { controllers: false });
    const admin = client(cls);
    const eve = client(cls, (await joinAs(cls, "eve")).body.token);
    const used = (await admin.get("/api/v1/services")).body.items.flatMap((s: any) => s.spec.ports ?? []).filter((p: any) => p.nodePort).length;
    // The instructor has no quota: a few Services with many ports fill 30000-32767 cheaply.
    let free = 2768 - used;
    for (let i = 0; free > 0; i++) {
      const n = Math.min(free, 700);
      const ports = Array.from({ length: n }, (_, j) => ({ name: `p${j}`, port: 1000 + j }));
      const res = await admin.post("/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: `fill-${i}` }, spec: { type: "NodePort", ports } });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(201);
      free -= n;
    }
    const res = await eve.post("/api/v1/namespaces/student-eve/services", { apiVersion: "v1", kind: "Service", metadata: { name: "late" }, spec: { type: "NodePort", selector: { app: "x" }, ports: [{ port: 80 }] } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code: 500, reason: "InternalError",
      message: "Internal error occurred: failed to allocate a nodePort: range is full",
      details: { causes: [{ message: "failed to allocate a nodePort: range is full" }] },
    });
    expect((await eve.get("/api/v1/namespaces/student-eve/services/late")).status).toBe(404);
    expect((await eve.post("/api/v1/namespaces/student-eve/services", { apiVersion: "v1", kind: "Service", metadata: { name: "inside" }, spec: { selector: { app: "x" }, ports: [{ port: 80 }] } })).status).toBe(201);
    expect((await admin.get("/api/v1/services", TABLE)).status).toBe(200);
  }, 60_000);
});

describe("(f) containers per pod", () => {
  it(`a pod or a template with more than MAX_CONTAINERS_PER_POD (50) containers is 422 Too many; 50 are accepted`, async () => {
    const k = client(A, fay);
    const cs = (n: number, p = "c") => Array.from({ length: n }, (_, i) => ({ name: `${p}${i}`, image: "nginx" }));
    const wide = await k.post("/api/v1/namespaces/student-fay/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "wide" }, spec: { containers: cs(1000) } });
    expect(wide.status).toBe(422);
    expect(wide.body.message).toBe('Pod "wide" is invalid: spec.containers: Too many: 1000: must have at most 50 items');
    const mixed = await k.post("/api/v1/namespaces/student-fay/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "mixed" }, spec: { containers: cs(40), initContainers: cs(20, "i") } });
    expect(mixed.body.details.causes).toEqual([{ reason: "FieldValueTooMany", message: "Too many: 20: must have at most 10 items", field: "spec.initContainers" }]);
    const dep = await k.post("/apis/apps/v1/namespaces/student-fay/deployments", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "wide" }, spec: { selector: { matchLabels: { app: "x" } }, template: tpl({ containers: cs(51) }) } });
    expect(dep.status).toBe(422);
    expect(dep.body.details.causes[0]).toMatchObject({ field: "spec.template.spec.containers", message: "Too many: 51: must have at most 50 items" });
    expect((await k.post("/api/v1/namespaces/student-fay/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "fifty" }, spec: { containers: cs(50) } })).status).toBe(201);
  });
});
