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

export class NamespaceBytes {
  private readonly totals = new Map<string, number>();
  private validAt = -1;

  constructor(private readonly etcd: Etcd, readonly limit = STUDENT_NAMESPACE_BYTES) {}

  /** Bytes stored in a namespace now. */
  total(ns: string): number {
    if (this.etcd.revision !== this.validAt) {
      this.totals.clear();
      this.validAt = this.etcd.revision;
    }
    let t = this.totals.get(ns);
    if (t === undefined) {
      t = 0;
      for (const p of namespacedPrefixes()) for (const kv of this.etcd.range(`${p}${ns}/`).kvs) t += byteLength(kv.value);
      this.totals.set(ns, t);
    }
    return t;
  }

  /** A Registry write moved etcd from revision `before` to `after`, changing `ns` by `delta` bytes. */
  wrote(ns: string | undefined, delta: number, before: number, after: number): void {
    if (before !== this.validAt) this.totals.clear();
    else if (ns !== undefined) {
      const t = this.totals.get(ns);
      if (t !== undefined) this.totals.set(ns, t + delta);
    }
    this.validAt = after;
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
