// The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler/horizontal.go, v1.32), for
// Resource metrics (cpu and memory, Utilization of requests or AverageValue) read from the simulated
// metrics source. Every 15 s (--horizontal-pod-autoscaler-sync-period) reconcileKey runs
// reconcileAutoscaler: it reads the target's scale, computeReplicasForMetrics proposes
// desired = ceil(ready pods * usage / target) with the 10% tolerance and the replica calculator's
// handling of missing and unready pods (hpa-replica-calculator.ts), normalizeDesiredReplicas(WithBehaviors)
// stabilizes and rate-limits that (hpa-normalize.ts), then it writes spec.replicas of the target and
// updates status and conditions. Recommendations and scale events live in memory, as in the real one.
import type { Registry } from "../../api-server/registry/store";
import { rfc3339 } from "../../api-server/registry/store";
import { findResource, registryPrefix, HORIZONTAL_POD_AUTOSCALERS, PODS, type ResourceType } from "../../api-server/resources";
import { ApiError } from "../../api-server/status";
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerStatus, MetricSpec, MetricStatus } from "../../api-server/objects/others";
import type { Controller, ReconcileCtx } from "../manager";
import { deepEqual, emit, keyOf, selectorOf, selfKey, splitKey, tolerate, type Condition, type Scalable } from "../controller-utils";
import { MetricError, resourceReplicas, type PodUsage } from "./hpa-replica-calculator";
import { normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, storeScaleEvent, type NormalizeArgs, type Recommendation, type ScaleEvent } from "./hpa-normalize";

export { formatMilliQuantity, type PodUsage } from "./hpa-replica-calculator";

const COMPONENT = "horizontal-pod-autoscaler";
const SYNC_PERIOD_MS = 15_000;

/** Kinds with a /scale subresource that the HPA may target. */
const SCALABLE: Record<string, { group: string; plural: string }> = {
  Deployment: { group: "apps", plural: "deployments" },
  ReplicaSet: { group: "apps", plural: "replicasets" },
  StatefulSet: { group: "apps", plural: "statefulsets" },
};

/** What the controller keeps between syncs, by HPA key (in memory, as upstream's). */
export interface HpaControllerState {
  /** The metrics source: pods' usage, as metrics-server reports it. */
  usage: () => PodUsage;
  /** Recent recommendations, for stabilization. */
  recommendations: Map<string, Recommendation[]>;
  /** Recent scale changes, for the behavior policies' rate limits. */
  scaleUpEvents: Map<string, ScaleEvent[]>;
  scaleDownEvents: Map<string, ScaleEvent[]>;
  /** When each HPA was last synced (the queue's fixed-interval rate limiter). */
  lastSync: Map<string, number>;
}

export function hpaController(_reg: Registry, usage: () => PodUsage): Controller {
  const state: HpaControllerState = { usage, recommendations: new Map(), scaleUpEvents: new Map(), scaleDownEvents: new Map(), lastSync: new Map() };
  return {
    name: "horizontalpodautoscaler",
    watches: [{ prefix: registryPrefix(HORIZONTAL_POD_AUTOSCALERS), keys: selfKey }],
    resync: (reg) => reg.list(HORIZONTAL_POD_AUTOSCALERS, undefined).items.map(keyOf),
    reconcile: (key, ctx) => reconcileKey(state, key, ctx),
  };
}

/** One sync of one HPA: the object as read, and its conditions as they will be written. */
export interface HpaSync {
  ctx: ReconcileCtx;
  key: string;
  hpa: HorizontalPodAutoscaler;
  nowS: string;
  conds: Condition[];
}

/** setCondition: the transition time moves only when the status does. */
function setCondition(s: HpaSync, type: string, status: Condition["status"], reason: string, message: string): void {
  const cur = s.conds.find((c) => c.type === type);
  const next: Condition = { type, status, lastTransitionTime: cur && cur.status === status ? cur.lastTransitionTime : s.nowS, reason, message };
  s.conds = cur ? s.conds.map((c) => (c === cur ? next : c)) : [...s.conds, next];
}

/** setStatus then updateStatusIfNeeded: a status write only when something changed. */
function updateStatus(s: HpaSync, currentReplicas: number, desiredReplicas: number, currentMetrics: MetricStatus[] | undefined, rescale: boolean): void {
  const { hpa, ctx } = s;
  const status: HorizontalPodAutoscalerStatus = { currentReplicas, desiredReplicas };
  const last = rescale ? s.nowS : hpa.status?.lastScaleTime;
  if (last) status.lastScaleTime = last;
  if (currentMetrics?.length) status.currentMetrics = currentMetrics;
  const full = { ...status, conditions: s.conds };
  if (deepEqual(hpa.status ?? {}, full)) return;
  tolerate(() => ctx.reg.guaranteedUpdate(HORIZONTAL_POD_AUTOSCALERS, hpa.metadata.namespace, hpa.metadata.name!, ctx.write, (cur) => ({ ...cur, status: full }), "status"));
}

function reconcileKey(state: HpaControllerState, key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
  const { reg, now } = ctx;
  const [ns, name] = splitKey(key);
  const hpa = reg.tryGet(HORIZONTAL_POD_AUTOSCALERS, ns, name);
  if (!hpa || hpa.metadata.deletionTimestamp) {
    state.recommendations.delete(key);
    state.scaleUpEvents.delete(key);
    state.scaleDownEvents.delete(key);
    state.lastSync.delete(key);
    return;
  }
  // The real queue lets each HPA through once per sync period (a fixed-interval rate limiter),
  // so a change to the HPA (our own status writes included) waits for the next tick. The first
  // sight of an HPA is handled at once rather than after a period.
  const last = state.lastSync.get(key);
  if (last !== undefined && now - last < SYNC_PERIOD_MS) return { requeueAfter: last + SYNC_PERIOD_MS - now };
  state.lastSync.set(key, now);
  reconcileAutoscaler(state, { ctx, key, hpa, nowS: rfc3339(new Date(now)), conds: structuredClone(hpa.status?.conditions ?? []) });
  return { requeueAfter: SYNC_PERIOD_MS };
}

function reconcileAutoscaler(state: HpaControllerState, s: HpaSync): void {
  const { hpa, key } = s;
  const { now } = s.ctx;
  const spec: Partial<HorizontalPodAutoscalerSpec> = hpa.spec ?? {};
  const scale = getScale(s);
  if (!scale) return;
  setCondition(s, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
  const currentReplicas: number = scale.target.spec?.replicas ?? 1;
  if (!state.recommendations.has(key)) state.recommendations.set(key, [{ replicas: currentReplicas, at: now }]);
  const minReplicas: number = spec.minReplicas ?? 1;
  const maxReplicas: number = spec.maxReplicas!; // required (validation)

  let desired: number;
  let reason = "";
  let metricStatuses: MetricStatus[] | undefined = hpa.status?.currentMetrics;
  if (currentReplicas === 0 && minReplicas !== 0) {
    // Scaled to zero by hand: autoscaling is off until someone scales it up again.
    setCondition(s, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
    desired = 0;
  } else if (currentReplicas > maxReplicas) {
    reason = "Current number of replicas above Spec.MaxReplicas";
    desired = maxReplicas;
  } else if (currentReplicas < minReplicas) {
    reason = "Current number of replicas below Spec.MinReplicas";
    desired = minReplicas;
  } else {
    const m = computeReplicasForMetrics(state, s, scale.target, currentReplicas);
    metricStatuses = m.statuses;
    if (m.replicas === undefined) return updateStatus(s, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
    if (m.replicas > currentReplicas) reason = `${m.metric} above target`;
    if (m.replicas < currentReplicas) reason = "All metrics below target";
    const a: NormalizeArgs = { key, current: currentReplicas, proposed: m.replicas, min: minReplicas, max: maxReplicas, now, setCond: (...c) => setCondition(s, ...c) };
    desired = spec.behavior ? normalizeDesiredReplicasWithBehaviors(state, a, spec.behavior) : normalizeDesiredReplicas(state, a);
  }

  const rescale = desired !== currentReplicas;
  if (rescale && !updateScale(s, scale.resource, desired, reason)) return updateStatus(s, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
  if (rescale) storeScaleEvent(state, key, currentReplicas, desired, spec.behavior, now);
  updateStatus(s, currentReplicas, desired, metricStatuses, rescale);
}

/** The scale target's object; when it cannot be read, AbleToScale False and the status as it was. */
function getScale(s: HpaSync): { target: Scalable; resource: ResourceType<Scalable> } | undefined {
  const { hpa } = s;
  const { reg, now } = s.ctx;
  // A malformed HPA without one reads as an empty reference (no such kind).
  const ref = hpa.spec?.scaleTargetRef ?? ({} as HorizontalPodAutoscalerSpec["scaleTargetRef"]);
  const kind = SCALABLE[ref.kind];
  const group = String(ref.apiVersion ?? "").includes("/") ? String(ref.apiVersion).split("/")[0] : "";
  let scaleErr: string | undefined;
  if (!kind || kind.group !== group) scaleErr = `no matches for kind "${ref.kind}" in group "${group}"`;
  else {
    const resource = findResource(kind.group, "v1", kind.plural)! as ResourceType<Scalable>; // SCALABLE's kinds
    try {
      return { target: reg.get(resource, hpa.metadata.namespace, ref.name), resource };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      scaleErr = e.status.message ?? String(e);
    }
  }
  setCondition(s, "AbleToScale", "False", "FailedGetScale", `the HPA controller was unable to get the target's current scale: ${scaleErr}`);
  emit(reg, hpa, "FailedGetScale", scaleErr!, now, "Warning", COMPONENT);
  updateStatus(s, hpa.status?.currentReplicas ?? 0, hpa.status?.desiredReplicas ?? 0, hpa.status?.currentMetrics, false);
  return undefined;
}

/**
 * computeReplicasForMetrics: the largest proposal over the valid metrics, and their statuses. No
 * replicas (ScalingActive False, its Events recorded) when the selector is missing or the metrics
 * cannot be trusted: all invalid, or some invalid and the valid ones would scale down.
 */
function computeReplicasForMetrics(state: HpaControllerState, s: HpaSync, target: Scalable, currentReplicas: number): { replicas?: number; metric: string; statuses?: MetricStatus[] } {
  const { hpa } = s;
  const { reg, now } = s.ctx;
  const ns = hpa.metadata.namespace!;
  const sel = selectorOf(target);
  const pods = sel && !sel.empty ? reg.list(PODS, ns).items.filter((p) => sel.matches(p.metadata.labels)) : undefined;
  if (!pods) {
    setCondition(s, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector");
    emit(reg, hpa, "SelectorRequired", "selector is required", now, "Warning", COMPONENT);
    return { metric: "", statuses: hpa.status?.currentMetrics };
  }
  const metrics: MetricSpec[] = hpa.spec?.metrics ?? [];
  const statuses: MetricStatus[] = [];
  let proposal = 0, metric = "", invalid = 0;
  let firstErr: string | undefined;
  let invalidCond: [string, string] | undefined;
  const u = state.usage();
  for (const m of metrics) {
    try {
      if (m?.type !== "Resource" || !m.resource) throw new MetricError(`unsupported metric source type "${m?.type}"`);
      const r = resourceReplicas(m.resource, pods, u, currentReplicas, ns, now);
      statuses.push({ type: "Resource", resource: { name: m.resource.name, current: r.current } });
      if (r.replicas > proposal) { proposal = r.replicas; metric = r.name; }
    } catch (e) {
      if (!(e instanceof MetricError)) throw e;
      invalid++;
      const msg = m?.type === "Resource" ? e.message : `the HPA was unable to compute the replica count: ${e.message}`;
      if (m?.type === "Resource") {
        emit(reg, hpa, "FailedGetResourceMetric", msg, now, "Warning", COMPONENT);
        invalidCond ??= ["FailedGetResourceMetric", `the HPA was unable to compute the replica count: ${msg}`];
      } else invalidCond ??= ["InvalidMetricSourceType", msg];
      firstErr ??= msg;
      // Only the type of a metric that failed ("" for a malformed one without a type).
      statuses.push({ type: (m?.type ?? "") as MetricStatus["type"] });
    }
  }
  const metricStatuses = statuses.length ? statuses : undefined;
  if (invalid >= metrics.length || (invalid > 0 && proposal < currentReplicas)) {
    setCondition(s, "ScalingActive", "False", invalidCond![0], invalidCond![1]);
    emit(reg, hpa, "FailedComputeMetricsReplicas", `invalid metrics (${invalid} invalid out of ${metrics.length}), first error is: ${firstErr}`, now, "Warning", COMPONENT);
    return { metric, statuses: metricStatuses };
  }
  setCondition(s, "ScalingActive", "True", "ValidMetricFound", `the HPA was able to successfully calculate a replica count from ${metric}`);
  return { replicas: proposal, metric, statuses: metricStatuses };
}

/** The target's new spec.replicas, with AbleToScale and the rescale Event; false when the write failed. */
function updateScale(s: HpaSync, resource: ResourceType<Scalable>, desired: number, reason: string): boolean {
  const { hpa, ctx } = s;
  const { reg, now } = ctx;
  try {
    reg.guaranteedUpdate(resource, hpa.metadata.namespace, hpa.spec.scaleTargetRef.name, ctx.write, (cur) => ({ ...cur, spec: { ...cur.spec, replicas: desired } }));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const msg = e.status.message ?? String(e);
    setCondition(s, "AbleToScale", "False", "FailedUpdateScale", `the HPA controller was unable to update the target scale: ${msg}`);
    emit(reg, hpa, "FailedRescale", `New size: ${desired}; reason: ${reason}; error: ${msg}`, now, "Warning", COMPONENT);
    return false;
  }
  setCondition(s, "AbleToScale", "True", "SucceededRescale", `the HPA controller was able to update the target scale to ${desired}`);
  emit(reg, hpa, "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`, now, "Normal", COMPONENT);
  return true;
}
