// Server-side Table output (Accept: application/json;as=Table;v=v1;g=meta.k8s.io), with the columns
// and cells kube-apiserver 1.32 prints for each kind (pkg/printers/internalversion/printers.go).

import type { ResourceType } from "../resources";
import type { KubeObject } from "../types";
import { cronJobPrinter, jobPrinter } from "./batch";
import { configMapPrinter, leasePrinter, priorityClassPrinter, resourceQuotaPrinter, secretPrinter, serviceAccountPrinter } from "./config";
import { D } from "./descriptions";
import { eventPrinter } from "./event";
import { col, nameOf, UNKNOWN } from "./format";
import { hpaPrinter } from "./hpa";
import { namespacePrinter, nodePrinter } from "./node";
import { podPrinter } from "./pod";
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from "./service";
import type { Printer, Table, TableColumnDefinition, TableRow } from "./types";
import { daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from "./workloads";

export type { Table, TableColumnDefinition, TableRow, TableRowCondition } from "./types";
export { humanDuration, shortHumanDuration, quantityString } from "./format";

const PRINTERS = new Map<string, Printer>([
  ["/Pod", podPrinter],
  ["/Node", nodePrinter],
  ["/Namespace", namespacePrinter],
  ["/Service", servicePrinter],
  ["/Endpoints", endpointsPrinter],
  ["/ConfigMap", configMapPrinter],
  ["/Secret", secretPrinter],
  ["/ServiceAccount", serviceAccountPrinter],
  ["/ResourceQuota", resourceQuotaPrinter],
  ["/Event", eventPrinter],
  ["events.k8s.io/Event", eventPrinter], // same storage and printer as core events
  ["apps/Deployment", deploymentPrinter],
  ["apps/ReplicaSet", replicaSetPrinter],
  ["apps/DaemonSet", daemonSetPrinter],
  ["apps/StatefulSet", statefulSetPrinter],
  ["batch/Job", jobPrinter],
  ["batch/CronJob", cronJobPrinter],
  ["autoscaling/HorizontalPodAutoscaler", hpaPrinter],
  ["coordination.k8s.io/Lease", leasePrinter],
  ["discovery.k8s.io/EndpointSlice", endpointSlicePrinter],
  ["scheduling.k8s.io/PriorityClass", priorityClassPrinter],
]);

/**
 * rest.DefaultTableConvertor, used by the real server for kinds without a printer: NAME and
 * CREATED AT (the RFC 3339 creation time).
 */
const defaultPrinter: Printer = {
  columns: [col("Name", "string", D.name, 0, "name"), col("Created At", "date", D.creationTimestamp)],
  cells: (obj) => [nameOf(obj), obj.metadata?.creationTimestamp ?? ""],
};

function printerFor(resource: ResourceType): Printer {
  return PRINTERS.get(`${resource.group}/${resource.kind}`) ?? defaultPrinter;
}

/** Every column the server sends for a resource, -o wide ones (priority 1) included. */
export function columnDefinitions(resource: ResourceType): TableColumnDefinition[] {
  return printerFor(resource).columns.map((c) => ({ ...c }));
}

export interface ToTableOptions {
  now: number; // ms since epoch, for AGE and friends
  includeObject?: "None" | "Metadata" | "Object";
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  omitColumnDefinitions?: boolean; // TableOptions.noHeaders, e.g. watch events after the first
}

/** Render objects as a meta.k8s.io/v1 Table, one row per object in the given order. */
export function toTable(resource: ResourceType, objects: KubeObject[], opts: ToTableOptions): Table {
  const printer = printerFor(resource);
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: cellsOf(printer, obj, opts.now), object: rowObject(obj, opts.includeObject ?? "Metadata") };
    try {
      const conditions = printer.conditions?.(obj);
      if (conditions) row.conditions = conditions;
    } catch { /* as for cells */ }
    return row;
  });
  const metadata: Table["metadata"] = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: opts.omitColumnDefinitions ? [] : columnDefinitions(resource),
    rows,
  };
}

/**
 * One object's cells. A malformed stored object (admission refuses them, but a restored snapshot
 * may hold one) prints its name and "<unknown>" cells rather than failing everyone's list or watch.
 */
function cellsOf(printer: Printer, obj: KubeObject, now: number): unknown[] {
  try {
    return printer.cells(obj, now);
  } catch {
    return printer.columns.map((c, i) => (i === 0 ? nameOf(obj) : c.type === "integer" ? 0 : UNKNOWN));
  }
}

/** row.object per includeObject: PartialObjectMetadata (default), the whole object, or null. */
function rowObject(obj: KubeObject, include: "None" | "Metadata" | "Object"): unknown {
  switch (include) {
    case "None":
      return null;
    case "Object":
      return obj;
    default:
      return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
  }
}
