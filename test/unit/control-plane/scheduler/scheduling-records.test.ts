// The scheduler's decision records are bounded: the newest KEEP_RECORDS are kept, trimmed in batches.
import { describe, expect, it } from "vitest";
import { withSql } from "../../helpers";
import { migrate } from "../../../../src/control-plane/etcd/sql";
import { CLASSROOM_MIGRATIONS } from "../../../../src/classroom/classroom-schema";
import { KEEP_RECORDS, SchedulingRecords, TRIM_EVERY } from "../../../../src/classroom/scheduling-records";
import type { SchedulingRecord } from "../../../../src/control-plane/scheduler";

const record = (i: number) => ({ at: i, pod: { uid: `u${i}`, namespace: "default", name: `p${i}` } }) as unknown as SchedulingRecord;

describe("scheduling records", () => {
  it("keep at most KEEP_RECORDS + TRIM_EVERY, the newest, and find one by pod", async () => {
    await withSql((sql) => {
      migrate(sql, "classroom", CLASSROOM_MIGRATIONS);
      const recs = new SchedulingRecords(sql);
      const total = KEEP_RECORDS + 3 * TRIM_EVERY + 5;
      for (let i = 0; i < total; i++) {
        recs.save(record(i));
        if (i % 997 === 0) expect(recs.count()).toBeLessThanOrEqual(KEEP_RECORDS + TRIM_EVERY);
      }
      expect(recs.count()).toBeLessThanOrEqual(KEEP_RECORDS + TRIM_EVERY);
      expect(recs.count()).toBeGreaterThanOrEqual(KEEP_RECORDS);
      expect(recs.list({ uid: `u${total - 1}` })).toHaveLength(1);
      expect(recs.list({ uid: "u0" })).toHaveLength(0);
      expect(recs.list({ namespace: "default", name: `p${total - 2}` })[0].at).toBe(total - 2);
      expect(recs.list()).toHaveLength(100);
      expect(recs.list()[0].at).toBe(total - 1);
    });
  });
});
