import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource, registryKey } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { ControllerManager } from "../../../../src/control-plane/controller-manager/manager";
import { jobController } from "../../../../src/control-plane/controller-manager/job/job-controller";
import { JOB_TRACKING_FINALIZER } from "../../../../src/control-plane/controller-manager/job/job-util";
import { formatIntervals, hasIndex, nextMissing, parseIndexesFromString, totalIndexes, withIndexes } from "../../../../src/control-plane/controller-manager/job/job-indexes";
import { ApiError } from "../../../../src/control-plane/api-server/status";
import { cronJobController, SCHEDULED_TIMESTAMP } from "../../../../src/control-plane/controller-manager/cronjob/cronjob-controller";
import { formatInZone, parseSchedule } from "../../../../src/control-plane/controller-manager/cronjob/cron-schedule";
import { withSql } from "../../helpers";
import type { Sql } from "../../../../src/control-plane/etcd/sql";

const admin = { username: "t", groups: ["system:masters"] };
const R = {
  ns: findResource("", "v1", "namespaces")!, pods: findResource("", "v1", "pods")!, events: findResource("", "v1", "events")!,
  jobs: findResource("batch", "v1", "jobs")!, cronjobs: findResource("batch", "v1", "cronjobs")!,
};
const T0 = Date.parse("2026-01-01T00:00:00Z");

function cluster(sql: Sql) {
  const etcd = new Etcd(sql);
  const reg = new Registry(etcd);
  const clock = { now: T0 };
  const cm = new ControllerManager(reg, etcd, { due: () => {} }, () => clock.now);
  cm.register(jobController(reg));
  cm.register(cronJobController(reg));
  const w = () => ({ user: admin, now: new Date(clock.now) });
  reg.create(R.ns, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, w());
  /** Runs the controllers until nothing is due now; returns when something is next due. */
  const settle = (): number | null => {
    for (let i = 0; i < 100; i++) {
      const next = cm.run();
      if (next === null || next > clock.now) return next;
    }
    throw new Error("controllers never settle");
  };
  const advance = (ms: number) => { clock.now += ms; return settle(); };
  const pods = (job?: string) => reg.list(R.pods, "default").items.filter((p) => !job || p.metadata.labels?.["batch.kubernetes.io/job-name"] === job);
  const livePods = (job?: string) => pods(job).filter((p) => !p.metadata.deletionTimestamp && !["Succeeded", "Failed"].includes(p.status?.phase));
  /** The kubelet's part: a pod's phase. */
  const setPhase = (p: KubeObject, phase: string, ready = false) => {
    const cur = reg.get(R.pods, "default", p.metadata.name!);
    reg.update(R.pods, "default", cur.metadata.name!, { ...cur, status: { ...(cur.status ?? {}), phase, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } }, w(), "status");
  };
  const job = (name: string) => reg.get(R.jobs, "default", name);
  const events = (reason?: string) => reg.list(R.events, "default").items.filter((e) => !reason || e.reason === reason);
  return { etcd, reg, clock, cm, w, settle, advance, pods, livePods, setPhase, job, events };
}

const template = (extra: Record<string, unknown> = {}) => ({ spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5.34" }], ...extra } });
const jobObj = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: "batch/v1", kind: "Job", metadata: { name }, spec: { template: template(), ...spec } });
const cond = (j: KubeObject, type: string) => j.status?.conditions?.find((c: any) => c.type === type);

describe("job controller", () => {
  it("runs completions 5 with parallelism 2, never more than 2 active, and completes", () =>
    withSql((sql) => {
      const c = cluster(sql);
      const created = c.reg.create(R.jobs, "default", jobObj("pi", { completions: 5, parallelism: 2 }), c.w());
      c.settle();
      let rounds = 0;
      while (!cond(c.job("pi"), "Complete") && rounds++ < 20) {
        const live = c.livePods("pi");
        expect(live.length).toBeLessThanOrEqual(2);
        expect(c.job("pi").status.active ?? 0).toBe(live.length);
        c.setPhase(live[0], "Succeeded");
        c.advance(1000);
      }
      const j = c.job("pi");
      expect(j.status).toMatchObject({ succeeded: 5, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
      expect(j.status.active).toBeUndefined();
      expect(j.status.startTime).toBe("2026-01-01T00:00:00Z");
      expect(j.status.completionTime).toBeDefined();
      expect(cond(j, "SuccessCriteriaMet")).toMatchObject({ status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" });
      expect(cond(j, "Complete")).toMatchObject({ status: "True", reason: "CompletionsReached" });
      const ps = c.pods("pi");
      expect(ps).toHaveLength(5);
      for (const p of ps) {
        expect(p.metadata.name).toMatch(/^pi-[a-z0-9]{5}$/);
        expect(p.metadata.labels).toMatchObject({ "batch.kubernetes.io/job-name": "pi", "batch.kubernetes.io/controller-uid": created.metadata.uid, "controller-uid": created.metadata.uid });
        expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "batch/v1", kind: "Job", name: "pi", uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
        expect(p.metadata.finalizers ?? []).not.toContain(JOB_TRACKING_FINALIZER); // counted, so released
      }
      expect(c.events("SuccessfulCreate").map((e) => e.message).sort()).toEqual(ps.map((p) => `Created pod: ${p.metadata.name}`).sort());
      expect(c.events("Completed").map((e) => [e.message, e.source.component])).toEqual([["Job completed", "job-controller"]]);

      // Nothing to do: nothing written.
      const rev = c.etcd.revision;
      c.cm.stop();
      c.advance(60_000);
      expect(c.etcd.revision).toBe(rev);
    }));

  it("holds off replacements with the 10 s doubling back-off and fails past backoffLimit", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.jobs, "default", jobObj("flaky", { backoffLimit: 1 }), c.w());
      c.settle();
      const [first] = c.livePods("flaky");
      expect(first.metadata.finalizers).toContain(JOB_TRACKING_FINALIZER);
      c.setPhase(first, "Failed");
      const next = c.settle();
      expect(c.job("flaky").status.failed).toBe(1);
      expect(c.livePods("flaky")).toHaveLength(0); // backing off
      expect(next).toBe(c.clock.now + 10_000);
      c.advance(9_999);
      expect(c.livePods("flaky")).toHaveLength(0);
      c.advance(1);
      const [second] = c.livePods("flaky");
      expect(second).toBeDefined();
      c.setPhase(second, "Failed");
      c.settle();
      const j = c.job("flaky");
      expect(j.status.failed).toBe(2);
      expect(cond(j, "FailureTarget")).toMatchObject({ status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" });
      expect(cond(j, "Failed")).toMatchObject({ status: "True", reason: "BackoffLimitExceeded" });
      expect(j.status.completionTime).toBeUndefined();
      expect(c.events("BackoffLimitExceeded").map((e) => [e.type, e.message])).toEqual([["Warning", "Job has reached the specified backoff limit"]]);
      c.advance(60_000);
      expect(c.livePods("flaky")).toHaveLength(0);
    }));

  it("fails with DeadlineExceeded at activeDeadlineSeconds, deleting its pods", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.jobs, "default", jobObj("slow", { activeDeadlineSeconds: 30, parallelism: 2, completions: 4 }), c.w());
      expect(c.settle()).toBe(T0 + 30_000);
      expect(c.livePods("slow")).toHaveLength(2);
      c.advance(30_000);
      const j = c.job("slow");
      expect(cond(j, "Failed")).toMatchObject({ reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" });
      // Unscheduled pods go at once (no grace), counted as failed.
      expect(c.pods("slow")).toHaveLength(0);
      expect(j.status.failed).toBe(2);
    }));

  it("gives Indexed Jobs one pod per index with the completion index", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.jobs, "default", jobObj("idx", { completions: 3, parallelism: 3, completionMode: "Indexed" }), c.w());
      c.settle();
      const ps = c.livePods("idx");
      const byIndex = new Map(ps.map((p) => [p.metadata.annotations!["batch.kubernetes.io/job-completion-index"], p]));
      expect([...byIndex.keys()].sort()).toEqual(["0", "1", "2"]);
      expect(byIndex.get("1")!.spec.hostname).toBe("idx-1");
      expect(byIndex.get("1")!.metadata.name).toMatch(/^idx-1-/);
      expect(byIndex.get("1")!.spec.containers[0].env).toContainEqual({ name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });
      c.setPhase(byIndex.get("1")!, "Succeeded");
      c.setPhase(byIndex.get("2")!, "Failed");
      c.settle();
      c.advance(10_000);
      expect(c.job("idx").status).toMatchObject({ completedIndexes: "1", succeeded: 1, failed: 1, active: 2 });
      const again = c.livePods("idx").map((p) => p.metadata.annotations!["batch.kubernetes.io/job-completion-index"]).sort();
      expect(again).toEqual(["0", "2"]);
    }));

  it("bounds status.completedIndexes by completions: \"0-99999999999\" is one interval, the Job completes", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.jobs, "default", jobObj("huge", { completions: 3, parallelism: 3, completionMode: "Indexed" }), c.w());
      c.settle();
      expect(c.livePods("huge")).toHaveLength(3);
      // The API refuses this status now; an etcd snapshot restore, or a status stored before the
      // check existed, still brings it in, so it is written straight into etcd.
      const stored = c.job("huge");
      c.etcd.put(registryKey(R.jobs, "default", "huge"), JSON.stringify({ ...stored, status: { ...stored.status, completedIndexes: "0-99999999999", succeeded: 99999999999 } }));
      const started = Date.now();
      c.settle();
      expect(Date.now() - started).toBeLessThan(1000); // upstream's bound, not a hundred billion Set entries
      const j = c.job("huge");
      expect(j.status).toMatchObject({ completedIndexes: "0-2", succeeded: 3 });
      expect(cond(j, "Complete")).toMatchObject({ status: "True" });
      expect(c.livePods("huge")).toHaveLength(0); // every index done: nothing left to run
      expect(c.events("ReconcileError")).toHaveLength(0);
    }));

  it("parses completed indexes as upstream's orderedIntervals", () => {
    expect(parseIndexesFromString("0-99999999999", 3)).toEqual([{ first: 0, last: 2 }]);
    expect(parseIndexesFromString("1,3-5,7,9", 8)).toEqual([{ first: 1, last: 1 }, { first: 3, last: 5 }, { first: 7, last: 7 }]);
    // Corrupt intervals are skipped; adjacent ones merge.
    expect(formatIntervals(parseIndexesFromString("x,0,1-a,1,2-3,99999999999999999999", 10))).toBe("0-3");
    expect(parseIndexesFromString("0-5", 0)).toEqual([]);
    const iv = withIndexes(parseIndexesFromString("1,3-5", 10), [2, 8, 9]);
    expect(formatIntervals(iv)).toBe("1-5,8,9"); // two consecutive stay a pair, as String() writes them
    expect(totalIndexes(iv)).toBe(7);
    expect([hasIndex(iv, 0), hasIndex(iv, 4), hasIndex(iv, 8), hasIndex(iv, 7)]).toEqual([false, true, true, false]);
    expect([nextMissing(iv, 0), nextMissing(iv, 1), nextMissing(iv, 6), nextMissing(iv, 8)]).toEqual([0, 6, 6, 10]);
  });

  it("validates status.completedIndexes and failedIndexes on a status write, with the real messages (422)", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.jobs, "default", jobObj("idx", { completions: 3, parallelism: 3, completionMode: "Indexed" }), c.w());
      c.reg.create(R.jobs, "default", jobObj("plain", { completions: 3 }), c.w());
      c.settle();
      const write = (name: string, status: Record<string, unknown>) => {
        const cur = c.job(name);
        try {
          c.reg.update(R.jobs, "default", name, { ...cur, status: { ...cur.status, ...status } }, c.w(), "status");
        } catch (e) {
          if (e instanceof ApiError) return { code: e.status.code, message: e.status.message, causes: e.status.details?.causes };
          throw e;
        }
        return { code: 200 };
      };
      expect(write("idx", { completedIndexes: "0-99999999999" })).toEqual({
        code: 422,
        message: 'Job.batch "idx" is invalid: status.completedIndexes: Invalid value: "0-99999999999": error parsing completedIndexes: too large index: "99999999999"',
        causes: [{ reason: "FieldValueInvalid", message: 'Invalid value: "0-99999999999": error parsing completedIndexes: too large index: "99999999999"', field: "status.completedIndexes" }],
      });
      expect(write("idx", { completedIndexes: "1-0" }).message).toMatch(/error parsing completedIndexes: non-increasing order, previous: 1, current: 0$/);
      expect(write("idx", { completedIndexes: "1,0" }).message).toMatch(/error parsing completedIndexes: non-increasing order, previous: 1, current: 0$/);
      expect(write("idx", { completedIndexes: "a" }).message).toMatch(/error parsing completedIndexes: cannot convert string to integer for index: "a"$/);
      expect(write("idx", { completedIndexes: "0-1-2" }).message).toMatch(/error parsing completedIndexes: the fragment "0-1-2" violates the requirement that an index interval can have at most two parts separated by '-'$/);
      expect(write("idx", { failedIndexes: "1" }).message).toMatch(/status.failedIndexes: Invalid value: "1": cannot set non-null failedIndexes when backoffLimitPerIndex is null$/);
      expect(write("plain", { completedIndexes: "0" }).message).toMatch(/status.completedIndexes: Invalid value: "0": cannot set non-empty completedIndexes when non-indexed completion mode$/);
      expect(write("idx", { succeeded: -1 }).message).toMatch(/status.succeeded: Invalid value: -1: must be greater than or equal to 0$/);
      expect(c.job("idx").status.completedIndexes).toBeUndefined(); // nothing refused was stored
      expect(write("idx", { completedIndexes: "0,2" })).toEqual({ code: 200 });
    }));

  it("suspends (deleting active pods) and resumes", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.jobs, "default", jobObj("s", { parallelism: 2, completions: 2 }), c.w());
      c.settle();
      expect(c.livePods("s")).toHaveLength(2);
      c.reg.guaranteedUpdate(R.jobs, "default", "s", c.w(), (j) => ({ ...j, spec: { ...j.spec, suspend: true } }));
      c.settle();
      expect(c.pods("s")).toHaveLength(0);
      expect(cond(c.job("s"), "Suspended")).toMatchObject({ status: "True", reason: "JobSuspended", message: "Job suspended" });
      c.reg.guaranteedUpdate(R.jobs, "default", "s", c.w(), (j) => ({ ...j, spec: { ...j.spec, suspend: false } }));
      c.advance(10_000);
      expect(cond(c.job("s"), "Suspended")).toMatchObject({ status: "False", reason: "JobResumed" });
      expect(c.livePods("s")).toHaveLength(2);
    }));

  it("deletes a finished Job after ttlSecondsAfterFinished, and the pods of a deleted Job", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.jobs, "default", jobObj("t", { ttlSecondsAfterFinished: 60 }), c.w());
      c.settle();
      c.setPhase(c.livePods("t")[0], "Succeeded");
      expect(c.settle()).toBe(c.clock.now + 60_000);
      expect(cond(c.job("t"), "Complete")).toBeDefined();
      c.advance(60_000);
      expect(c.reg.tryGet(R.jobs, "default", "t")).toBeUndefined();
      expect(c.pods("t")).toHaveLength(0);
    }));
});

describe("cron schedules", () => {
  const at = (s: string) => Date.parse(s);
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  it("finds the next activation strictly after a time", () => {
    expect(iso(parseSchedule("*/15 * * * *").next(at("2026-01-01T10:07:30Z")))).toBe("2026-01-01T10:15:00.000Z");
    expect(iso(parseSchedule("*/15 * * * *").next(at("2026-01-01T10:15:00Z")))).toBe("2026-01-01T10:30:00.000Z");
    expect(iso(parseSchedule("@hourly").next(at("2026-01-01T10:07:00Z")))).toBe("2026-01-01T11:00:00.000Z");
    expect(iso(parseSchedule("30 2 * * mon-fri").next(at("2026-01-02T03:00:00Z")))).toBe("2026-01-05T02:30:00.000Z"); // Fri -> Mon
    expect(iso(parseSchedule("0 0 29 2 *").next(at("2026-01-01T00:00:00Z")))).toBe("2028-02-29T00:00:00.000Z");
    // Day of month and day of week both restricted: either matches.
    expect(iso(parseSchedule("0 0 13 * 5").next(at("2026-01-01T00:00:00Z")))).toBe("2026-01-02T00:00:00.000Z");
    expect(iso(parseSchedule("@every 90s").next(at("2026-01-01T00:00:00.500Z")))).toBe("2026-01-01T00:01:30.000Z");
  });

  it("keeps wall-clock time in a time zone", () => {
    const s = parseSchedule("0 9 * * *", "America/New_York");
    expect(iso(s.next(at("2026-01-01T00:00:00Z")))).toBe("2026-01-01T14:00:00.000Z");
    expect(iso(s.next(at("2026-07-01T00:00:00Z")))).toBe("2026-07-01T13:00:00.000Z");
    expect(formatInZone(at("2026-01-01T14:00:00Z"), "America/New_York")).toBe("2026-01-01T09:00:00-05:00");
  });
});

describe("cronjob controller", () => {
  const cronJob = (name: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: "batch/v1", kind: "CronJob", metadata: { name },
    spec: { schedule: "*/5 * * * *", jobTemplate: { metadata: { labels: { app: name } }, spec: { template: template() } }, ...spec },
  });

  it("creates Jobs at the schedule as simulated time passes, and records their completion", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.clock.now = T0 + 30_000;
      const cj = c.reg.create(R.cronjobs, "default", cronJob("hello", {}), c.w());
      const next = c.settle();
      expect(next).toBe(T0 + 5 * 60_000 + 100);
      expect(c.reg.list(R.jobs, "default").items).toHaveLength(0);
      c.advance(next! - c.clock.now);
      const name = `hello-${(T0 + 5 * 60_000) / 60_000}`;
      const j = c.job(name);
      expect(j.metadata.ownerReferences).toEqual([{ apiVersion: "batch/v1", kind: "CronJob", name: "hello", uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(j.metadata.annotations![SCHEDULED_TIMESTAMP]).toBe("2026-01-01T00:05:00Z");
      expect(j.metadata.labels!.app).toBe("hello");
      let cur = c.reg.get(R.cronjobs, "default", "hello");
      expect(cur.status.lastScheduleTime).toBe("2026-01-01T00:05:00Z");
      expect(cur.status.active).toEqual([{ kind: "Job", namespace: "default", name, uid: j.metadata.uid, apiVersion: "batch/v1", resourceVersion: expect.any(String) }]);
      expect(c.events("SuccessfulCreate").some((e) => e.message === `Created job ${name}`)).toBe(true);

      c.setPhase(c.livePods(name)[0], "Succeeded");
      c.settle();
      cur = c.reg.get(R.cronjobs, "default", "hello");
      expect(cur.status.active).toBeUndefined();
      expect(cur.status.lastSuccessfulTime).toBe(c.job(name).status.completionTime);
      expect(c.events("SawCompletedJob").map((e) => e.message)).toEqual([`Saw completed job: ${name}, condition: Complete`]);
    }));

  it("with Forbid, skips a run while one is active; deletes Jobs beyond the history limits", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.cronjobs, "default", cronJob("f", { concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 2, schedule: "* * * * *" }), c.w());
      c.advance(200); // past the 100 ms the controller waits after each schedule time
      c.advance(60_000); // 00:01
      expect(c.reg.list(R.jobs, "default").items).toHaveLength(1);
      c.advance(60_000); // 00:02: the 00:01 run still active
      expect(c.reg.list(R.jobs, "default").items).toHaveLength(1);
      expect(c.events("JobAlreadyActive")).toHaveLength(1);
      // Finish runs one after another; history keeps 2 succeeded Jobs.
      for (let i = 0; i < 4; i++) {
        for (const p of c.livePods()) c.setPhase(p, "Succeeded");
        c.advance(60_000);
      }
      const jobs = c.reg.list(R.jobs, "default").items;
      const done = jobs.filter((j) => cond(j, "Complete"));
      expect(done).toHaveLength(2);
      expect(jobs.length).toBeLessThanOrEqual(3);
      expect(c.events("SuccessfulDelete").some((e) => /^Deleted job f-\d+$/.test(e.message))).toBe(true);
    }));

  it("replaces the active Job with Replace, and does nothing while suspended", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.cronjobs, "default", cronJob("r", { concurrencyPolicy: "Replace", schedule: "* * * * *" }), c.w());
      c.advance(200);
      c.advance(60_000);
      const [first] = c.reg.list(R.jobs, "default").items;
      c.advance(60_000);
      const names = c.reg.list(R.jobs, "default").items.map((j) => j.metadata.name);
      expect(names).not.toContain(first.metadata.name);
      expect(names).toHaveLength(1);
      c.reg.guaranteedUpdate(R.cronjobs, "default", "r", c.w(), (cj) => ({ ...cj, spec: { ...cj.spec, suspend: true } }));
      c.advance(600_000);
      expect(c.reg.list(R.jobs, "default").items.map((j) => j.metadata.name)).toEqual(names);
    }));

  it("skips a run missed by more than startingDeadlineSeconds", () =>
    withSql((sql) => {
      const c = cluster(sql);
      c.reg.create(R.cronjobs, "default", cronJob("late", { startingDeadlineSeconds: 10, schedule: "0 * * * *" }), c.w());
      c.settle();
      c.cm.stop(); // the controller is down over the hour
      c.clock.now = T0 + 3_600_000 + 20_000;
      c.settle();
      expect(c.reg.list(R.jobs, "default").items).toHaveLength(0);
      c.clock.now = T0 + 2 * 3_600_000 + 5_000;
      c.settle();
      expect(c.reg.list(R.jobs, "default").items.map((j) => j.metadata.name)).toEqual([`late-${(T0 + 2 * 3_600_000) / 60_000}`]);
    }));
});
