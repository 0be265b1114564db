// authorization.k8s.io reviews: "may I?" answered by the same authorizer that guards requests.
import { decodeObject, jsonResponse, readBody } from "../codec";
import type { Authorizer } from "../auth";
import { errors } from "../status";
import type { KubeObject } from "../types";
import type { ReqCtx } from "./context";

export async function selfSubjectAccessReview(c: ReqCtx, authorizer: Authorizer): Promise<Response> {
  const review = decodeObject(await readBody(c.req), c.req.headers.get("content-type")) as KubeObject;
  const ra = review.spec?.resourceAttributes;
  const nra = review.spec?.nonResourceAttributes;
  if (!ra && !nra) throw errors.invalid({ kind: "SelfSubjectAccessReview", group: "authorization.k8s.io" }, "", [{ reason: "FieldValueRequired", message: "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified", field: "spec.resourceAttributes" }]);
  const decision = authorizer.authorize(ra
    ? { user: c.user, verb: ra.verb ?? "", isResourceRequest: true, path: "", group: ra.group ?? "", resource: ra.resource ?? "", subresource: ra.subresource || undefined, namespace: ra.namespace || undefined, name: ra.name || undefined }
    : { user: c.user, verb: nra.verb ?? "", isResourceRequest: false, path: nra.path ?? "", group: "", resource: "" });
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (!decision.allowed) status.denied = false;
  if (decision.reason) status.reason = decision.reason;
  return jsonResponse({ kind: "SelfSubjectAccessReview", apiVersion: "authorization.k8s.io/v1", metadata: { creationTimestamp: null }, spec: review.spec, status }, 201);
}

export async function selfSubjectRulesReview(c: ReqCtx): Promise<Response> {
  const review = decodeObject(await readBody(c.req), c.req.headers.get("content-type")) as KubeObject;
  const admin = c.user.groups.includes("system:masters");
  const resourceRules = admin
    ? [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }]
    : [{ verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] }];
  const nonResourceRules = admin
    ? [{ verbs: ["*"], nonResourceURLs: ["*"] }]
    : [{ verbs: ["get"], nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"] }];
  return jsonResponse({ kind: "SelfSubjectRulesReview", apiVersion: "authorization.k8s.io/v1", metadata: { creationTimestamp: null }, spec: review.spec ?? {}, status: { resourceRules, nonResourceRules, incomplete: false } }, 201);
}
