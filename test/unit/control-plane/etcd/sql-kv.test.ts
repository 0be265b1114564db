// The settings tables (etcd/sql.ts KeyValueTable): text and JSON values, owners kept apart by
// prefix in one table, deletes, and a table name that is not a plain identifier refused.
import { describe, expect, it } from "vitest";
import { KeyValueTable } from "../../../../src/control-plane/etcd/sql";
import { withSql } from "../../helpers";

describe("KeyValueTable", () => {
  it("keeps text and JSON, each owner under its prefix, and forgets deleted keys", () =>
    withSql((sql) => {
      sql.run("CREATE TABLE settings_t (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      const room = new KeyValueTable(sql, "settings_t");
      const loop = new KeyValueTable(sql, "settings_t", "loop:");
      room.putText("name", "turma A");
      loop.put("clock", { speed: 2, paused: false });
      room.putText("name", "turma B");
      expect(room.text("name")).toBe("turma B");
      expect(loop.get("clock")).toEqual({ speed: 2, paused: false });
      expect(room.text("clock")).toBeUndefined();
      expect(room.text("loop:clock")).toBe('{"speed":2,"paused":false}');
      loop.delete("clock");
      expect(loop.get("clock")).toBeUndefined();
      expect(sql.one<{ n: number }>("SELECT count(*) AS n FROM settings_t")!.n).toBe(1);
    }));

  it("refuses a table name that could carry SQL", () =>
    withSql((sql) => {
      expect(() => new KeyValueTable(sql, "classroom; DROP TABLE etcd_kv")).toThrow(/not a table name/);
    }));
});
