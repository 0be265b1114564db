// OpenAPI v2 (GET /openapi/v2): one Swagger 2.0 document for the whole API, derived from the
// OpenAPI v3 group-version documents (openapi.ts), in JSON or in gnostic's protobuf encoding
// (openapi_v2.Document, `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`), negotiated
// on Accept as kube-openapi's handler does (JSON first, 406 for anything else).
//
// Why it is served: kubectl up to 1.28 loads it before `apply`, `create -f` and `explain`
// (cmdutil.Factory.Validator and OpenAPISchema; client-go discovery asks for the protobuf form,
// then /swagger-2.0.0.pb-v1, and a 404 on both fails the command), and parses every definition
// with kube-openapi's proto.NewOpenAPIData, which refuses a dangling $ref, an array without
// exactly one `items` schema and a primitive of unknown type. What 1.28 then takes from it:
// - `apply`/`create` validation: nothing. Its query-param verifier finds ?fieldValidation on the
//   v3 PATCH operations first (the v2 paths carry the same operations, extensions and query
//   parameters, for the v2 fallback), so it sends fieldValidation=Strict and skips the client-side
//   schema check.
// - client-side `apply` patches: the definitions carry no x-kubernetes-group-version-kind, as our
//   v3 PATCH operations carry no requestBody, so kubectl's --openapi-patch finds no schema for the
//   kind and computes the strategic merge patch from its compiled-in Go types, which are exact
//   for these built-in kinds (our schemas are explain-sized and publish no
//   x-kubernetes-patch-merge-key; a patch computed from them would replace lists whole and warn
//   on every field they do not describe).
// - `explain`: the v3 documents (1.27+ default), not this one.
import { groupVersions } from "./resources";
import { openapiGroupVersion } from "./openapi";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
const PROTOBUF_TYPES = new Set(["application/com.github.proto-openapi.spec.v2@v1.0+protobuf", OPENAPI_V2_PROTOBUF_CONTENT_TYPE]);

/**
 * Which encoding an Accept header asks for, as kube-openapi negotiates (goautoneg: clauses by q,
 * then specificity; JSON wins a wildcard): undefined means 406 Not Acceptable.
 */
export function negotiateOpenapiV2(accept: string | null): "json" | "protobuf" | undefined {
  if (!accept || accept.trim() === "") return "json";
  const clauses = accept.split(",").map((c, i) => {
    const [type, ...params] = c.trim().split(";");
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qp ? Number(qp.slice(2)) : 1;
    const t = type.trim().toLowerCase();
    const specificity = t === "*/*" ? 0 : t.endsWith("/*") ? 1 : 2;
    return { t, q: Number.isFinite(q) ? q : 0, specificity, i };
  }).filter((c) => c.q > 0).sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.i - b.i);
  for (const c of clauses) {
    if (c.t === "*/*" || c.t === "application/*" || c.t === "application/json") return "json";
    if (PROTOBUF_TYPES.has(c.t)) return "protobuf";
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// v3 -> v2

const V3_REF = "#/components/schemas/";
const V2_REF = "#/definitions/";
const PATCH_DEF = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

function v2Schema(s: Obj): Obj {
  const desc: Obj = typeof s.description === "string" ? { description: s.description } : {};
  if (typeof s.$ref === "string") return { ...desc, $ref: s.$ref.replace(V3_REF, V2_REF) };
  const allOf = s.allOf as Obj[] | undefined;
  if (allOf?.length === 1 && typeof allOf[0].$ref === "string") return { ...desc, $ref: (allOf[0].$ref as string).replace(V3_REF, V2_REF) };
  // v3's oneOf (IntOrString, Quantity) has no v2 form: the real v2 document says type string.
  if (s.oneOf) return { ...desc, type: "string", ...(typeof s.format === "string" ? { format: s.format } : {}) };
  const out: Obj = { ...desc };
  for (const k of ["type", "format", "enum", "required", "uniqueItems"] as const) if (s[k] !== undefined) out[k] = s[k];
  if (s.items) out.items = v2Schema(s.items as Obj);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties as Obj).map(([k, v]) => [k, v2Schema(v as Obj)]));
  if (s.additionalProperties !== undefined) {
    out.additionalProperties = typeof s.additionalProperties === "boolean" ? s.additionalProperties : v2Schema(s.additionalProperties as Obj);
  }
  return out;
}

function v2Parameter(p: Obj): Obj {
  const schema = (p.schema ?? {}) as Obj;
  const out: Obj = { name: p.name, in: p.in };
  if (p.description) out.description = p.description;
  if (p.in === "path" || p.required) out.required = true;
  out.type = (schema.type as string | undefined) ?? "string";
  if (schema.uniqueItems) out.uniqueItems = true;
  return out;
}

const PRODUCES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

function v2Operation(method: string, op: Obj): Obj {
  const params = ((op.parameters ?? []) as Obj[]).map(v2Parameter);
  const okResponse = ((op.responses as Obj)["200"] ?? {}) as Obj;
  const v3Schema = (((okResponse.content as Obj | undefined)?.["application/json"] as Obj | undefined)?.schema) as Obj | undefined;
  if (method === "post" || method === "put" || method === "patch") {
    const schema = method === "patch" ? { $ref: V2_REF + PATCH_DEF } : v3Schema ? v2Schema(v3Schema) : { type: "object" };
    params.unshift({ name: "body", in: "body", required: true, schema });
  }
  const responses: Obj = {};
  for (const [code, r] of Object.entries(op.responses as Obj)) {
    const content = (r as Obj).content as Obj | undefined;
    const schema = (content?.["application/json"] as Obj | undefined)?.schema as Obj | undefined;
    responses[code] = { description: (r as Obj).description as string, ...(schema ? { schema: v2Schema(schema) } : {}) };
  }
  const consumes = method === "patch"
    ? ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"]
    : ["*/*"];
  const out: Obj = {
    description: op.description ?? "", consumes, produces: PRODUCES, schemes: ["https"], tags: op.tags ?? [], operationId: op.operationId ?? "",
    parameters: params, responses,
  };
  for (const [k, v] of Object.entries(op)) if (k.startsWith("x-")) out[k] = v;
  return out;
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

export interface OpenapiV2 { json: string; protobuf: Uint8Array<ArrayBuffer>; jsonEtag: string; protobufEtag: string }
let built: OpenapiV2 | undefined;

function buildV2(): Obj {
  const paths: Obj = {};
  const definitions: Obj = {
    [PATCH_DEF]: { description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.", type: "object" },
  };
  for (const [group, versions] of groupVersions()) {
    for (const version of versions) {
      const doc = openapiGroupVersion(group === "" ? `api/${version}` : `apis/${group}/${version}`) as Obj | undefined;
      if (!doc) continue;
      for (const [name, s] of Object.entries(((doc.components as Obj).schemas) as Obj)) {
        const v2 = v2Schema(s as Obj);
        definitions[name] ??= v2;
      }
      for (const [path, item] of Object.entries(doc.paths as Obj)) {
        const it = item as Obj;
        const out: Obj = {};
        for (const m of METHODS) if (it[m]) out[m] = v2Operation(m, it[m] as Obj);
        if (it.parameters) out.parameters = (it.parameters as Obj[]).map(v2Parameter);
        paths[path] = out;
      }
    }
  }
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "v1.32.2" },
    paths,
    definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    securityDefinitions: { BearerToken: { description: "Bearer Token authentication", type: "apiKey", name: "authorization", in: "header" } },
    security: [{ BearerToken: [] }],
  };
}

/** The document in both encodings, each with its ETag (built once: it depends only on RESOURCES). */
export function openapiV2(): OpenapiV2 {
  if (built) return built;
  const doc = buildV2();
  const json = JSON.stringify(doc);
  const protobuf = encodeDocument(doc);
  built = { json, protobuf, jsonEtag: `"${contentHash(utf8.encode(json))}"`, protobufEtag: `"${contentHash(protobuf)}"` };
  return built;
}

// FNV-1a 64-bit with two offset bases: a stable content hash for the ETag (not a security property).
function contentHash(bytes: Uint8Array): string {
  let a = 0xcbf29ce484222325n;
  let b = 0x84222325cbf29ce4n;
  for (const x of bytes) {
    a = BigInt.asUintN(64, (a ^ BigInt(x)) * 0x100000001b3n);
    b = BigInt.asUintN(64, (b ^ BigInt(x)) * 0x100000001b3n);
  }
  return (a.toString(16).padStart(16, "0") + b.toString(16).padStart(16, "0")).toUpperCase();
}

// ---------------------------------------------------------------------------------------------------
// gnostic openapi_v2 protobuf (proto3: default values are not written)

const utf8 = new TextEncoder();

class Msg {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private varint(n: number): void {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  str(field: number, s: unknown): this {
    if (typeof s === "string" && s !== "") this.bytes(field, utf8.encode(s));
    return this;
  }

  strs(field: number, xs: unknown): this {
    if (Array.isArray(xs)) for (const s of xs) if (typeof s === "string") this.bytes(field, utf8.encode(s));
    return this;
  }

  bool(field: number, b: unknown): this {
    if (b === true) {
      this.key(field, 0);
      this.varint(1);
    }
    return this;
  }

  /** An embedded message, written even when empty (presence matters: e.g. `properties: {}`). */
  msg(field: number, m: Msg): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Any { yaml = 2 }: kube-openapi reads vendor extensions and enum values back with yaml.Unmarshal; JSON is YAML. */
const anyOf = (v: Json) => new Msg().str(2, JSON.stringify(v));
const namedAny = (name: string, v: Json) => new Msg().str(1, name).msg(2, anyOf(v));

function vendorExtensions(m: Msg, field: number, o: Obj): void {
  for (const [k, v] of Object.entries(o)) if (k.startsWith("x-")) m.msg(field, namedAny(k, v));
}

function schemaMsg(s: Obj): Msg {
  const m = new Msg()
    .str(1, s.$ref).str(2, s.format).str(3, s.title).str(4, s.description)
    .bool(16, s.uniqueItems).strs(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) m.msg(20, anyOf(e));
  if (typeof s.additionalProperties === "boolean") m.msg(21, new Msg().bool(2, s.additionalProperties));
  else if (s.additionalProperties) m.msg(21, new Msg().msg(1, schemaMsg(s.additionalProperties as Obj)));
  if (typeof s.type === "string") m.msg(22, new Msg().strs(1, [s.type]));
  if (s.items) m.msg(23, new Msg().msg(1, schemaMsg(s.items as Obj)));
  if (s.properties) {
    const props = new Msg();
    for (const [k, v] of Object.entries(s.properties as Obj)) props.msg(1, new Msg().str(1, k).msg(2, schemaMsg(v as Obj)));
    m.msg(25, props);
  }
  vendorExtensions(m, 31, s);
  return m;
}

function parameterMsg(p: Obj): Msg {
  if (p.in === "body") {
    const body = new Msg().str(1, p.description).str(2, p.name).str(3, p.in).bool(4, p.required).msg(5, schemaMsg(p.schema as Obj));
    return new Msg().msg(1, new Msg().msg(1, body));
  }
  // QueryParameterSubSchema (non-body 3) and PathParameterSubSchema (non-body 4) differ after field 4.
  const sub = new Msg().bool(1, p.required).str(2, p.in).str(3, p.description).str(4, p.name);
  let which: number;
  if (p.in === "path") {
    which = 4;
    sub.str(5, p.type).bool(19, p.uniqueItems);
  } else {
    which = 3;
    sub.str(6, p.type).bool(20, p.uniqueItems);
  }
  return new Msg().msg(1, new Msg().msg(2, new Msg().msg(which, sub)));
}

function operationMsg(op: Obj): Msg {
  const m = new Msg().strs(1, op.tags).str(3, op.description).str(5, op.operationId).strs(6, op.produces).strs(7, op.consumes);
  for (const p of (op.parameters ?? []) as Obj[]) m.msg(8, parameterMsg(p));
  const responses = new Msg();
  for (const [code, r] of Object.entries(op.responses as Obj)) {
    const ro = r as Obj;
    const resp = new Msg().str(1, ro.description);
    if (ro.schema) resp.msg(2, new Msg().msg(1, schemaMsg(ro.schema as Obj)));
    responses.msg(1, new Msg().str(1, code).msg(2, new Msg().msg(1, resp)));
  }
  m.msg(9, responses).strs(10, op.schemes);
  vendorExtensions(m, 13, op);
  return m;
}

const PATH_ITEM_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function encodeDocument(doc: Obj): Uint8Array<ArrayBuffer> {
  const info = doc.info as Obj;
  const m = new Msg().str(1, doc.swagger).msg(2, new Msg().str(1, info.title).str(2, info.version));
  const paths = new Msg();
  for (const [path, item] of Object.entries(doc.paths as Obj)) {
    const it = item as Obj;
    const pi = new Msg();
    for (const [method, field] of Object.entries(PATH_ITEM_FIELDS)) if (it[method]) pi.msg(field, operationMsg(it[method] as Obj));
    for (const p of (it.parameters ?? []) as Obj[]) pi.msg(9, parameterMsg(p));
    paths.msg(2, new Msg().str(1, path).msg(2, pi));
  }
  m.msg(8, paths);
  const defs = new Msg();
  for (const [name, s] of Object.entries(doc.definitions as Obj)) defs.msg(1, new Msg().str(1, name).msg(2, schemaMsg(s as Obj)));
  m.msg(9, defs);
  for (const req of doc.security as Obj[]) {
    const sr = new Msg();
    for (const [name, scopes] of Object.entries(req)) sr.msg(1, new Msg().str(1, name).msg(2, new Msg().strs(1, scopes)));
    m.msg(12, sr);
  }
  const secDefs = new Msg();
  for (const [name, d] of Object.entries(doc.securityDefinitions as Obj)) {
    const s = d as Obj;
    const apiKey = new Msg().str(1, s.type).str(2, s.name).str(3, s.in).str(4, s.description);
    secDefs.msg(1, new Msg().str(1, name).msg(2, new Msg().msg(2, apiKey)));
  }
  m.msg(13, secDefs);
  return m.finish();
}
