// etcd, as kube-apiserver relies on it: one global revision (+1 per write transaction),
// create/mod revision and version per key, compare-and-swap transactions, ordered watch by prefix
// resumable from any revision still in history, compaction, snapshot and restore. After etcd
// server/storage/mvcc (kvstore_txn.go, watchable_store.go) and server/storage/quota.go: history is
// retained by revisions and by bytes, and a backend quota refuses puts past it (see quota.ts).
import { BacklogTooLargeError, CompactedError, historyPages, prefixEnd, previousValue, type BacklogLimit } from "./history";
import {
  DEFAULT_QUOTA_BYTES, DEFAULT_RETAINED_BYTES, EtcdNoSpaceError, EtcdRequestTooLargeError, MAX_REQUEST_BYTES, REQUEST_OVERHEAD_BYTES,
  ROW_BYTES_SQL, rowBytes, STORAGE_WARNING_RATIO, type StorageUsage,
} from "./quota";
import { ReadCache } from "./read-cache";
import { migrate, type Sql } from "./sql";
import { WatchHub, type WatchEvent, type Watch } from "./watch";

export { BacklogTooLargeError, CompactedError, prefixEnd, type BacklogLimit } from "./history";
export { EtcdNoSpaceError, EtcdRequestTooLargeError, type StorageUsage } from "./quota";

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}

export interface Compare {
  key: string;
  /** The key's current mod revision must equal this; 0 means the key must not exist. */
  modRevision: number;
}

export type Op = { type: "put"; key: string; value: string } | { type: "delete"; key: string };

export interface TxnResult {
  succeeded: boolean;
  revision: number;
  /** The state after the transaction of each put key (for a failed compare: the current state of each compared key). */
  kvs: Map<string, KeyValue | undefined>;
}

export interface Snapshot {
  format: "kubeclass-etcd-snapshot/v1";
  revision: number;
  takenAt: string;
  kvs: KeyValue[];
}

export interface EtcdOptions {
  /** History kept for watches (revisions); older revisions are compacted away. Default 10,000. */
  retainedRevisions?: number;
  /** History kept for watches (bytes of keys and values); oldest revisions go first. Default 64 MiB, at most a quarter of the quota. */
  retainedBytes?: number;
  /** --quota-backend-bytes: live keyspace + retained history. Default 512 MiB. */
  quotaBytes?: number;
}

const MIGRATIONS = [
  {
    version: 1,
    statements: [
      "CREATE TABLE etcd_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL, version INTEGER NOT NULL)",
      // One row per changed key per revision; a delete keeps the value the key had, which watchers receive.
      "CREATE TABLE etcd_log (rev INTEGER NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, create_rev INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (rev, seq))",
      "CREATE TABLE etcd_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
      "INSERT INTO etcd_meta (name, value) VALUES ('revision', 1), ('compacted', 0)",
    ],
  },
  {
    // Byte accounting: running totals (never a SUM over the tables per write) and the bytes of each
    // retained revision, which sizes history pages and byte-bounded compaction without reading values.
    version: 2,
    statements: [
      "CREATE TABLE etcd_rev_bytes (rev INTEGER PRIMARY KEY, bytes INTEGER NOT NULL)",
      `INSERT INTO etcd_rev_bytes (rev, bytes) SELECT rev, SUM(${ROW_BYTES_SQL}) FROM etcd_log GROUP BY rev`,
      `INSERT INTO etcd_meta (name, value) SELECT 'kv_bytes', COALESCE(SUM(${ROW_BYTES_SQL}), 0) FROM etcd_kv`,
      "INSERT INTO etcd_meta (name, value) SELECT 'log_bytes', COALESCE(SUM(bytes), 0) FROM etcd_rev_bytes",
    ],
  },
];

/** How much an existing key may grow, and how far past the quota such updates may go, when full. */
const UPDATE_SLACK_BYTES = 4096;
const UPDATE_MARGIN_RATIO = 0.02;

/** One effective change of a transaction, with what it costs against the quota. */
interface Step { type: "PUT" | "DELETE"; kv: KeyValue; prev?: KeyValue; bytes: number }

interface KvRow { key: string; value: string; create_rev: number; mod_rev: number; version: number }

const toKv = (r: KvRow): KeyValue => ({ key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.mod_rev, version: r.version });

export class Etcd {
  private readonly hub = new WatchHub();
  private readonly reads = new ReadCache();
  private rev: number;
  private compacted: number;
  private kvBytes: number;
  private logBytes: number;
  readonly retained: number;
  readonly retainedBytes: number;
  readonly quotaBytes: number;

  constructor(private readonly sql: Sql, opts: EtcdOptions = {}) {
    migrate(sql, "etcd", MIGRATIONS);
    this.retained = opts.retainedRevisions ?? 10_000;
    this.quotaBytes = opts.quotaBytes ?? DEFAULT_QUOTA_BYTES;
    // History must never be what fills the quota: live objects keep at least three quarters of it.
    this.retainedBytes = Math.min(opts.retainedBytes ?? DEFAULT_RETAINED_BYTES, Math.floor(this.quotaBytes / 4));
    this.rev = this.meta("revision");
    this.compacted = this.meta("compacted");
    this.kvBytes = this.meta("kv_bytes");
    this.logBytes = this.meta("log_bytes");
  }

  get revision(): number { return this.rev; }
  get compactedRevision(): number { return this.compacted; }

  get(key: string): KeyValue | undefined {
    return this.reads.get(key, this.rev, (k) => {
      const row = this.sql.one<KvRow>("SELECT * FROM etcd_kv WHERE key = ?", k);
      return row && toKv(row);
    });
  }

  /** Keys held by the read cache now (for its bound's test). */
  get cachedReads(): number { return this.reads.size(this.rev); }

  /** Keys under a prefix in key order, after `startAfter` when paginating. */
  range(prefix: string, opts: { limit?: number; startAfter?: string } = {}): { kvs: KeyValue[]; more: boolean; revision: number } {
    const from = opts.startAfter ?? "";
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.sql.all<KvRow>(
      "SELECT * FROM etcd_kv WHERE key >= ? AND key < ? AND key > ? ORDER BY key LIMIT ?",
      prefix, prefixEnd(prefix), from, limit < 0 ? -1 : limit + 1,
    );
    const more = limit > 0 && rows.length > limit;
    return { kvs: (more ? rows.slice(0, limit) : rows).map(toKv), more, revision: this.rev };
  }

  count(prefix: string): number {
    return this.sql.one<{ n: number }>("SELECT count(*) AS n FROM etcd_kv WHERE key >= ? AND key < ?", prefix, prefixEnd(prefix))?.n ?? 0;
  }

  /**
   * If every compare holds, apply every op at one new revision; otherwise change nothing.
   * A transaction with no effective op does not consume a revision. Throws
   * EtcdRequestTooLargeError for a put over the request size and EtcdNoSpaceError when a put would
   * exceed the quota; either way nothing is stored. Deletes are never refused, and small updates of
   * existing keys get a margin past the quota, so a full classroom can always wind down and recover.
   */
  txn(compares: Compare[], ops: Op[]): TxnResult {
    const kvs = new Map<string, KeyValue | undefined>();
    for (const c of compares) {
      const cur = this.get(c.key);
      if ((cur?.modRevision ?? 0) !== c.modRevision) {
        for (const cc of compares) kvs.set(cc.key, this.get(cc.key));
        return { succeeded: false, revision: this.rev, kvs };
      }
    }
    // Plan first (sizes, quota), write after: the object runs one event at a time, so nothing
    // changes in between, and a refused write has touched nothing.
    const next = this.rev + 1;
    const steps = this.plan(ops, next);
    for (const st of steps) kvs.set(st.kv.key, st.type === "PUT" ? st.kv : undefined);
    if (steps.length === 0) return { succeeded: true, revision: this.rev, kvs };
    let kvDelta = 0;
    let logDelta = 0;
    for (const st of steps) {
      const prevBytes = st.prev ? rowBytes(st.prev.key, st.prev.value) : 0;
      kvDelta += st.type === "PUT" ? st.bytes - prevBytes : -prevBytes;
      logDelta += st.bytes;
    }
    if (steps.some((st) => st.type === "PUT")) this.reserve(kvDelta + logDelta, steps.every((st) => st.type === "DELETE" || (st.prev !== undefined && st.bytes - rowBytes(st.prev.key, st.prev.value) <= UPDATE_SLACK_BYTES)));

    this.sql.transaction(() => {
      steps.forEach((st, seq) => {
        if (st.type === "PUT") {
          this.sql.run(
            "INSERT INTO etcd_kv (key, value, create_rev, mod_rev, version) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = excluded.version",
            st.kv.key, st.kv.value, st.kv.createRevision, st.kv.modRevision, st.kv.version,
          );
        } else this.sql.run("DELETE FROM etcd_kv WHERE key = ?", st.kv.key);
        this.sql.run(
          "INSERT INTO etcd_log (rev, seq, key, type, value, create_rev, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
          next, seq, st.kv.key, st.type, st.kv.value, st.kv.createRevision, st.kv.version,
        );
      });
      this.sql.run("INSERT INTO etcd_rev_bytes (rev, bytes) VALUES (?, ?)", next, logDelta);
      // The three counters in one statement (a write was eight statements, now six).
      this.sql.run(
        "UPDATE etcd_meta SET value = CASE name WHEN 'revision' THEN ? WHEN 'kv_bytes' THEN ? ELSE ? END WHERE name IN ('revision', 'kv_bytes', 'log_bytes')",
        next, this.kvBytes + kvDelta, this.logBytes + logDelta,
      );
    });
    this.rev = next;
    this.kvBytes += kvDelta;
    this.logBytes += logDelta;
    // Notify only after the transaction committed, so no watcher sees a write that rolled back.
    this.hub.publish(steps.map((st): WatchEvent => ({ type: st.type, kv: st.kv, prev: st.prev })));
    this.maybeCompact();
    return { succeeded: true, revision: next, kvs };
  }

  /** The effective changes of ops at revision `next`, in order (a key may change twice). */
  private plan(ops: Op[], next: number): Step[] {
    const state = new Map<string, KeyValue | undefined>();
    const current = (key: string) => (state.has(key) ? state.get(key) : this.get(key));
    const steps: Step[] = [];
    for (const op of ops) {
      const cur = current(op.key);
      if (op.type === "put") {
        const bytes = rowBytes(op.key, op.value);
        const limit = MAX_REQUEST_BYTES + REQUEST_OVERHEAD_BYTES;
        if (bytes > limit) throw new EtcdRequestTooLargeError(bytes, limit);
        const kv: KeyValue = { key: op.key, value: op.value, createRevision: cur?.createRevision ?? next, modRevision: next, version: (cur?.version ?? 0) + 1 };
        steps.push({ type: "PUT", kv, prev: cur, bytes });
        state.set(op.key, kv);
      } else if (cur) {
        // The log keeps the deleted value: watchers receive it.
        steps.push({ type: "DELETE", kv: { ...cur, modRevision: next }, prev: cur, bytes: rowBytes(cur.key, cur.value) });
        state.set(op.key, undefined);
      }
    }
    return steps;
  }

  /**
   * Room for `growth` more bytes, or EtcdNoSpaceError. History is compacted, oldest first, when
   * that is enough (kube-apiserver's compactor would get there anyway, and it is how space freed by
   * deletes comes back); the live keyspace is never touched.
   */
  private reserve(growth: number, smallUpdates: boolean): void {
    // Small updates of existing keys (a graceful delete's deletionTimestamp, a finalizer removed,
    // a status) may use a margin past the quota: without it a full classroom could not even wind
    // its pods down. New keys and growth beyond the slack are refused at the quota itself.
    const quota = smallUpdates ? this.quotaBytes + Math.floor(this.quotaBytes * UPDATE_MARGIN_RATIO) : this.quotaBytes;
    const need = this.kvBytes + this.logBytes + growth - quota;
    if (need <= 0) return;
    if (need > this.logBytes) throw new EtcdNoSpaceError(this.kvBytes + this.logBytes, this.quotaBytes);
    this.compactBytes(need);
  }

  /** Convenience for a single unconditional put. */
  put(key: string, value: string): KeyValue {
    return this.txn([], [{ type: "put", key, value }]).kvs.get(key)!;
  }

  /**
   * Events under prefix with revision > afterRevision, first from history, then live, in order,
   * with no gap and no duplicate. Throws CompactedError when that history is gone, and
   * BacklogTooLargeError (a CompactedError) when `limit` is given and the history to replay exceeds it.
   * History is read and handed to onEvents a page at a time (history.ts), all before this returns:
   * a Durable Object runs one event at a time, so no commit can slip in before the subscriber is
   * registered, and live events only ever follow the complete backlog.
   */
  watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void, limit?: BacklogLimit): Watch {
    if (afterRevision < this.compacted) throw new CompactedError(afterRevision, this.compacted);
    if (limit) {
      // Bounded by the limit: what is read to check it is what gets replayed.
      for (const page of this.history(prefix, afterRevision, limit)) onEvents(page);
    } else {
      for (const page of historyPages(this.sql, prefix, afterRevision, this.rev)) onEvents(page);
    }
    return this.hub.add(prefix, onEvents);
  }

  /**
   * History under prefix after a revision (what a watch from there replays), as pages of at most
   * history.PAGE_ROWS rows / PAGE_BYTES bytes. Throws BacklogTooLargeError past `limit`, having
   * read at most the limit and one page.
   */
  history(prefix: string, afterRevision: number, limit: BacklogLimit): WatchEvent[][] {
    if (afterRevision < this.compacted) throw new CompactedError(afterRevision, this.compacted);
    const pages: WatchEvent[][] = [];
    let events = 0;
    let bytes = 0;
    for (const page of historyPages(this.sql, prefix, afterRevision, this.rev)) {
      events += page.length;
      // UTF-16 length: what the strings cost in memory here, which is what the limit is about.
      for (const e of page) bytes += e.kv.key.length + e.kv.value.length;
      if (events > limit.events || bytes > limit.bytes) throw new BacklogTooLargeError(afterRevision, this.rev, limit);
      pages.push(page);
    }
    return pages;
  }

  /** History pages read lazily, for a consumer that bounds what it keeps (the live feed). */
  historyPages(prefix: string, afterRevision: number): Generator<WatchEvent[]> {
    if (afterRevision < this.compacted) throw new CompactedError(afterRevision, this.compacted);
    return historyPages(this.sql, prefix, afterRevision, this.rev);
  }

  /** The value a key had before this version of it; "compacted" when history no longer says. */
  previous(kv: KeyValue): KeyValue | undefined | "compacted" {
    return previousValue(this.sql, kv);
  }

  /** Drop history at and below `revision`; watches from there get CompactedError. */
  compact(revision: number): void {
    const target = Math.min(revision, this.rev);
    if (target <= this.compacted) return;
    const freed = this.sql.transaction(() => {
      const freed = this.sql.one<{ b: number }>("SELECT COALESCE(SUM(bytes), 0) AS b FROM etcd_rev_bytes WHERE rev <= ?", target)?.b ?? 0;
      this.sql.run("DELETE FROM etcd_log WHERE rev <= ?", target);
      this.sql.run("DELETE FROM etcd_rev_bytes WHERE rev <= ?", target);
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'compacted'", target);
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'log_bytes'", this.logBytes - freed);
      return freed;
    });
    this.logBytes -= freed;
    this.compacted = target;
  }

  /** Compact the oldest revisions that together hold at least `bytes` of history. */
  private compactBytes(bytes: number): void {
    const row = this.sql.one<{ rev: number }>(
      "SELECT rev FROM (SELECT rev, SUM(bytes) OVER (ORDER BY rev) AS cum FROM etcd_rev_bytes) WHERE cum >= ? ORDER BY rev LIMIT 1",
      bytes,
    );
    this.compact(row?.rev ?? this.rev);
  }

  // Compacting in steps of a tenth of the window keeps the cost amortised over many writes.
  private maybeCompact(): void {
    if (this.rev - this.compacted > this.retained + Math.max(1, Math.floor(this.retained / 10))) this.compact(this.rev - this.retained);
    if (this.logBytes > this.retainedBytes) this.compactBytes(this.logBytes - Math.floor(this.retainedBytes * 0.9));
  }

  /** Rows of history currently retained (for the architecture view and tests). */
  historySize(): number {
    return this.sql.one<{ n: number }>("SELECT count(*) AS n FROM etcd_log")?.n ?? 0;
  }

  /** Bytes used against the quota, and whether the instructor should be warned. */
  usage(): StorageUsage {
    const usedBytes = this.kvBytes + this.logBytes;
    return { usedBytes, quotaBytes: this.quotaBytes, keyspaceBytes: this.kvBytes, historyBytes: this.logBytes, warning: usedBytes >= this.quotaBytes * STORAGE_WARNING_RATIO };
  }

  snapshot(now = new Date()): Snapshot {
    const kvs = this.sql.all<KvRow>("SELECT * FROM etcd_kv ORDER BY key").map(toKv);
    return { format: "kubeclass-etcd-snapshot/v1", revision: this.rev, takenAt: now.toISOString(), kvs };
  }

  /**
   * Replace the whole keyspace with a snapshot. The revision keeps moving forward (so no
   * resourceVersion is ever reused) and history restarts there: every open watch ends and
   * clients relist, as they must after a real etcd restore.
   */
  restore(snap: Snapshot): number {
    if (snap?.format !== "kubeclass-etcd-snapshot/v1" || !Array.isArray(snap.kvs)) throw new Error("not a kubeclass etcd snapshot");
    const next = Math.max(this.rev, snap.revision) + 1;
    let kvBytes = 0;
    for (const kv of snap.kvs) {
      if (typeof kv?.key !== "string" || typeof kv.value !== "string") throw new Error("snapshot entry without key or value");
      kvBytes += rowBytes(kv.key, kv.value);
    }
    // History restarts empty, so the keyspace alone must fit.
    if (kvBytes > this.quotaBytes) throw new EtcdNoSpaceError(kvBytes, this.quotaBytes);
    this.sql.transaction(() => {
      this.sql.run("DELETE FROM etcd_kv");
      this.sql.run("DELETE FROM etcd_log");
      this.sql.run("DELETE FROM etcd_rev_bytes");
      for (const kv of snap.kvs) {
        this.sql.run(
          "INSERT INTO etcd_kv (key, value, create_rev, mod_rev, version) VALUES (?, ?, ?, ?, ?)",
          kv.key, kv.value, Math.min(kv.createRevision, next), Math.min(kv.modRevision, next), kv.version,
        );
      }
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'revision'", next);
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'compacted'", next);
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'kv_bytes'", kvBytes);
      this.sql.run("UPDATE etcd_meta SET value = 0 WHERE name = 'log_bytes'");
    });
    this.rev = next;
    this.compacted = next;
    this.kvBytes = kvBytes;
    this.logBytes = 0;
    this.hub.closeAll(new CompactedError(next - 1, next));
    return next;
  }

  /** Watchers open now (for the architecture view). */
  watcherCount(): number { return this.hub.size; }

  private meta(name: string): number {
    return this.sql.one<{ value: number }>("SELECT value FROM etcd_meta WHERE name = ?", name)!.value;
  }
}
