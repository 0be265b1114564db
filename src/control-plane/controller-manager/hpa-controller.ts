// The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler, v1.32), for Resource metrics
// (cpu and memory, Utilization of requests or AverageValue) read from the simulated metrics source.
// Every 15 s (--horizontal-pod-autoscaler-sync-period) it reads the target's replicas, computes
// desired = ceil(ready pods * usage / target) with the 10% tolerance and the replica calculator's
// handling of missing and unready pods, stabilizes and rate-limits that (the legacy rules when
// spec.behavior is unset, the behavior rules otherwise), writes spec.replicas of the target and
// reports status and conditions. Recommendations and scale events live in memory, as in the real one.
import type { Registry } from "../api-server/registry/store";
import { rfc3339 } from "../api-server/registry/store";
import { findResource, registryPrefix, HORIZONTAL_POD_AUTOSCALERS, PODS } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";
import type { Controller, ReconcileCtx } from "./manager";
import { deepEqual, emit, keyOf, selectorOf, selfKey, splitKey, tolerate } from "./controller-utils";
import { MetricError, resourceReplicas, type PodUsage } from "./hpa-replica-calculator";

export { formatMilliQuantity, type PodUsage } from "./hpa-replica-calculator";

const COMPONENT = "horizontal-pod-autoscaler";
const SYNC_PERIOD_MS = 15_000;
const DOWNSCALE_STABILIZATION_MS = 300_000; // --horizontal-pod-autoscaler-downscale-stabilization

/** Kinds with a /scale subresource that the HPA may target. */
const SCALABLE: Record<string, { group: string; plural: string }> = {
  Deployment: { group: "apps", plural: "deployments" },
  ReplicaSet: { group: "apps", plural: "replicasets" },
  StatefulSet: { group: "apps", plural: "statefulsets" },
};

type Cond = { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string };
type Rules = { stabilizationWindowSeconds?: number; selectPolicy?: string; policies?: { type: string; value: number; periodSeconds: number }[] };
type ScaleEvent = { change: number; at: number };
type SetCond = (type: string, status: string, reason: string, message: string) => void;

// The behavior defaults (SetDefaults_HorizontalPodAutoscalerBehavior).
const SCALE_UP_DEFAULT: Rules = { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] };
const SCALE_DOWN_DEFAULT: Rules = { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };

export function hpaController(_reg: Registry, usage: () => PodUsage): Controller {
  const recommendations = new Map<string, { replicas: number; at: number }[]>();
  const scaleUpEvents = new Map<string, ScaleEvent[]>();
  const scaleDownEvents = new Map<string, ScaleEvent[]>();
  const lastSync = new Map<string, number>();

  function reconcile(key: string, ctx: ReconcileCtx): void | { requeueAfter?: number } {
    const { reg, now } = ctx;
    const [ns, name] = splitKey(key);
    const hpa = reg.tryGet(HORIZONTAL_POD_AUTOSCALERS, ns, name);
    if (!hpa || hpa.metadata.deletionTimestamp) {
      recommendations.delete(key);
      scaleUpEvents.delete(key);
      scaleDownEvents.delete(key);
      lastSync.delete(key);
      return;
    }
    // The real queue lets each HPA through once per sync period (a fixed-interval rate limiter),
    // so a change to the HPA (our own status writes included) waits for the next tick. The first
    // sight of an HPA is handled at once rather than after a period.
    const last = lastSync.get(key);
    if (last !== undefined && now - last < SYNC_PERIOD_MS) return { requeueAfter: last + SYNC_PERIOD_MS - now };
    lastSync.set(key, now);
    const spec = hpa.spec ?? {};
    const nowS = rfc3339(new Date(now));
    let conds: Cond[] = structuredClone(hpa.status?.conditions ?? []);
    const setCond = (type: string, status: string, reason: string, message: string) => {
      const cur = conds.find((c) => c.type === type);
      // The transition time moves only when the status does.
      const next: Cond = { type, status, lastTransitionTime: cur && cur.status === status ? cur.lastTransitionTime : nowS, reason, message };
      conds = cur ? conds.map((c) => (c === cur ? next : c)) : [...conds, next];
    };
    const writeStatus = (status: Record<string, unknown>) => {
      const full = { ...status, conditions: conds };
      if (deepEqual(hpa.status ?? {}, full)) return;
      tolerate(() => reg.guaranteedUpdate(HORIZONTAL_POD_AUTOSCALERS, ns, name, ctx.write, (cur) => ({ ...cur, status: full }), "status"));
    };
    const again = { requeueAfter: SYNC_PERIOD_MS };

    // ---- the target's scale --------------------------------------------------------------------
    const ref = spec.scaleTargetRef ?? {};
    const kind = SCALABLE[ref.kind];
    const group = String(ref.apiVersion ?? "").includes("/") ? String(ref.apiVersion).split("/")[0] : "";
    let target: KubeObject | undefined;
    let scaleErr: string | undefined;
    if (!kind || kind.group !== group) scaleErr = `no matches for kind "${ref.kind}" in group "${group}"`;
    else {
      try {
        target = reg.get(findResource(kind.group, "v1", kind.plural)!, ns, ref.name);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        scaleErr = e.status.message ?? String(e);
      }
    }
    if (!target) {
      setCond("AbleToScale", "False", "FailedGetScale", `the HPA controller was unable to get the target's current scale: ${scaleErr}`);
      emit(reg, hpa, "FailedGetScale", scaleErr!, now, "Warning", COMPONENT);
      writeStatus(statusOf(hpa, hpa.status?.currentReplicas ?? 0, hpa.status?.desiredReplicas ?? 0, hpa.status?.currentMetrics, false, nowS));
      return again;
    }
    setCond("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
    const currentReplicas: number = target.spec?.replicas ?? 1;
    if (!recommendations.has(key)) recommendations.set(key, [{ replicas: currentReplicas, at: now }]);
    const minReplicas: number = spec.minReplicas ?? 1;
    const maxReplicas: number = spec.maxReplicas;

    let desired = 0;
    let reason = "";
    let metricStatuses: unknown[] | undefined = hpa.status?.currentMetrics;
    if (currentReplicas === 0 && minReplicas !== 0) {
      // Scaled to zero by hand: autoscaling is off until someone scales it up again.
      setCond("ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
      desired = 0;
    } else if (currentReplicas > maxReplicas) {
      reason = "Current number of replicas above Spec.MaxReplicas";
      desired = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      reason = "Current number of replicas below Spec.MinReplicas";
      desired = minReplicas;
    } else {
      const sel = selectorOf(target);
      const pods = sel && !sel.empty ? reg.list(PODS, ns).items.filter((p) => sel.matches(p.metadata.labels)) : undefined;
      if (!pods) {
        setCond("ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector");
        emit(reg, hpa, "SelectorRequired", "selector is required", now, "Warning", COMPONENT);
        writeStatus(statusOf(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false, nowS));
        return again;
      }
      // computeReplicasForMetrics: the largest proposal over the valid metrics.
      const metrics: any[] = spec.metrics ?? [];
      const statuses: unknown[] = [];
      let proposal = 0, metricName = "", invalid = 0;
      let firstErr: string | undefined;
      let invalidCond: [string, string] | undefined;
      const u = usage();
      for (const m of metrics) {
        try {
          if (m?.type !== "Resource" || !m.resource) throw new MetricError(`unsupported metric source type "${m?.type}"`);
          const r = resourceReplicas(m.resource, pods, u, currentReplicas, ns, now);
          statuses.push({ type: "Resource", resource: { name: m.resource.name, current: r.current } });
          if (r.replicas > proposal) { proposal = r.replicas; metricName = r.name; }
        } catch (e) {
          if (!(e instanceof MetricError)) throw e;
          invalid++;
          const msg = m?.type === "Resource" ? e.message : `the HPA was unable to compute the replica count: ${e.message}`;
          if (m?.type === "Resource") {
            emit(reg, hpa, "FailedGetResourceMetric", msg, now, "Warning", COMPONENT);
            invalidCond ??= ["FailedGetResourceMetric", `the HPA was unable to compute the replica count: ${msg}`];
          } else invalidCond ??= ["InvalidMetricSourceType", msg];
          firstErr ??= msg;
          statuses.push({ type: m?.type ?? "" });
        }
      }
      metricStatuses = statuses.length ? statuses : undefined;
      if (invalid >= metrics.length || (invalid > 0 && proposal < currentReplicas)) {
        setCond("ScalingActive", "False", invalidCond![0], invalidCond![1]);
        emit(reg, hpa, "FailedComputeMetricsReplicas", `invalid metrics (${invalid} invalid out of ${metrics.length}), first error is: ${firstErr}`, now, "Warning", COMPONENT);
        writeStatus(statusOf(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false, nowS));
        return again;
      }
      setCond("ScalingActive", "True", "ValidMetricFound", `the HPA was able to successfully calculate a replica count from ${metricName}`);
      if (proposal > currentReplicas) reason = `${metricName} above target`;
      if (proposal < currentReplicas) reason = "All metrics below target";
      desired = spec.behavior ? normalizeWithBehaviors(key, currentReplicas, proposal, minReplicas, maxReplicas, spec.behavior, now, setCond) : normalize(key, currentReplicas, proposal, minReplicas, maxReplicas, now, setCond);
    }

    const rescale = desired !== currentReplicas;
    if (rescale) {
      try {
        reg.guaranteedUpdate(findResource(kind.group, "v1", kind.plural)!, ns, ref.name, ctx.write, (cur) => ({ ...cur, spec: { ...cur.spec, replicas: desired } }));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        const msg = e.status.message ?? String(e);
        setCond("AbleToScale", "False", "FailedUpdateScale", `the HPA controller was unable to update the target scale: ${msg}`);
        emit(reg, hpa, "FailedRescale", `New size: ${desired}; reason: ${reason}; error: ${msg}`, now, "Warning", COMPONENT);
        writeStatus(statusOf(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false, nowS));
        return again;
      }
      setCond("AbleToScale", "True", "SucceededRescale", `the HPA controller was able to update the target scale to ${desired}`);
      emit(reg, hpa, "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`, now, "Normal", COMPONENT);
      storeScaleEvent(key, currentReplicas, desired, spec.behavior, now);
    } else desired = currentReplicas;
    writeStatus(statusOf(hpa, currentReplicas, desired, metricStatuses, rescale, nowS));
    return again;
  }

  function statusOf(hpa: KubeObject, currentReplicas: number, desiredReplicas: number, currentMetrics: unknown[] | undefined, rescale: boolean, nowS: string): Record<string, unknown> {
    const s: Record<string, unknown> = { currentReplicas, desiredReplicas };
    const last = rescale ? nowS : hpa.status?.lastScaleTime;
    if (last) s.lastScaleTime = last;
    if (currentMetrics?.length) s.currentMetrics = currentMetrics;
    return s;
  }

  function normalize(key: string, current: number, proposed: number, min: number, max: number, now: number, setCond: SetCond): number {
    // stabilizeRecommendation: the highest recommendation of the last 5 minutes.
    const recs = recommendations.get(key)!;
    let stabilized = proposed;
    let oldIdx = -1;
    recs.forEach((r, i) => {
      if (r.at < now - DOWNSCALE_STABILIZATION_MS) oldIdx = i;
      else if (r.replicas > stabilized) stabilized = r.replicas;
    });
    if (oldIdx >= 0) recs[oldIdx] = { replicas: proposed, at: now };
    else recs.push({ replicas: proposed, at: now });
    if (stabilized !== proposed) setCond("AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation");
    else setCond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");

    // convertDesiredReplicasWithRules: at most double (and at least 4) per sync, within min and max.
    const upLimit = Math.max(2 * current, 4);
    let maxAllowed = max, limitReason = "TooManyReplicas", limitMsg = "the desired replica count is more than the maximum replica count";
    if (max > upLimit) { maxAllowed = upLimit; limitReason = "ScaleUpLimit"; limitMsg = "the desired replica count is increasing faster than the maximum scale rate"; }
    let desired = stabilized, r = "DesiredWithinRange", m = "the desired count is within the acceptable range";
    if (stabilized < min) { desired = min; r = "TooFewReplicas"; m = "the desired replica count is less than the minimum replica count"; }
    else if (stabilized > maxAllowed) { desired = maxAllowed; r = limitReason; m = limitMsg; }
    setCond("ScalingLimited", desired === stabilized ? "False" : "True", r, m);
    return desired;
  }

  // ---- normalization with spec.behavior (normalizeDesiredReplicasWithBehaviors) -----------------

  const rulesOf = (behavior: any) => ({ up: { ...SCALE_UP_DEFAULT, ...(behavior?.scaleUp ?? {}) } as Rules, down: { ...SCALE_DOWN_DEFAULT, ...(behavior?.scaleDown ?? {}) } as Rules });

  const changeInPeriod = (events: ScaleEvent[] | undefined, periodSeconds: number, now: number) =>
    (events ?? []).filter((e) => e.at > now - periodSeconds * 1000).reduce((s, e) => s + e.change, 0);

  function normalizeWithBehaviors(key: string, current: number, proposed: number, min: number, max: number, behavior: any, now: number, setCond: SetCond): number {
    const { up, down } = rulesOf(behavior);
    // stabilizeRecommendationWithBehaviors: scale up to the lowest, down to the highest recent recommendation.
    const upWindow = (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downWindow = (down.stabilizationWindowSeconds ?? 0) * 1000;
    const recs = recommendations.get(key)!;
    let upRec = proposed, downRec = proposed;
    let oldIdx = -1;
    const longest = Math.max(upWindow, downWindow);
    recs.forEach((r, i) => {
      if (r.at > now - upWindow) upRec = Math.min(upRec, r.replicas);
      if (r.at > now - downWindow) downRec = Math.max(downRec, r.replicas);
      if (r.at < now - longest) oldIdx = i;
    });
    let stabilized = current;
    if (stabilized < upRec) stabilized = upRec;
    if (stabilized > downRec) stabilized = downRec;
    if (oldIdx >= 0) recs[oldIdx] = { replicas: proposed, at: now };
    else recs.push({ replicas: proposed, at: now });
    if (stabilized !== proposed) {
      if (proposed >= current) setCond("AbleToScale", "True", "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation");
      else setCond("AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation");
    } else setCond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");

    // convertDesiredReplicasWithBehaviorRate.
    let desired = stabilized, r = "DesiredWithinRange", m = "the desired count is within the acceptable range";
    if (stabilized > current) {
      let limit = scaleUpLimit(current, scaleUpEvents.get(key), up, now);
      if (limit < current) limit = current;
      let maxAllowed = max, lr = "TooManyReplicas", lm = "the desired replica count is more than the maximum replica count";
      if (maxAllowed > limit) { maxAllowed = limit; lr = "ScaleUpLimit"; lm = "the desired replica count is increasing faster than the maximum scale rate"; }
      if (stabilized > maxAllowed) { desired = maxAllowed; r = lr; m = lm; }
    } else if (stabilized < current) {
      let limit = scaleDownLimit(current, scaleUpEvents.get(key), scaleDownEvents.get(key), down, now);
      if (limit > current) limit = current;
      let minAllowed = min, lr = "TooFewReplicas", lm = "the desired replica count is less than the minimum replica count";
      if (minAllowed < limit) { minAllowed = limit; lr = "ScaleDownLimit"; lm = "the desired replica count is decreasing faster than the maximum scale rate"; }
      if (stabilized < minAllowed) { desired = minAllowed; r = lr; m = lm; }
    }
    setCond("ScalingLimited", desired === stabilized ? "False" : "True", r, m);
    return desired;
  }

  function scaleUpLimit(current: number, events: ScaleEvent[] | undefined, rules: Rules, now: number): number {
    if (rules.selectPolicy === "Disabled") return current;
    const pick = rules.selectPolicy === "Min" ? Math.min : Math.max;
    let result = rules.selectPolicy === "Min" ? Infinity : -Infinity;
    for (const p of rules.policies ?? []) {
      const start = current - changeInPeriod(events, p.periodSeconds, now);
      const proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
      result = pick(result, proposed);
    }
    return Number.isFinite(result) ? result : current;
  }

  function scaleDownLimit(current: number, up: ScaleEvent[] | undefined, downEvents: ScaleEvent[] | undefined, rules: Rules, now: number): number {
    if (rules.selectPolicy === "Disabled") return current;
    // Max picks the policy allowing the largest change, so the lowest limit.
    const pick = rules.selectPolicy === "Min" ? Math.max : Math.min;
    let result = rules.selectPolicy === "Min" ? -Infinity : Infinity;
    for (const p of rules.policies ?? []) {
      const start = current - changeInPeriod(up, p.periodSeconds, now) + changeInPeriod(downEvents, p.periodSeconds, now);
      const proposed = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
      result = pick(result, proposed);
    }
    return Number.isFinite(result) ? result : current;
  }

  function storeScaleEvent(key: string, prev: number, next: number, behavior: any, now: number): void {
    if (!behavior) return; // only the behavior rules look at past scale events
    const { up, down } = rulesOf(behavior);
    const upward = next > prev;
    const rules = upward ? up : down;
    const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds)) * 1000;
    const map = upward ? scaleUpEvents : scaleDownEvents;
    // Events older than the longest policy period no longer limit anything.
    const kept = (map.get(key) ?? []).filter((e) => e.at > now - longest);
    kept.push({ change: Math.abs(next - prev), at: now });
    map.set(key, kept);
  }

  return {
    name: "horizontalpodautoscaler",
    watches: [{ prefix: registryPrefix(HORIZONTAL_POD_AUTOSCALERS), keys: selfKey }],
    resync: (reg) => reg.list(HORIZONTAL_POD_AUTOSCALERS, undefined).items.map(keyOf),
    reconcile,
  };
}
