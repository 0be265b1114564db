// Shapes responses: full objects, lists, Tables, PartialObjectMetadata; and the one kind served
// in two versions from one storage (core/v1 and events.k8s.io/v1 Events).
import type { MetricSpec, MetricStatus } from "../objects/others";
import type { OutputAs } from "../codec";
import type { ResourceType } from "../resources";
import { toTable } from "../tables";
import type { KubeObject } from "../types";

export interface OutputOpts {
  as: OutputAs;
  includeObject?: "None" | "Metadata" | "Object";
  now: number;
}

/** Stored objects are in their storage version; convert to the version the URL asked for. */
export function toServed(r: ResourceType, obj: KubeObject): KubeObject {
  if (r.group === "events.k8s.io" && obj.apiVersion === "v1") return coreEventToEventsV1(obj);
  if (r.group === "autoscaling" && r.version === "v1" && obj.apiVersion === "autoscaling/v2") return hpaV2ToV1(obj);
  return obj;
}

/** And back: an events.k8s.io/v1 Event written by a client is stored as core/v1. */
export function toStorage(r: ResourceType, obj: KubeObject): KubeObject {
  if (r.group === "events.k8s.io") return eventsV1ToCoreEvent(obj);
  if (r.group === "autoscaling" && r.version === "v1") return hpaV1ToV2(obj);
  return obj;
}

/** autoscaling/v1 knows one target, cpu utilization; v2 expresses it as a Resource metric. */
function hpaV1ToV2(h: KubeObject): KubeObject {
  const { targetCPUUtilizationPercentage: cpu, ...spec } = h.spec ?? {};
  const out: KubeObject = { ...h, apiVersion: "autoscaling/v2", spec };
  if (cpu !== undefined) out.spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } } }];
  if (h.status) {
    const { currentCPUUtilizationPercentage: cur, ...status } = h.status;
    out.status = status;
    if (cur !== undefined) out.status.currentMetrics = [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: cur } } }];
  }
  return out;
}

function hpaV2ToV1(h: KubeObject): KubeObject {
  const { metrics, behavior: _b, ...spec } = h.spec ?? {};
  const cpu = (metrics ?? []).find((m: MetricSpec) => m.type === "Resource" && m.resource?.name === "cpu" && m.resource?.target?.type === "Utilization");
  const out: KubeObject = { ...h, apiVersion: "autoscaling/v1", spec };
  if (cpu) out.spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  if (h.status) {
    const { currentMetrics, conditions: _c, ...status } = h.status;
    out.status = status;
    const cur = (currentMetrics ?? []).find((m: MetricStatus) => m.type === "Resource" && m.resource?.name === "cpu");
    if (cur?.resource?.current?.averageUtilization !== undefined) out.status.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
  }
  return out;
}

export function formatObject(r: ResourceType, obj: KubeObject, o: OutputOpts, resourceVersion?: string): unknown {
  const served = toServed(r, obj);
  if (o.as === "table") return toTable(r, [served], { now: o.now, includeObject: o.includeObject, resourceVersion: resourceVersion ?? obj.metadata.resourceVersion });
  if (o.as === "partial") return partial(served);
  return served;
}

export function formatList(r: ResourceType, items: KubeObject[], o: OutputOpts, meta: { resourceVersion: string; continue?: string; remainingItemCount?: number }): unknown {
  const served = items.map((i) => toServed(r, i));
  const listMeta: Record<string, unknown> = { resourceVersion: meta.resourceVersion };
  if (meta.continue) listMeta.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) listMeta.remainingItemCount = meta.remainingItemCount;
  if (o.as === "table") return toTable(r, served, { now: o.now, includeObject: o.includeObject, resourceVersion: meta.resourceVersion, continue: meta.continue });
  if (o.as === "partial") return { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata: listMeta, items: served.map(partial) };
  return { kind: `${r.kind}List`, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata: listMeta, items: served };
}

export function partial(obj: KubeObject): unknown {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

function coreEventToEventsV1(e: KubeObject): KubeObject {
  const out: KubeObject = {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: e.metadata,
    eventTime: e.eventTime ?? null,
    reason: e.reason,
    note: e.message,
    type: e.type,
    regarding: e.involvedObject,
    reportingController: e.reportingComponent || e.source?.component,
    reportingInstance: e.reportingInstance || e.source?.host,
    action: e.action,
  };
  if (e.related) out.related = e.related;
  if (e.series) out.series = e.series;
  if (e.source && Object.keys(e.source).length) out.deprecatedSource = e.source;
  if (e.firstTimestamp) out.deprecatedFirstTimestamp = e.firstTimestamp;
  if (e.lastTimestamp) out.deprecatedLastTimestamp = e.lastTimestamp;
  if (e.count) out.deprecatedCount = e.count;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

function eventsV1ToCoreEvent(e: KubeObject): KubeObject {
  const out: KubeObject = {
    apiVersion: "v1",
    kind: "Event",
    metadata: e.metadata,
    involvedObject: e.regarding ?? {},
    reason: e.reason,
    message: e.note,
    type: e.type,
    eventTime: e.eventTime,
    reportingComponent: e.reportingController ?? "",
    reportingInstance: e.reportingInstance ?? "",
    action: e.action,
    related: e.related,
    series: e.series,
    source: e.deprecatedSource ?? { component: e.reportingController },
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
