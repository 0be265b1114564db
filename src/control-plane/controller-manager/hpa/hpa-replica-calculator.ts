// The HPA's replica calculator (pkg/controller/podautoscaler/replica_calculator.go, v1.32) for
// Resource metrics: desired replicas from the pods' usage against the target, with the 10%
// tolerance, and missing or unready pods counted as upstream counts them when scaling either way.
import { parseQuantity } from "../../api-server/quantity";
import type { Pod } from "../../api-server/objects/core";
import type { MetricSpec, MetricTarget, MetricValueStatus } from "../../api-server/objects/others";
import { isPodReady } from "../controller-utils";

/** Usage per pod ("ns/pod"), as the simulated metrics-server reports it. */
export type PodUsage = Map<string, { cpuMillis: number; memoryBytes: number }>;

const TOLERANCE = 0.1;
const CPU_INITIALIZATION_MS = 300_000; // --horizontal-pod-autoscaler-cpu-initialization-period

export class MetricError extends Error {}

/** A milli-value as a canonical DecimalSI quantity (resource.NewMilliQuantity(v, DecimalSI).String()). */
export function formatMilliQuantity(m: number): string {
  m = Math.round(m);
  if (m % 1000 !== 0) return `${m}m`;
  let v = m / 1000;
  const suffixes = ["", "k", "M", "G", "T", "P", "E"];
  let i = 0;
  while (v !== 0 && v % 1000 === 0 && i < suffixes.length - 1) { v /= 1000; i++; }
  return `${v}${suffixes[i]}`;
}

type Fail = (msg: string) => MetricError;

/** GetResourceReplicas: the replicas `res` (a Resource metric source) asks for, and its current value. */
export function resourceReplicas(res: NonNullable<MetricSpec["resource"]>, pods: Pod[], u: PodUsage, currentReplicas: number, ns: string, now: number): { replicas: number; name: string; current: MetricValueStatus } {
  const resource: string = res.name;
  if (resource !== "cpu" && resource !== "memory") throw new MetricError(`failed to get ${resource} utilization: unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  const t: Partial<MetricTarget> = res.target ?? {};
  const byValue = t.averageValue !== undefined && t.averageValue !== null;
  if (!byValue && (t.averageUtilization === undefined || t.averageUtilization === null))
    throw new MetricError("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set");
  const what = byValue ? "usage" : "utilization";
  const fail: Fail = (msg) => new MetricError(`failed to get ${resource} ${what}: ${msg}`);

  // Usage in milli-units, as the resource metrics client reports it.
  const metrics = new Map<string, number>();
  for (const p of pods) {
    const m = u.get(`${ns}/${p.metadata.name}`);
    if (m) metrics.set(p.metadata.name!, resource === "cpu" ? m.cpuMillis : m.memoryBytes * 1000);
  }
  if (metrics.size === 0) throw fail(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  if (pods.length === 0) throw fail("no pods returned by selector while calculating replica count");

  const { readyCount, unready, missing } = groupPods(pods, metrics, resource, now);
  if (metrics.size === 0) throw fail("did not receive metrics for targeted pods (pods might be unready)");
  const requests = byValue ? new Map<string, number>() : calculatePodRequests(pods, resource, fail);
  const targetValue = byValue ? parseQuantity(t.averageValue!)?.millis ?? 0 : Number(t.averageUtilization);
  const ratio = (ms: Map<string, number>) => usageRatio(ms, requests, byValue, targetValue, fail);
  const first = ratio(metrics);
  const current: MetricValueStatus = byValue ? { averageValue: formatMilliQuantity(first.raw) } : { averageUtilization: first.utilization, averageValue: formatMilliQuantity(first.raw) };
  const name = byValue ? `${resource} resource` : `${resource} resource utilization (percentage of request)`;

  const scaleUpWithUnready = unready.length > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - first.ratio) <= TOLERANCE) return { replicas: currentReplicas, name, current };
    return { replicas: Math.ceil(first.ratio * readyCount), name, current };
  }
  // Missing pods count as at target when scaling down and as idle when scaling up; unready ones
  // as idle when scaling up, so a scale-up is never driven by pods that are not serving yet.
  for (const n of missing) {
    if (first.ratio < 1) metrics.set(n, byValue ? targetValue : Math.min(requests.get(n)!, (requests.get(n)! * targetValue) / 100));
    else metrics.set(n, 0);
  }
  if (scaleUpWithUnready) for (const n of unready) metrics.set(n, 0);
  const second = ratio(metrics);
  if (Math.abs(1 - second.ratio) <= TOLERANCE || (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)) return { replicas: currentReplicas, name, current };
  const replicas = Math.ceil(second.ratio * metrics.size);
  if ((second.ratio < 1 && replicas > currentReplicas) || (second.ratio > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, name, current };
  return { replicas, name, current };
}

/**
 * groupPods (with removeMetricsForPods): deleted and failed pods are ignored; pending (and for
 * cpu, recently started not-ready) pods are unready; pods without a sample are missing. Ignored
 * and unready pods' samples are dropped from `metrics`.
 */
function groupPods(pods: Pod[], metrics: Map<string, number>, resource: string, now: number): { readyCount: number; unready: string[]; missing: string[] } {
  let readyCount = 0;
  const unready: string[] = [], missing: string[] = [];
  for (const p of pods) {
    const n = p.metadata.name!;
    const phase = p.status?.phase;
    if (p.metadata.deletionTimestamp || phase === "Failed" || phase === "Succeeded") { metrics.delete(n); continue; }
    if (!metrics.has(n)) { missing.push(n); continue; }
    let isUnready = phase === "Pending";
    if (!isUnready && resource === "cpu" && !isPodReady(p)) {
      const start = Date.parse(p.status?.startTime ?? p.metadata.creationTimestamp ?? "");
      isUnready = Number.isNaN(start) || now - start < CPU_INITIALIZATION_MS;
    }
    if (isUnready) { unready.push(n); metrics.delete(n); continue; }
    readyCount++;
  }
  return { readyCount, unready, missing };
}

/** calculatePodRequests: each pod's summed container requests of the resource, in milli-units. */
function calculatePodRequests(pods: Pod[], resource: string, fail: Fail): Map<string, number> {
  const requests = new Map<string, number>();
  for (const p of pods) {
    let sum = 0;
    for (const c of p.spec?.containers ?? []) {
      const q = c.resources?.requests?.[resource];
      const parsed = q === undefined ? undefined : parseQuantity(q);
      if (!parsed) throw fail(`missing request for ${resource} in container ${c.name} of Pod ${p.metadata.name}`);
      sum += parsed.millis;
    }
    requests.set(p.metadata.name!, sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio / GetMetricUsageRatio. */
function usageRatio(ms: Map<string, number>, requests: Map<string, number>, byValue: boolean, targetValue: number, fail: Fail): { ratio: number; utilization: number; raw: number } {
  let total = 0, req = 0, n = 0;
  for (const [pod, v] of ms) {
    if (byValue) { total += v; n++; continue; }
    if (!requests.has(pod)) continue;
    total += v; req += requests.get(pod)!; n++;
  }
  if (byValue) { const avg = total / n; return { ratio: avg / targetValue, utilization: 0, raw: avg }; }
  if (req === 0) throw fail("no metrics returned matched known pods");
  const utilization = Math.trunc((total * 100) / req);
  return { ratio: utilization / targetValue, utilization, raw: Math.trunc(total / n) };
}
