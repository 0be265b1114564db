import { describe, expect, it } from "vitest";
import { negotiateOpenapiV2, openapiV2, OPENAPI_V2_PROTOBUF_CONTENT_TYPE } from "../../../../src/control-plane/api-server/openapi-v2";
import { queryBool, requestInfo } from "../../../../src/control-plane/api-server/request-info";
import { Reader, decodeUtf8 } from "../../../../src/control-plane/api-server/protobuf/wire";
import { RESOURCES } from "../../../../src/control-plane/api-server/resources";
import { client, newClassroom } from "../../api-helpers";

type Any = any;
const doc = () => JSON.parse(openapiV2().json) as Any;

/** Walks every schema in the document (definitions, their properties, items, additionalProperties, bodies and responses). */
function* schemas(d: Any): Generator<[string, Any]> {
  function* walk(path: string, s: Any): Generator<[string, Any]> {
    yield [path, s];
    for (const [k, v] of Object.entries<Any>(s.properties ?? {})) yield* walk(`${path}.${k}`, v);
    if (s.items) yield* walk(`${path}[]`, s.items);
    if (s.additionalProperties && typeof s.additionalProperties === "object") yield* walk(`${path}{}`, s.additionalProperties);
  }
  for (const [name, s] of Object.entries<Any>(d.definitions)) yield* walk(name, s);
  for (const [p, item] of Object.entries<Any>(d.paths)) {
    for (const m of ["get", "put", "post", "delete", "patch"]) {
      const op = item[m];
      if (!op) continue;
      for (const param of op.parameters) if (param.schema) yield* walk(`${m} ${p} body`, param.schema);
      for (const [code, r] of Object.entries<Any>(op.responses)) if (r.schema) yield* walk(`${m} ${p} ${code}`, r.schema);
    }
  }
}

describe("/openapi/v2", () => {
  it("negotiates as kube-openapi: JSON by default and for wildcards, gnostic protobuf when asked, else 406", () => {
    expect(negotiateOpenapiV2(null)).toBe("json");
    expect(negotiateOpenapiV2("*/*")).toBe("json");
    expect(negotiateOpenapiV2("application/json, */*")).toBe("json");
    expect(negotiateOpenapiV2("application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).toBe("protobuf");
    expect(negotiateOpenapiV2(OPENAPI_V2_PROTOBUF_CONTENT_TYPE)).toBe("protobuf");
    expect(negotiateOpenapiV2("application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).toBe("protobuf");
    expect(negotiateOpenapiV2("text/html")).toBeUndefined();
  });

  it("is a Swagger 2.0 document kube-openapi's proto.NewOpenAPIData accepts: every $ref resolves, arrays have one items schema, primitives are typed", () => {
    const d = doc();
    expect(d.swagger).toBe("2.0");
    expect(d.info).toEqual({ title: "Kubernetes", version: "v1.32.2" });
    for (const [path, s] of schemas(d)) {
      if (s.$ref) {
        expect(s.$ref, path).toMatch(/^#\/definitions\//);
        expect(d.definitions[s.$ref.slice("#/definitions/".length)], `${path} -> ${s.$ref}`).toBeDefined();
        continue;
      }
      expect(s.oneOf ?? s.allOf ?? s.anyOf, path).toBeUndefined();
      if (s.type === "array") expect(s.items, path).toBeDefined();
      if (s.type !== undefined) expect(["object", "array", "string", "integer", "number", "boolean"], path).toContain(s.type);
    }
  });

  it("has every kind's paths with their GVK and fieldValidation, and no GVK on definitions (kubectl's --openapi-patch falls back to its compiled-in types)", () => {
    const d = doc();
    for (const r of RESOURCES) {
      const patches = Object.values<Any>(d.paths).map((p) => p.patch).filter((op) => {
        const g = op?.["x-kubernetes-group-version-kind"];
        return g && g.group === r.group && g.version === r.version && g.kind === r.kind;
      });
      expect(patches.length, r.kind).toBeGreaterThan(0);
      for (const op of patches) expect(op.parameters.some((p: Any) => p.in === "query" && p.name === "fieldValidation"), r.kind).toBe(true);
    }
    for (const [name, s] of Object.entries<Any>(d.definitions)) expect(s["x-kubernetes-group-version-kind"], name).toBeUndefined();
    expect(d.definitions["io.k8s.api.apps.v1.Deployment"].properties.spec.$ref).toBe("#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
    expect(d.definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]).toMatchObject({ type: "string", format: "int-or-string" });
  });

  it("encodes the same document as gnostic's openapi_v2.Document protobuf", () => {
    const d = doc();
    const top = new Map<number, Uint8Array[]>();
    const r = new Reader(openapiV2().protobuf);
    while (!r.done) {
      const [field, wire] = r.tag();
      expect(wire).toBe(2);
      top.set(field, [...(top.get(field) ?? []), r.bytes()]);
    }
    expect(decodeUtf8(top.get(1)![0])).toBe("2.0"); // swagger
    const count = (bytes: Uint8Array, want: number) => {
      const m = new Reader(bytes);
      let n = 0;
      while (!m.done) {
        const [field] = m.tag();
        m.bytes();
        if (field === want) n++;
      }
      return n;
    };
    expect(count(top.get(8)![0], 2)).toBe(Object.keys(d.paths).length); // Paths.path
    expect(count(top.get(9)![0], 1)).toBe(Object.keys(d.definitions).length); // Definitions.additional_properties
    expect(top.has(13)).toBe(true); // security_definitions
  });

  it("is served to an authenticated client in both encodings, with an ETag and 304", async () => {
    const api = client(await newClassroom());
    const json = await api.call("GET", "/openapi/v2", undefined, { accept: "application/json" });
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(((await json.json()) as Any).swagger).toBe("2.0");
    const pb = await api.call("GET", "/openapi/v2", undefined, { accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" });
    expect(pb.status).toBe(200);
    expect(pb.headers.get("content-type")).toBe(OPENAPI_V2_PROTOBUF_CONTENT_TYPE);
    expect(new Uint8Array(await pb.arrayBuffer())).toEqual(openapiV2().protobuf);
    expect(pb.headers.get("etag")).toBe(openapiV2().protobufEtag);
    const etag = json.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9A-F]+"$/);
    expect(etag).not.toBe(openapiV2().protobufEtag); // one per encoding, as kube-openapi computes them
    expect((await api.call("GET", "/openapi/v2", undefined, { accept: "application/json", "if-none-match": etag })).status).toBe(304);
    expect((await api.call("GET", "/openapi/v2", undefined, { accept: "text/html" })).status).toBe(406);
  });
});

describe("boolean query parameters", () => {
  it("decode as apimachinery does: only absent, 0 and false (any case) are false", () => {
    const q = (s: string) => new URLSearchParams(s);
    for (const t of ["watch=true", "watch=True", "watch=1", "watch=", "watch", "watch=yes"]) expect(queryBool(q(t), "watch"), t).toBe(true);
    for (const f of ["", "watch=false", "watch=False", "watch=FALSE", "watch=0", "other=true"]) expect(queryBool(q(f), "watch"), f).toBe(false);
    // The Python client's watch: list becomes watch.
    expect(requestInfo("GET", "/api/v1/namespaces/ns/pods", q("watch=True&timeoutSeconds=60")).verb).toBe("watch");
    expect(requestInfo("GET", "/api/v1/namespaces/ns/pods", q("watch=False")).verb).toBe("list");
  });
});
