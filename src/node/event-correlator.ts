// client-go's EventCorrelator on the kubelet's side (tools/record/events_cache.go, shared with the
// control plane in events-cache.ts): ten events alike but for their message are combined, repeats
// patch the same Event's count and lastTimestamp, and the spam filter lets a kubelet burst 25
// events about one pod, then one per 5 minutes, so a crash loop does not flood etcd.
import { fnv1a64 } from "../control-plane/api-server/events";
import { EventCorrelator, type ObservationStore } from "../control-plane/api-server/events-cache";
import { rfc3339 } from "../control-plane/api-server/registry/store";
import type { Sql } from "../control-plane/etcd/sql";
import type { ApiCall } from "./api-client";

export interface NodeEvent {
  regarding: { kind: string; namespace?: string; name: string; uid: string; apiVersion: string };
  reason: string;
  message: string;
  type: "Normal" | "Warning";
  fieldPath?: string;
  /** When it happened (one sync may replay several steps); defaults to the sync's time. */
  at?: number;
}

/** Where the kubelet keeps the count and name of events it wrote (the node's own storage). */
export type CorrelatorStore = ObservationStore;

/** Event keys a node remembers (an LRU by the sync that last touched them). */
export const KEEP_EVENT_KEYS = 2000;
/** The table is trimmed back to KEEP_EVENT_KEYS once per this many writes, so it holds at most their sum. */
export const EVENT_KEYS_TRIM_EVERY = 200;

/**
 * The correlator's counts in the node's table node_events. Trimming sorts the whole table, so it
 * runs once per EVENT_KEYS_TRIM_EVERY writes rather than at every write (it was a sort of up to
 * 2,000 rows per Event written).
 */
export function sqlCorrelatorStore(sql: Sql, syncAt: () => number): CorrelatorStore {
  let writes = 0;
  return {
    get: (key) => sql.one<{ name: string; count: number; firstAt: number }>("SELECT name, count, first_at AS firstAt FROM node_events WHERE key = ?", key),
    put: (key, v) => {
      // `at` (the sync's time) orders the rows for eviction: the latest touched is kept, an LRU.
      sql.run(
        "INSERT INTO node_events (key, name, count, at, first_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET name = excluded.name, count = excluded.count, at = excluded.at",
        key, v.name, v.count, syncAt(), v.firstAt,
      );
      if (++writes % EVENT_KEYS_TRIM_EVERY === 0)
        sql.run("DELETE FROM node_events WHERE key IN (SELECT key FROM node_events ORDER BY at DESC LIMIT -1 OFFSET ?)", KEEP_EVENT_KEYS);
    },
  };
}

/** A kubelet's correlator: aggregator and spam filter in memory, counts in `store`. */
export function nodeCorrelator(store: CorrelatorStore): EventCorrelator {
  return new EventCorrelator(store);
}

export function eventCalls(events: NodeEvent[], correlator: EventCorrelator, component: string, host: string, now: number): ApiCall[] {
  const calls: ApiCall[] = [];
  for (const e of events) {
    const ns = e.regarding.namespace || "default";
    const at = e.at ?? now;
    const involvedObject = { ...e.regarding, ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}) };
    const c = correlator.correlate({ source: { component, host }, involvedObject, type: e.type, reason: e.reason, message: e.message }, at);
    if (c.skip) continue;
    const ts = rfc3339(new Date(at));
    if (c.name) {
      const body: Record<string, unknown> = { count: c.count, lastTimestamp: ts };
      if (c.combined) body.message = c.event.message;
      calls.push({ method: "PATCH", path: `/api/v1/namespaces/${ns}/events/${c.name}`, contentType: "application/merge-patch+json", body });
      continue;
    }
    // First written (maybe after earlier occurrences were dropped: count says how many there were).
    const name = `${e.regarding.name}.${fnv1a64(c.key + "\u0000" + at)}`;
    correlator.named(c.key, name);
    calls.push({
      method: "POST", path: `/api/v1/namespaces/${ns}/events`,
      body: {
        apiVersion: "v1", kind: "Event", metadata: { name, namespace: ns }, involvedObject,
        reason: e.reason, message: c.event.message, type: e.type, source: { component, host },
        firstTimestamp: rfc3339(new Date(c.firstAt)), lastTimestamp: ts, count: c.count, reportingComponent: component, reportingInstance: host,
      },
    });
  }
  return calls;
}
