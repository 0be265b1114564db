// The ResourceQuota admission plugin (plugin/pkg/admission/resourcequota, v1.32): a create (or an
// update that raises usage) is checked against every quota of its namespace and refused with 403
// when it would go over; when it passes, status.used is charged at once, as the real plugin does,
// so two quick creates cannot both slip under the limit before the controller recounts.
// Object counts (count/<resource>, and the older names pods, services, configmaps, secrets,
// persistentvolumeclaims...) and services.nodeports / services.loadbalancers are counted for every
// kind, Events included: v1.32's quota ignores only virtual resources (bindings, reviews).
import { type ResourceType, RESOURCE_QUOTAS } from "../resources";
import { errors, qualified } from "../status";
import type { KubeObject } from "../types";
import type { Quantity, ResourceList } from "../objects/meta";
import type { AdmissionHook, Registry, WriteCtx } from "./store";
import { admissionName } from "./names";
import { formatAmount, matchingResources, podConstraints, quotaMatches, usageOf, type Amount, type Usage } from "../quota-evaluator";
import { parseQuantity } from "../quantity";

const APISERVER = { username: "system:apiserver", groups: ["system:masters"] };

const millis = (q: unknown) => parseQuantity(q as string)?.millis;

/** "requests.cpu=500m,requests.memory=1Gi": prettyPrint, sorted by name. */
function pretty(list: [string, Quantity | undefined][]): string {
  return list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(",");
}

/** The usage this write adds: everything for a create, the non-negative growth for an update. */
function requested(r: ResourceType, obj: KubeObject, old: KubeObject | undefined): Usage {
  const now = usageOf(r, obj);
  if (!old) return now;
  const before = usageOf(r, old);
  const delta: Usage = new Map();
  for (const [k, a] of now) {
    const d = a.m - (before.get(k)?.m ?? 0);
    if (d > 0) delta.set(k, { m: d, fmt: a.fmt });
  }
  return delta;
}

function forbid(r: ResourceType, obj: KubeObject, why: string) {
  return errors.forbidden(`${qualified(r)} "${admissionName(obj)}" is forbidden: ${why}`, r, admissionName(obj));
}

export const quotaAdmission: AdmissionHook = (op, r, obj, old, ctx, reg) => {
  if (op === "DELETE" || !r.namespaced || !obj.metadata.namespace) return;
  // Its own charges arrive as ResourceQuota updates; only creating one is counted.
  if (r.kind === "ResourceQuota" && op === "UPDATE") return;
  const quotasR = RESOURCE_QUOTAS;
  const quotas = reg.list(quotasR, obj.metadata.namespace).items;
  if (quotas.length === 0) return;
  const delta = requested(r, obj, op === "UPDATE" ? old : undefined);
  if (op === "UPDATE" && delta.size === 0) return;

  const charges: { quota: KubeObject; add: Map<string, Amount> }[] = [];
  for (const quota of quotas) {
    if (quota.metadata.deletionTimestamp || !quotaMatches(quota, r, obj)) continue;
    const hard: ResourceList = quota.status?.hard ?? {};
    const restricted = matchingResources(r, Object.keys(hard));
    if (restricted.length === 0) continue;
    if (r.kind === "Pod") {
      const missing = podConstraints(obj, restricted);
      if (missing) throw forbid(r, obj, `failed quota: ${quota.metadata.name}: ${missing}`);
    }
    const used: ResourceList = quota.status?.used ?? {};
    // Until the controller has counted everything this quota restricts, nothing can be judged.
    if (restricted.some((n) => used[n] === undefined)) throw forbid(r, obj, `status unknown for quota: ${quota.metadata.name}, resources: ${[...restricted].sort().join(",")}`);
    const add = new Map([...delta].filter(([k, a]) => restricted.includes(k) && a.m !== 0));
    if (add.size === 0) continue;
    const exceeded = [...add].filter(([k, a]) => (millis(used[k]) ?? 0) + a.m > (millis(hard[k]) ?? Infinity)).map(([k]) => k);
    if (exceeded.length) {
      throw forbid(r, obj, `exceeded quota: ${quota.metadata.name}, requested: ${pretty(exceeded.map((k) => [k, formatAmount(add.get(k)!)]))}, used: ${pretty(exceeded.map((k) => [k, used[k]]))}, limited: ${pretty(exceeded.map((k) => [k, hard[k]]))}`);
    }
    charges.push({ quota, add });
  }
  // A dry run is judged like the real thing but charges nothing.
  if (ctx.dryRun) return;
  for (const { quota, add } of charges) charge(reg, quotasR, quota, add, ctx);
};

function charge(reg: Registry, quotasR: ResourceType, quota: KubeObject, add: Map<string, Amount>, ctx: WriteCtx): void {
  reg.guaranteedUpdate(quotasR, quota.metadata.namespace, quota.metadata.name!, { user: APISERVER, now: ctx.now, fieldManager: "kube-apiserver" }, (cur) => {
    const used: Record<string, string> = { ...(cur.status?.used ?? {}) };
    for (const [k, a] of add) used[k] = formatAmount({ m: (millis(used[k]) ?? 0) + a.m, fmt: a.fmt });
    return { ...cur, status: { ...(cur.status ?? {}), used } };
  }, "status");
}
