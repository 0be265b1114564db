// The garbage collector (pkg/controller/garbagecollector/garbagecollector.go and operations.go):
// follows ownerReferences. A dependent whose owners are all gone is deleted (attemptToDeleteItem);
// an owner deleted with the "orphan" finalizer first has the references to it stripped from its
// dependents (attemptToOrphan); one deleted with "foregroundDeletion" first has its dependents
// deleted and keeps its finalizer until no blocking dependent remains
// (processDeletingDependentsItem). The dependency graph it reads is graph-builder.ts's.
import type { Registry, WriteCtx } from "../../api-server/registry/store";
import { isStored, registryPrefix, resourceForKind, storageResource, type ResourceType } from "../../api-server/resources";
import type { KubeObject, OwnerReference } from "../../api-server/types";
import type { Controller, WatchCtx } from "../manager";
import { tolerate as tolerateCodes } from "../controller-utils";
import { dependentKeys, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, hasFinalizer, newGCState, observe, parseKey, processGraphChanges, refsOf, resyncGraph, type GCState } from "./graph-builder";

/** The collector, with the sizes of its graph (bounded by the objects that exist). */
export function garbageCollector(reg: Registry): Controller & { graphSizes(): { dependents: number; owners: number; uids: number } } {
  const state = newGCState(reg);
  const { graph } = state;
  return {
    name: "garbagecollector",
    graphSizes: () => ({ dependents: graph.dependents.size, owners: graph.owners.size, uids: graph.byUid.size }),
    watches: state.resources.map((r) => ({ prefix: registryPrefix(r), keys: (obj: KubeObject, prev: KubeObject | undefined, ev?: WatchCtx) => processGraphChanges(state, r, obj, prev, ev) })),
    resync: (r) => resyncGraph(state, r),
    reconcile: (key, { write }) => attemptToDeleteItem(state, key, write),
  };
}

// ---- operations ------------------------------------------------------------------------------

const GONE_OR_CHANGED = [404, 409];
/** Gone already, or changed under us (the next event brings it back here). */
const tolerate = (fn: () => unknown): void => void tolerateCodes(fn, GONE_OR_CHANGED);

function removeFinalizer(state: GCState, r: ResourceType, obj: KubeObject, f: string, write: WriteCtx): void {
  tolerate(() => state.reg.guaranteedUpdate(r, obj.metadata.namespace, obj.metadata.name!, write, (cur) => {
    if (cur.metadata.uid !== obj.metadata.uid) return cur;
    cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((x) => x !== f);
    if (!cur.metadata.finalizers.length) delete cur.metadata.finalizers;
    return cur;
  }));
}

function stripRefs(state: GCState, r: ResourceType, obj: KubeObject, uids: Set<string>, write: WriteCtx): void {
  tolerate(() => state.reg.guaranteedUpdate(r, obj.metadata.namespace, obj.metadata.name!, write, (cur) => {
    if (cur.metadata.uid !== obj.metadata.uid) return cur;
    const kept = refsOf(cur).filter((ref) => !uids.has(ref.uid));
    if (kept.length) cur.metadata.ownerReferences = kept;
    else delete cur.metadata.ownerReferences;
    return cur;
  }));
}

function deleteObject(state: GCState, r: ResourceType, obj: KubeObject, policy: "Orphan" | "Foreground" | "Background", write: WriteCtx): void {
  tolerate(() => state.reg.delete(r, obj.metadata.namespace, obj.metadata.name!, write, {
    propagationPolicy: policy,
    preconditions: { uid: obj.metadata.uid },
  }));
}

// ---- reading owners and dependents -----------------------------------------------------------

/** The live dependents of an owner, pruning graph entries that no longer hold. */
function liveDependents(state: GCState, owner: KubeObject): { key: string; obj: KubeObject; ref: OwnerReference }[] {
  const out: { key: string; obj: KubeObject; ref: OwnerReference }[] = [];
  const uid = owner.metadata.uid!;
  for (const key of dependentKeys(state.graph, uid)) {
    const [r, ns, name] = parseKey(state, key);
    const obj = r && state.reg.tryGet(r, ns, name);
    const ref = obj && refsOf(obj).find((x) => x.uid === uid);
    if (!obj || !ref) {
      observe(state.graph, key, obj);
      continue;
    }
    out.push({ key, obj, ref });
  }
  return out;
}

/** The owner an ownerReference names, as the dependent sees it; "unknown" for kinds not served. */
function lookupOwner(state: GCState, dep: KubeObject, ref: OwnerReference): KubeObject | undefined | "unknown" {
  const r = resourceForKind(ref.apiVersion, ref.kind);
  if (!r || !isStored(r)) return "unknown";
  // A namespaced owner must share the dependent's namespace; a cluster-scoped dependent cannot have one.
  if (r.namespaced && !dep.metadata.namespace) return undefined;
  const owner = state.reg.tryGet(storageResource(r), r.namespaced ? dep.metadata.namespace : undefined, ref.name);
  return owner && owner.metadata.uid === ref.uid ? owner : undefined;
}

/** classifyReferences: owners that exist, owners gone, and owners waiting for their dependents' deletion. */
function classifyReferences(state: GCState, obj: KubeObject): { solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] } {
  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  for (const ref of refsOf(obj)) {
    const owner = lookupOwner(state, obj, ref);
    if (owner === "unknown") solid.push(ref); // cannot tell: never delete on a guess
    else if (!owner) dangling.push(ref);
    else if (owner.metadata.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND)) waiting.push(ref);
    else solid.push(ref);
  }
  return { solid, dangling, waiting };
}

// ---- the decisions ---------------------------------------------------------------------------

/** attemptToOrphan: the owner's dependents lose their reference to it, then the owner its finalizer. */
function attemptToOrphan(state: GCState, r: ResourceType, owner: KubeObject, write: WriteCtx): void {
  const uid = new Set([owner.metadata.uid!]);
  for (const d of liveDependents(state, owner)) {
    const [dr] = parseKey(state, d.key);
    stripRefs(state, dr!, d.obj, uid, write);
  }
  removeFinalizer(state, r, owner, FINALIZER_ORPHAN, write);
}

/** processDeletingDependentsItem: an owner in foreground deletion waits for its blocking dependents. */
function processDeletingDependentsItem(state: GCState, r: ResourceType, owner: KubeObject, write: WriteCtx): void {
  const deps = liveDependents(state, owner);
  const blocking = deps.filter((d) => d.ref.blockOwnerDeletion);
  if (blocking.length === 0) {
    removeFinalizer(state, r, owner, FINALIZER_FOREGROUND, write);
    return;
  }
  // What the upstream collector enqueues for attemptToDelete, done in place; each dependent's
  // own deletion event brings this owner back here.
  // Only dependents not yet being deleted: the others have their own queue entries, and this
  // keeps a cycle of foreground owners from recursing.
  for (const d of deps) if (!d.obj.metadata.deletionTimestamp) attemptToDeleteItem(state, d.key, write);
}

/** attemptToDeleteItem: the decision for one object, from the current state of it and its owners. */
function attemptToDeleteItem(state: GCState, key: string, write: WriteCtx): void {
  const [r, ns, name] = parseKey(state, key);
  if (!r) return;
  const obj = state.reg.tryGet(r, ns, name);
  observe(state.graph, key, obj);
  if (!obj) return;
  if (obj.metadata.deletionTimestamp) {
    if (hasFinalizer(obj, FINALIZER_ORPHAN)) attemptToOrphan(state, r, obj, write);
    else if (hasFinalizer(obj, FINALIZER_FOREGROUND)) processDeletingDependentsItem(state, r, obj, write);
    return; // otherwise it is already going away
  }
  if (refsOf(obj).length === 0) return;

  const { solid, dangling, waiting } = classifyReferences(state, obj);
  if (solid.length) {
    // Still owned: only the references to owners that are gone or going are dropped.
    if (dangling.length || waiting.length) stripRefs(state, r, obj, new Set([...dangling, ...waiting].map((x) => x.uid)), write);
    return;
  }
  const deps = waiting.length ? liveDependents(state, obj) : [];
  if (deps.length) return deleteInForeground(state, r, ns, name, obj, deps, write);
  // No owner left: collect it, honouring a propagation finalizer it already carries.
  const policy = hasFinalizer(obj, FINALIZER_ORPHAN) ? "Orphan" : hasFinalizer(obj, FINALIZER_FOREGROUND) ? "Foreground" : "Background";
  deleteObject(state, r, obj, policy, write);
}

/**
 * An owner waits for this object and it has dependents of its own: delete it in foreground too. If
 * one of those is itself deleting its dependents, unblock our owners first (unblockOwnerReferences)
 * so two foreground deletions cannot wait on each other forever.
 */
function deleteInForeground(state: GCState, r: ResourceType, ns: string | undefined, name: string, obj: KubeObject, deps: { obj: KubeObject }[], write: WriteCtx): void {
  if (!deps.some((d) => d.obj.metadata.deletionTimestamp && hasFinalizer(d.obj, FINALIZER_FOREGROUND))) {
    deleteObject(state, r, obj, "Foreground", write);
    return;
  }
  tolerate(() => state.reg.guaranteedUpdate(r, ns, name, write, (cur) => {
    for (const ref of refsOf(cur)) if (ref.blockOwnerDeletion) ref.blockOwnerDeletion = false;
    return cur;
  }));
  const fresh = state.reg.tryGet(r, ns, name);
  if (fresh && fresh.metadata.uid === obj.metadata.uid) deleteObject(state, r, fresh, "Foreground", write);
}
