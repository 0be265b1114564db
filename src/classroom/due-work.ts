// One physical alarm over a table of due work (the cloudflare/agents pattern): each kind of
// work (the scheduler, each node's kubelet, heartbeats) has one row with the simulated time it
// is next due; the alarm is always set to the earliest row, and none is set when the table is empty.
import { migrate, type Sql } from "../control-plane/etcd/sql";

const MIGRATIONS = [{ version: 1, statements: ["CREATE TABLE due_work (name TEXT PRIMARY KEY, at INTEGER NOT NULL)"] }];

export class DueWork {
  constructor(private readonly sql: Sql) {
    migrate(sql, "due_work", MIGRATIONS);
  }

  /** Due at `at` (simulated ms), or earlier if it already is. */
  at(name: string, at: number): void {
    this.sql.run("INSERT INTO due_work (name, at) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET at = min(at, excluded.at)", name, at);
  }

  /** Replaces the due time (a finished job says when it next needs to run), or clears it. */
  set(name: string, at: number | null): void {
    if (at === null) this.sql.run("DELETE FROM due_work WHERE name = ?", name);
    else this.sql.run("INSERT INTO due_work (name, at) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET at = excluded.at", name, at);
  }

  /** Names due at or before `now`, earliest first. */
  due(now: number): string[] {
    return this.sql.all<{ name: string }>("SELECT name FROM due_work WHERE at <= ? ORDER BY at, name", now).map((r) => r.name);
  }

  has(name: string): boolean {
    return this.sql.one("SELECT 1 AS x FROM due_work WHERE name = ?", name) !== undefined;
  }

  earliest(): number | null {
    return this.sql.one<{ at: number | null }>("SELECT min(at) AS at FROM due_work")?.at ?? null;
  }

  clear(prefix = ""): void {
    this.sql.run("DELETE FROM due_work WHERE name >= ? AND name < ?", prefix, prefix + "\uffff");
  }

  all(): { name: string; at: number }[] {
    return this.sql.all<{ name: string; at: number }>("SELECT name, at FROM due_work ORDER BY at, name");
  }
}
