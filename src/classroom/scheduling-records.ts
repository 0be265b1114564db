// The scheduler's decision records (why each pod went where it went, or why it did not fit): the
// classroom's addition to kube-scheduler, read by the pod page and `kubectl describe`-like views.
// Kept in the classroom's SQLite, the newest KEEP_RECORDS of them.
import type { Sql } from "../control-plane/etcd/sql";
import type { SchedulingRecord } from "../control-plane/scheduler";

export const KEEP_RECORDS = 5000;
/** The oldest records are trimmed once per this many saves (a trim walks the index past KEEP_RECORDS). */
export const TRIM_EVERY = 64;

export class SchedulingRecords {
  private sinceTrim = TRIM_EVERY; // trim at the first save after a wake-up: the count is not known

  constructor(private readonly sql: Sql) {}

  save(r: SchedulingRecord): void {
    this.sql.run(
      "INSERT INTO scheduling_records (uid, namespace, name, at, record) VALUES (?, ?, ?, ?, ?) ON CONFLICT(uid) DO UPDATE SET at = excluded.at, record = excluded.record",
      r.pod.uid, r.pod.namespace, r.pod.name, r.at, JSON.stringify(r),
    );
    if (++this.sinceTrim < TRIM_EVERY) return;
    this.sinceTrim = 0;
    this.sql.run("DELETE FROM scheduling_records WHERE uid IN (SELECT uid FROM scheduling_records ORDER BY at DESC LIMIT -1 OFFSET ?)", KEEP_RECORDS);
  }

  list(filter: { namespace?: string; name?: string; uid?: string } = {}): SchedulingRecord[] {
    const rows = filter.uid
      ? this.sql.all<{ record: string }>("SELECT record FROM scheduling_records WHERE uid = ?", filter.uid)
      : filter.name
        ? this.sql.all<{ record: string }>("SELECT record FROM scheduling_records WHERE namespace = ? AND name = ? ORDER BY at DESC", filter.namespace ?? "default", filter.name)
        : this.sql.all<{ record: string }>("SELECT record FROM scheduling_records ORDER BY at DESC LIMIT 100");
    return rows.map((r) => JSON.parse(r.record));
  }

  count(): number {
    return this.sql.one<{ n: number }>("SELECT count(*) AS n FROM scheduling_records")?.n ?? 0;
  }
}
