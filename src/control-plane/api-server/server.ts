// kube-apiserver: the one door into the cluster. Every request is authenticated, authorized,
// then served from etcd through the registry; discovery and OpenAPI describe what is served.
import type { Etcd } from "../etcd/store";
import { forbiddenMessage, mastersAuthorizer, type Attributes, type Authorizer, type UserInfo } from "./auth";
import { errorResponse, jsonResponse, negotiateOutput } from "./codec";
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE, aggregatedDiscovery, apiResourceList, legacyCoreVersions, legacyGroup, legacyGroupList,
  versionInfo, wantsAggregatedDiscovery,
} from "./discovery";
import type { LogSource, ReqCtx } from "./handlers/context";
import { createObject, deleteCollection, deleteObject, getObject, listObjects, patchObject, updateObject } from "./handlers/rest";
import { selfSubjectAccessReview, selfSubjectRulesReview } from "./handlers/reviews";
import { bindPod, evictPod, finalizeNamespace, podLog, scaleSubresource, statusSubresource } from "./handlers/subresources";
import { serveMetrics, type MetricsSource } from "./handlers/metrics";
import { watchObjects } from "./handlers/watch";
import { openapiGroupVersion, openapiRoot } from "./openapi";
import { OPENAPI_V2_PROTOBUF_CONTENT_TYPE, negotiateOpenapiV2, openapiV2 } from "./openapi-v2";
import { resolvePodPriority } from "./registry/priority-admission";
import { recordCreator } from "./registry/created-by";
import { quotaAdmission } from "./registry/quota-admission";
import { allocateServiceAddresses } from "./registry/service-allocator";
import { Registry } from "./registry/store";
import { requestInfo } from "./request-info";
import { findResource, storageResource } from "./resources";
import { ApiError, errors } from "./status";
import { warningHeaders } from "./warnings";

export interface ApiServerOptions {
  authorizer?: Authorizer;
  logs?: LogSource;
  metrics?: MetricsSource;
  now?: () => Date;
}

/** Paths anyone may read, authenticated or not (system:public-info-viewer). */
const PUBLIC_PATHS = new Set(["/version", "/version/", "/healthz", "/livez", "/readyz"]);

export class ApiServer {
  readonly registry: Registry;
  readonly authorizer: Authorizer;
  /** Requests served since start-up, for the architecture view. */
  requests = 0;

  constructor(readonly etcd: Etcd, private readonly opts: ApiServerOptions = {}) {
    this.registry = new Registry(etcd);
    this.registry.addAdmission(resolvePodPriority);
    this.registry.addAdmission(allocateServiceAddresses);
    this.registry.addAdmission(quotaAdmission);
    this.registry.addAdmission(recordCreator);
    this.authorizer = opts.authorizer ?? mastersAuthorizer;
  }

  now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Serves one API request. `user` is undefined when no valid credential came with it. */
  async handle(req: Request, user: UserInfo | undefined): Promise<Response> {
    this.requests++;
    const url = new URL(req.url);
    const warnings: string[] = [];
    try {
      const res = await this.route(req, url, user, warnings);
      if (warnings.length === 0) return res;
      const headers = new Headers(res.headers);
      for (const [k, v] of warningHeaders(warnings)) headers.append(k, v);
      return new Response(res.body, { status: res.status, headers });
    } catch (e) {
      // A request refused before its body was read: release the stream rather than leave it dangling.
      if (req.body && !req.bodyUsed) await req.body.cancel().catch(() => {});
      return errorResponse(e);
    }
  }

  private async route(req: Request, url: URL, user: UserInfo | undefined, warnings: string[]): Promise<Response> {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (PUBLIC_PATHS.has(path)) return path === "/version" ? jsonResponse(versionInfo()) : new Response("ok");
    if (!user) throw errors.unauthorized();

    const info = requestInfo(req.method, path, url.searchParams);
    if (!info.isResourceRequest) {
      const method = req.method === "HEAD" ? "GET" : req.method;
      const nonResource = this.nonResource(method, path, req.headers);
      if (!nonResource) throw errors.pathNotFound();
      return nonResource;
    }

    const r = findResource(info.group, info.version, info.resource!);
    if (!r) throw errors.pathNotFound();
    if (info.namespace !== undefined && !r.namespaced) throw errors.pathNotFound();
    const sub = info.subresource ? r.subresources?.find((s) => s.name === info.subresource) : undefined;
    if (info.subresource && !sub) throw errors.pathNotFound();
    // PUT and PATCH name one object; on a collection they are not a verb at all.
    if ((info.verb === "update" || info.verb === "patch") && !info.name) throw errors.methodNotAllowed();
    const verbs = sub ? sub.verbs : r.verbs;
    if (!verbs.includes(info.verb) && !(info.verb === "watch" && verbs.includes("watch"))) throw errors.methodNotAllowed();
    if (r.namespaced && info.namespace === undefined && !["list", "watch", "create"].includes(info.verb)) throw errors.pathNotFound();
    if (r.namespaced && info.namespace === undefined && info.verb === "create" && r.plural !== "bindings") throw errors.pathNotFound();

    const attrs: Attributes = {
      user, verb: info.verb, isResourceRequest: true, path, group: r.group, resource: r.plural,
      subresource: info.subresource, namespace: info.namespace, name: info.name,
    };
    const decision = this.authorizer.authorize(attrs);
    if (!decision.allowed) throw errors.forbidden(forbiddenMessage(attrs, decision.reason), r, info.name);

    const q = url.searchParams;
    const includeObject = (q.get("includeObject") ?? undefined) as ReqCtx["out"]["includeObject"];
    const c: ReqCtx = {
      req, url, info, r, sr: storageResource(r), user, now: this.now(), registry: this.registry, warnings, logs: this.opts.logs,
      out: { as: negotiateOutput(req.headers.get("accept")), includeObject, now: this.now().getTime() },
    };
    return this.dispatch(c);
  }

  private async dispatch(c: ReqCtx): Promise<Response> {
    const { info, r } = c;
    if (r.group === "metrics.k8s.io") return serveMetrics(c, this.opts.metrics);
    if (r.plural === "selfsubjectaccessreviews") return selfSubjectAccessReview(c, this.authorizer);
    if (r.plural === "selfsubjectrulesreviews") return selfSubjectRulesReview(c);
    if (r.plural === "bindings") {
      const body = await c.req.clone().json().catch(() => ({})) as { metadata?: { name?: string } };
      return bindPod(c, body.metadata?.name ?? "");
    }
    switch (info.subresource) {
      case undefined: break;
      case "status": return statusSubresource(c);
      case "scale": return scaleSubresource(c);
      case "binding": return bindPod(c, info.name!);
      case "eviction": return evictPod(c);
      case "log": return podLog(c);
      case "finalize": return finalizeNamespace(c);
      default: throw errors.pathNotFound();
    }
    switch (info.verb) {
      case "get": return getObject(c);
      case "list": return listObjects(c);
      case "watch": return watchObjects(c, this.etcd);
      case "create":
        if (info.name) throw errors.methodNotAllowed();
        return createObject(c);
      case "update": return updateObject(c);
      case "patch": return patchObject(c);
      case "delete": return deleteObject(c);
      case "deletecollection": return deleteCollection(c);
    }
    throw errors.methodNotAllowed();
  }

  /** Discovery, OpenAPI and health: everything outside /api/<v>/... and /apis/<g>/<v>/... */
  private nonResource(method: string, path: string, headers: Headers): Response | undefined {
    if (method !== "GET") return undefined;
    const accept = headers.get("accept");
    const aggregated = wantsAggregatedDiscovery(accept);
    if (path === "/api" || path === "/apis") {
      if (aggregated) {
        return new Response(JSON.stringify(aggregatedDiscovery(path === "/api" ? "core" : "groups")), {
          headers: { "Content-Type": AGGREGATED_DISCOVERY_CONTENT_TYPE, Vary: "Accept" },
        });
      }
      return jsonResponse(path === "/api" ? legacyCoreVersions() : legacyGroupList(), 200, { Vary: "Accept" });
    }
    const parts = path.split("/").filter(Boolean);
    if (parts[0] === "api" && parts.length === 2) return ok(apiResourceList("", parts[1]));
    if (parts[0] === "apis" && parts.length === 2) return ok(legacyGroup(parts[1]));
    if (parts[0] === "apis" && parts.length === 3) return ok(apiResourceList(parts[1], parts[2]));
    if (path === "/openapi/v2") return openapiV2Response(accept, headers.get("if-none-match"));
    if (path === "/openapi/v3") return jsonResponse(openapiRoot());
    if (parts[0] === "openapi" && parts[1] === "v3" && parts.length > 2) return ok(openapiGroupVersion(parts.slice(2).join("/")));
    return undefined;
  }
}

/**
 * GET /openapi/v2 as kube-openapi's handler serves it: JSON or gnostic protobuf by Accept (406
 * otherwise), with an ETag and 304 for a matching If-None-Match.
 */
function openapiV2Response(accept: string | null, ifNoneMatch: string | null): Response {
  const as = negotiateOpenapiV2(accept);
  if (!as) {
    return new Response(`only the following media types are accepted: application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf, ${OPENAPI_V2_PROTOBUF_CONTENT_TYPE}`, {
      status: 406, headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const doc = openapiV2();
  const etag = as === "json" ? doc.jsonEtag : doc.protobufEtag;
  const headers = { "Content-Type": as === "json" ? "application/json" : OPENAPI_V2_PROTOBUF_CONTENT_TYPE, ETag: etag, Vary: "Accept" };
  if (ifNoneMatch === etag) return new Response(null, { status: 304, headers });
  return new Response(as === "json" ? doc.json : doc.protobuf, { headers });
}

function ok(body: object | undefined): Response | undefined {
  return body === undefined ? undefined : jsonResponse(body);
}

export { ApiError };
