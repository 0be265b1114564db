// The quota evaluators (pkg/quota/v1/evaluator/core, v1.32): what one object charges against a
// ResourceQuota, which quota names a kind can be charged for, and the pod evaluator's constraints.
// Shared by the quota admission plugin (api-server/registry/quota-admission.ts) and the
// ResourceQuota controller (controller-manager/resourcequota-controller.ts), as upstream shares
// pkg/quota between kube-apiserver and kube-controller-manager.
import type { Container, ServicePort } from "./objects/core";
import { formatBytes, formatCpuMillis, parseQuantity } from "./quantity";
import type { ResourceType } from "./resources";
import type { KubeObject } from "./types";

/** A usage amount in thousandths, with the Quantity format it prints in. */
export interface Amount { m: number; fmt: "cpu" | "binary" | "decimal" }
export type Usage = Map<string, Amount>;

/** Resource names kept for object kinds before count/<resource> existed. */
const LEGACY_COUNTS: Record<string, string> = {
  pods: "pods", services: "services", configmaps: "configmaps", secrets: "secrets",
  replicationcontrollers: "replicationcontrollers", resourcequotas: "resourcequotas", persistentvolumeclaims: "persistentvolumeclaims",
};
/** The resources whose absence in a container fails the quota (the evaluator's validationSet). */
const VALIDATION_SET = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

export const countName = (r: ResourceType) => `count/${r.group ? `${r.plural}.${r.group}` : r.plural}`;

export function amountOf(name: string, q: unknown): Amount | undefined {
  const p = parseQuantity(q as string);
  if (!p) return undefined;
  const base = name.replace(/^(requests|limits)\./, "");
  const fmt = base === "cpu" ? "cpu" : typeof q === "string" && /i$/.test(q) ? "binary" : "decimal";
  return { m: p.millis, fmt };
}

export const count = (n: number): Amount => ({ m: n * 1000, fmt: "decimal" });

export function add(u: Usage, name: string, a: Amount | undefined): void {
  if (!a) return;
  const cur = u.get(name);
  // As quota.Add: the sum takes the format of the quantity added.
  u.set(name, { m: (cur?.m ?? 0) + a.m, fmt: a.fmt });
}

const DECIMAL = ["", "k", "M", "G", "T", "P", "E"];

/** Quantity.String: the canonical form for the amount's format. */
export function formatAmount(a: Amount): string {
  if (a.fmt === "cpu") return formatCpuMillis(a.m);
  if (a.m % 1000 !== 0) return `${a.m}m`;
  const n = a.m / 1000;
  if (a.fmt === "binary" && n % 1024 === 0) return formatBytes(n);
  let v = n;
  let i = 0;
  while (v !== 0 && v % 1000 === 0 && i < DECIMAL.length - 1) { v /= 1000; i++; }
  return `${v}${DECIMAL[i]}`;
}

/** A ResourceList ({"cpu": "500m"}) as amounts per name. */
function listAmounts(list: Record<string, unknown> | undefined): Map<string, Amount> {
  const out = new Map<string, Amount>();
  for (const [k, v] of Object.entries(list ?? {})) {
    const a = amountOf(k, v);
    if (a) out.set(k, a);
  }
  return out;
}

/** PodRequests/PodLimits: containers summed, init containers as the max they need at once, plus overhead. */
function podResources(pod: KubeObject, field: "requests" | "limits"): Map<string, Amount> {
  const sum = new Map<string, Amount>();
  for (const c of pod.spec?.containers ?? []) for (const [k, a] of listAmounts(c.resources?.[field])) add(sum, k, a);
  const sidecars = new Map<string, Amount>();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = listAmounts(c.resources?.[field]);
    if (c.restartPolicy === "Always") {
      // A sidecar runs alongside everything after it.
      for (const [k, a] of own) { add(sidecars, k, a); add(sum, k, a); }
      continue;
    }
    for (const [k, a] of own) {
      const need = a.m + (sidecars.get(k)?.m ?? 0);
      if (need > (sum.get(k)?.m ?? 0)) sum.set(k, { m: need, fmt: a.fmt });
    }
  }
  for (const [k, a] of listAmounts(pod.spec?.overhead)) add(sum, k, a);
  return sum;
}

/** podComputeUsageHelper: requests and limits as the quota's resource names. */
function computeUsage(requests: Map<string, Amount>, limits: Map<string, Amount>): Usage {
  const u: Usage = new Map();
  for (const [k, a] of requests) {
    if (k === "cpu" || k === "memory" || k === "ephemeral-storage") { add(u, k, a); add(u, `requests.${k}`, a); }
    else if (k.startsWith("hugepages-") || k.includes("/")) add(u, `requests.${k}`, a);
  }
  for (const [k, a] of limits) {
    if (k === "cpu" || k === "memory" || k === "ephemeral-storage") add(u, `limits.${k}`, a);
    else if (k.startsWith("hugepages-")) add(u, `limits.${k}`, a);
  }
  return u;
}

/** QuotaV1Pod: terminated pods no longer hold compute resources. */
const podHoldsResources = (pod: KubeObject) => pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";

/** What one object charges against a quota (the evaluators' Usage). */
export function usageOf(r: ResourceType, obj: KubeObject): Usage {
  const u: Usage = new Map();
  u.set(countName(r), count(1));
  const legacy = r.group === "" ? LEGACY_COUNTS[r.plural] : undefined;
  if (r.kind === "Pod") {
    if (!podHoldsResources(obj)) return u; // count/pods tracks every stored pod; "pods" only live ones
    for (const [k, a] of computeUsage(podResources(obj, "requests"), podResources(obj, "limits"))) u.set(k, a);
    u.set("pods", count(1));
    return u;
  }
  if (legacy) u.set(legacy, count(1));
  if (r.kind === "Service") {
    const ports: ServicePort[] = obj.spec?.ports ?? [];
    if (obj.spec?.type === "NodePort") u.set("services.nodeports", count(ports.length));
    if (obj.spec?.type === "LoadBalancer") {
      u.set("services.loadbalancers", count(1));
      // Node ports are not allocated yet at admission: count the intent.
      const n = obj.spec?.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
      u.set("services.nodeports", count(n));
    }
  }
  return u;
}

/** The quota names this kind can be charged for, among `names` (MatchingResources). */
export function matchingResources(r: ResourceType, names: string[]): string[] {
  const own = countName(r);
  return names.filter((n) => {
    if (n === own) return true;
    if (r.kind === "Pod") return n === "pods" || /^(requests|limits)\./.test(n) || n === "cpu" || n === "memory" || n === "ephemeral-storage";
    if (r.kind === "Service") return n === "services" || n === "services.loadbalancers" || n === "services.nodeports";
    return r.group === "" && LEGACY_COUNTS[r.plural] === n;
  });
}

/** The pod evaluator's Constraints: with cpu or memory under quota, every container must state them. */
export function podConstraints(pod: KubeObject, required: string[]): string | undefined {
  const want = required.filter((n) => VALIDATION_SET.includes(n));
  if (want.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const has = computeUsage(listAmounts(c.resources?.requests), listAmounts(c.resources?.limits));
    for (const n of want) if (!has.has(n)) (missing.get(n) ?? missing.set(n, new Set()).get(n)!).add(c.name);
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((n) => `${n} for: ${[...missing.get(n)!].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

/** Whether a quota's scopes (spec.scopes and scopeSelector) select this object. */
export function quotaMatches(quota: KubeObject, r: ResourceType, obj: KubeObject): boolean {
  const scopes: { scopeName: string; operator: string; values?: string[] }[] = [
    ...(quota.spec?.scopes ?? []).map((s: string) => ({ scopeName: s, operator: "Exists" })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
  if (scopes.length === 0) return true;
  // Only pods are subject to scopes; a scoped quota tracks nothing else.
  if (r.kind !== "Pod") return false;
  const terminating = obj.spec?.activeDeadlineSeconds !== undefined && obj.spec?.activeDeadlineSeconds !== null;
  const bestEffort = [...(obj.spec?.containers ?? []), ...(obj.spec?.initContainers ?? [])].every(
    (c: Container) => Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0);
  return scopes.every((s) => {
    switch (s.scopeName) {
      case "Terminating": return terminating;
      case "NotTerminating": return !terminating;
      case "BestEffort": return bestEffort;
      case "NotBestEffort": return !bestEffort;
      case "PriorityClass": {
        const pc = obj.spec?.priorityClassName;
        if (s.operator === "Exists") return !!pc;
        if (s.operator === "DoesNotExist") return !pc;
        const inSet = !!pc && (s.values ?? []).includes(pc);
        return s.operator === "In" ? inSet : !inSet;
      }
      default: return false;
    }
  });
}
