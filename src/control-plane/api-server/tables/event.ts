// Event table (core/v1 and events.k8s.io/v1 share it): printEvent. Column order is the real one:
// LAST SEEN, TYPE, REASON, OBJECT, [SUBOBJECT, SOURCE], MESSAGE, [FIRST SEEN, COUNT, NAME].

import type { KubeObject } from "../types";
import type { ObjectReference } from "../objects/meta";
import { D } from "./descriptions";
import { col, int, nameOf, parseTime, since, str, UNKNOWN, humanDuration } from "./format";
import type { Printer } from "./types";

export const eventPrinter: Printer = {
  columns: [
    col("Last Seen", "string", D.eventLastTimestamp),
    col("Type", "string", D.eventType),
    col("Reason", "string", D.eventReason),
    col("Object", "string", D.eventInvolvedObject),
    col("Subobject", "string", D.fieldPath, 1),
    col("Source", "string", D.eventSource, 1),
    col("Message", "string", D.eventMessage),
    col("First Seen", "string", D.eventFirstTimestamp, 1),
    col("Count", "string", D.eventCount, 1),
    col("Name", "string", D.name, 1, "name"),
  ],
  cells: eventCells,
};

/** The fields printEvent reads, from either API shape (the server converts both to one internal type). */
interface CoreEvent {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: string;
  source: { component?: string; host?: string };
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series: { count?: number; lastObservedTime?: string } | undefined;
  reportingController: string;
  reportingInstance: string;
}

function asCoreEvent(e: KubeObject): CoreEvent {
  if (e.apiVersion === "events.k8s.io/v1" || ("regarding" in e && !("involvedObject" in e))) {
    return {
      involvedObject: e.regarding ?? {},
      reason: str(e.reason),
      message: str(e.note),
      type: str(e.type),
      source: e.deprecatedSource ?? {},
      firstTimestamp: e.deprecatedFirstTimestamp,
      lastTimestamp: e.deprecatedLastTimestamp,
      eventTime: e.eventTime,
      count: int(e.deprecatedCount),
      series: e.series,
      reportingController: str(e.reportingController),
      reportingInstance: str(e.reportingInstance),
    };
  }
  return {
    involvedObject: e.involvedObject ?? {},
    reason: str(e.reason),
    message: str(e.message),
    type: str(e.type),
    source: e.source ?? {},
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    eventTime: e.eventTime,
    count: int(e.count),
    series: e.series,
    reportingController: str(e.reportingController),
    reportingInstance: str(e.reportingInstance),
  };
}

function microSince(value: unknown, now: number): string {
  const t = parseTime(value);
  return t === undefined ? UNKNOWN : humanDuration(now - t);
}

export function eventCells(obj: KubeObject, now: number): unknown[] {
  const e = asCoreEvent(obj);
  // New-style events have eventTime instead of firstTimestamp, and a series instead of a count.
  const first = parseTime(e.firstTimestamp) === undefined ? microSince(e.eventTime, now) : since(e.firstTimestamp, now);
  let last = parseTime(e.lastTimestamp) === undefined ? first : since(e.lastTimestamp, now);
  let count = e.count;
  if (e.series) {
    last = microSince(e.series.lastObservedTime, now);
    count = int(e.series.count);
  } else if (count === 0) {
    count = 1; // singleton events have no count in the new API
  }
  const kind = str(e.involvedObject.kind).toLowerCase();
  const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
  const component = str(e.source.component) || e.reportingController;
  const host = str(e.source.host) || e.reportingInstance;
  const source = host ? `${component}, ${host}` : component;
  return [last, e.type, e.reason, target, str(e.involvedObject.fieldPath), source, e.message.trim(), first, count, nameOf(obj)];
}
