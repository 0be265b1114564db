import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompactedError, Etcd, prefixEnd } from "../../../../src/control-plane/etcd/store";
import type { WatchEvent } from "../../../../src/control-plane/etcd/watch";
import { withSql } from "../../helpers";

describe("etcd store", () => {
  it("advances one revision per write transaction and tracks create/mod revision and version", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      expect(db.revision).toBe(1);
      const a1 = db.put("/registry/pods/default/a", "v1");
      expect(a1).toMatchObject({ createRevision: 2, modRevision: 2, version: 1 });
      const a2 = db.put("/registry/pods/default/a", "v2");
      expect(a2).toMatchObject({ createRevision: 2, modRevision: 3, version: 2 });
      const r = db.txn([], [
        { type: "put", key: "/registry/pods/default/b", value: "b" },
        { type: "put", key: "/registry/pods/default/c", value: "c" },
      ]);
      expect(r.revision).toBe(4);
      expect(db.get("/registry/pods/default/b")!.modRevision).toBe(4);
      expect(db.get("/registry/pods/default/c")!.modRevision).toBe(4);
      // Deleting a missing key is not a write: the revision does not move.
      expect(db.txn([], [{ type: "delete", key: "/nope" }]).revision).toBe(4);
    }));

  it("compare-and-swap changes nothing when any compare fails", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      const a = db.put("/k/a", "1");
      const ok = db.txn([{ key: "/k/a", modRevision: a.modRevision }, { key: "/k/b", modRevision: 0 }], [
        { type: "put", key: "/k/a", value: "2" },
        { type: "put", key: "/k/b", value: "new" },
      ]);
      expect(ok.succeeded).toBe(true);
      const stale = db.txn([{ key: "/k/a", modRevision: a.modRevision }], [
        { type: "put", key: "/k/a", value: "3" },
        { type: "delete", key: "/k/b" },
      ]);
      expect(stale.succeeded).toBe(false);
      expect(stale.kvs.get("/k/a")!.value).toBe("2");
      expect(db.get("/k/a")!.value).toBe("2");
      expect(db.get("/k/b")!.value).toBe("new");
      expect(db.revision).toBe(ok.revision);
      // Create-only: modRevision 0 means "must not exist".
      expect(db.txn([{ key: "/k/b", modRevision: 0 }], [{ type: "put", key: "/k/b", value: "x" }]).succeeded).toBe(false);
    }));

  it("ranges by prefix in key order with pagination", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      for (const n of ["c", "a", "b", "d"]) db.put(`/registry/pods/ns1/${n}`, n);
      db.put("/registry/pods/ns2/z", "z");
      db.put("/registry/podsx/ns1/q", "q"); // shares a string prefix but is another resource
      const p1 = db.range("/registry/pods/ns1/", { limit: 3 });
      expect(p1.kvs.map((k) => k.value)).toEqual(["a", "b", "c"]);
      expect(p1.more).toBe(true);
      const p2 = db.range("/registry/pods/ns1/", { limit: 3, startAfter: p1.kvs[2].key });
      expect(p2.kvs.map((k) => k.value)).toEqual(["d"]);
      expect(p2.more).toBe(false);
      expect(db.range("/registry/pods/").kvs).toHaveLength(5);
      expect(db.count("/registry/pods/")).toBe(5);
      expect(prefixEnd("/a/")).toBe("/a0");
    }));

  it("watch replays history after a revision, then streams live events, in order", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      const r1 = db.put("/w/a", "1").modRevision;
      db.put("/w/b", "2");
      db.put("/other/x", "x");
      const seen: WatchEvent[] = [];
      const w = db.watch("/w/", r1, (evs) => seen.push(...evs));
      expect(seen.map((e) => [e.type, e.kv.key, e.kv.value])).toEqual([["PUT", "/w/b", "2"]]);
      db.txn([], [{ type: "delete", key: "/w/a" }]);
      expect(seen[1]).toMatchObject({ type: "DELETE", kv: { key: "/w/a", value: "1" } });
      expect(seen[1].kv.modRevision).toBe(db.revision);
      w.cancel();
      db.put("/w/c", "3");
      expect(seen).toHaveLength(2);
    }));

  it("compacts history beyond the retained window and answers too-old watches", () =>
    withSql((sql) => {
      const db = new Etcd(sql, { retainedRevisions: 20 });
      for (let i = 0; i < 200; i++) db.put(`/c/${i % 7}`, String(i));
      expect(db.revision).toBe(201);
      expect(db.revision - db.compactedRevision).toBeLessThanOrEqual(22);
      expect(db.historySize()).toBeLessThanOrEqual(22);
      expect(() => db.watch("/c/", 5, () => {})).toThrow(CompactedError);
      const events: WatchEvent[] = [];
      db.watch("/c/", db.compactedRevision, (e) => events.push(...e));
      expect(events.length).toBe(db.revision - db.compactedRevision);
      // Current state is untouched by compaction.
      expect(db.range("/c/").kvs).toHaveLength(7);
    }));

  it("snapshots and restores the whole keyspace, moving the revision forward and ending watches", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      db.put("/s/a", "1");
      db.put("/s/b", "2");
      const snap = JSON.parse(JSON.stringify(db.snapshot()));
      db.put("/s/a", "changed");
      db.put("/s/c", "3");
      let closed: Error | undefined;
      const w = db.watch("/s/", db.revision, () => {});
      w.onClose = (e) => (closed = e);
      const before = db.revision;
      const rev = db.restore(snap);
      expect(rev).toBeGreaterThan(before);
      expect(db.range("/s/").kvs.map((k) => [k.key, k.value])).toEqual([["/s/a", "1"], ["/s/b", "2"]]);
      expect(closed).toBeInstanceOf(CompactedError);
      expect(db.put("/s/d", "4").modRevision).toBe(rev + 1);
      // A bad snapshot changes nothing.
      const good = db.snapshot();
      expect(() => db.restore({ ...snap, kvs: [{ key: "/s/x", value: 5 }] } as any)).toThrow();
      expect(db.snapshot().kvs).toEqual(good.kvs);
    }));

  it("survives a restart: state and revision come back from SQLite", () =>
    withSql((sql) => {
      const db = new Etcd(sql);
      db.put("/r/a", "1");
      db.put("/r/a", "2");
      const again = new Etcd(sql);
      expect(again.revision).toBe(db.revision);
      expect(again.get("/r/a")).toEqual(db.get("/r/a"));
    }));

  it("every watcher sees exactly the committed sequence for its prefix (randomized)", () =>
    withSql((sql) => {
      let n = 0;
      const step = fc.oneof(
        fc.record({ kind: fc.constant("put" as const), keys: fc.array(fc.constantFrom("/a/1", "/a/2", "/b/1", "/b/2", "/ab/1"), { minLength: 1, maxLength: 3 }), v: fc.string({ maxLength: 4 }) }),
        fc.record({ kind: fc.constant("del" as const), key: fc.constantFrom("/a/1", "/a/2", "/b/1", "/ab/1") }),
        fc.record({ kind: fc.constant("cas" as const), key: fc.constantFrom("/a/1", "/b/2"), stale: fc.boolean() }),
        fc.record({ kind: fc.constant("watch" as const), prefix: fc.constantFrom("/a/", "/b/", "/", "/ab/"), back: fc.nat(6) }),
      );
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
          // A fresh keyspace per run inside the same object: its own tables via a new prefix root.
          const root = `/run${n++}`;
          const db = new Etcd(sql);
          const committed: { rev: number; type: string; key: string; value: string }[] = [];
          const watchers: { prefix: string; from: number; seen: { rev: number; type: string; key: string; value: string }[] }[] = [];
          const start = db.revision;
          for (const s of steps) {
            // Expected events come from the ops themselves, not from the store under test.
            if (s.kind === "put") {
              const keys = [...new Set(s.keys)];
              const r = db.txn([], keys.map((k) => ({ type: "put" as const, key: root + k, value: s.v })));
              for (const k of keys) committed.push({ rev: r.revision, type: "PUT", key: root + k, value: s.v });
            } else if (s.kind === "del") {
              const existed = db.get(root + s.key) !== undefined;
              const r = db.txn([], [{ type: "delete", key: root + s.key }]);
              if (existed) committed.push({ rev: r.revision, type: "DELETE", key: root + s.key, value: "" });
              else expect(r.revision).toBe(committed.at(-1)?.rev ?? start);
            } else if (s.kind === "cas") {
              const cur = db.get(root + s.key)?.modRevision ?? 0;
              const r = db.txn([{ key: root + s.key, modRevision: s.stale ? cur + 1000 : cur }], [{ type: "put", key: root + s.key, value: "cas" }]);
              expect(r.succeeded).toBe(!s.stale);
              if (!s.stale) committed.push({ rev: r.revision, type: "PUT", key: root + s.key, value: "cas" });
            } else {
              const from = Math.max(start, db.revision - s.back);
              const w = { prefix: root + s.prefix, from, seen: [] as any[] };
              db.watch(w.prefix, from, (evs) => w.seen.push(...evs.map((e) => ({ rev: e.kv.modRevision, type: e.type, key: e.kv.key, value: e.kv.value }))));
              watchers.push(w);
            }
          }
          for (const w of watchers) {
            const expected = committed.filter((c) => c.rev > w.from && c.key.startsWith(w.prefix));
            expect(w.seen.map(({ rev, type, key }) => ({ rev, type, key }))).toEqual(expected.map(({ rev, type, key }) => ({ rev, type, key })));
            // Ordered and no duplicates.
            for (let i = 1; i < w.seen.length; i++) expect(w.seen[i].rev).toBeGreaterThanOrEqual(w.seen[i - 1].rev);
          }
        }),
        { numRuns: 40 },
      );
    }));
});
