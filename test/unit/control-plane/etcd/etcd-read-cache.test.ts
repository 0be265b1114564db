// etcd's read cache (read-cache.ts): a write reads its key once, reads never go stale across a
// write, a failed compare or a restore, and the cache stays within its bound.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { freshClassroomStub } from "../../helpers";
import { READ_CACHE_MAX } from "../../../../src/control-plane/etcd/read-cache";
import { Sql, type SqlBackend } from "../../../../src/control-plane/etcd/sql";
import { Etcd } from "../../../../src/control-plane/etcd/store";

/** A Sql over a fresh object's storage that counts the statements run, by their first words. */
async function withCounted<T>(fn: (sql: Sql, count: (re: RegExp) => number) => T): Promise<T> {
  return runInDurableObject(freshClassroomStub("read-cache"), async (_i: unknown, state: DurableObjectState) => {
    const storage = state.storage as unknown as SqlBackend;
    const seen: string[] = [];
    const backend: SqlBackend = {
      sql: { exec(query, ...bindings) { seen.push(query); return storage.sql.exec(query, ...bindings); } },
      transactionSync: (f) => storage.transactionSync(f),
    };
    return fn(new Sql(backend), (re) => seen.filter((q) => re.test(q)).length);
  });
}

const SELECT_KEY = /^SELECT \* FROM etcd_kv WHERE key = \?/;

describe("etcd read cache", () => {
  it("a compare-and-swap reads its key once, and writes it in six statements", () =>
    withCounted((sql, count) => {
      const db = new Etcd(sql);
      const a = db.put("/r/a", "1");
      const selects = count(SELECT_KEY);
      const all = count(/./);
      expect(db.get("/r/a")).toEqual(a); // the registry's read of the old object
      const r = db.txn([{ key: "/r/a", modRevision: a.modRevision }], [{ type: "put", key: "/r/a", value: "2" }]);
      expect(r.succeeded).toBe(true);
      expect(count(SELECT_KEY) - selects).toBe(1);
      // upsert, log row, revision bytes, the three counters in one: four statements inside the
      // transaction, plus that one read.
      expect(count(/./) - all).toBe(5);
    }));

  it("never answers from before a write, a failed compare or a restore", () =>
    withCounted((sql) => {
      const db = new Etcd(sql);
      const a1 = db.put("/r/a", "1");
      expect(db.get("/r/a")?.value).toBe("1");
      db.put("/r/a", "2");
      expect(db.get("/r/a")?.value).toBe("2");
      const failed = db.txn([{ key: "/r/a", modRevision: a1.modRevision }], [{ type: "put", key: "/r/a", value: "3" }]);
      expect(failed.succeeded).toBe(false);
      expect(db.get("/r/a")?.value).toBe("2");
      const snap = db.snapshot();
      db.txn([], [{ type: "delete", key: "/r/a" }]);
      expect(db.get("/r/a")).toBeUndefined();
      db.restore(snap);
      expect(db.get("/r/a")?.value).toBe("2");
      // An absent key cached as absent is present after its create.
      expect(db.get("/r/b")).toBeUndefined();
      db.put("/r/b", "x");
      expect(db.get("/r/b")?.value).toBe("x");
    }));

  it("hands out values no reader can change for the next", () =>
    withCounted((sql) => {
      const db = new Etcd(sql);
      db.put("/r/a", "1");
      const kv = db.get("/r/a")!;
      expect(() => { (kv as { value: string }).value = "forged"; }).toThrow(TypeError);
      expect(db.get("/r/a")?.value).toBe("1");
    }));

  it(`holds at most ${READ_CACHE_MAX} keys between two writes`, () =>
    withCounted((sql, count) => {
      const db = new Etcd(sql);
      db.txn([], Array.from({ length: 600 }, (_, i) => ({ type: "put" as const, key: `/r/${i}`, value: String(i) })));
      for (let i = 0; i < 600; i++) {
        expect(db.get(`/r/${i}`)?.value).toBe(String(i));
        expect(db.cachedReads).toBeLessThanOrEqual(READ_CACHE_MAX);
      }
      expect(db.cachedReads).toBeGreaterThan(0);
      const before = count(SELECT_KEY);
      db.get("/r/599");
      expect(count(SELECT_KEY)).toBe(before); // the latest read is still held
    }));
});
