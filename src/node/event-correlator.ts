// client-go's EventCorrelator, on the kubelet's side: the first occurrence of an event is created,
// repeats patch the same Event's count and lastTimestamp, so a crash loop does not flood etcd.
import { fnv1a64 } from "../control-plane/api-server/events";
import { rfc3339 } from "../control-plane/api-server/registry/store";
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

export interface CorrelatorStore {
  get(key: string): { name: string; count: number } | undefined;
  put(key: string, v: { name: string; count: number }): void;
}

export function eventCalls(events: NodeEvent[], store: CorrelatorStore, component: string, host: string, now: number): ApiCall[] {
  const calls: ApiCall[] = [];
  for (const e of events) {
    const ns = e.regarding.namespace || "default";
    const key = [e.regarding.uid, e.regarding.name, e.reason, e.message, e.fieldPath ?? ""].join("\u0000");
    const seen = store.get(key);
    const ts = rfc3339(new Date(e.at ?? now));
    if (seen) {
      const count = seen.count + 1;
      store.put(key, { name: seen.name, count });
      calls.push({ method: "PATCH", path: `/api/v1/namespaces/${ns}/events/${seen.name}`, contentType: "application/merge-patch+json", body: { count, lastTimestamp: ts } });
      continue;
    }
    const name = `${e.regarding.name}.${fnv1a64(key + "\u0000" + now)}`;
    store.put(key, { name, count: 1 });
    const involvedObject: Record<string, unknown> = { ...e.regarding };
    if (e.fieldPath) involvedObject.fieldPath = e.fieldPath;
    calls.push({
      method: "POST", path: `/api/v1/namespaces/${ns}/events`,
      body: {
        apiVersion: "v1", kind: "Event", metadata: { name, namespace: ns }, involvedObject,
        reason: e.reason, message: e.message, type: e.type, source: { component, host },
        firstTimestamp: ts, lastTimestamp: ts, count: 1, reportingComponent: component, reportingInstance: host,
      },
    });
  }
  return calls;
}
