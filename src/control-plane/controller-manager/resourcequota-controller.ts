// The ResourceQuota controller (pkg/controller/resourcequota/resource_quota_controller.go, v1.32),
// over the usage evaluators it shares with the quota admission plugin (api-server/quota-evaluator.ts):
// status.hard mirrors spec.hard and status.used is recounted from what is stored in the namespace
// whenever a counted object changes, plus a periodic full recount (--resource-quota-sync-period,
// 5 min) that repairs any charge admission made for a write that then failed.
import type { Registry } from "../api-server/registry/store";
import { findResource, RESOURCES, registryPrefix, type ResourceType, RESOURCE_QUOTAS } from "../api-server/resources";
import { parseQuantity } from "../api-server/quantity";
import { add, amountOf, count, countName, formatAmount, matchingResources, quotaMatches, usageOf, type Usage } from "../api-server/quota-evaluator";
import type { KubeObject } from "../api-server/types";
import type { ResourceList } from "../api-server/objects/meta";
import type { ResourceQuota } from "../api-server/objects/core";
import { listerOf, type Controller, type ReconcileCtx, type WatchCtx } from "./manager";
import { registryLister, type Lister } from "./informers";
import { deepEqual, keyOf, splitKey } from "./controller-utils";

const SYNC_PERIOD_MS = 5 * 60_000;

/** Which stored resources a set of quota names needs counted. */
function resourcesFor(names: string[]): ResourceType[] {
  return RESOURCES.filter((r) => r.namespaced && r.verbs.includes("list") && r.group !== "metrics.k8s.io" && matchingResources(r, names).length > 0)
    // One entry per storage: versions of a group share their objects.
    .filter((r, i, all) => all.findIndex((o) => registryPrefix(o) === registryPrefix(r)) === i);
}

/** status.used for a quota, recounted from storage. */
export function computeUsed(reg: Registry, quota: ResourceQuota, cache?: Lister): Record<string, string> {
  // Pods (counted on every pod change) come from the informer's store; other kinds, which may be
  // large (Secrets, ConfigMaps) and change rarely, are read from storage rather than kept twice.
  const podLister = cache ?? registryLister(reg);
  const direct = registryLister(reg);
  const hard = Object.keys(quota.spec?.hard ?? {});
  const total: Usage = new Map();
  const scoped = !!(quota.spec?.scopes?.length || quota.spec?.scopeSelector?.matchExpressions?.length);
  for (const r of resourcesFor(hard)) {
    const names = matchingResources(r, hard);
    if (r.kind === "Event") {
      // Events are only ever counted, and many (up to a student's 1,000): count the stored keys at
      // each recount instead of decoding them all. A scoped quota tracks pods only.
      if (!scoped) add(total, countName(r), count(reg.etcd.count(`${registryPrefix(r)}${quota.metadata.namespace}/`)));
      continue;
    }
    for (const obj of (r.plural === "pods" ? podLister : direct).list(r, quota.metadata.namespace)) {
      if (!quotaMatches(quota, r, obj)) continue;
      for (const [k, a] of usageOf(r, obj)) if (names.includes(k)) add(total, k, a);
    }
  }
  const used: Record<string, string> = {};
  for (const k of hard) {
    const hardAmount = amountOf(k, quota.spec.hard![k]); // k is one of its keys
    used[k] = formatAmount(total.get(k) ?? { m: 0, fmt: hardAmount?.fmt ?? "decimal" });
  }
  return used;
}

/** Quantity strings with their amounts compared, so "1000m" and "1" are the same usage. */
function sameUsage(a: ResourceList | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] !== undefined && parseQuantity(a[k])?.millis === parseQuantity(b[k])?.millis && a[k] === b[k]);
}

/** Watched kinds: the ones quotas usually count; anything else is caught by the periodic recount. */
const WATCHED = [["", "pods"], ["", "services"], ["", "configmaps"], ["", "secrets"], ["apps", "deployments"], ["apps", "replicasets"],
  ["apps", "statefulsets"], ["apps", "daemonsets"], ["batch", "jobs"], ["batch", "cronjobs"]] as const;

export function resourceQuotaController(_reg: Registry): Controller {
  return {
    name: "resourcequota",
    watches: [
      { prefix: registryPrefix(RESOURCE_QUOTAS), keys: (q) => [keyOf(q)] },
      ...WATCHED.map(([g, plural]) => {
        const r = findResource(g, "v1", plural)!;
        return { prefix: registryPrefix(r), keys: (obj: KubeObject, prev: KubeObject | undefined, ev: WatchCtx) => quotaKeysFor(r, obj, prev, ev) };
      }),
    ],
    resync: (reg) => reg.list(RESOURCE_QUOTAS, undefined).items.map(keyOf),
    reconcile: syncResourceQuota,
  };
}

/**
 * The quotas of the object's namespace, when the change may move their usage: a write that leaves
 * the charge unchanged (a pod's status heartbeat) recounts nothing; a delete always does.
 */
function quotaKeysFor(r: ResourceType, obj: KubeObject, prev: KubeObject | undefined, ev: WatchCtx): string[] {
  const deleted = ev.type === "DELETE";
  if (prev && !deleted && deepEqual([...usageOf(r, prev)], [...usageOf(r, obj)]) && deepEqual(prev.spec?.priorityClassName, obj.spec?.priorityClassName)) return [];
  const ns = obj.metadata.namespace;
  return ns ? ev.cache.list(RESOURCE_QUOTAS, ns).map(keyOf) : [];
}

/** syncResourceQuota: status.hard from spec.hard, status.used recounted; again after the sync period. */
function syncResourceQuota(key: string, ctx: ReconcileCtx): { requeueAfter: number } | void {
  const [ns, name] = splitKey(key);
  const quota = ctx.reg.tryGet(RESOURCE_QUOTAS, ns, name);
  if (!quota || quota.metadata.deletionTimestamp) return;
  const hard = { ...(quota.spec?.hard ?? {}) };
  const used = computeUsed(ctx.reg, quota, listerOf(ctx));
  if (!deepEqual(quota.status?.hard, hard) || !sameUsage(quota.status?.used, used)) {
    ctx.reg.guaranteedUpdate(RESOURCE_QUOTAS, ns, name, ctx.write, (cur) => ({ ...cur, status: { hard, used } }), "status");
  }
  return { requeueAfter: SYNC_PERIOD_MS };
}
