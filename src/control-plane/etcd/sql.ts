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
