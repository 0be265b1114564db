// kube-apiserver's --event-ttl (1 h by default): Events are written to etcd under a lease and
// vanish an hour after their last write, so a cluster that restarts pods all day does not keep
// every Event forever. etcd leases are not modelled here; a sweep over the Events does the same
// in simulated time, a bounded batch per run with a cursor, so no run reads the whole keyspace.
import type { Etcd } from "../etcd/store";

export const EVENT_TTL_MS = 60 * 60_000;
/** How often the sweep runs, in simulated time. */
export const EVENT_SWEEP_EVERY_MS = 5 * 60_000;
/** Events looked at per run: the rest wait for the next run (the cursor goes round). */
export const EVENT_SWEEP_BATCH = 1000;
const PREFIX = "/registry/events/";

/** When an Event was last written (what its lease would have been renewed from). */
function lastWrite(value: string): number {
  try {
    const e = JSON.parse(value) as { lastTimestamp?: string; eventTime?: string; series?: { lastObservedTime?: string }; metadata?: { creationTimestamp?: string } };
    return Date.parse(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? "");
  } catch {
    return Number.NaN;
  }
}

export class EventTtl {
  private cursor = "";

  constructor(private readonly etcd: Etcd, private readonly ttl = EVENT_TTL_MS) {}

  /** Deletes the expired Events of the next batch (undated ones count as expired); returns how many. */
  sweep(now: number): number {
    const { kvs, more } = this.etcd.range(PREFIX, { limit: EVENT_SWEEP_BATCH, startAfter: this.cursor || undefined });
    this.cursor = more && kvs.length > 0 ? kvs[kvs.length - 1].key : "";
    const expired = kvs.filter((kv) => !(lastWrite(kv.value) > now - this.ttl)).map((kv) => kv.key);
    if (expired.length > 0) this.etcd.txn([], expired.map((key) => ({ type: "delete" as const, key })));
    return expired.length;
  }
}
