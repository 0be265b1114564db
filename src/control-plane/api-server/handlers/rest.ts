// The REST verbs on a resource collection or object: get, list, create, update, patch, delete,
// deletecollection. Watch and subresources have their own modules.
import { decodeObject, jsonResponse, mediaType, parseJson, readBody } from "../codec";
import { DepthError, MAX_OBJECT_DEPTH, valueTooDeep } from "../depth";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError, serverSideApply } from "../patch";
import type { DeleteOptions } from "../registry/store";
import { rfc3339 } from "../registry/store";
import { queryBool } from "../request-info";
import { apiVersionOf } from "../resources";
import { convertFieldSelector, parseFieldSelector, parseLabelSelector, SelectorError } from "../selectors";
import { ApiError, errors, successStatus } from "../status";
import type { KubeObject } from "../types";
import { intParam, writeCtx, type ReqCtx } from "./context";
import { formatList, formatObject, toStorage } from "./output";
import { simulationWarnings } from "../warnings";
import { goJson, invalid } from "../validation/helpers";

export function selectorsFrom(c: ReqCtx) {
  const q = c.url.searchParams;
  try {
    const ls = q.get("labelSelector");
    const fs = q.get("fieldSelector");
    // Checks each field label for this kind and maps aliases (events.k8s.io regarding.* → involvedObject.*).
    const fieldSelector = fs ? convertFieldSelector(parseFieldSelector(fs), c.r.kind, c.r.group) : undefined;
    return { labelSelector: ls ? parseLabelSelector(ls) : undefined, fieldSelector };
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
}

export function getObject(c: ReqCtx): Response {
  const obj = c.registry.get(c.sr, c.info.namespace, c.info.name!);
  return jsonResponse(formatObject(c.r, obj, c.out));
}

export function listObjects(c: ReqCtx): Response {
  const q = c.url.searchParams;
  const res = c.registry.list(c.sr, c.info.namespace, { ...selectorsFrom(c), limit: intParam(q, "limit"), continue: q.get("continue") ?? undefined });
  return jsonResponse(formatList(c.r, res.items, c.out, res));
}

async function bodyObject(c: ReqCtx): Promise<KubeObject> {
  const body = decodeObject(await readBody(c.req), c.req.headers.get("content-type"), c.r.kind) as KubeObject;
  checkTypeMeta(c, body);
  return toStorage(c.r, body);
}

/** The body's apiVersion and kind must name this endpoint's type (when given). */
function checkTypeMeta(c: ReqCtx, body: KubeObject): void {
  const want = apiVersionOf(c.r);
  if (body.apiVersion && body.apiVersion !== want)
    throw errors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${want})`);
  if (body.kind && body.kind !== c.r.kind)
    throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${c.r.kind})`);
  if (body.metadata !== undefined && (typeof body.metadata !== "object" || body.metadata === null || Array.isArray(body.metadata)))
    throw errors.badRequest("metadata must be an object");
  body.metadata = body.metadata ?? {};
}

export async function createObject(c: ReqCtx): Promise<Response> {
  const body = await bodyObject(c);
  const w = writeCtx(c);
  const obj = c.registry.create(c.sr, c.info.namespace, body, w);
  c.warnings.push(...simulationWarnings(obj));
  return jsonResponse(formatObject(c.r, obj, c.out), 201);
}

export async function updateObject(c: ReqCtx, subresource?: string): Promise<Response> {
  const body = await bodyObject(c);
  const { object, created } = c.registry.update(c.sr, c.info.namespace, c.info.name!, body, writeCtx(c), subresource);
  if (!subresource) c.warnings.push(...simulationWarnings(object));
  return jsonResponse(formatObject(c.r, object, c.out), created ? 201 : 200);
}

const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml", "application/apply-patch+cbor"];

/** Applies the request's patch document to an object (any patch type but server-side apply). */
export function applyPatchDocument(type: string, cur: KubeObject, text: string): KubeObject {
  let patched: unknown;
  // patch.go decodes JSON and merge patches with kjson.UnmarshalStrict ("error decoding patch: …"),
  // strategic ones with the bare decoder error.
  const decodeErr = (m: string) => errors.badRequest(`error decoding patch: ${m}`);
  try {
    if (type === "application/json-patch+json") patched = applyJsonPatch(cur, parseJson(text, decodeErr));
    else if (type === "application/merge-patch+json") patched = applyMergePatch(cur, parseJson(text, decodeErr));
    else patched = applyStrategicMergePatch(cur, parseJson(text) as Record<string, unknown>);
  } catch (e) {
    if (e instanceof PatchError) throw new ApiError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: e.message, reason: e.reason, code: e.code });
    if (e instanceof DepthError) throw patchedTooDeep(e.doc, e.char);
    throw e;
  }
  if (typeof patched !== "object" || patched === null || Array.isArray(patched)) throw errors.badRequest("the patch produced something other than an object");
  boundPatched(patched);
  return patched as KubeObject;
}

/** What patch.go answers when the patched JSON does not decode: 422 on the field "patch". */
function patchedTooDeep(doc: unknown, char: "{" | "["): ApiError {
  return errors.invalid({ kind: "", group: "" }, "", [invalid("patch", goJson(doc), `couldn't get version/kind; json parse error: ${new DepthError(char).message}`)]);
}

/** A patch result nested deeper than stored objects may be (bodies are bounded; results can add up). */
export function boundPatched(obj: unknown): void {
  const c = valueTooDeep(obj, MAX_OBJECT_DEPTH);
  if (c) throw patchedTooDeep(obj, c);
}

export async function patchObject(c: ReqCtx, subresource?: string): Promise<Response> {
  const type = mediaType(c.req.headers.get("content-type"));
  if (!PATCH_TYPES.includes(type) || type === "application/apply-patch+cbor") throw errors.unsupportedMediaType(type);
  const text = new TextDecoder().decode(await readBody(c.req));
  const w = writeCtx(c);
  const ns = c.info.namespace;
  const name = c.info.name!;

  if (type === "application/apply-patch+yaml") {
    const q = c.url.searchParams;
    if (!q.get("fieldManager")) throw errors.badRequest("PATCH request for server-side apply is missing the fieldManager parameter; fieldManager is required for apply requests");
    const raw = decodeObject(new TextEncoder().encode(text), type) as KubeObject;
    checkTypeMeta(c, raw);
    const applied = toStorage(c.r, raw);
    if (applied.metadata.name && applied.metadata.name !== name) throw errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    applied.metadata.name = name;
    const force = queryBool(q, "force");
    const live = c.registry.tryGet(c.sr, ns, name);
    const opts = { manager: q.get("fieldManager")!, force, now: rfc3339(c.now) };
    const merged = ssa(live, applied, opts);
    boundPatched(merged);
    if (!live) {
      const created = c.registry.create(c.sr, ns, merged, { ...w, managedFieldsDone: true });
      return jsonResponse(formatObject(c.r, created, c.out), 201);
    }
    const updated = c.registry.guaranteedUpdate(c.sr, ns, name, { ...w, managedFieldsDone: true }, () => merged, subresource);
    return jsonResponse(formatObject(c.r, updated, c.out));
  }

  const updated = c.registry.guaranteedUpdate(c.sr, ns, name, w, (cur) => {
    const patched = applyPatchDocument(type, cur, text);
    // A patch may carry a resourceVersion as a precondition; otherwise it applies to what is current.
    if (patched.metadata?.resourceVersion === cur.metadata.resourceVersion) delete patched.metadata.resourceVersion;
    return patched;
  }, subresource);
  if (!subresource) c.warnings.push(...simulationWarnings(updated));
  return jsonResponse(formatObject(c.r, updated, c.out));
}

function ssa(live: KubeObject | undefined, applied: KubeObject, opts: { manager: string; force: boolean; now: string }): KubeObject {
  try {
    return serverSideApply(live, applied, opts);
  } catch (e) {
    if (e instanceof PatchError) throw new ApiError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: e.message, reason: e.reason, code: e.code });
    throw e;
  }
}

export async function deleteOptions(c: ReqCtx): Promise<DeleteOptions> {
  const q = c.url.searchParams;
  const raw = await readBody(c.req);
  let opts: DeleteOptions = {};
  if (raw.byteLength > 0) opts = decodeObject(raw, c.req.headers.get("content-type") ?? "application/json") as DeleteOptions;
  const grace = intParam(q, "gracePeriodSeconds");
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = q.get("propagationPolicy");
  if (policy) opts.propagationPolicy = policy as DeleteOptions["propagationPolicy"];
  if (opts.propagationPolicy && !["Orphan", "Background", "Foreground"].includes(opts.propagationPolicy))
    throw errors.badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
  return opts;
}

export async function deleteObject(c: ReqCtx): Promise<Response> {
  const opts = await deleteOptions(c);
  const { object, deleted } = c.registry.delete(c.sr, c.info.namespace, c.info.name!, writeCtx(c), opts);
  if (!deleted) return jsonResponse(formatObject(c.r, object, { ...c.out, as: "object" }), 202);
  // Pods answer with the object they were; other kinds with a Success Status, as kube-apiserver does.
  if (c.r.kind === "Pod") return jsonResponse(formatObject(c.r, object, { ...c.out, as: "object" }));
  return jsonResponse(successStatus({ name: object.metadata.name, group: c.r.group || undefined, kind: c.r.plural, uid: object.metadata.uid }));
}

export async function deleteCollection(c: ReqCtx): Promise<Response> {
  const opts = await deleteOptions(c);
  const w = writeCtx(c);
  const { items, resourceVersion } = c.registry.list(c.sr, c.info.namespace, selectorsFrom(c));
  const gone: KubeObject[] = [];
  for (const item of items) {
    try {
      gone.push(c.registry.delete(c.sr, item.metadata.namespace, item.metadata.name!, w, opts).object);
    } catch (e) {
      // Already gone in between is fine for a collection delete.
      if (!(e instanceof ApiError && e.status.code === 404)) throw e;
    }
  }
  return jsonResponse(formatList(c.r, gone, { ...c.out, as: "object" }, { resourceVersion }));
}
