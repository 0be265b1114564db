// HorizontalPodAutoscaler (autoscaling/v2) table: printHorizontalPodAutoscaler and formatHPAMetrics.

import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus } from "../objects/others";
import { D } from "./descriptions";
import { age, arr, col, int, nameOf, quantityString, str } from "./format";
import type { Printer } from "./types";

export const hpaPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Reference", "string", D.hpaScaleTargetRef),
    col("Targets", "string", D.hpaMetrics),
    col("MinPods", "string", D.hpaMinReplicas),
    col("MaxPods", "string", D.hpaMaxReplicas),
    col("Replicas", "string", D.hpaCurrentReplicas),
    col("Age", "string", D.creationTimestamp),
  ],
  cells(hpa: HorizontalPodAutoscaler, now: number): unknown[] {
    const spec = hpa.spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    // autoscaling/v2 defaulting: minReplicas 1, and CPU at 80% when no metrics are given.
    const minPods = typeof spec.minReplicas === "number" ? String(Math.trunc(spec.minReplicas)) : "1";
    let metrics = arr(spec.metrics);
    if (metrics.length === 0) metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }];
    return [
      nameOf(hpa),
      `${str(ref.kind)}/${str(ref.name)}`,
      formatHPAMetrics(metrics, arr(hpa.status?.currentMetrics)),
      minPods,
      int(spec.maxReplicas),
      int(hpa.status?.currentReplicas),
      age(hpa, now),
    ];
  },
};

const pct = (v: unknown) => `${int(v)}%`;

/** One "current/target" per metric, at most two, then "+ N more...". Status entries pair by index. */
/** External and Object metrics print the same way: an average target, or a plain value. */
function valueOrAverage(target: Partial<MetricTarget>, cur: { current?: MetricValueStatus } | undefined): string {
  if (target.averageValue != null) {
    const current = cur && cur.current?.averageValue != null ? quantityString(cur.current.averageValue) : "<unknown>";
    return `${current}/${quantityString(target.averageValue)} (avg)`;
  }
  const current = cur ? quantityString(cur.current?.value) : "<unknown>";
  return `${current}/${quantityString(target.value)}`;
}

export function formatHPAMetrics(specs: MetricSpec[], statuses: MetricStatus[]): string {
  if (specs.length === 0) return "<none>";
  const list: string[] = [];
  specs.forEach((spec, i) => {
    const status = statuses[i];
    switch (spec?.type) {
      case "External":
        list.push(valueOrAverage(spec.external?.target ?? {}, status?.external));
        break;
      case "Pods": {
        const current = status?.pods ? quantityString(status.pods.current?.averageValue) : "<unknown>";
        list.push(`${current}/${quantityString(spec.pods?.target?.averageValue)}`);
        break;
      }
      case "Object":
        list.push(valueOrAverage(spec.object?.target ?? {}, status?.object));
        break;
      case "Resource":
      case "ContainerResource": {
        const source = spec.type === "Resource" ? spec.resource : spec.containerResource;
        const cur = spec.type === "Resource" ? status?.resource : status?.containerResource;
        const target: Partial<MetricTarget> = source?.target ?? {};
        const name = str(source?.name);
        if (target.averageValue != null) {
          const current = cur ? quantityString(cur.current?.averageValue) : "<unknown>";
          list.push(`${name}: ${current}/${quantityString(target.averageValue)}`);
        } else {
          const current = cur && cur.current?.averageUtilization != null ? pct(cur.current.averageUtilization) : "<unknown>";
          const goal = target.averageUtilization != null ? pct(target.averageUtilization) : "<auto>";
          list.push(`${name}: ${current}/${goal}`);
        }
        break;
      }
      default:
        list.push("<unknown type>");
    }
  });
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(", ")} + ${list.length - max} more...`;
  return list.join(", ");
}
