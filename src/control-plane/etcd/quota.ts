// etcd's size limits, after etcd server/storage/quota.go (--quota-backend-bytes: past it the
// NOSPACE alarm refuses every put with "etcdserver: mvcc: database space exceeded"; deletes and
// compaction still work so an operator can recover) and server/etcdserver/v3_server.go
// (--max-request-bytes, 1.5 MiB: "etcdserver: request is too large").
// Sizes are counted in UTF-8 bytes of key + value plus a fixed per-row overhead, for the live
// keyspace (etcd_kv) and the retained history (etcd_log) alike.

/** etcd's default --max-request-bytes. */
export const MAX_REQUEST_BYTES = 1_572_864;
/**
 * A single put may carry this much more than MAX_REQUEST_BYTES: the registry refuses objects over
 * 1.5 MiB before they get here and then adds its own bookkeeping (managedFields, annotations), so
 * this is only the last line of defence. 1.5 MiB + 128 KiB also stays under SQLite's 2 MB row limit.
 */
export const REQUEST_OVERHEAD_BYTES = 128 * 1024;
/**
 * Default quota of one classroom (live keyspace + retained history). A class of 30 students with a
 * few hundred objects each uses a few MiB; 512 MiB leaves room for mistakes and big ConfigMaps while
 * staying far under a Durable Object's storage limit.
 */
export const DEFAULT_QUOTA_BYTES = 512 * 1024 * 1024;
/**
 * Default bound on retained history. At the few KiB of a typical object, 10,000 revisions (the
 * revision bound) fit well under it, so for ordinary traffic the revision bound binds and this one
 * only cuts in when big values are rewritten (~34 rewrites of a 1.9 MB ConfigMap). It is 1/8 of the
 * default quota, so history never crowds out live objects; with a smaller quota it is capped at 1/4.
 */
export const DEFAULT_RETAINED_BYTES = 64 * 1024 * 1024;
/** The instructor is warned from this fraction of the quota on. */
export const STORAGE_WARNING_RATIO = 0.8;
/** Integer columns, b-tree cell and index entry of a row: so that a flood of tiny writes is not free. */
export const ROW_OVERHEAD_BYTES = 64;

export const NO_SPACE_MESSAGE = "etcdserver: mvcc: database space exceeded";
export const TOO_LARGE_MESSAGE = "etcdserver: request is too large";

/** The backend quota would be exceeded: nothing was stored. */
export class EtcdNoSpaceError extends Error {
  constructor(public readonly usedBytes: number, public readonly quotaBytes: number) {
    super(NO_SPACE_MESSAGE);
    this.name = "EtcdNoSpaceError";
  }
}

/** One put exceeds the maximum request size: nothing was stored. */
export class EtcdRequestTooLargeError extends Error {
  constructor(public readonly bytes: number, public readonly limit: number) {
    super(TOO_LARGE_MESSAGE);
    this.name = "EtcdRequestTooLargeError";
  }
}

export interface StorageUsage {
  /** Live keyspace + retained history. */
  usedBytes: number;
  quotaBytes: number;
  keyspaceBytes: number;
  historyBytes: number;
  /** usedBytes has reached STORAGE_WARNING_RATIO of the quota. */
  warning: boolean;
}

/** UTF-8 length of a JS string without encoding it (values can be ~2 MB). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** What one row of etcd_kv or etcd_log costs against the quota. */
export function rowBytes(key: string, value: string): number {
  return utf8Bytes(key) + utf8Bytes(value) + ROW_OVERHEAD_BYTES;
}

/** The same cost in SQL, for counting rows already stored (the migration). */
export const ROW_BYTES_SQL = `length(CAST(key AS BLOB)) + length(CAST(value AS BLOB)) + ${ROW_OVERHEAD_BYTES}`;
