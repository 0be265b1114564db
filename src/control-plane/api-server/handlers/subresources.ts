// Subresources: status, scale, binding, eviction, log, finalize.
import type { Container } from "../objects/core";
import { decodeObject, jsonResponse, mediaType, readBody } from "../codec";
import { bindPod as bindPodTo } from "../registry/binding";
import { rfc3339 } from "../registry/store";
import { queryBool } from "../request-info";
import { labelSelectorToString } from "../selectors";
import { errors, successStatus } from "../status";
import type { KubeObject } from "../types";
import { intParam, writeCtx, type ReqCtx } from "./context";
import { formatObject } from "./output";
import { applyPatchDocument, deleteOptions, patchObject, updateObject } from "./rest";

export async function statusSubresource(c: ReqCtx): Promise<Response> {
  switch (c.info.verb) {
    case "get": return jsonResponse(formatObject(c.r, c.registry.get(c.sr, c.info.namespace, c.info.name!), c.out));
    case "update": return updateObject(c, "status");
    case "patch": return patchObject(c, "status");
  }
  throw errors.methodNotAllowed();
}

/** The Scale's status.selector; a stored selector that no longer converts is left out, not a 500. */
function selectorOrEmpty(sel: unknown): string {
  try {
    return labelSelectorToString(sel as Parameters<typeof labelSelectorToString>[0]);
  } catch {
    return "";
  }
}

function toScale(obj: KubeObject): KubeObject {
  const selector = obj.spec?.selector ? selectorOrEmpty(obj.spec.selector) : "";
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

export async function scaleSubresource(c: ReqCtx): Promise<Response> {
  const { namespace: ns, name } = c.info;
  if (c.info.verb === "get") return jsonResponse(toScale(c.registry.get(c.sr, ns, name!)));
  if (c.info.verb !== "update" && c.info.verb !== "patch") throw errors.methodNotAllowed();
  const raw = await readBody(c.req);
  const type = mediaType(c.req.headers.get("content-type"));
  const updated = c.registry.guaranteedUpdate(c.sr, ns, name!, writeCtx(c), (cur) => {
    const scale = c.info.verb === "update"
      ? (decodeObject(raw, c.req.headers.get("content-type")) as KubeObject)
      : applyPatchDocument(type === "application/strategic-merge-patch+json" ? "application/merge-patch+json" : type, toScale(cur), new TextDecoder().decode(raw));
    const replicas = scale.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0)
      throw errors.invalid({ kind: "Scale", group: "autoscaling" }, name!, [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: "spec.replicas" }]);
    const rv = scale.metadata?.resourceVersion;
    cur.spec = { ...cur.spec, replicas };
    if (rv && rv !== cur.metadata.resourceVersion) cur.metadata.resourceVersion = rv; // a stale Scale is a conflict
    return cur;
  });
  return jsonResponse(toScale(updated));
}

/** Assigns a pod to a node (what kube-scheduler does): POST pods/x/binding or namespaces/ns/bindings. */
export async function bindPod(c: ReqCtx, podName: string): Promise<Response> {
  const binding = decodeObject(await readBody(c.req), c.req.headers.get("content-type")) as KubeObject;
  const node = binding.target?.name;
  if (!node) throw errors.invalid({ kind: "Binding", group: "" }, podName, [{ reason: "FieldValueRequired", message: "Required value", field: "target.name" }]);
  bindPodTo(c.registry, c.info.namespace!, podName, node, writeCtx(c), binding.metadata?.uid);
  return jsonResponse(successStatus(), 201);
}

/** policy/v1 Eviction: a polite delete (no PodDisruptionBudgets exist to refuse it yet). */
export async function evictPod(c: ReqCtx): Promise<Response> {
  const raw = await readBody(c.req);
  const eviction = raw.byteLength ? (decodeObject(raw, c.req.headers.get("content-type")) as KubeObject) : ({} as KubeObject);
  const name = c.info.name!;
  if (eviction.metadata?.name && eviction.metadata.name !== name) throw errors.badRequest(`name in URL does not match name in Eviction object`);
  const ctx = writeCtx(c);
  const pod = c.registry.get(c.sr, c.info.namespace, name);
  // As kube-apiserver does: the pod says why it is going (DisruptionTarget), then it is deleted.
  if (pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed" && !pod.metadata.deletionTimestamp) {
    c.registry.guaranteedUpdate(c.sr, c.info.namespace, name, ctx, (cur) => {
      const conditions = (cur.status?.conditions ?? []).filter((x: { type: string }) => x.type !== "DisruptionTarget");
      conditions.push({ type: "DisruptionTarget", status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting", lastTransitionTime: rfc3339(ctx.now) });
      return { ...cur, status: { ...cur.status, conditions } };
    }, "status");
  }
  c.registry.delete(c.sr, c.info.namespace, name, ctx, eviction.deleteOptions ?? {});
  return jsonResponse(successStatus(), 201);
}

export async function podLog(c: ReqCtx): Promise<Response> {
  const q = c.url.searchParams;
  const pod = c.registry.get(c.sr, c.info.namespace, c.info.name!);
  const containers: string[] = (pod.spec?.containers ?? []).map((x: Container) => x.name);
  let container = q.get("container") ?? undefined;
  if (!container) {
    if (containers.length !== 1) {
      const defaulted = pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"];
      if (!defaulted) throw errors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(" ")}]`);
      container = defaulted;
    } else container = containers[0];
  }
  const all = [...containers, ...(pod.spec?.initContainers ?? []).map((x: Container) => x.name)];
  if (!all.includes(container!)) throw errors.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  if (!pod.spec?.nodeName || !c.logs) return new Response("", { headers: { "Content-Type": "text/plain" } });
  const res = await c.logs({
    namespace: c.info.namespace!, pod: c.info.name!, container,
    follow: queryBool(q, "follow"), previous: queryBool(q, "previous"), timestamps: queryBool(q, "timestamps"),
    tailLines: intParam(q, "tailLines"), sinceSeconds: intParam(q, "sinceSeconds"), user: c.user.username,
  }, pod);
  return typeof res === "string" ? new Response(res, { headers: { "Content-Type": "text/plain" } }) : res;
}

export async function finalizeNamespace(c: ReqCtx): Promise<Response> {
  return updateObject(c, "finalize");
}

export { deleteOptions };
