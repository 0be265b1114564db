// The kubelet's event correlator (src/node/event-correlator.ts): what API calls a node sends for
// the events of its pods, with the aggregator and the spam filter of client-go, at explicit times.
import { describe, expect, it } from "vitest";
import { COMBINED_PREFIX, LruObservations } from "../../../../src/control-plane/api-server/events-cache";
import { migrate } from "../../../../src/control-plane/etcd/sql";
import { EVENT_KEYS_TRIM_EVERY, eventCalls, KEEP_EVENT_KEYS, nodeCorrelator, sqlCorrelatorStore, type NodeEvent } from "../../../../src/node/event-correlator";
import { NODE_MIGRATIONS } from "../../../../src/node/node-object";
import { withSql } from "../../helpers";
import { T0 } from "./kubelet-helpers";

const podRef = { kind: "Pod", namespace: "default", name: "crash", uid: "u-1", apiVersion: "v1" };
const backOff = (at: number): NodeEvent => ({ regarding: podRef, reason: "BackOff", message: "Back-off restarting failed container app in pod crash_default(u-1)", type: "Warning", fieldPath: "spec.containers{app}", at });

describe("kubelet: event correlation", () => {
  it("a repeat patches the count; past the burst of 25 the kubelet stops writing, until a token comes back", () => {
    const c = nodeCorrelator(new LruObservations());
    const calls = eventCalls(Array.from({ length: 30 }, (_, i) => backOff(T0 + i * 1000)), c, "kubelet", "node-1", T0 + 30_000);
    expect(calls.map((x) => x.method)).toEqual(["POST", ...Array(24).fill("PATCH")]);
    const name = (calls[0].body as { metadata: { name: string } }).metadata.name;
    expect(calls[24]).toMatchObject({ path: `/api/v1/namespaces/default/events/${name}`, body: { count: 25 } });
    expect(c.dropped).toBe(5);
    // Five minutes on, one token: the patch carries every occurrence, the dropped ones included.
    const later = eventCalls([backOff(T0 + 29_000 + 300_000)], c, "kubelet", "node-1", T0 + 330_000);
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({ method: "PATCH", body: { count: 31 } });
  });

  it("ten events alike but for their message become one combined Event", () => {
    const c = nodeCorrelator(new LruObservations());
    const killing = (i: number): NodeEvent => ({ regarding: podRef, reason: "Unhealthy", message: `Liveness probe failed: attempt ${i}`, type: "Warning", at: T0 + i * 1000 });
    const calls = eventCalls(Array.from({ length: 12 }, (_, i) => killing(i)), c, "kubelet", "node-1", T0 + 12_000);
    expect(calls.map((x) => x.method)).toEqual([...Array(10).fill("POST"), "PATCH", "PATCH"]);
    expect(calls[9].body).toMatchObject({ message: `${COMBINED_PREFIX}Liveness probe failed: attempt 9`, count: 1 });
    expect(calls[11].body).toMatchObject({ message: `${COMBINED_PREFIX}Liveness probe failed: attempt 11`, count: 3 });
  });

  it("an event first dropped is posted with its count when a token comes back", () => {
    const c = nodeCorrelator(new LruObservations());
    const other = (i: number): NodeEvent => ({ regarding: podRef, reason: `R${i}`, message: "m", type: "Normal", at: T0 });
    expect(eventCalls(Array.from({ length: 25 }, (_, i) => other(i)), c, "kubelet", "node-1", T0)).toHaveLength(25);
    expect(eventCalls([backOff(T0 + 1000), backOff(T0 + 2000)], c, "kubelet", "node-1", T0 + 2000)).toEqual([]);
    const [post] = eventCalls([backOff(T0 + 301_000)], c, "kubelet", "node-1", T0 + 301_000);
    expect(post).toMatchObject({ method: "POST", body: { count: 3, firstTimestamp: "2025-01-15T10:00:01Z", lastTimestamp: "2025-01-15T10:05:01Z" } });
  });

  it(`a node remembers at most ${KEEP_EVENT_KEYS} + ${EVENT_KEYS_TRIM_EVERY} event keys, the latest touched`, () =>
    withSql((sql) => {
      migrate(sql, "node", NODE_MIGRATIONS);
      let at = T0;
      const store = sqlCorrelatorStore(sql, () => at);
      const rows = () => sql.one<{ n: number }>("SELECT count(*) AS n FROM node_events")!.n;
      let most = 0;
      for (let i = 0; i < 3 * KEEP_EVENT_KEYS; i++) {
        at = T0 + i;
        store.put(`k${i}`, { name: `e${i}`, count: 1, firstAt: at });
        most = Math.max(most, rows());
      }
      expect(most).toBeLessThanOrEqual(KEEP_EVENT_KEYS + EVENT_KEYS_TRIM_EVERY);
      expect(rows()).toBeGreaterThanOrEqual(KEEP_EVENT_KEYS);
      expect(store.get(`k${3 * KEEP_EVENT_KEYS - 1}`)).toMatchObject({ name: `e${3 * KEEP_EVENT_KEYS - 1}`, count: 1 });
      expect(store.get("k0")).toBeUndefined();
    }));
});
