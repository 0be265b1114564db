// client-go's EventCorrelator (k8s.io/client-go/tools/record/events_cache.go), shared by the control
// plane's recorder (events.ts) and the kubelet's (src/node/event-correlator.ts):
//   1. EventAggregator: events alike but for their message, 10 distinct messages within 10 minutes,
//      become one "(combined from similar events): ..." Event counted on from then on;
//   2. eventLogger: an exact repeat is counted on the Event already written (count, lastTimestamp);
//   3. EventSourceObjectSpamFilter: a token bucket per source+object, burst 25, one token back every
//      5 minutes; an event without a token is dropped (after being counted, as upstream does).
// Each cache is an LRU of 4096 entries (maxLruCacheEntries), in memory, as in every client-go process.

export const MAX_LRU_CACHE_ENTRIES = 4096;
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600_000;
export const SPAM_BURST = 25;
export const SPAM_QPS = 1 / 300;
export const COMBINED_PREFIX = "(combined from similar events): ";

/** The fields of a v1 Event the correlator reads. */
export interface CorrelatedEvent {
  source: { component: string; host?: string };
  involvedObject: { kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; fieldPath?: string };
  type: string;
  reason: string;
  message: string;
}

/** A map that forgets its least recently used entry past `max` (groupcache's lru.Cache). */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
}

const join = (parts: (string | undefined)[]) => parts.map((p) => p ?? "").join("\u0000");

/** getEventKey: everything that makes two events the same one. */
export function eventKey(e: CorrelatedEvent): string {
  const o = e.involvedObject;
  return join([e.source.component, e.source.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message]);
}

/** getSpamKey: the source and the object, whatever the event says. */
export function spamKey(e: CorrelatedEvent): string {
  const o = e.involvedObject;
  return join([e.source.component, e.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion]);
}

/** EventAggregatorByReasonFunc: the group (all but the message), and the message. */
function aggregateKeys(e: CorrelatedEvent): [string, string] {
  const o = e.involvedObject;
  // reportingController and reportingInstance are the source's component and host here.
  return [join([e.source.component, e.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.source.component, e.source.host]), e.message];
}

/** flowcontrol's token bucket (golang.org/x/time/rate): starts full, refills continuously. */
interface Bucket { tokens: number; last: number }

export class SpamFilter {
  readonly cache: Lru<Bucket>;
  constructor(size = MAX_LRU_CACHE_ENTRIES, private readonly burst = SPAM_BURST, private readonly qps = SPAM_QPS) {
    this.cache = new Lru(size);
  }
  /** True when the event is to be dropped. `now` in ms; a clock going back refills nothing. */
  filter(e: CorrelatedEvent, now: number): boolean {
    const key = spamKey(e);
    const b = this.cache.get(key) ?? { tokens: this.burst, last: now };
    const elapsed = Math.max(0, now - b.last) / 1000;
    b.tokens = Math.min(this.burst, b.tokens + elapsed * this.qps);
    b.last = Math.max(b.last, now);
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.cache.set(key, b);
    return !ok;
  }
}

interface AggregateRecord { localKeys: Set<string>; last: number }

export class EventAggregator {
  readonly cache: Lru<AggregateRecord>;
  constructor(size = MAX_LRU_CACHE_ENTRIES, private readonly maxEvents = AGGREGATE_MAX_EVENTS, private readonly intervalMs = AGGREGATE_INTERVAL_MS) {
    this.cache = new Lru(size);
  }
  /** The event to record (combined once its group is over the threshold) and its cache key. */
  aggregate(e: CorrelatedEvent, now: number): { event: CorrelatedEvent; key: string; combined: boolean } {
    const [aggKey, localKey] = aggregateKeys(e);
    let rec = this.cache.get(aggKey);
    if (!rec || now - rec.last > this.intervalMs) rec = { localKeys: new Set(), last: now };
    rec.localKeys.add(localKey);
    rec.last = now;
    this.cache.set(aggKey, rec);
    if (rec.localKeys.size < this.maxEvents) return { event: e, key: eventKey(e), combined: false };
    // Keep the set from growing past the threshold (upstream pops any; the oldest here, for determinism).
    rec.localKeys.delete(rec.localKeys.values().next().value as string);
    return { event: { ...e, message: COMBINED_PREFIX + e.message }, key: aggKey, combined: true };
  }
}

/** What the logger remembers of an event it has seen: its count, when first seen, its name if written. */
export interface Observation { count: number; firstAt: number; name: string }

export interface ObservationStore {
  get(key: string): Observation | undefined;
  put(key: string, o: Observation): void;
}

export class LruObservations implements ObservationStore {
  readonly cache: Lru<Observation>;
  constructor(size = MAX_LRU_CACHE_ENTRIES) {
    this.cache = new Lru(size);
  }
  get(key: string) { return this.cache.get(key); }
  put(key: string, o: Observation) { this.cache.set(key, o); }
}

export type Correlated =
  | { skip: true }
  | { skip: false; event: CorrelatedEvent; key: string; count: number; firstAt: number; name: string; combined: boolean };

export class EventCorrelator {
  readonly aggregator = new EventAggregator();
  readonly spam = new SpamFilter();
  /** Events dropped by the spam filter: visible in the architecture view, and in tests. */
  dropped = 0;
  constructor(readonly observations: ObservationStore = new LruObservations()) {}

  /** EventCorrelate: aggregate, count, then filter. `name` is "" until the caller names it. */
  correlate(e: CorrelatedEvent, now: number): Correlated {
    const { event, key, combined } = this.aggregator.aggregate(e, now);
    const seen = this.observations.get(key);
    const obs: Observation = seen ? { ...seen, count: seen.count + 1 } : { count: 1, firstAt: now, name: "" };
    this.observations.put(key, obs);
    if (this.spam.filter(event, now)) {
      this.dropped++;
      return { skip: true };
    }
    return { skip: false, event, key, count: obs.count, firstAt: obs.firstAt, name: obs.name, combined };
  }

  /** The caller wrote the event under `name`: later repeats update it. */
  named(key: string, name: string): void {
    const o = this.observations.get(key);
    if (o) this.observations.put(key, { ...o, name });
  }
}
