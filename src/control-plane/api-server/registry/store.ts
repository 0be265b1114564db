// The generic storage layer between the REST handlers and etcd (kube-apiserver's genericregistry.Store):
// keys, resourceVersion, uid and timestamps, defaulting, validation, admission, optimistic
// concurrency, graceful deletion and finalizers. Every write is one etcd transaction.
// Metadata is decoded as ObjectMeta first (a wrongly-typed field is refused as the real decoder
// refuses it, nothing stored); a value over etcd's request limit and a student's namespace over
// kubeclass's storage limit are refused before the transaction (storage-quota.ts).
import type { Etcd, KeyValue } from "../../etcd/store";
import type { UserInfo } from "../auth";
import { applyDefaults } from "../defaults";
import { updateManagedFields } from "../patch";
import { registryKey, registryPrefix, type ResourceType, NAMESPACES } from "../resources";
import type { FieldSelector, LabelSelector } from "../selectors";
import { fieldsOf } from "../selectors";
import { errors } from "../status";
import type { KubeObject, StatusCause } from "../types";
import { validateCreate, validateUpdate } from "../validation";
import { goJson, invalid } from "../validation/helpers";
import { decodeObjectMeta } from "../validation/metadata-decode";
import { decodeTypedFields } from "../validation/spec-decode";
import { byteLength, MAX_OBJECT_BYTES, NamespaceBytes, requestTooLarge, STUDENT_NAMESPACE_BYTES } from "./storage-quota";
import { normalize, strategyFor, specOf } from "./strategy";
import { PodNodeIndex } from "./pod-node-index";
import { decodeContinue, encodeContinue } from "./continue";
import { admissionName, generatedNames, generateName } from "./names";
import { afterSeconds, rfc3339 } from "./time";

export interface WriteCtx {
  user: UserInfo;
  now: Date;
  dryRun?: boolean;
  fieldManager?: string;
  /** Set when server-side apply already recorded managedFields for this write. */
  managedFieldsDone?: boolean;
  warnings?: string[];
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continue?: string;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Admission: runs after defaulting and validation, before the write (quota, policy, allocation). */
export type AdmissionHook = (op: "CREATE" | "UPDATE" | "DELETE", r: ResourceType, obj: KubeObject, old: KubeObject | undefined, ctx: WriteCtx, reg: Registry) => void;

export { rfc3339 } from "./time";

export class Registry {
  private readonly admission: AdmissionHook[] = [];
  /** Stored bytes per namespace, for the per-student storage limit. */
  readonly storage: NamespaceBytes;
  /** Pods by spec.nodeName: a kubelet's LIST reads its own pods, not every pod. */
  readonly podsByNode: PodNodeIndex;
  /** The stored size of each object read from etcd, so a write knows how much it grows. */
  private readonly sizes = new WeakMap<KubeObject, number>();

  constructor(readonly etcd: Etcd, opts: { studentNamespaceBytes?: number } = {}) {
    this.storage = new NamespaceBytes(etcd, opts.studentNamespaceBytes ?? STUDENT_NAMESPACE_BYTES);
    this.podsByNode = new PodNodeIndex(etcd);
  }

  addAdmission(hook: AdmissionHook): void {
    this.admission.push(hook);
  }

  decode(kv: KeyValue): KubeObject {
    const obj = JSON.parse(kv.value) as KubeObject;
    obj.metadata.resourceVersion = String(kv.modRevision);
    this.sizes.set(obj, byteLength(kv.value));
    return obj;
  }

  /**
   * A stored value that is not an object with metadata (only a hand-made snapshot can restore one:
   * admission refuses them) is left out of lists, so one corrupt key cannot stop every client that
   * lists its kind. A get of that key still fails, naming it.
   */
  tryDecode(kv: KeyValue): KubeObject | undefined {
    try {
      const obj = this.decode(kv);
      if (typeof obj.metadata === "object" && obj.metadata !== null && !Array.isArray(obj.metadata)) return obj;
    } catch { /* fall through */ }
    this.undecodable++;
    return undefined;
  }

  /** Stored values lists have skipped as undecodable (for the architecture view). */
  undecodable = 0;

  tryGet<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, name: string): T | undefined {
    const kv = this.etcd.get(registryKey(r, ns, name));
    return kv && (this.decode(kv) as T);
  }

  get<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, name: string): T {
    const obj = this.tryGet(r, ns, name);
    if (!obj) throw errors.notFound(r, name);
    return obj;
  }

  prefix(r: ResourceType, ns: string | undefined): string {
    return r.namespaced && ns ? `${registryPrefix(r)}${ns}/` : registryPrefix(r);
  }

  list<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, opts: ListOptions = {}): ListResult<T> {
    let startAfter: string | undefined;
    if (opts.continue) startAfter = decodeContinue(opts.continue, this.prefix(r, ns));
    const { kvs, revision } = this.byNode(r, ns, opts) ?? this.etcd.range(this.prefix(r, ns), { startAfter });
    const items: T[] = [];
    let lastKey: string | undefined;
    let remaining = 0;
    for (const kv of kvs) {
      const obj = this.tryDecode(kv);
      if (!obj) continue;
      // Core and events.k8s.io Events share keys; so do other same-kind groups in the future.
      if (!this.matches(r, obj, opts)) continue;
      if (opts.limit && items.length >= opts.limit) { remaining++; continue; }
      items.push(obj as T);
      lastKey = kv.key;
    }
    const out: ListResult<T> = { items, resourceVersion: String(revision) };
    if (remaining > 0 && lastKey) {
      out.continue = encodeContinue(revision, lastKey, this.prefix(r, ns));
      if (!opts.labelSelector && !opts.fieldSelector) out.remainingItemCount = remaining;
    }
    return out;
  }

  /** Pods selected by spec.nodeName=<node>, unpaged, read through the index (matches() still checks every field). */
  private byNode(r: ResourceType, ns: string | undefined, opts: ListOptions): { kvs: KeyValue[]; revision: number } | undefined {
    if (r.kind !== "Pod" || r.group !== "" || opts.limit || opts.continue) return undefined;
    const node = opts.fieldSelector?.requirements.find((q) => q.field === "spec.nodeName" && q.op === "=")?.value;
    if (!node) return undefined;
    const kvs: KeyValue[] = [];
    for (const key of this.podsByNode.keys(node, this.prefix(r, ns))) {
      const kv = this.etcd.get(key);
      if (kv) kvs.push(kv);
    }
    return { kvs, revision: this.etcd.revision };
  }

  matches(r: ResourceType, obj: KubeObject, opts: Pick<ListOptions, "labelSelector" | "fieldSelector">): boolean {
    if (opts.labelSelector && !opts.labelSelector.matches(obj.metadata.labels)) return false;
    if (opts.fieldSelector && !opts.fieldSelector.matches(fieldsOf(r.kind, obj))) return false;
    return true;
  }

  create<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, input: KubeObject, ctx: WriteCtx): T {
    const obj: KubeObject = structuredClone(input);
    this.decodeBody(r, obj, ctx, () => input);
    obj.apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    obj.kind = r.kind;
    obj.metadata = obj.metadata ?? {};
    if (r.namespaced) {
      if (obj.metadata.namespace && ns && obj.metadata.namespace !== ns)
        throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
      obj.metadata.namespace = ns ?? obj.metadata.namespace;
    } else delete obj.metadata.namespace;
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = generateName(obj.metadata.generateName);
      generatedNames.add(obj);
    }

    const strategy = strategyFor(r);
    // System-owned metadata is the server's, never the client's.
    for (const k of ["uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink"]) delete obj.metadata[k];
    strategy.prepareForCreate(obj);
    normalize(obj);
    applyDefaults(obj);
    this.rejectInvalid(r, obj, validateCreate(obj));
    if (r.namespaced) this.requireActiveNamespace(obj.metadata.namespace!);

    obj.metadata.uid = crypto.randomUUID();
    obj.metadata.creationTimestamp = rfc3339(ctx.now);
    // Some defaults need the uid (a Job's generated selector); defaulting is idempotent.
    applyDefaults(obj);
    if (strategy.hasGeneration) obj.metadata.generation = 1;
    this.storage.admit(r, admissionName(obj), obj.metadata.namespace, byteLength(encode(obj)), ctx.user);
    for (const hook of this.admission) hook("CREATE", r, obj, undefined, ctx, this);
    if (!ctx.managedFieldsDone) updateManagedFields(undefined, obj, { manager: ctx.fieldManager ?? "unknown", operation: "Update", now: rfc3339(ctx.now) });

    const key = registryKey(r, obj.metadata.namespace, obj.metadata.name!);
    if (ctx.dryRun) {
      if (this.etcd.get(key)) throw errors.alreadyExists(r, obj.metadata.name!);
      return obj as T;
    }
    const value = this.sized(key, encode(obj));
    const res = this.etcd.txn([{ key, modRevision: 0 }], [{ type: "put", key, value }]);
    if (!res.succeeded) throw errors.alreadyExists(r, obj.metadata.name!);
    return this.decode(res.kvs.get(key)!) as T;
  }

  /**
   * PUT semantics. `subresource` "status" writes only status; "finalize" only spec.finalizers
   * (namespaces). A resourceVersion in the body must match (409 otherwise).
   */
  update<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, name: string, input: KubeObject, ctx: WriteCtx, subresource?: string): { object: T; created: boolean } {
    const old = this.tryGet(r, ns, name);
    input = { ...input };
    this.decodeBody(r, input, ctx, () => input);
    if (!input.metadata?.name) input = { ...input, metadata: { ...(input.metadata ?? {}), name } };
    if (input.metadata.name !== name) throw errors.badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    if (!old) {
      if (!strategyFor(r).allowCreateOnUpdate || subresource) throw errors.notFound(r, name);
      return { object: this.create(r, ns, input, ctx), created: true };
    }
    const rv = input.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw errors.conflict(r, name);
    return { object: this.write(r, old, this.merge(r, old, input, subresource), ctx) as T, created: false };
  }

  /** Read-modify-write of one object; the mutation sees the current state. */
  guaranteedUpdate<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, name: string, ctx: WriteCtx, mutate: (cur: T) => KubeObject, subresource?: string): T {
    const old = this.get(r, ns, name);
    const next = mutate(structuredClone(old));
    // A patch that produced wrongly-typed metadata fails where the real one does: decoding the
    // patched JSON into the object (patch.go), a 422 on the field "patch".
    this.decodeBody(r, next, ctx, () => next, true);
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw errors.conflict(r, name);
    return this.write(r, old, this.merge(r, old, next, subresource), ctx) as T;
  }

  /** What a write may change, per the strategy and the subresource written. */
  private merge(r: ResourceType, old: KubeObject, input: KubeObject, subresource?: string): KubeObject {
    const strategy = strategyFor(r);
    let obj: KubeObject;
    if (subresource === "status") {
      obj = structuredClone(old);
      obj.status = structuredClone(input.status);
    } else if (subresource === "finalize") {
      obj = structuredClone(old);
      obj.spec = { ...(obj.spec ?? {}), finalizers: input.spec?.finalizers ?? [] };
    } else {
      obj = structuredClone(input);
      // "system": the server's own writes (binding) that change spec and status together.
      if (strategy.hasStatus && r.kind !== "Node" && subresource !== "system") obj.status = structuredClone(old.status);
    }
    obj.apiVersion = old.apiVersion;
    obj.kind = old.kind;
    const m = obj.metadata ?? {};
    // Identity and server-owned fields come from storage.
    obj.metadata = {
      ...m,
      name: old.metadata.name,
      namespace: old.metadata.namespace,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      deletionTimestamp: old.metadata.deletionTimestamp,
      deletionGracePeriodSeconds: old.metadata.deletionGracePeriodSeconds,
      generation: old.metadata.generation,
    };
    for (const k of Object.keys(obj.metadata)) if (obj.metadata[k] === undefined) delete obj.metadata[k];
    if (obj.metadata.namespace === undefined) delete obj.metadata.namespace;
    return obj;
  }

  private write(r: ResourceType, old: KubeObject, obj: KubeObject, ctx: WriteCtx): KubeObject {
    const strategy = strategyFor(r);
    normalize(obj);
    applyDefaults(obj);
    this.rejectInvalid(r, obj, validateUpdate(obj, old));
    if (strategy.hasGeneration && specOf(obj) !== specOf(old)) obj.metadata.generation = (old.metadata.generation ?? 1) + 1;
    const oldSize = this.sizeOf(old);
    this.storage.admit(r, old.metadata.name!, old.metadata.namespace, byteLength(encode(obj)) - oldSize, ctx.user);
    for (const hook of this.admission) hook("UPDATE", r, obj, old, ctx, this);
    if (!ctx.managedFieldsDone) updateManagedFields(old, obj, { manager: ctx.fieldManager ?? "unknown", operation: "Update", now: rfc3339(ctx.now) });

    // An update that changes nothing is not a write: the resourceVersion stays.
    const encoded = encode(obj);
    const unchanged = encoded === encode(old);
    if (unchanged || ctx.dryRun) return unchanged ? old : { ...obj, metadata: { ...obj.metadata, resourceVersion: old.metadata.resourceVersion } };

    const key = registryKey(r, old.metadata.namespace, old.metadata.name!);
    const modRevision = Number(old.metadata.resourceVersion);
    // The last finalizer gone from an object being deleted: the delete completes now.
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && !(obj.metadata.deletionGracePeriodSeconds) && !(r.kind === "Namespace" && obj.spec?.finalizers?.length)) {
      const res = this.etcd.txn([{ key, modRevision }], [{ type: "delete", key }]);
      if (!res.succeeded) throw errors.conflict(r, old.metadata.name!);
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(res.revision) } };
    }
    // encode() leaves resourceVersion out: what it gave above is the value to store.
    const value = this.sized(key, encoded);
    const res = this.etcd.txn([{ key, modRevision }], [{ type: "put", key, value }]);
    if (!res.succeeded) throw errors.conflict(r, old.metadata.name!);
    return this.decode(res.kvs.get(key)!);
  }

  /** DELETE: finalizers and graceful termination turn it into an update; otherwise the key goes. */
  delete<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, name: string, ctx: WriteCtx, opts: DeleteOptions = {}): { object: T; deleted: boolean } {
    const cur = this.get(r, ns, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid)
      throw errors.conflictMessage(`Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`, r, name);
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion)
      throw errors.conflictMessage(`Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`, r, name);
    for (const hook of this.admission) hook("DELETE", r, cur, cur, ctx, this);

    const next = structuredClone(cur);
    const finalizers = new Set(next.metadata.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? "Orphan" : undefined);
    if (policy === "Orphan") finalizers.add("orphan");
    if (policy === "Foreground") finalizers.add("foregroundDeletion");
    let grace = 0;
    if (r.kind === "Pod") {
      const phase = cur.status?.phase;
      const running = !!cur.spec?.nodeName && phase !== "Succeeded" && phase !== "Failed";
      grace = running ? opts.gracePeriodSeconds ?? cur.spec?.terminationGracePeriodSeconds ?? 30 : 0;
    }
    const nsFinalizing = r.kind === "Namespace" && (cur.spec?.finalizers?.length ?? 0) > 0;

    if (finalizers.size > 0 || grace > 0 || nsFinalizing) {
      if (cur.metadata.deletionTimestamp) {
        // Already terminating: a shorter grace period may hurry it, nothing else changes.
        const curGrace = cur.metadata.deletionGracePeriodSeconds ?? 0;
        if (!(grace < curGrace) && finalizers.size === (cur.metadata.finalizers?.length ?? 0)) return { object: cur, deleted: false };
      }
      next.metadata.finalizers = finalizers.size ? [...finalizers] : undefined;
      if (!next.metadata.finalizers) delete next.metadata.finalizers;
      next.metadata.deletionTimestamp = next.metadata.deletionTimestamp && grace >= (cur.metadata.deletionGracePeriodSeconds ?? 0)
        ? next.metadata.deletionTimestamp
        : rfc3339(afterSeconds(ctx.now, grace));
      next.metadata.deletionGracePeriodSeconds = grace;
      if (r.kind === "Namespace") (next as KubeObject).status = { ...(next.status ?? {}), phase: "Terminating" };
      if (ctx.dryRun) return { object: next as T, deleted: false };
      const key = registryKey(r, cur.metadata.namespace, name);
      delete next.metadata.resourceVersion;
      const value = this.sized(key, encode(next));
      const res = this.etcd.txn([{ key, modRevision: Number(cur.metadata.resourceVersion) }], [{ type: "put", key, value }]);
      if (!res.succeeded) throw errors.conflict(r, name);
      return { object: this.decode(res.kvs.get(key)!) as T, deleted: false };
    }
    if (ctx.dryRun) return { object: cur, deleted: true };
    const key = registryKey(r, cur.metadata.namespace, name);
    const res = this.etcd.txn([{ key, modRevision: Number(cur.metadata.resourceVersion) }], [{ type: "delete", key }]);
    if (!res.succeeded) throw errors.conflict(r, name);
    return { object: cur, deleted: true };
  }

  /**
   * The object as the decoder leaves it (ObjectMeta, then the typed fields), or the decoder's refusal: from a request body,
   * "<Kind> in version "<v>" cannot be handled as a <Kind>: json: ..." (400, create.go's
   * transformDecodeError); from a patch, the 422 patch.go gives for a patched object that does not
   * decode. Unknown metadata fields are dropped with the fieldValidation=Warn warning.
   */
  private decodeBody(r: ResourceType, obj: KubeObject, ctx: WriteCtx, whole: () => KubeObject, patch = false): void {
    const d = decodeObjectMeta(obj.metadata, r.kind);
    const unknown = [...d.unknown];
    const error = d.error ?? decodeTypedFields(r, obj, (f) => unknown.push(f));
    if (error !== undefined) {
      if (!patch) throw errors.badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: ${error}`);
      throw errors.invalid({ kind: "", group: "" }, "", [invalid("patch", goJson(whole()), error)]);
    }
    ctx.warnings?.push(...unknown);
    obj.metadata = d.meta as KubeObject["metadata"];
  }

  /** The stored size of an object read from etcd. */
  private sizeOf(obj: KubeObject): number {
    return this.sizes.get(obj) ?? byteLength(encode(obj));
  }

  /** etcd's --max-request-bytes, checked here so that nothing over it reaches the transaction. */
  private sized(key: string, value: string): string {
    if (byteLength(key) + byteLength(value) > MAX_OBJECT_BYTES) throw requestTooLarge();
    return value;
  }

  private rejectInvalid(r: ResourceType, obj: KubeObject, causes: StatusCause[]): void {
    if (causes.length > 0) throw errors.invalid(r, obj.metadata?.name ?? "", causes);
  }

  private requireActiveNamespace(ns: string): void {
    const nsType = NAMESPACES;
    const nsObj = this.tryGet(nsType, undefined, ns);
    if (!nsObj) throw errors.notFound(nsType, ns);
    if (nsObj.metadata.deletionTimestamp || nsObj.status?.phase === "Terminating")
      throw errors.forbidden(`unable to create new content in namespace ${ns} because it is being terminated`);
  }
}

export function encode(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}
