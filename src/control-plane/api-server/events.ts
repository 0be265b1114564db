// Recording Events, as every component does through client-go's recorder and its EventCorrelator
// (events-cache.ts): an Event about an object; a repeat of the same one (same object, reason,
// message, source) counted on the existing Event; ten alike but for their message within ten
// minutes combined into one; and at most 25 at once (then one per 5 minutes) from one source
// about one object, so a crash loop or a 1000-replica scale-up does not flood etcd.
import { EventCorrelator } from "./events-cache";
import type { Registry } from "./registry/store";
import { rfc3339 } from "./registry/store";
import { EVENTS } from "./resources";
import type { KubeObject } from "./types";

export interface EventSpec {
  regarding: KubeObject;
  reason: string;
  message: string;
  type?: "Normal" | "Warning";
  component: string; // e.g. "default-scheduler", "kubelet"
  host?: string; // the node, for kubelet events
  fieldPath?: string; // e.g. "spec.containers{nginx}"
  now: Date;
}

const SYSTEM = { username: "system:kube-event-recorder", groups: ["system:masters"] };

/**
 * One correlator per registry, that is per classroom, in memory as in a component's process (a
 * restarted object starts afresh, as a restarted kube-controller-manager does). Bounded: three
 * LRU caches of 4096 entries.
 */
const correlators = new WeakMap<Registry, EventCorrelator>();

export function correlatorOf(reg: Registry): EventCorrelator {
  let c = correlators.get(reg);
  if (!c) correlators.set(reg, (c = new EventCorrelator()));
  return c;
}

/**
 * Best effort, as client-go's recorder is: an Event that cannot be written (a quota, a full etcd,
 * a malformed object to point at) is logged and dropped, never thrown into the component that
 * records it, so no controller or kubelet stops over its own bookkeeping. Undefined also when the
 * spam filter dropped it.
 */
export function recordEvent(reg: Registry, e: EventSpec): KubeObject | undefined {
  try {
    return writeEvent(reg, e);
  } catch (err) {
    console.warn(`event dropped: ${e.component} ${e.reason}: ${(err as Error).message}`);
    return undefined;
  }
}

function writeEvent(reg: Registry, e: EventSpec): KubeObject | undefined {
  const events = EVENTS;
  const o = e.regarding;
  const ns = o.metadata.namespace || "default";
  const involvedObject: Record<string, unknown> = {
    kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, uid: o.metadata.uid,
    apiVersion: o.apiVersion, resourceVersion: o.metadata.resourceVersion,
  };
  if (e.fieldPath) involvedObject.fieldPath = e.fieldPath;
  const source: { component: string; host?: string } = { component: e.component };
  if (e.host) source.host = e.host;
  const type = e.type ?? "Normal";
  const ref = { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, uid: o.metadata.uid, apiVersion: o.apiVersion, fieldPath: e.fieldPath };
  const c = correlatorOf(reg).correlate({ source, involvedObject: ref, type, reason: e.reason, message: e.message }, e.now.getTime());
  if (c.skip) return undefined;
  const ctx = { user: SYSTEM, now: e.now, fieldManager: e.component };
  const ts = rfc3339(e.now);

  // The correlation key names the Event, so a repeat is one read, even after the cache forgot it.
  const name = `${o.metadata.name}.${fnv1a64(c.key)}`;
  if (reg.tryGet(events, ns, name)) {
    // The count includes the repeats the spam filter dropped, as client-go's patch does.
    return reg.guaranteedUpdate(events, ns, name, ctx, (cur) => ({ ...cur, count: Math.max(c.count, (cur.count ?? 1) + 1), message: c.event.message, lastTimestamp: ts }));
  }
  return reg.create(events, ns, {
    apiVersion: "v1", kind: "Event",
    metadata: { name, namespace: ns },
    involvedObject, reason: e.reason, message: c.event.message, type, source,
    firstTimestamp: c.count > 1 ? rfc3339(new Date(c.firstAt)) : ts, lastTimestamp: ts, count: c.count, reportingComponent: e.component, reportingInstance: e.host ?? "",
  }, ctx);
}

/** 64-bit FNV-1a as 16 hex digits: Event names end in hex, as client-go's do. */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, "0");
}
