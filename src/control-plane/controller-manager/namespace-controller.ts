// The namespace controller (pkg/controller/namespace/deletion/namespaced_resources_deleter.go): a
// namespace being deleted has all its content deleted; once nothing is left it empties
// spec.finalizers through the "finalize" subresource, and the API server removes it. Progress is
// reported in status conditions, as `kubectl describe namespace` shows them.
import type { Registry, WriteCtx } from "../api-server/registry/store";
import { rfc3339 } from "../api-server/registry/store";
import { registryPrefix, type ResourceType, NAMESPACES } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";
import type { Namespace } from "../api-server/objects/core";
import type { Condition } from "../api-server/objects/meta";
import type { Controller, ReconcileCtx } from "./manager";
import { storageResources } from "./controller-utils";

export const FINALIZER_KUBERNETES = "kubernetes";
/** Re-check interval while content remains that no watch event will announce (finalizers held elsewhere). */
const STUCK_RECHECK_MS = 5_000;
const MIN_RECHECK_MS = 1_000;

/** Every stored namespaced resource, once per storage location: what a namespace can contain. */
export const namespacedResources = (): ResourceType[] => storageResources((r) => r.namespaced);

/** The content left after one deletion pass. */
interface Remaining {
  /** "pods." → count, as upstream's "<resource>.<group> has N resource instances". */
  byResource: Map<string, number>;
  /** finalizer → objects holding it. */
  byFinalizer: Map<string, number>;
  failures: string[];
  /** Longest graceful termination still running, ms (0: none known). */
  estimateMs: number;
}

/** What the controller keeps: the registry it deletes from, what a namespace holds, and which are terminating. */
export interface NamespaceControllerState {
  reg: Registry;
  content: ResourceType[];
  /** Namespaces being deleted, so content events in them wake the controller without a read. */
  terminating: Set<string>;
}

export function namespaceController(reg: Registry): Controller {
  const state: NamespaceControllerState = { reg, content: namespacedResources(), terminating: new Set() };
  const { terminating } = state;
  return {
    name: "namespace",
    watches: [
      {
        prefix: registryPrefix(NAMESPACES),
        keys: (ns) => {
          const name = ns.metadata.name!;
          if (ns.metadata.deletionTimestamp && reg.tryGet(NAMESPACES, undefined, name)) terminating.add(name);
          else terminating.delete(name);
          return ns.metadata.deletionTimestamp ? [name] : [];
        },
      },
      // Content going away in a terminating namespace: look again (no read needed to decide).
      ...state.content.map((r) => ({
        prefix: registryPrefix(r),
        keys: (obj: KubeObject) => (obj.metadata.namespace && terminating.has(obj.metadata.namespace) ? [obj.metadata.namespace] : []),
      })),
    ],
    resync(reg) {
      terminating.clear();
      for (const ns of reg.list(NAMESPACES, undefined).items) if (ns.metadata.deletionTimestamp) terminating.add(ns.metadata.name!);
      return [...terminating];
    },
    reconcile: (name, ctx) => syncNamespace(state, name, ctx),
  };
}

/** syncNamespaceFromKey and Delete: content first, then the "kubernetes" finalizer. */
function syncNamespace(state: NamespaceControllerState, name: string, { reg, now, write }: ReconcileCtx): void | { requeueAfter?: number } {
  const nsObj = reg.tryGet(NAMESPACES, undefined, name);
  if (!nsObj || !nsObj.metadata.deletionTimestamp) {
    state.terminating.delete(name);
    return;
  }
  state.terminating.add(name);
  // Another finalizer's work, or ours already done: the registry removes it when all are gone.
  if (!(nsObj.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) return;

  const rem = deleteAllContent(state, name, now, write);
  const cur = reg.tryGet(NAMESPACES, undefined, name);
  if (!cur) return;
  updateConditions(state, cur, conditionsFor(rem), now, write);
  if (rem.byResource.size || rem.failures.length) {
    const wait = rem.estimateMs > 0 ? Math.max(MIN_RECHECK_MS, rem.estimateMs) : STUCK_RECHECK_MS;
    return { requeueAfter: wait };
  }
  const fresh = reg.get(NAMESPACES, undefined, name);
  const finalizers = (fresh.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES);
  reg.update(NAMESPACES, undefined, name, { ...fresh, spec: { ...(fresh.spec ?? {}), finalizers } }, write, "finalize");
  if (!reg.tryGet(NAMESPACES, undefined, name)) state.terminating.delete(name);
}

/** deleteAllContent: one deletion pass over every namespaced resource, and what is left. */
function deleteAllContent(state: NamespaceControllerState, ns: string, now: number, write: WriteCtx): Remaining {
  const { reg } = state;
  const rem: Remaining = { byResource: new Map(), byFinalizer: new Map(), failures: [], estimateMs: 0 };
  for (const r of state.content) {
    for (const obj of reg.list(r, ns).items) {
      if (!obj.metadata.deletionTimestamp) {
        try {
          const res = reg.delete(r, ns, obj.metadata.name!, write, { propagationPolicy: "Background", preconditions: { uid: obj.metadata.uid } });
          if (res.deleted) continue;
          Object.assign(obj, res.object);
        } catch (e) {
          if (e instanceof ApiError && e.status.code === 404) continue;
          rem.failures.push(`${r.plural}.${r.group} "${obj.metadata.name}": ${(e as Error).message}`);
        }
      }
      const id = `${r.plural}.${r.group}`;
      rem.byResource.set(id, (rem.byResource.get(id) ?? 0) + 1);
      for (const f of obj.metadata.finalizers ?? []) rem.byFinalizer.set(f, (rem.byFinalizer.get(f) ?? 0) + 1);
      // Pods on nodes terminate gracefully: wait about as long as their kubelets will.
      if (r.kind === "Pod" && obj.metadata.deletionTimestamp) {
        const left = Date.parse(obj.metadata.deletionTimestamp) - now;
        if (left > rem.estimateMs) rem.estimateMs = left;
      }
    }
  }
  return rem;
}

function conditionsFor(rem: Remaining): Condition[] {
  const join = (m: Map<string, number>, fmt: (k: string, n: number) => string) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => fmt(k, n)).join(", ");
  return [
    { type: "NamespaceDeletionDiscoveryFailure", status: "False", reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
    { type: "NamespaceDeletionGroupVersionParsingFailure", status: "False", reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
    rem.failures.length
      ? { type: "NamespaceDeletionContentFailure", status: "True", reason: "ContentDeletionFailed", message: `Failed to delete all resource types, ${rem.failures.length} remaining: ${rem.failures.join(", ")}` }
      : { type: "NamespaceDeletionContentFailure", status: "False", reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
    rem.byResource.size
      ? { type: "NamespaceContentRemaining", status: "True", reason: "SomeResourcesRemain", message: `Some resources are remaining: ${join(rem.byResource, (k, n) => `${k} has ${n} resource instances`)}` }
      : { type: "NamespaceContentRemaining", status: "False", reason: "ContentRemoved", message: "All content successfully removed" },
    rem.byFinalizer.size
      ? { type: "NamespaceFinalizersRemaining", status: "True", reason: "SomeFinalizersRemain", message: `Some content in the namespace has finalizers remaining: ${join(rem.byFinalizer, (k, n) => `${k} in ${n} resource instances`)}` }
      : { type: "NamespaceFinalizersRemaining", status: "False", reason: "ContentHasNoFinalizers", message: "All content-preserving finalizers finished" },
  ];
}

/** Writes the conditions only when one changed; a transition time moves only with its status. */
function updateConditions(state: NamespaceControllerState, nsObj: Namespace, want: Condition[], now: number, write: WriteCtx): void {
  const old: Condition[] = nsObj.status?.conditions ?? [];
  let changed = false;
  const next = want.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    if (prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message) return prev;
    changed = true;
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : rfc3339(new Date(now)) };
  });
  const others = old.filter((o) => !want.some((c) => c.type === o.type));
  if (!changed) return;
  const body = { ...nsObj, status: { ...(nsObj.status ?? {}), conditions: [...next, ...others] } };
  state.reg.update(NAMESPACES, undefined, nsObj.metadata.name!, body, write, "status");
}
