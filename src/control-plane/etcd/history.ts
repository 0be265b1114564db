// Reading etcd's history (etcd_log) in bounded pages, as etcd mvcc's watchable store syncs an
// unsynced watcher in batches (watchBatchMaxRevs) instead of loading every revision after its
// start: a resume from an old revision never holds more than one page in memory here.
// Pages are cut by rows and by bytes; the bytes of each revision come from etcd_rev_bytes, so a
// page's size is known before its values are read.
// CompactedError and BacklogTooLargeError are what a reader gets when that history is gone or too long.
import type { Sql } from "./sql";
import type { KeyValue } from "./store";
import type { WatchEvent } from "./watch";

/** Rows per page: ~500 small objects, the order of one kube-apiserver watch cache batch. */
export const PAGE_ROWS = 500;
/** Values per page (at least one revision's worth of rows, cut at PAGE_ROWS): a few big objects at a time. */
export const PAGE_BYTES = 4 * 1024 * 1024;
/** Larger than any seq in a revision: a cursor (rev, AFTER_ALL) means "every row of rev is done". */
const AFTER_ALL = 2 ** 31;

interface LogRow { rev: number; seq: number; key: string; type: string; value: string; create_rev: number; version: number }

/** The smallest string greater than every string with this prefix (etcd's prefix range end). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export function toEvent(r: LogRow): WatchEvent {
  const kv: KeyValue = { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.rev, version: r.version };
  return { type: r.type as "PUT" | "DELETE", kv };
}

/**
 * Events under prefix with afterRevision < rev <= upTo, in (rev, seq) order, one page per
 * iteration. Reads lazily: a consumer that stops early never reads the rest.
 */
export function* historyPages(sql: Sql, prefix: string, afterRevision: number, upTo: number): Generator<WatchEvent[]> {
  const end = prefixEnd(prefix);
  let cursor = { rev: afterRevision, seq: AFTER_ALL };
  while (cursor.rev < upTo || cursor.seq !== AFTER_ALL) {
    // The revisions this page may span: at least one, then as many as fit in PAGE_BYTES.
    const midRevision = cursor.seq !== AFTER_ALL;
    const revs = sql.all<{ rev: number; bytes: number }>(
      "SELECT rev, bytes FROM etcd_rev_bytes WHERE rev >= ? AND rev <= ? ORDER BY rev LIMIT ?",
      midRevision ? cursor.rev : cursor.rev + 1, upTo, PAGE_ROWS,
    );
    if (revs.length === 0) return;
    let hi = revs[0].rev;
    let total = revs[0].bytes;
    for (let i = 1; i < revs.length && total + revs[i].bytes <= PAGE_BYTES; i++) {
      total += revs[i].bytes;
      hi = revs[i].rev;
    }
    const rows = sql.all<LogRow>(
      "SELECT * FROM etcd_log WHERE (rev, seq) > (?, ?) AND rev <= ? AND key >= ? AND key < ? ORDER BY rev, seq LIMIT ?",
      cursor.rev, cursor.seq, hi, prefix, end, PAGE_ROWS,
    );
    // A full page may have stopped inside a revision: continue right after its last row.
    cursor = rows.length === PAGE_ROWS ? { rev: rows[rows.length - 1].rev, seq: rows[rows.length - 1].seq } : { rev: hi, seq: AFTER_ALL };
    if (rows.length > 0) yield rows.map(toEvent);
  }
}

/**
 * The value a key had just before this version of it (undefined when this put created it), or
 * "compacted" when that part of history is gone. One row, whatever the key's history holds.
 */
export function previousValue(sql: Sql, kv: KeyValue): KeyValue | undefined | "compacted" {
  if (kv.version <= 1) return undefined;
  // Between its creation and this revision a key is only ever PUT: a delete would have ended it.
  const row = sql.one<LogRow>(
    "SELECT * FROM etcd_log WHERE key = ? AND rev < ? AND rev >= ? ORDER BY rev DESC, seq DESC LIMIT 1",
    kv.key, kv.modRevision, kv.createRevision,
  );
  return row ? toEvent(row).kv : "compacted";
}

export class CompactedError extends Error {
  constructor(public readonly requested: number, public readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
  }
}

/**
 * A resume would replay more history than the caller accepts: answered as if compacted (the
 * client relists), which is what etcd does for history it no longer has.
 */
export class BacklogTooLargeError extends CompactedError {
  constructor(requested: number, current: number, public readonly limit: BacklogLimit) {
    super(requested, current);
    this.message = `required revision ${requested} is too far behind (more than ${limit.events} events or ${limit.bytes} bytes to replay); current revision ${current}`;
  }
}

export interface BacklogLimit { events: number; bytes: number }
