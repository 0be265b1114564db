// Recording Events, as every component does through client-go's recorder: an Event about an
// object, and a repeat of the same one (same object, reason, message, source) counted on the
// existing Event instead of a new one, so a crash loop does not flood etcd.
import type { Registry } from "./registry/store";
import { rfc3339 } from "./registry/store";
import { findResource } from "./resources";
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
 * Best effort, as client-go's recorder is: an Event that cannot be written (a quota, a full etcd,
 * a malformed object to point at) is logged and dropped, never thrown into the component that
 * records it, so no controller or kubelet stops over its own bookkeeping.
 */
export function recordEvent(reg: Registry, e: EventSpec): KubeObject | undefined {
  try {
    return writeEvent(reg, e);
  } catch (err) {
    console.warn(`event dropped: ${e.component} ${e.reason}: ${(err as Error).message}`);
    return undefined;
  }
}

function writeEvent(reg: Registry, e: EventSpec): KubeObject {
  const events = findResource("", "v1", "events")!;
  const o = e.regarding;
  const ns = o.metadata.namespace || "default";
  const involvedObject: Record<string, unknown> = {
    kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, uid: o.metadata.uid,
    apiVersion: o.apiVersion, resourceVersion: o.metadata.resourceVersion,
  };
  if (e.fieldPath) involvedObject.fieldPath = e.fieldPath;
  const source: Record<string, string> = { component: e.component };
  if (e.host) source.host = e.host;
  const ctx = { user: SYSTEM, now: e.now, fieldManager: e.component };
  const ts = rfc3339(e.now);

  // The aggregation key client-go's EventCorrelator uses names the Event, so a repeat is one read.
  const name = `${o.metadata.name}.${fnv1a64([o.metadata.uid, o.metadata.name, e.reason, e.message, e.component, e.host ?? "", e.fieldPath ?? ""].join("\u0000"))}`;
  if (reg.tryGet(events, ns, name)) {
    return reg.guaranteedUpdate(events, ns, name, ctx, (cur) => ({ ...cur, count: (cur.count ?? 1) + 1, lastTimestamp: ts }));
  }
  return reg.create(events, ns, {
    apiVersion: "v1", kind: "Event",
    metadata: { name, namespace: ns },
    involvedObject, reason: e.reason, message: e.message, type: e.type ?? "Normal", source,
    firstTimestamp: ts, lastTimestamp: ts, count: 1, reportingComponent: e.component, reportingInstance: e.host ?? "",
  }, ctx);
}

/** 64-bit FNV-1a as 16 hex digits: Event names end in hex, as client-go's do. */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, "0");
}
