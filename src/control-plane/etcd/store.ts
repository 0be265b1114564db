// etcd, as kube-apiserver relies on it: one global revision (+1 per write transaction),
// create/mod revision and version per key, compare-and-swap transactions, ordered watch by prefix
// resumable from any revision still in history, compaction, snapshot and restore.
import { migrate, type Sql } from "./sql";
import { WatchHub, type WatchEvent, type Watch } from "./watch";

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

export class CompactedError extends Error {
  constructor(public readonly requested: number, public readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
  }
}

export interface EtcdOptions {
  /** History kept for watches; older revisions are compacted away. */
  retainedRevisions?: number;
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
];

interface KvRow { key: string; value: string; create_rev: number; mod_rev: number; version: number }
interface LogRow { rev: number; seq: number; key: string; type: string; value: string; create_rev: number; version: number }

const toKv = (r: KvRow): KeyValue => ({ key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.mod_rev, version: r.version });

/** The smallest string greater than every string with this prefix (etcd's prefix range end). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export class Etcd {
  private readonly hub = new WatchHub();
  private rev: number;
  private compacted: number;
  readonly retained: number;

  constructor(private readonly sql: Sql, opts: EtcdOptions = {}) {
    migrate(sql, "etcd", MIGRATIONS);
    this.retained = opts.retainedRevisions ?? 10_000;
    this.rev = this.meta("revision");
    this.compacted = this.meta("compacted");
  }

  get revision(): number { return this.rev; }
  get compactedRevision(): number { return this.compacted; }

  get(key: string): KeyValue | undefined {
    const row = this.sql.one<KvRow>("SELECT * FROM etcd_kv WHERE key = ?", key);
    return row && toKv(row);
  }

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
   * A transaction with no effective op does not consume a revision.
   */
  txn(compares: Compare[], ops: Op[]): TxnResult {
    const result = this.sql.transaction((): TxnResult => {
      const kvs = new Map<string, KeyValue | undefined>();
      for (const c of compares) {
        const cur = this.get(c.key);
        if ((cur?.modRevision ?? 0) !== c.modRevision) {
          for (const cc of compares) kvs.set(cc.key, this.get(cc.key));
          return { succeeded: false, revision: this.rev, kvs };
        }
      }
      const next = this.rev + 1;
      const events: WatchEvent[] = [];
      let seq = 0;
      for (const op of ops) {
        const cur = this.get(op.key);
        if (op.type === "put") {
          const kv: KeyValue = { key: op.key, value: op.value, createRevision: cur?.createRevision ?? next, modRevision: next, version: (cur?.version ?? 0) + 1 };
          this.sql.run(
            "INSERT INTO etcd_kv (key, value, create_rev, mod_rev, version) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = excluded.version",
            kv.key, kv.value, kv.createRevision, kv.modRevision, kv.version,
          );
          this.log(next, seq++, "PUT", kv);
          events.push({ type: "PUT", kv, prev: cur });
          kvs.set(op.key, kv);
        } else if (cur) {
          this.sql.run("DELETE FROM etcd_kv WHERE key = ?", op.key);
          const kv: KeyValue = { ...cur, modRevision: next };
          this.log(next, seq++, "DELETE", kv);
          events.push({ type: "DELETE", kv, prev: cur });
          kvs.set(op.key, undefined);
        }
      }
      if (events.length === 0) return { succeeded: true, revision: this.rev, kvs };
      this.rev = next;
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'revision'", next);
      this.pending = events;
      return { succeeded: true, revision: next, kvs };
    });
    // Notify only after the transaction committed, so no watcher sees a write that rolled back.
    const events = this.pending;
    this.pending = [];
    if (events.length > 0) {
      this.hub.publish(events);
      this.maybeCompact();
    }
    return result;
  }
  private pending: WatchEvent[] = [];

  /** Convenience for a single unconditional put. */
  put(key: string, value: string): KeyValue {
    return this.txn([], [{ type: "put", key, value }]).kvs.get(key)!;
  }

  /**
   * Events under prefix with revision > afterRevision, first from history, then live, in order,
   * with no gap and no duplicate. Throws CompactedError when that history is gone.
   */
  watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void): Watch {
    if (afterRevision < this.compacted) throw new CompactedError(afterRevision, this.compacted);
    const backlog = this.history(prefix, afterRevision);
    // Registering synchronously after reading history: a Durable Object runs one event at a time,
    // so no commit can slip in between.
    const w = this.hub.add(prefix, onEvents);
    if (backlog.length > 0) onEvents(backlog);
    return w;
  }

  /** History under prefix after a revision (what a watch from there replays). */
  history(prefix: string, afterRevision: number): WatchEvent[] {
    if (afterRevision < this.compacted) throw new CompactedError(afterRevision, this.compacted);
    const rows = this.sql.all<LogRow>(
      "SELECT * FROM etcd_log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev, seq",
      afterRevision, prefix, prefixEnd(prefix),
    );
    return rows.map((r) => ({
      type: r.type as "PUT" | "DELETE",
      kv: { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.rev, version: r.version },
    }));
  }

  /** Drop history at and below `revision`; watches from there get CompactedError. */
  compact(revision: number): void {
    const target = Math.min(revision, this.rev);
    if (target <= this.compacted) return;
    this.sql.transaction(() => {
      this.sql.run("DELETE FROM etcd_log WHERE rev <= ?", target);
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'compacted'", target);
    });
    this.compacted = target;
  }

  // Compacting in steps of a tenth of the window keeps the cost amortised over many writes.
  private maybeCompact(): void {
    if (this.rev - this.compacted > this.retained + Math.max(1, Math.floor(this.retained / 10))) this.compact(this.rev - this.retained);
  }

  /** Rows of history currently retained (for the architecture view and tests). */
  historySize(): number {
    return this.sql.one<{ n: number }>("SELECT count(*) AS n FROM etcd_log")?.n ?? 0;
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
    this.sql.transaction(() => {
      this.sql.run("DELETE FROM etcd_kv");
      this.sql.run("DELETE FROM etcd_log");
      for (const kv of snap.kvs) {
        if (typeof kv.key !== "string" || typeof kv.value !== "string") throw new Error("snapshot entry without key or value");
        this.sql.run(
          "INSERT INTO etcd_kv (key, value, create_rev, mod_rev, version) VALUES (?, ?, ?, ?, ?)",
          kv.key, kv.value, Math.min(kv.createRevision, next), Math.min(kv.modRevision, next), kv.version,
        );
      }
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'revision'", next);
      this.sql.run("UPDATE etcd_meta SET value = ? WHERE name = 'compacted'", next);
    });
    this.rev = next;
    this.compacted = next;
    this.hub.closeAll(new CompactedError(next - 1, next));
    return next;
  }

  /** Watchers open now (for the architecture view). */
  watcherCount(): number { return this.hub.size; }

  private log(rev: number, seq: number, type: "PUT" | "DELETE", kv: KeyValue): void {
    this.sql.run(
      "INSERT INTO etcd_log (rev, seq, key, type, value, create_rev, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
      rev, seq, kv.key, type, kv.value, kv.createRevision, kv.version,
    );
  }

  private meta(name: string): number {
    return this.sql.one<{ value: number }>("SELECT value FROM etcd_meta WHERE name = ?", name)!.value;
  }
}
