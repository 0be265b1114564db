// The one way kubeclass touches SQLite: bound parameters only, never interpolated values.
// Narrow on purpose: anything with `sql.exec` and `transactionSync` (a Durable Object's storage) fits.

export type SqlValue = string | number | null | ArrayBuffer;

export interface SqlBackend {
  sql: { exec(query: string, ...bindings: SqlValue[]): { toArray(): unknown[]; rowsWritten: number } };
  transactionSync<T>(fn: () => T): T;
}

export class Sql {
  constructor(private readonly backend: SqlBackend) {}

  all<T>(query: string, ...params: SqlValue[]): T[] {
    return this.backend.sql.exec(query, ...params).toArray() as T[];
  }

  one<T>(query: string, ...params: SqlValue[]): T | undefined {
    return this.all<T>(query, ...params)[0];
  }

  run(query: string, ...params: SqlValue[]): number {
    return this.backend.sql.exec(query, ...params).rowsWritten;
  }

  /** Atomic: all or nothing, even if fn throws half-way. */
  transaction<T>(fn: () => T): T {
    return this.backend.transactionSync(fn);
  }
}

/**
 * A two-column table (key TEXT PRIMARY KEY, value TEXT) of one object's own settings and small
 * state: the classroom's settings, the control loop's, a node's. Values are text, or JSON through
 * get/put. `prefix` keeps one owner's keys apart in a shared table. The table name is code, never
 * input (names cannot be bound parameters), and is checked to be a plain identifier.
 */
export class KeyValueTable {
  constructor(private readonly sql: Sql, private readonly table: string, private readonly prefix = "") {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  }

  text(key: string): string | undefined {
    return this.sql.one<{ value: string }>(`SELECT value FROM ${this.table} WHERE key = ?`, this.prefix + key)?.value;
  }

  putText(key: string, value: string): void {
    this.sql.run(`INSERT INTO ${this.table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, this.prefix + key, value);
  }

  get<T>(key: string): T | undefined {
    const v = this.text(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  put(key: string, value: unknown): void {
    this.putText(key, JSON.stringify(value));
  }

  delete(key: string): void {
    this.sql.run(`DELETE FROM ${this.table} WHERE key = ?`, this.prefix + key);
  }
}

/** Append-only schema history per component: never edit a shipped step, add a new one. */
export interface Migration {
  version: number;
  statements: string[];
}

export function migrate(sql: Sql, component: string, migrations: Migration[]): void {
  sql.run("CREATE TABLE IF NOT EXISTS _migrations (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
  const current = sql.one<{ version: number }>("SELECT version FROM _migrations WHERE component = ?", component)?.version ?? 0;
  const pending = migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  if (pending.length === 0) return;
  sql.transaction(() => {
    for (const m of pending) for (const s of m.statements) sql.run(s);
    sql.run(
      "INSERT INTO _migrations (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version",
      component,
      pending[pending.length - 1].version,
    );
  });
}
