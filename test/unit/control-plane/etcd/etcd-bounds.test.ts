// etcd's storage bounds (issue #10): history retained by bytes as well as revisions, a backend
// quota like --quota-backend-bytes with etcd's own refusal, history read in bounded pages, and
// watch subscribers that are ended and told rather than dropped silently.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { client, newClassroom, readEvents } from "../../api-helpers";
import { freshClassroomStub, withSql } from "../../helpers";
import { errorResponse } from "../../../../src/control-plane/api-server/codec";
import { MAX_REPLAY } from "../../../../src/control-plane/api-server/handlers/watch";
import { PAGE_BYTES, PAGE_ROWS } from "../../../../src/control-plane/etcd/history";
import { MAX_REQUEST_BYTES, ROW_OVERHEAD_BYTES } from "../../../../src/control-plane/etcd/quota";
import { Sql, type SqlBackend } from "../../../../src/control-plane/etcd/sql";
import { BacklogTooLargeError, CompactedError, Etcd, EtcdNoSpaceError, EtcdRequestTooLargeError } from "../../../../src/control-plane/etcd/store";
import { WatchClosedError, type WatchEvent } from "../../../../src/control-plane/etcd/watch";

const KiB = 1024;
const MiB = 1024 * KiB;

/** What the running counters must equal: the same cost summed over the tables. */
function countedBytes(sql: Sql): { kv: number; log: number } {
  const sum = (table: string) =>
    sql.one<{ b: number }>(`SELECT COALESCE(SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB)) + ${ROW_OVERHEAD_BYTES}), 0) AS b FROM ${table}`)!.b;
  return { kv: sum("etcd_kv"), log: sum("etcd_log") };
}

/** A Sql over a fresh object's storage that records how many etcd_log rows each query returned. */
async function withCountingSql<T>(fn: (sql: Sql, logReads: number[]) => T | Promise<T>): Promise<T> {
  return runInDurableObject(freshClassroomStub("bounds"), async (_i: unknown, state: DurableObjectState) => {
    const storage = state.storage as unknown as SqlBackend;
    const logReads: number[] = [];
    const backend: SqlBackend = {
      sql: {
        exec(query, ...bindings) {
          const cursor = storage.sql.exec(query, ...bindings);
          return {
            toArray() {
              const rows = cursor.toArray();
              if (/FROM etcd_log/.test(query)) logReads.push(rows.length);
              return rows;
            },
            get rowsWritten() { return cursor.rowsWritten; },
          };
        },
      },
      transactionSync: (f) => storage.transactionSync(f),
    };
    return fn(new Sql(backend), logReads);
  });
}

describe("etcd retention by bytes", () => {
  it("compacts the oldest revisions once history passes retainedBytes, keeping running byte counters exact", () =>
    withSql((sql) => {
      const db = new Etcd(sql, { retainedBytes: 2 * MiB, quotaBytes: 64 * MiB });
      const big = "x".repeat(100 * KiB);
      for (let i = 0; i < 100; i++) db.put(`/registry/configmaps/default/cm${i % 3}`, big + i);
      const u = db.usage();
      // ~10 MB were written; history keeps at most 2 MiB of it, the newest revisions.
      expect(u.historyBytes).toBeLessThanOrEqual(2 * MiB);
      expect(u.historyBytes).toBeGreaterThan(MiB);
      expect(db.compactedRevision).toBeGreaterThan(80);
      expect(() => db.watch("/registry/", 2, () => {})).toThrow(CompactedError);
      const seen: WatchEvent[] = [];
      db.watch("/registry/", db.compactedRevision, (e) => seen.push(...e));
      expect(seen.at(-1)!.kv.value).toBe(big + 99);
      // The counters are maintained per write, and equal what the tables hold.
      expect(countedBytes(sql)).toEqual({ kv: u.keyspaceBytes, log: u.historyBytes });
      // ... and survive a restart.
      expect(new Etcd(sql, { retainedBytes: 2 * MiB, quotaBytes: 64 * MiB }).usage()).toEqual(u);
    }));

  it("migration 2 counts the bytes of a keyspace written before it (append-only schema)", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      for (let i = 0; i < 20; i++) db.put(`/m/${i % 4}`, `value é ${"y".repeat(i * 100)}`);
      db.txn([], [{ type: "delete", key: "/m/1" }]);
      const expected = db.usage();
      // Back to a version-1 database: no counters, no per-revision bytes.
      sql.run("DROP TABLE etcd_rev_bytes");
      sql.run("DELETE FROM etcd_meta WHERE name IN ('kv_bytes', 'log_bytes')");
      sql.run("UPDATE _migrations SET version = 1 WHERE component = 'etcd'");
      const again = new Etcd(sql);
      expect(again.usage()).toEqual(expected);
      expect(countedBytes(sql)).toEqual({ kv: expected.keyspaceBytes, log: expected.historyBytes });
    }));
});

describe("etcd backend quota", () => {
  it("refuses a put past the quota with etcd's message, storing nothing; warns from 80 %; deletes still work and free room", () =>
    withSql((sql) => {
      const db = new Etcd(sql, { quotaBytes: 2 * MiB });
      const v = "z".repeat(200 * KiB);
      let n = 0;
      let refused: unknown;
      let warnedAt: number | undefined;
      for (; n < 50; n++) {
        try {
          db.put(`/registry/configmaps/default/c${n}`, v);
        } catch (e) {
          refused = e;
          break;
        }
        if (warnedAt === undefined && db.usage().warning) warnedAt = n;
      }
      expect(refused).toBeInstanceOf(EtcdNoSpaceError);
      expect((refused as Error).message).toBe("etcdserver: mvcc: database space exceeded");
      expect(warnedAt).toBeDefined();
      expect(warnedAt!).toBeLessThan(n);
      const full = db.usage();
      expect(full.usedBytes).toBeLessThanOrEqual(full.quotaBytes);
      expect(full.warning).toBe(true);
      // Nothing stored: no key, no revision, same bytes.
      const rev = db.revision;
      expect(db.get(`/registry/configmaps/default/c${n}`)).toBeUndefined();
      expect(() => db.put(`/registry/configmaps/default/c${n}`, v)).toThrow(EtcdNoSpaceError);
      expect(db.revision).toBe(rev);
      expect(db.usage()).toEqual(full);
      // Deletes are never refused, and the space they free comes back (history compacted to make room).
      for (let i = 0; i < 4; i++) expect(db.txn([], [{ type: "delete", key: `/registry/configmaps/default/c${i}` }]).succeeded).toBe(true);
      expect(db.put(`/registry/configmaps/default/c${n}`, v).modRevision).toBe(db.revision);
      expect(countedBytes(sql)).toEqual({ kv: db.usage().keyspaceBytes, log: db.usage().historyBytes });
    }));

  it("when full, small updates of existing keys (a graceful delete, a status) still go through within a 2 % margin; new keys and growth do not", () =>
    withSql((sql) => {
      const db = new Etcd(sql, { quotaBytes: 2 * MiB, retainedBytes: 0 });
      const v = "z".repeat(20 * KiB);
      let n = 0;
      try {
        for (; n < 500; n++) db.put(`/registry/pods/default/p${n}`, v);
      } catch { /* full */ }
      // Fill the last bytes too, with small objects, so the quota is met exactly.
      try {
        for (let i = 0; i < 1000; i++) db.put(`/registry/pods/default/small${i}`, "s".repeat(200));
      } catch { /* full to the brim */ }
      expect(() => db.put("/registry/pods/default/new", "s".repeat(200))).toThrow(EtcdNoSpaceError);
      // A graceful delete sets deletionTimestamp: the same object, a few bytes bigger.
      const graceful = v + '"deletionTimestamp":"2026-12-06T00:00:00Z"';
      for (let i = 0; i < n; i++) db.put(`/registry/pods/default/p${i}`, graceful);
      expect(db.usage().usedBytes).toBeLessThanOrEqual(2 * MiB * 1.02);
      // Growth past the slack is refused even for an existing key.
      expect(() => db.put("/registry/pods/default/p0", v + "g".repeat(400 * KiB))).toThrow(EtcdNoSpaceError);
    }));

  it("refuses a single put over the request size (1.5 MiB + overhead) with etcd's message, storing nothing", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      const rev = db.revision;
      expect(() => db.put("/registry/configmaps/default/huge", "h".repeat(MAX_REQUEST_BYTES + 200 * KiB))).toThrow(EtcdRequestTooLargeError);
      expect(() => db.put("/registry/configmaps/default/huge", "h".repeat(MAX_REQUEST_BYTES + 200 * KiB))).toThrow("etcdserver: request is too large");
      expect(db.revision).toBe(rev);
      expect(db.get("/registry/configmaps/default/huge")).toBeUndefined();
      // Just under the limit fits.
      expect(db.put("/registry/configmaps/default/big", "h".repeat(MAX_REQUEST_BYTES)).version).toBe(1);
    }));

  it("maps the refusals to a Status: 403 Forbidden for the quota, 413 RequestEntityTooLarge for the size, never a 5xx", async () => {
    const noSpace = errorResponse(new EtcdNoSpaceError(10, 10));
    expect(noSpace.status).toBe(403);
    expect(await noSpace.json()).toMatchObject({ kind: "Status", status: "Failure", reason: "Forbidden", code: 403, message: "etcdserver: mvcc: database space exceeded" });
    const tooLarge = errorResponse(new EtcdRequestTooLargeError(2 * MiB, MAX_REQUEST_BYTES));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ kind: "Status", reason: "RequestEntityTooLarge", code: 413, message: "etcdserver: request is too large" });
  });
});

describe("etcd history is read in bounded pages", () => {
  it("a watch from revision 1 over 3,000 revisions of 100 KiB replays them in pages, never all at once", () =>
    withCountingSql((sql, logReads) => {
      const db = new Etcd(sql, { quotaBytes: 2048 * MiB, retainedBytes: 512 * MiB });
      const v = "p".repeat(100 * KiB);
      for (let i = 0; i < 3000; i++) db.put(`/registry/configmaps/default/k${i % 50}`, v);
      logReads.length = 0;
      const calls: number[] = [];
      let last = 1;
      let ordered = true;
      const w = db.watch("/registry/", 1, (events) => {
        calls.push(events.length);
        for (const e of events) {
          if (e.kv.modRevision !== last + 1) ordered = false;
          last = e.kv.modRevision;
        }
      });
      expect(calls.reduce((a, b) => a + b, 0)).toBe(3000);
      expect(ordered).toBe(true);
      // One page holds at most PAGE_BYTES of values: ~40 of these, against 3,000 rows (~300 MB).
      const perPage = Math.ceil(PAGE_BYTES / (100 * KiB));
      expect(Math.max(...calls)).toBeLessThanOrEqual(perPage);
      expect(Math.max(...logReads)).toBeLessThanOrEqual(perPage);
      expect(calls.length).toBeGreaterThanOrEqual(3000 / perPage);
      // Live events follow the backlog, with no gap.
      db.put("/registry/configmaps/default/live", "1");
      expect(last).toBe(db.revision);
      w.cancel();

      // With a limit (what the API watch and the live feed use), the resume is refused as compacted
      // after reading no more than the limit and a page.
      logReads.length = 0;
      let delivered = 0;
      expect(() => db.watch("/registry/", 1, (e) => (delivered += e.length), MAX_REPLAY)).toThrow(BacklogTooLargeError);
      expect(delivered).toBe(0);
      expect(logReads.reduce((a, b) => a + b, 0) * 100 * KiB).toBeLessThanOrEqual(MAX_REPLAY.bytes + PAGE_BYTES + 100 * KiB);
      expect(new BacklogTooLargeError(1, 2, MAX_REPLAY)).toBeInstanceOf(CompactedError);
    }), 120_000);

  it("pages cut inside one big revision stay ordered and complete", () =>
    withCountingSql((sql, logReads) => {
      const db = new Etcd(sql);
      const before = db.revision;
      const ops = Array.from({ length: PAGE_ROWS * 2 + 7 }, (_, i) => ({ type: "put" as const, key: `/b/${String(i).padStart(5, "0")}`, value: String(i) }));
      db.txn([], ops);
      db.put("/b/after", "x");
      logReads.length = 0;
      const seen: string[] = [];
      db.watch("/b/", before, (evs) => seen.push(...evs.map((e) => e.kv.value)));
      expect(seen).toEqual([...ops.map((o) => o.value), "x"]);
      expect(Math.max(...logReads)).toBeLessThanOrEqual(PAGE_ROWS);
    }));

  it("the API answers a watch resume beyond the replay bound with 410 Expired (the client relists)", async () => {
    const cls = await newClassroom("bounds", 0);
    const k = client(cls);
    const ns = (env as any).CLASSROOM;
    // Written straight into the classroom's etcd: 200 revisions of 100 KiB, ~20 MB to replay.
    const stub: any = ns.get(ns.idFromName(cls.id));
    const from: number = await (runInDurableObject as unknown as (s: unknown, f: (i: any) => number) => Promise<number>)(stub, (instance) => {
      const etcd = instance.etcd as Etcd;
      const start = etcd.revision;
      const data = { big: "d".repeat(100 * KiB) };
      for (let i = 0; i < 200; i++) {
        const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm${i % 5}`, namespace: "default", uid: `u${i % 5}`, resourceVersion: "" }, data };
        etcd.put(`/registry/configmaps/default/cm${i % 5}`, JSON.stringify(cm));
      }
      return start;
    });
    const [first] = await readEvents(await k.call("GET", `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}`), 1);
    expect(first).toMatchObject({ type: "ERROR", object: { code: 410, reason: "Expired" } });
    expect(first.object.message).toMatch(/^too old resource version: /);
    // A resume within the bound replays as before.
    const recent = await readEvents(await k.call("GET", `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from + 195}`), 5);
    expect(recent.map((e) => e.type)).toEqual(["MODIFIED", "MODIFIED", "MODIFIED", "MODIFIED", "MODIFIED"]);
  }, 60_000);
});

describe("watch subscribers are never dropped silently", () => {
  it("a subscriber that throws is removed and told through onClose; the others go on", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      let closed: Error | undefined;
      const bad = db.watch("/s/", db.revision, () => { throw new Error("stream gone"); });
      bad.onClose = (e) => (closed = e);
      const good: string[] = [];
      db.watch("/s/", db.revision, (evs) => good.push(...evs.map((e) => e.kv.value)));
      expect(db.watcherCount()).toBe(2);
      db.put("/s/a", "1");
      expect(closed).toBeInstanceOf(WatchClosedError);
      expect((closed as WatchClosedError).cause.message).toBe("stream gone");
      expect(db.watcherCount()).toBe(1);
      db.put("/s/b", "2");
      expect(good).toEqual(["1", "2"]);
    }));

  it("an owner whose onClose throws is marked closed and told again at the next commit until it hears", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      const heard: Error[] = [];
      let fails = 2;
      const w = db.watch("/s/", db.revision, () => {});
      w.onClose = (e) => {
        if (fails-- > 0) throw new Error("owner busy");
        heard.push(e);
      };
      const other: Error[] = [];
      db.watch("/s/", db.revision, () => {}).onClose = (e) => other.push(e);
      db.restore(db.snapshot());
      expect(w.closed).toBeInstanceOf(CompactedError); // known at once, whatever onClose did
      expect(other).toHaveLength(1); // a throwing owner never keeps the others from hearing
      expect(heard).toHaveLength(0);
      db.put("/t/a", "1"); // any commit tells it again
      expect(heard).toHaveLength(0);
      db.put("/t/b", "2");
      expect(heard).toHaveLength(1);
      expect(heard[0]).toBeInstanceOf(CompactedError);
      db.put("/t/c", "3");
      expect(heard).toHaveLength(1); // once heard, never again
      expect(other).toHaveLength(1);
    }));
});
