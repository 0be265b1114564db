// Sending manifests to the classroom's API server the way `kubectl apply --server-side` does:
// find the resource, then PATCH with application/apply-patch+yaml (creates or updates). Takes any
// object with a k8s() method, so it can be tested with a fake API.
import { ApiError } from "../../api";
import { applyPath, collectionPath, discoveryPath, existsPath, kubectlRef, resourceFor, resourceFromDiscovery, targetNamespace, type ResourceInfo } from "./resources";

export interface K8sClient {
  /** The API server's JSON answer, read here only as far as it is checked to be. */
  k8s(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown>;
}

/** A problem found before anything is sent (kubectl finds these too); `code` is a translation key. */
export class ManifestProblem extends Error {
  constructor(readonly field: string, readonly code: "notObject" | "noApiVersion" | "noKind" | "noMatch", readonly vars: Record<string, string> = {}) {
    super(code);
  }
}

export interface Applied {
  /** kubectl's name for it: "deployment.apps/web". */
  ref: string;
  verb: "created" | "configured";
  /** "namespace/name" (or "name" when cluster-scoped), for the map's highlight. */
  key: string;
}

export type ApplyOutcome = { index: number; ok: true; applied: Applied } | { index: number; ok: false; error: ApiError | ManifestProblem };

type ResourceList = { resources?: { name: string; kind: string; namespaced: boolean }[] };
type Discovery = Map<string, Promise<ResourceList | undefined>>;

/** apiVersion + kind → resource: the table first, else the API's discovery (cached per apply). */
export async function resolveResource(api: K8sClient, obj: Record<string, unknown>, discovery: Discovery = new Map()): Promise<ResourceInfo> {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== "string" || !apiVersion) throw new ManifestProblem("apiVersion", "noApiVersion");
  if (typeof kind !== "string" || !kind) throw new ManifestProblem("kind", "noKind");
  const known = resourceFor(apiVersion, kind);
  if (known) return known;
  const path = discoveryPath(apiVersion);
  // An APIResourceList, as the API server's discovery answers.
  if (!discovery.has(path)) discovery.set(path, api.k8s("GET", path).then((list) => (isObject(list) ? (list as ResourceList) : undefined), () => undefined));
  const list = await discovery.get(path);
  const found = list && resourceFromDiscovery(apiVersion, kind, list);
  if (!found) throw new ManifestProblem("kind", "noMatch", { kind, version: apiVersion });
  return found;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Creates or updates one object with server-side apply; throws ApiError or ManifestProblem. */
export async function applyObject(api: K8sClient, obj: unknown, defaultNs: string, discovery?: Discovery): Promise<Applied> {
  if (!isObject(obj)) throw new ManifestProblem("", "notObject");
  const r = await resolveResource(api, obj, discovery);
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const ns = targetNamespace(r, meta.namespace, defaultNs);
  const body = JSON.stringify(obj); // JSON is YAML, and the server parses either
  const done = (res: unknown, verb: Applied["verb"]): Applied => {
    // The object as stored: its name (generated, perhaps) and namespace.
    const stored = (isObject(res) && isObject(res.metadata) ? res.metadata : {}) as { name?: string; namespace?: string };
    const name = stored.name ?? String(meta.name ?? "");
    const namespace = stored.namespace ?? ns;
    return { ref: kubectlRef(r, name), verb, key: namespace ? `${namespace}/${name}` : name };
  };
  // Without a name there is nothing to apply to: create it, and the server names the problem
  // ("metadata.name: Required value") or generates the name.
  if (typeof meta.name !== "string" || !meta.name) return done(await api.k8s("POST", collectionPath(r, ns), body), "created");
  // Created or configured, as kubectl says: asked with a list by name, which answers an empty
  // list rather than a 404 when the object is new.
  let existed = true;
  try {
    const list = await api.k8s("GET", existsPath(r, ns, meta.name));
    const items = isObject(list) ? list.items : undefined;
    existed = Array.isArray(items) ? items.length > 0 : true;
  } catch {
    /* the apply itself will say what is wrong */
  }
  try {
    const res = await api.k8s("PATCH", applyPath(r, ns, meta.name), body, "application/apply-patch+yaml");
    return done(res, existed ? "configured" : "created");
  } catch (e) {
    // A server without apply for this kind: fall back to a plain create.
    if (e instanceof ApiError && (e.status === 415 || e.status === 405)) return done(await api.k8s("POST", collectionPath(r, ns), body), "created");
    throw e;
  }
}

/** Applies documents in order; one failing does not stop the rest (as kubectl apply -f). */
export async function applyAll(api: K8sClient, objects: unknown[], defaultNs: string): Promise<ApplyOutcome[]> {
  const discovery: Discovery = new Map();
  const out: ApplyOutcome[] = [];
  for (let index = 0; index < objects.length; index++) {
    try {
      out.push({ index, ok: true, applied: await applyObject(api, objects[index], defaultNs, discovery) });
    } catch (e) {
      out.push({ index, ok: false, error: e instanceof ApiError || e instanceof ManifestProblem ? e : new ApiError(0, String((e as Error)?.message ?? e)) });
    }
  }
  return out;
}

/** kubectl's prefix for a server error: "Error from server (Forbidden)"; undefined for network errors. */
export function serverErrorTitle(e: { status: number; reason?: string }): string | undefined {
  if (e.status === 0) return undefined;
  return `Error from server (${e.reason || e.status})`;
}

/** A 404 for the whole resource type (not the object): this cluster does not serve the kind. */
export function isUnservedKind(e: { status: number; message: string }): boolean {
  return e.status === 404 && e.message === "the server could not find the requested resource";
}
