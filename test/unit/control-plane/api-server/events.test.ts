import { describe, expect, it } from "vitest";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { correlatorOf, recordEvent } from "../../../../src/control-plane/api-server/events";
import { COMBINED_PREFIX, EventCorrelator, Lru, MAX_LRU_CACHE_ENTRIES, SpamFilter, type CorrelatedEvent } from "../../../../src/control-plane/api-server/events-cache";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { withSql } from "../../helpers";

const admin = { username: "t", groups: ["system:masters"] };
const t0 = new Date("2026-11-21T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;

function withPod(fn: (reg: Registry, pod: KubeObject) => void) {
  return withSql((sql) => {
    const reg = new Registry(new Etcd(sql));
    reg.create(findResource("", "v1", "namespaces")!, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, { user: admin, now: t0 });
    const pod = reg.create(findResource("", "v1", "pods")!, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "nginx" }] } }, { user: admin, now: t0 });
    fn(reg, pod);
  });
}

const eventsIn = (reg: Registry) => reg.list(findResource("", "v1", "events")!, "default").items;

describe("event recorder", () => {
  it("records an Event about an object and counts repeats on it", () =>
    withPod((reg, pod) => {
      const first = recordEvent(reg, { regarding: pod, reason: "BackOff", message: "Back-off restarting failed container", type: "Warning", component: "kubelet", host: "node-1", now: t0 })!;
      expect(first).toMatchObject({ reason: "BackOff", type: "Warning", count: 1, involvedObject: { kind: "Pod", name: "web", uid: pod.metadata.uid }, source: { component: "kubelet", host: "node-1" } });
      expect(first.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
      const again = recordEvent(reg, { regarding: pod, reason: "BackOff", message: "Back-off restarting failed container", type: "Warning", component: "kubelet", host: "node-1", now: new Date("2026-11-21T10:01:00Z") })!;
      expect(again.metadata.name).toBe(first.metadata.name);
      expect(again).toMatchObject({ count: 2, firstTimestamp: "2026-11-21T10:00:00Z", lastTimestamp: "2026-11-21T10:01:00Z" });
      recordEvent(reg, { regarding: pod, reason: "Pulled", message: "Successfully pulled image", component: "kubelet", host: "node-1", now: t0 });
      expect(eventsIn(reg)).toHaveLength(2);
    }));

  it("spam filter: a source may burst 25 events about one object; the 26th is dropped; a token comes back every 5 minutes", () =>
    withPod((reg, pod) => {
      const rec = (i: number, ms: number) => recordEvent(reg, { regarding: pod, reason: `Reason${i}`, message: "m", component: "test-controller", now: at(ms) });
      for (let i = 0; i < 25; i++) expect(rec(i, i)).toBeDefined();
      expect(rec(25, 25)).toBeUndefined();
      expect(eventsIn(reg)).toHaveLength(25);
      // Another source about the same object has its own bucket.
      expect(recordEvent(reg, { regarding: pod, reason: "Other", message: "m", component: "other-controller", now: at(30) })).toBeDefined();
      // 4m59s later the bucket holds 0.99 token; at 5 minutes one.
      expect(rec(26, 25 + 5 * MIN - 1000)).toBeUndefined();
      expect(rec(27, 25 + 5 * MIN + 1000)).toBeDefined();
      expect(rec(28, 25 + 5 * MIN + 2000)).toBeUndefined();
      expect(correlatorOf(reg).dropped).toBe(3);
      expect(eventsIn(reg)).toHaveLength(27);
    }));

  it("a repeat dropped by the spam filter still counts: the next one written carries it", () =>
    withPod((reg, pod) => {
      const backOff = (ms: number) => recordEvent(reg, { regarding: pod, reason: "BackOff", message: "Back-off restarting failed container", type: "Warning", component: "kubelet", host: "node-1", now: at(ms) });
      for (let i = 0; i < 25; i++) backOff(i * 1000);
      expect(backOff(25_000)).toBeUndefined();
      expect(backOff(26_000)).toBeUndefined();
      const later = backOff(26_000 + 5 * MIN)!;
      expect(later.count).toBe(28);
      expect(eventsIn(reg)).toHaveLength(1);
    }));

  it("aggregator: ten events alike but for their message within 10 minutes become one combined Event", () =>
    withPod((reg, pod) => {
      const created = (i: number, ms: number) => recordEvent(reg, { regarding: pod, reason: "SuccessfulCreate", message: `Created pod: web-${i}`, component: "replicaset-controller", now: at(ms) });
      for (let i = 0; i < 9; i++) expect(created(i, i * 1000)!.message).toBe(`Created pod: web-${i}`);
      const tenth = created(9, 9000)!;
      expect(tenth).toMatchObject({ message: `${COMBINED_PREFIX}Created pod: web-9`, count: 1 });
      const eleventh = created(10, 10_000)!;
      expect(eleventh.metadata.name).toBe(tenth.metadata.name);
      expect(eleventh).toMatchObject({ message: `${COMBINED_PREFIX}Created pod: web-10`, count: 2 });
      expect(eventsIn(reg)).toHaveLength(10);
      // After 10 quiet minutes the group starts afresh.
      expect(created(11, 10_000 + 10 * MIN + 1)!.message).toBe("Created pod: web-11");
    }));

  it("the correlator's caches are bounded LRUs of 4096 entries", () => {
    const c = new EventCorrelator();
    const ev = (i: number): CorrelatedEvent => ({ source: { component: "c" }, involvedObject: { kind: "Pod", namespace: "default", name: `p-${i}`, uid: `u-${i}` }, type: "Normal", reason: "R", message: "m" });
    for (let i = 0; i < MAX_LRU_CACHE_ENTRIES + 500; i++) c.correlate(ev(i), i);
    expect(c.spam.cache.size).toBe(MAX_LRU_CACHE_ENTRIES);
    expect(c.aggregator.cache.size).toBe(MAX_LRU_CACHE_ENTRIES);
    // The oldest object was forgotten: it gets a full bucket again (as upstream, after eviction).
    const f = new SpamFilter(2, 1, 0);
    expect(f.filter(ev(1), 0)).toBe(false);
    expect(f.filter(ev(1), 0)).toBe(true);
    f.filter(ev(2), 0);
    f.filter(ev(3), 0);
    expect(f.filter(ev(1), 0)).toBe(false);
    const lru = new Lru<number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.get("a"); // a is now the most recent
    lru.set("c", 3);
    expect([lru.get("a"), lru.get("b"), lru.get("c"), lru.size]).toEqual([1, undefined, 3, 2]);
  });
});
