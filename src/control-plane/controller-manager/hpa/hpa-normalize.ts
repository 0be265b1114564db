// The HPA's normalization of a proposal (pkg/controller/podautoscaler/horizontal.go, v1.32):
// normalizeDesiredReplicas (the legacy rules when spec.behavior is unset: the highest
// recommendation of the last 5 minutes, at most double or 4 pods up per sync) and
// normalizeDesiredReplicasWithBehaviors (stabilization windows, then the policies' rate limits
// over the scale events kept in memory), each setting AbleToScale and ScalingLimited.
import type { HorizontalPodAutoscalerSpec } from "../../api-server/objects/others";
import type { HpaControllerState } from "./hpa-controller";

const DOWNSCALE_STABILIZATION_MS = 300_000; // --horizontal-pod-autoscaler-downscale-stabilization

type Rules = { stabilizationWindowSeconds?: number; selectPolicy?: string; policies?: { type: string; value: number; periodSeconds: number }[] };
export type ScaleEvent = { change: number; at: number };
export type Recommendation = { replicas: number; at: number };
type SetCond = (type: string, status: "True" | "False", reason: string, message: string) => void;

/** The bounds and where the sync's conditions go. */
export interface NormalizeArgs { key: string; current: number; proposed: number; min: number; max: number; now: number; setCond: SetCond }

// The behavior defaults (SetDefaults_HorizontalPodAutoscalerBehavior).
const SCALE_UP_DEFAULT: Rules = { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] };
const SCALE_DOWN_DEFAULT: Rules = { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };

type Behavior = HorizontalPodAutoscalerSpec["behavior"];

const rulesOf = (behavior: Behavior) => ({ up: { ...SCALE_UP_DEFAULT, ...(behavior?.scaleUp ?? {}) } as Rules, down: { ...SCALE_DOWN_DEFAULT, ...(behavior?.scaleDown ?? {}) } as Rules });

/** The recommendation replaces the oldest one past the window, or is added. */
function record(recs: Recommendation[], oldIdx: number, proposed: number, now: number): void {
  if (oldIdx >= 0) recs[oldIdx] = { replicas: proposed, at: now };
  else recs.push({ replicas: proposed, at: now });
}

export function normalizeDesiredReplicas(state: HpaControllerState, a: NormalizeArgs): number {
  const { key, current, proposed, min, max, now, setCond } = a;
  // stabilizeRecommendation: the highest recommendation of the last 5 minutes.
  const recs = state.recommendations.get(key)!;
  let stabilized = proposed;
  let oldIdx = -1;
  recs.forEach((r, i) => {
    if (r.at < now - DOWNSCALE_STABILIZATION_MS) oldIdx = i;
    else if (r.replicas > stabilized) stabilized = r.replicas;
  });
  record(recs, oldIdx, proposed, now);
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

export function normalizeDesiredReplicasWithBehaviors(state: HpaControllerState, a: NormalizeArgs, behavior: Behavior): number {
  const { up, down } = rulesOf(behavior);
  const stabilized = stabilizeRecommendationWithBehaviors(state, a, up, down);
  return convertDesiredReplicasWithBehaviorRate(state, a, stabilized, up, down);
}

/** stabilizeRecommendationWithBehaviors: scale up to the lowest, down to the highest recent recommendation. */
function stabilizeRecommendationWithBehaviors(state: HpaControllerState, a: NormalizeArgs, up: Rules, down: Rules): number {
  const { key, current, proposed, now, setCond } = a;
  const upWindow = (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow = (down.stabilizationWindowSeconds ?? 0) * 1000;
  const recs = state.recommendations.get(key)!;
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
  record(recs, oldIdx, proposed, now);
  if (stabilized !== proposed) {
    if (proposed >= current) setCond("AbleToScale", "True", "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation");
    else setCond("AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation");
  } else setCond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
  return stabilized;
}

/** convertDesiredReplicasWithBehaviorRate: the policies' limits over the recent scale events, within min and max. */
function convertDesiredReplicasWithBehaviorRate(state: HpaControllerState, a: NormalizeArgs, stabilized: number, up: Rules, down: Rules): number {
  const { key, current, min, max, now, setCond } = a;
  let desired = stabilized, r = "DesiredWithinRange", m = "the desired count is within the acceptable range";
  if (stabilized > current) {
    let limit = scaleUpLimit(current, state.scaleUpEvents.get(key), up, now);
    if (limit < current) limit = current;
    let maxAllowed = max, lr = "TooManyReplicas", lm = "the desired replica count is more than the maximum replica count";
    if (maxAllowed > limit) { maxAllowed = limit; lr = "ScaleUpLimit"; lm = "the desired replica count is increasing faster than the maximum scale rate"; }
    if (stabilized > maxAllowed) { desired = maxAllowed; r = lr; m = lm; }
  } else if (stabilized < current) {
    let limit = scaleDownLimit(current, state.scaleUpEvents.get(key), state.scaleDownEvents.get(key), down, now);
    if (limit > current) limit = current;
    let minAllowed = min, lr = "TooFewReplicas", lm = "the desired replica count is less than the minimum replica count";
    if (minAllowed < limit) { minAllowed = limit; lr = "ScaleDownLimit"; lm = "the desired replica count is decreasing faster than the maximum scale rate"; }
    if (stabilized < minAllowed) { desired = minAllowed; r = lr; m = lm; }
  }
  setCond("ScalingLimited", desired === stabilized ? "False" : "True", r, m);
  return desired;
}

const changeInPeriod = (events: ScaleEvent[] | undefined, periodSeconds: number, now: number) =>
  (events ?? []).filter((e) => e.at > now - periodSeconds * 1000).reduce((s, e) => s + e.change, 0);

/** calculateScaleUpLimitWithScalingRules. */
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

/** calculateScaleDownLimitWithBehaviors. */
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

/** storeScaleEvent: only the behavior rules look at past scale events. */
export function storeScaleEvent(state: HpaControllerState, key: string, prev: number, next: number, behavior: Behavior, now: number): void {
  if (!behavior) return;
  const { up, down } = rulesOf(behavior);
  const upward = next > prev;
  const rules = upward ? up : down;
  const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  const map = upward ? state.scaleUpEvents : state.scaleDownEvents;
  // Events older than the longest policy period no longer limit anything.
  const kept = (map.get(key) ?? []).filter((e) => e.at > now - longest);
  kept.push({ change: Math.abs(next - prev), at: now });
  map.set(key, kept);
}
