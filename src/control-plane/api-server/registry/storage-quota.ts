// Two limits on what reaches etcd.
//
// 1. One object: etcd refuses a request over --max-request-bytes (1.5 MiB by default) with
//    "etcdserver: request is too large". kube-apiserver v1.32 passes that error through as a
//    Status without a reason and code 500 (responsewriters ErrorToAPIStatus for a non-Status
//    error; kubernetes/kubernetes#112152 asks for a better code and is open). A student's
//    oversized object is their mistake, not the server's, so kubeclass keeps etcd's message but
//    answers 413 RequestEntityTooLarge, the code #112152 proposes; the etcd layer does the same.
//
// 2. One student's namespace: kubeclass's own limit on the bytes stored in it (8 MiB by default),
//    so one student cannot fill the classroom's store. Kubernetes has no such admission; the
//    refusal borrows ResourceQuota's wording and names kubeclass's limit. Only a student's own
//    writes are refused; what controllers write for them (pods of their ReplicaSets, Events) is
//    counted but never refused, as a controller cannot act on the refusal.
//
// The total per namespace is kept in memory: computed once from etcd (one range per namespaced
// resource) and then moved by every write the Registry makes. Any write that did not come
// through here (a snapshot restore, a reset) shows as an unexpected revision and drops the totals.
import type { Etcd } from "../../etcd/store";
import type { Watch, WatchEvent } from "../../etcd/watch";
import type { UserInfo } from "../auth";
import { STUDENTS_GROUP } from "../classroom-authorizer";
import { isStored, RESOURCES, registryPrefix, type ResourceType } from "../resources";
import { ApiError, errors, qualified } from "../status";

/** etcd's default --max-request-bytes. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
/** Default limit on the bytes stored in one student's namespace. */
export const STUDENT_NAMESPACE_BYTES = 8 * 1024 * 1024;
export const STORAGE_QUOTA_NAME = "kubeclass-storage";

const encoder = new TextEncoder();
export const byteLength = (s: string): number => encoder.encode(s).length;

/** The etcd error for a value over the request limit, as kube-apiserver relays it. */
export function requestTooLarge(): ApiError {
  return errors.requestTooLarge();
}

let prefixes: string[] | undefined;
/** Every key prefix a namespaced object can live under (a namespace follows it). */
function namespacedPrefixes(): string[] {
  prefixes ??= [...new Set(RESOURCES.filter((r) => r.namespaced && isStored(r)).map(registryPrefix))];
  return prefixes;
}

/** The namespace a registry key belongs to, if it is a namespaced object's. */
function namespaceOfKey(key: string): string | undefined {
  for (const p of namespacedPrefixes()) if (key.startsWith(p)) return key.slice(p.length).split("/")[0];
  return undefined;
}

export class NamespaceBytes {
  /** Bytes per namespace, for the namespaces asked about so far (one entry per namespace). */
  private readonly totals = new Map<string, number>();
  private watch?: Watch;

  constructor(private readonly etcd: Etcd, readonly limit = STUDENT_NAMESPACE_BYTES) {}

  /**
   * Totals follow every committed change through an etcd watch, whoever writes (registry,
   * reset, the Event TTL sweep): a namespace is scanned once, then kept up to date per write. A
   * restore or compaction closes the watch, and the totals are counted afresh.
   */
  private follow(): void {
    if (this.watch && !this.watch.closed) return; // ended but not yet heard (etcd/watch.ts): rebuild now
    this.totals.clear();
    const w = this.etcd.watch("/registry/", this.etcd.revision, (events) => { for (const e of events) this.apply(e); });
    w.onClose = () => {
      if (this.watch !== w) return; // a late retelling after a rebuild
      this.watch = undefined;
      this.totals.clear();
    };
    this.watch = w;
  }

  private apply(e: WatchEvent): void {
    const ns = namespaceOfKey(e.kv.key);
    const t = ns === undefined ? undefined : this.totals.get(ns);
    if (ns === undefined || t === undefined) return;
    const before = e.prev ? byteLength(e.prev.value) : 0;
    const after = e.type === "PUT" ? byteLength(e.kv.value) : 0;
    this.totals.set(ns, t + after - before);
  }

  /** Bytes stored in a namespace now. */
  total(ns: string): number {
    this.follow();
    let t = this.totals.get(ns);
    if (t === undefined) {
      t = 0;
      for (const p of namespacedPrefixes()) for (const kv of this.etcd.range(`${p}${ns}/`).kvs) t += byteLength(kv.value);
      this.totals.set(ns, t);
    }
    return t;
  }

  /** Refuses a student's write that would take their namespace over the limit. */
  admit(r: ResourceType, name: string, ns: string | undefined, growth: number, user: UserInfo): void {
    if (!ns || growth <= 0 || !user.groups.includes(STUDENTS_GROUP)) return;
    const used = this.total(ns);
    if (used + growth <= this.limit) return;
    throw errors.forbidden(
      `${qualified(r)} "${name}" is forbidden: exceeded quota: ${STORAGE_QUOTA_NAME}, requested: storage=${growth}, used: storage=${used}, limited: storage=${this.limit}`,
      r, name,
    );
  }
}
