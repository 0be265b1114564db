// OpenAPI v3 discovery (/openapi/v3) and per group-version documents, derived from RESOURCES.
//
// What kubectl 1.32 needs from them (client-go openapi3, kubectl query_param_verifier_v3.go,
// apply/patcher.go, explain/v2 templates):
// - `create -f` / `apply -f` validation: every PATCH operation tagged with a kind's
//   x-kubernetes-group-version-kind must list the `fieldValidation` query parameter; kubectl
//   then sends ?fieldValidation=Strict and skips client-side (OpenAPI v2) validation. The
//   paths map is unordered, so every such operation carries it, not just one.
// - PATCH operations have no requestBody: kubectl computes a strategic merge patch from the
//   OpenAPI v3 schemas only when requestBody advertises application/strategic-merge-patch+json,
//   and would then need x-kubernetes-patch-merge-key data we do not publish. Without it, apply
//   uses its compiled-in Go types, which are exact for these built-in kinds.
// - `explain`: finds the kind via an operation's x-kubernetes-group-version-kind on
//   .../<plural>/{name}, then the component schema whose x-kubernetes-group-version-kind list
//   contains that kind, and follows $ref/allOf from there.
// serverRelativeURL starts with /openapi/v3 so client-go keeps the kubeconfig server's path
// prefix (/clusters/<id>/...) when fetching the document (client-go openapi/client.go).

import { RESOURCES, apiVersionOf, groupVersions, type ResourceType } from "./resources";
import { componentSchemas, kindSchemaName } from "./openapi-schemas";

const gvPath = (group: string, version: string) => (group === "" ? `api/${version}` : `apis/${group}/${version}`);

// Operation ids follow the real scheme: <verb><Group><Version>[Namespaced]<Kind>[<Subresource>].
const camel = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const groupWord = (g: string) => (g === "" ? "Core" : g.split(".")[0].split("-").map(camel).join(""));

const queryParam = (name: string, description: string, type = "string") =>
  ({ name, in: "query", description, schema: { type, uniqueItems: true } });
const DRY_RUN = queryParam("dryRun", "When present, the change is validated and admitted but not persisted. Valid value: All.");
const FIELD_MANAGER = queryParam("fieldManager", "Name of the actor making the change, recorded in managedFields.");
const FIELD_VALIDATION = queryParam("fieldValidation",
  "How to treat unknown or duplicate fields in the request: Ignore, Warn (default) or Strict (reject).");
const FORCE = queryParam("force", "Force an apply request to take ownership of conflicting fields.", "boolean");
const LIST_PARAMS = [
  queryParam("labelSelector", "Restrict the list by labels."), queryParam("fieldSelector", "Restrict the list by fields."),
  queryParam("limit", "Maximum number of items to return.", "integer"), queryParam("continue", "Token from a previous page."),
  queryParam("resourceVersion", "Version to read from."), queryParam("watch", "Stream changes instead of listing.", "boolean"),
  queryParam("timeoutSeconds", "Time limit for the list or watch.", "integer"),
];
const pathParam = (name: string, description: string) =>
  ({ name, in: "path", description, required: true, schema: { type: "string", uniqueItems: true } });
const NAMESPACE = pathParam("namespace", "object name and auth scope, such as for teams and projects");
const PRETTY = queryParam("pretty", "If 'true', then the output is pretty printed.");

interface Gvk { group: string; version: string; kind: string }

function operation(verb: string, action: string, idBase: string, gvk: Gvk, schemaRef: string | undefined, params: object[]): object {
  const content = schemaRef ? { "application/json": { schema: { $ref: `#/components/schemas/${schemaRef}` } } } : undefined;
  return {
    description: `${action} ${gvk.kind}`,
    operationId: `${verb}${idBase}`,
    tags: [`${groupWord(gvk.group).toLowerCase()}_${gvk.version}`],
    parameters: params,
    responses: { "200": { description: "OK", ...(content ? { content } : {}) }, "401": { description: "Unauthorized" } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: gvk.group, version: gvk.version, kind: gvk.kind },
  };
}

const WRITE_PARAMS = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];

/** Path items for one resource: collection, item and subresources. */
function resourcePaths(r: ResourceType): Record<string, Record<string, unknown>> {
  const base = `/${gvPath(r.group, r.version)}`;
  const scope = r.namespaced ? "Namespaced" : "";
  const id = `${groupWord(r.group)}${camel(r.version)}${scope}${r.kind}`;
  const gvk: Gvk = { group: r.group, version: r.version, kind: r.kind };
  const kindRef = kindSchemaName(r);
  const has = (v: string) => r.verbs.includes(v);
  const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const scopeParams = r.namespaced ? [NAMESPACE, PRETTY] : [PRETTY];
  const out: Record<string, Record<string, unknown>> = {};

  const coll: Record<string, unknown> = { parameters: scopeParams };
  if (has("list")) coll.get = operation("list", "list", id, gvk, `${kindRef}List`, LIST_PARAMS);
  if (has("create")) coll.post = operation("create", "post", id, gvk, kindRef, WRITE_PARAMS);
  if (has("deletecollection")) coll.delete = operation("deleteCollection", "deletecollection", id, gvk, undefined, LIST_PARAMS);
  out[collection] = coll;
  if (r.namespaced && has("list")) {
    out[`${base}/${r.plural}`] = { parameters: [PRETTY], get: operation("list", "list", `${groupWord(r.group)}${camel(r.version)}${r.kind}ForAllNamespaces`, gvk, `${kindRef}List`, LIST_PARAMS) };
  }

  const item: Record<string, unknown> = { parameters: [pathParam("name", `name of the ${r.kind}`), ...scopeParams] };
  if (has("get")) item.get = operation("read", "get", id, gvk, kindRef, []);
  if (has("update")) item.put = operation("replace", "put", id, gvk, kindRef, WRITE_PARAMS);
  // Create-only kinds (Binding, access reviews) get a PATCH entry too: it is the only thing
  // kubectl's fieldValidation check looks at (our OpenAPI v2 is derived from these documents).
  item.patch = operation("patch", "patch", id, gvk, kindRef, [...WRITE_PARAMS, FORCE]);
  if (has("delete")) item.delete = operation("delete", "delete", id, gvk, undefined, [DRY_RUN]);
  out[`${collection}/{name}`] = item;

  for (const s of r.subresources ?? []) {
    const sgvk: Gvk = { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind };
    const sid = `${id}${camel(s.name)}`;
    const sameKind = sgvk.group === r.group && sgvk.kind === r.kind;
    const sref = sameKind ? kindRef : undefined;
    const p: Record<string, unknown> = { parameters: [pathParam("name", `name of the ${s.kind}`), ...scopeParams] };
    for (const v of s.verbs) {
      if (v === "get") p.get = operation("read", "get", sid, sgvk, sref, []);
      if (v === "update") p.put = operation("replace", "put", sid, sgvk, sref, WRITE_PARAMS);
      if (v === "patch") p.patch = operation("patch", "patch", sid, sgvk, sref, [...WRITE_PARAMS, FORCE]);
      if (v === "create") p.post = operation("create", "post", sid, sgvk, sref, WRITE_PARAMS);
    }
    out[`${collection}/{name}/${s.name}`] = p;
  }
  return out;
}

// FNV-1a 64-bit over the document text: a stable cache-busting hash that changes with content.
function hash64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).toUpperCase().padStart(16, "0");
}

const docs = new Map<string, { doc: object; hash: string }>();

function buildDoc(group: string, version: string): { doc: object; hash: string } | undefined {
  const key = gvPath(group, version);
  const cached = docs.get(key);
  if (cached) return cached;
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of rs) Object.assign(paths, resourcePaths(r));
  const doc = {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.2" },
    paths,
    components: {
      schemas: componentSchemas(rs),
      securitySchemes: { BearerToken: { type: "apiKey", description: "Bearer Token authentication", name: "authorization", in: "header" } },
    },
    security: [{ BearerToken: [] }],
  };
  const built = { doc, hash: hash64(JSON.stringify(doc)) };
  docs.set(key, built);
  return built;
}

/**
 * GET /openapi/v3. URLs are server-relative without any kubeconfig path prefix: because they
 * start with /openapi/v3, kubectl re-applies its own prefix (see header comment).
 */
export function openapiRoot(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [group, versions] of groupVersions()) {
    for (const v of versions) {
      const built = buildDoc(group, v)!;
      paths[gvPath(group, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, v)}?hash=${built.hash}` };
    }
  }
  return { paths };
}

/**
 * GET /openapi/v3/<path>. Accepts "api/v1", "apis/apps/v1", with or without a leading
 * "/openapi/v3/" or "/" and a query string. Undefined for unknown group-versions.
 */
export function openapiGroupVersion(path: string): object | undefined {
  const p = path.split("?")[0].replace(/^\/+/, "").replace(/^openapi\/v3\//, "").replace(/\/+$/, "");
  const parts = p.split("/");
  if (parts[0] === "api" && parts.length === 2) return buildDoc("", parts[1])?.doc;
  if (parts[0] === "apis" && parts.length === 3 && parts[1] !== "") return buildDoc(parts[1], parts[2])?.doc;
  return undefined;
}

/** The current hash of a group-version document (for ETag / cache headers), if served. */
export function openapiHash(path: string): string | undefined {
  const doc = openapiGroupVersion(path);
  if (!doc) return undefined;
  for (const v of docs.values()) if (v.doc === doc) return v.hash;
  return undefined;
}

/** "apps/v1" style group-versions served, for callers that list them. */
export const openapiGroupVersions = () => [...groupVersions()].flatMap(([g, vs]) => vs.map((v) => apiVersionOf({ group: g, version: v })));
