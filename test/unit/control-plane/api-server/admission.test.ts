// Admission as kube-apiserver does it, for a cluster students share: wrongly-typed metadata,
// system priority classes, NodePort allocation and quota, object counts, stored bytes per
// student and the etcd request limit. Every refusal is a Status with the real text; none is a
// 5xx unless the real server's is; nothing refused is stored.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { client, joinAs, newClassroom, pod, type Classroom } from "../../api-helpers";
import { withSql } from "../../helpers";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import { ApiError } from "../../../../src/control-plane/api-server/status";
import { STUDENTS_GROUP } from "../../../../src/control-plane/api-server/classroom-authorizer";

const MERGE = "application/merge-patch+json";
const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

let A: Classroom;
let ana: string;
beforeAll(async () => {
  A = await newClassroom("admission");
  ana = (await joinAs(A, "ana")).body.token;
});

describe("wrongly-typed metadata is refused when decoding, nothing stored", () => {
  it("a create with ownerReferences as a string: 400 with the decoder's text", async () => {
    const k = client(A, ana);
    const res = await k.post("/api/v1/namespaces/student-ana/configmaps", { ...cm("owned"), metadata: { name: "owned", ownerReferences: "x" } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
    expect(res.body.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference');
    expect((await k.get("/api/v1/namespaces/student-ana/configmaps/owned")).status).toBe(404);
  });

  it("a merge patch that makes ownerReferences a string: 422 on the field patch, object unchanged", async () => {
    const k = client(A, ana);
    expect((await k.post("/api/v1/namespaces/student-ana/configmaps", cm("patched"))).status).toBe(201);
    const res = await k.patch("/api/v1/namespaces/student-ana/configmaps/patched", { metadata: { ownerReferences: "x" } }, MERGE);
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe("Invalid");
    expect(res.body.details.causes[0]).toMatchObject({ reason: "FieldValueInvalid", field: "patch" });
    expect(res.body.message).toMatch(/^ "" is invalid: patch: Invalid value: "\{\\"apiVersion\\":\\"v1\\",/);
    expect(res.body.message).toMatch(/: json: cannot unmarshal string into Go struct field ObjectMeta\.metadata\.ownerReferences of type \[\]v1\.OwnerReference$/);
    const stored = (await k.get("/api/v1/namespaces/student-ana/configmaps/patched")).body;
    expect(stored.metadata.ownerReferences).toBeUndefined();
  });

  it.each([
    [{ ownerReferences: ["x"] }, "ObjectMeta.metadata.ownerReferences of type v1.OwnerReference", "string"],
    [{ ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: 5, uid: "u" }] }, "OwnerReference.metadata.ownerReferences.name of type string", "number"],
    [{ ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "u", controller: "yes" }] }, "OwnerReference.metadata.ownerReferences.controller of type bool", "string"],
    [{ finalizers: "x" }, "ObjectMeta.metadata.finalizers of type []string", "string"],
    [{ finalizers: [1] }, "ObjectMeta.metadata.finalizers of type string", "number"],
    [{ managedFields: {} }, "ObjectMeta.metadata.managedFields of type []v1.ManagedFieldsEntry", "object"],
    [{ managedFields: [{ manager: 7 }] }, "ManagedFieldsEntry.metadata.managedFields.manager of type string", "number"],
    [{ labels: { a: 1 } }, "ObjectMeta.metadata.labels of type string", "number"],
    [{ labels: ["a"] }, "ObjectMeta.metadata.labels of type map[string]string", "array"],
    [{ annotations: { a: { b: 1 } } }, "ObjectMeta.metadata.annotations of type string", "object"],
    [{ generateName: 3 }, "ObjectMeta.metadata.generateName of type string", "number"],
    [{ generation: "1" }, "ObjectMeta.metadata.generation of type int64", "string"],
  ])("metadata %j: json: cannot unmarshal … %s", async (meta, field, kind) => {
    const res = await client(A, ana).post("/api/v1/namespaces/student-ana/configmaps", { ...cm("typed"), metadata: { name: "typed", ...meta } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal ${kind} into Go struct field ${field}`);
  });

  it("a name that is not a string is refused on create, update and patch", async () => {
    const k = client(A, ana);
    expect((await k.post("/api/v1/namespaces/student-ana/configmaps", { ...cm("x"), metadata: { name: 12 } })).status).toBe(400);
    expect((await k.post("/api/v1/namespaces/student-ana/configmaps", cm("named"))).status).toBe(201);
    expect((await k.put("/api/v1/namespaces/student-ana/configmaps/named", { ...cm("named"), metadata: { name: "named", labels: { a: false } } })).status).toBe(400);
    expect((await k.patch("/api/v1/namespaces/student-ana/configmaps/named", { metadata: { namespace: {} } }, MERGE)).status).toBe(422);
  });

  it("finalizers must be qualified names, and not both orphan and foregroundDeletion", async () => {
    const k = client(A, ana);
    const bad = await k.post("/api/v1/namespaces/student-ana/configmaps", { ...cm("fin"), metadata: { name: "fin", finalizers: ["-bad-"] } });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(`ConfigMap "fin" is invalid: metadata.finalizers: Invalid value: "-bad-": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
    const both = await k.post("/api/v1/namespaces/student-ana/configmaps", { ...cm("fin"), metadata: { name: "fin", finalizers: ["orphan", "foregroundDeletion"] } });
    expect(both.status).toBe(422);
    expect(both.body.message).toBe('ConfigMap "fin" is invalid: metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set');
  });

  it("unknown metadata fields are dropped with a warning; nulls are zero values", async () => {
    const res = await client(A, ana).post("/api/v1/namespaces/student-ana/configmaps", { ...cm("loose"), metadata: { name: "loose", colour: "red", labels: { a: null }, creationTimestamp: null } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.colour).toBeUndefined();
    expect(res.body.metadata.labels).toEqual({ a: "" });
    expect(res.headers.get("warning")).toContain('unknown field \\"metadata.colour\\"');
  });

  it("property: random JSON in metadata never gives a 5xx, and what is stored is well-typed", async () => {
    const k = client(A);
    await k.post("/api/v1/namespaces/default/configmaps", cm("target"));
    const junk = fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
      fc.array(fc.oneof(fc.string(), fc.integer(), fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())))),
      fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.constant(null))));
    const key = fc.constantFrom("name", "generateName", "namespace", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
      "generation", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "other");
    const metaArb = fc.dictionary(key, junk, { maxKeys: 4 });
    const wellTyped = (m: any) => {
      expect(typeof m.name).toBe("string");
      for (const f of ["labels", "annotations"]) if (m[f] !== undefined) for (const v of Object.values(m[f])) expect(typeof v).toBe("string");
      for (const f of ["ownerReferences", "finalizers", "managedFields"]) if (m[f] !== undefined) expect(Array.isArray(m[f])).toBe(true);
      for (const f of m.finalizers ?? []) expect(typeof f).toBe("string");
    };
    let n = 0;
    await fc.assert(fc.asyncProperty(metaArb, fc.boolean(), async (meta, viaPatch) => {
      n++;
      const res = viaPatch
        ? await k.patch("/api/v1/namespaces/default/configmaps/target", { metadata: meta }, MERGE)
        : await k.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { ...meta, name: `p${n}` } });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
      expect(res.body.kind).toBe(res.status < 300 ? "ConfigMap" : "Status");
      if (res.status < 300) wellTyped(res.body.metadata);
      const stored = await k.get("/api/v1/namespaces/default/configmaps/target");
      wellTyped(stored.body.metadata);
    }), { numRuns: 60 });
  }, 60_000);
});

describe("priority admission: the system classes stay in kube-system", () => {
  it.each(["system-node-critical", "system-cluster-critical"])("%s outside kube-system is Forbidden, for a student and the instructor alike", async (pc) => {
    const spec = { containers: [{ name: "c", image: "nginx" }], priorityClassName: pc };
    const student = await client(A, ana).post("/api/v1/namespaces/student-ana/pods", { ...pod("vip"), spec });
    expect(student.status).toBe(403);
    expect(student.body).toMatchObject({ reason: "Forbidden", code: 403 });
    expect(student.body.message).toBe(`pods "vip" is forbidden: pods with ${pc} priorityClass is not permitted in student-ana namespace`);
    const instructor = await client(A).post("/api/v1/namespaces/default/pods", { ...pod("vip"), spec });
    expect(instructor.body.message).toBe(`pods "vip" is forbidden: pods with ${pc} priorityClass is not permitted in default namespace`);
    const system = await client(A).post("/api/v1/namespaces/kube-system/pods", { ...pod(`sys-${pc}`), spec });
    expect(system.status).toBe(201);
    expect(system.body.spec.priority).toBe(pc === "system-node-critical" ? 2000001000 : 2000000000);
  });
});

describe("NodePorts: real allocation errors, and the quota bounds a student's share", () => {
  const svc = (name: string, ports: number[], nodePort?: number) => ({
    apiVersion: "v1", kind: "Service", metadata: { name },
    spec: { type: "NodePort", selector: { app: "web" }, ports: ports.map((p, i) => ({ name: `p${i}`, port: p, ...(nodePort && i === 0 ? { nodePort } : {}) })) },
  });

  it("one Service may not take the whole range: services.nodeports in the student quota", async () => {
    const many = Array.from({ length: 100 }, (_, i) => 1000 + i);
    const res = await client(A, ana).post("/api/v1/namespaces/student-ana/services", svc("hog", many));
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('services "hog" is forbidden: exceeded quota: student-quota, requested: services.nodeports=100, used: services.nodeports=0, limited: services.nodeports=5');
    expect((await client(A, ana).get("/api/v1/namespaces/student-ana/services/hog")).status).toBe(404);
  });

  it("a port already taken, or outside the range, is Invalid with the allocator's text", async () => {
    const k = client(A);
    expect((await k.post("/api/v1/namespaces/default/services", svc("first", [80], 30080))).status).toBe(201);
    const taken = await k.post("/api/v1/namespaces/default/services", svc("second", [80], 30080));
    expect(taken.status).toBe(422);
    expect(taken.body.message).toBe('Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  });
});

describe("object counts in the student quota", () => {
  it("count/configmaps stops the 51st ConfigMap with the real exceeded-quota text", async () => {
    const cls = await newClassroom("counts");
    const k = client(cls, (await joinAs(cls, "eve")).body.token);
    const hard = (await client(cls).get("/api/v1/namespaces/student-eve/resourcequotas/student-quota")).body.spec.hard;
    expect(hard).toMatchObject({ "count/configmaps": "50", "count/secrets": "50", "services.nodeports": "5" });
    // kube-root-ca.crt is the first; the instructor fills most of the rest (a student's own burst
    // would meet the rate limit first).
    for (let i = 0; i < 48; i++) expect((await client(cls).post("/api/v1/namespaces/student-eve/configmaps", cm(`c${i}`))).status).toBe(201);
    const last = await k.post("/api/v1/namespaces/student-eve/configmaps", cm("c49"));
    expect(last.status, last.body.message).toBe(201);
    const over = await k.post("/api/v1/namespaces/student-eve/configmaps", cm("c50"));
    expect(over.status).toBe(403);
    expect(over.body.message).toBe('configmaps "c50" is forbidden: exceeded quota: student-quota, requested: count/configmaps=1, used: count/configmaps=50, limited: count/configmaps=50');
  }, 30_000);
});

describe("stored bytes: per student namespace, and etcd's request limit", () => {
  const student = { username: "kubeclass:student:ana", groups: [STUDENTS_GROUP] };
  const admin = { username: "admin", groups: ["system:masters"] };
  const setup = (sql: any, limit: number) => {
    const reg = new Registry(new Etcd(sql), { studentNamespaceBytes: limit });
    const now = new Date();
    reg.create(findResource("", "v1", "namespaces")!, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "student-ana" } } as any, { user: admin, now });
    return { reg, now, cms: findResource("", "v1", "configmaps")! };
  };
  const refusal = (fn: () => unknown) => {
    try { fn(); } catch (e) { if (e instanceof ApiError) return e.status; throw e; }
    throw new Error("not refused");
  };

  it("a namespace's byte count follows writes that bypass the registry (the Event TTL sweep, a reset), and starts afresh after a restore", async () => {
    await withSql((sql) => {
      const { reg, now, cms } = setup(sql, 64 * 1024);
      const etcd = (reg as any).etcd as Etcd;
      const student = { username: "kubeclass:student:ana", groups: ["kubeclass:students", "system:authenticated"] };
      reg.create(cms, "student-ana", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { a: "x".repeat(10_000) } } as any, { user: student, now });
      const base = reg.storage.total("student-ana");
      expect(base).toBeGreaterThan(10_000);
      etcd.put("/registry/events/student-ana/e1", JSON.stringify({ metadata: { name: "e1" }, message: "y".repeat(5_000) }));
      expect(reg.storage.total("student-ana")).toBeGreaterThan(base + 5_000);
      etcd.txn([], [{ type: "delete", key: "/registry/events/student-ana/e1" }]);
      expect(reg.storage.total("student-ana")).toBe(base);
      etcd.restore(etcd.snapshot());
      expect(reg.storage.total("student-ana")).toBe(base); // counted again from the keyspace
    });
  });

  it("a student's write over the namespace's byte limit is Forbidden; deletes free the space", async () => {
    await withSql((sql) => {
      const { reg, now, cms } = setup(sql, 20_000);
      const big = (name: string) => ({ ...cm(name, { a: "x".repeat(6000) }) }) as any;
      reg.create(cms, "student-ana", big("a"), { user: student, now });
      reg.create(cms, "student-ana", big("b"), { user: student, now });
      reg.create(cms, "student-ana", big("c"), { user: student, now });
      const s = refusal(() => reg.create(cms, "student-ana", big("d"), { user: student, now }));
      expect(s.code).toBe(403);
      expect(s.reason).toBe("Forbidden");
      expect(s.message).toMatch(/^configmaps "d" is forbidden: exceeded quota: kubeclass-storage, requested: storage=\d+, used: storage=\d+, limited: storage=20000$/);
      expect(reg.tryGet(cms, "student-ana", "d")).toBeUndefined();
      // Growing an object counts too; a controller's (or the instructor's) write is never refused.
      expect(refusal(() => reg.guaranteedUpdate(cms, "student-ana", "a", { user: student, now }, (c) => ({ ...c, data: { a: "y".repeat(9000) } }))).code).toBe(403);
      reg.create(cms, "student-ana", big("e"), { user: admin, now });
      reg.delete(cms, "student-ana", "e", { user: admin, now });
      reg.delete(cms, "student-ana", "a", { user: student, now });
      reg.create(cms, "student-ana", big("d"), { user: student, now });
      expect(reg.storage.total("student-ana")).toBeLessThanOrEqual(20_000);
    });
  });

  it("an object over 1.5 MiB gets etcd's error (413, never a 5xx); nothing stored", async () => {
    await withSql((sql) => {
      // A kind without a size rule of its own (a ConfigMap already stops at 1 MiB in validation).
      const { reg, now, cms } = setup(sql, 64 * 1024 * 1024);
      const revs = { ...cms, plural: "blobs", singular: "blob", kind: "Blob", shortNames: [] };
      const rev = (name: string, size: number) => ({ apiVersion: "v1", kind: "Blob", metadata: { name }, data: { x: "x".repeat(size) } }) as any;
      const s = refusal(() => reg.create(revs, "student-ana", rev("huge", 1600 * 1024), { user: admin, now }));
      expect(s).toMatchObject({ code: 413, reason: "RequestEntityTooLarge", status: "Failure", message: "etcdserver: request is too large" });
      expect(reg.tryGet(revs, "student-ana", "huge")).toBeUndefined();
      reg.create(revs, "student-ana", rev("ok", 1000 * 1024), { user: admin, now });
      const grow = refusal(() => reg.guaranteedUpdate(revs, "student-ana", "ok", { user: admin, now }, (c) => ({ ...c, data: { x: "x".repeat(1600 * 1024) } })));
      expect(grow.message).toBe("etcdserver: request is too large");
      expect((reg.get(revs, "student-ana", "ok").data as any).x.length).toBe(1000 * 1024);
    });
  });
});
