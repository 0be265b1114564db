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

export function recordEvent(reg: Registry, e: EventSpec): KubeObject {
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

  // The aggregation key client-go's EventCorrelator uses, minus the count.
  const same = reg.list(events, ns).items.find((x) =>
    x.involvedObject?.uid === o.metadata.uid && x.involvedObject?.name === o.metadata.name && x.reason === e.reason &&
    x.message === e.message && x.source?.component === e.component && (x.source?.host ?? "") === (e.host ?? "") &&
    (x.involvedObject?.fieldPath ?? "") === (e.fieldPath ?? ""));
  if (same) {
    return reg.guaranteedUpdate(events, ns, same.metadata.name!, ctx, (cur) => ({ ...cur, count: (cur.count ?? 1) + 1, lastTimestamp: ts }));
  }
  return reg.create(events, ns, {
    apiVersion: "v1", kind: "Event",
    metadata: { name: `${o.metadata.name}.${uniqueSuffix(e.now)}`, namespace: ns },
    involvedObject, reason: e.reason, message: e.message, type: e.type ?? "Normal", source,
    firstTimestamp: ts, lastTimestamp: ts, count: 1, reportingComponent: e.component, reportingInstance: e.host ?? "",
  }, ctx);
}

/** Event names end in a hex timestamp, as client-go names them (unique per object and moment). */
function uniqueSuffix(now: Date): string {
  const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
  return nanos.toString(16);
}
