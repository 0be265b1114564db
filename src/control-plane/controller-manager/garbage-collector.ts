// The garbage collector (pkg/controller/garbagecollector): follows ownerReferences. A dependent
// whose owners are all gone is deleted; an owner deleted with the "orphan" finalizer first has
// the references to it stripped from its dependents; one deleted with "foregroundDeletion" first
// has its dependents deleted and keeps its finalizer until no blocking dependent remains.
//
// The dependency graph (owner uid → dependent keys; GraphBuilder's uidToNode) lives in memory,
// built by resync and kept current by the watches from the events alone (no read per event), so a
// reconcile reads only the objects it concerns. Its size is bounded by the objects that exist (a
// delete removes the entries). The graph is a hint:
// every decision re-reads the objects from the registry (level-triggered), and stale graph
// entries are pruned when they are found not to hold.
import type { Registry, WriteCtx } from "../api-server/registry/store";
import { isStored, registryKey, registryPrefix, resourceForKind, storageResource, type ResourceType } from "../api-server/resources";
import type { KubeObject, OwnerReference } from "../api-server/types";
import type { Controller, WatchCtx } from "./manager";
import { storageResources, tolerate as tolerateCodes } from "./controller-utils";

export const FINALIZER_ORPHAN = "orphan";
export const FINALIZER_FOREGROUND = "foregroundDeletion";
const GONE_OR_CHANGED = [404, 409];

/** Resource id in keys: the storage resource, so versions sharing storage share keys. */
const rid = (r: ResourceType) => `${r.group}/${r.version}/${r.plural}`;

/**
 * What the collector watches: every stored resource once per storage prefix. Events are left out,
 * as kube-controller-manager's default ignoredResources does (they churn, and nothing owns them).
 */
export const gcResources = (): ResourceType[] => storageResources((r) => r.plural !== "events");

interface Graph {
  /** owner uid → keys of objects that reference it. */
  dependents: Map<string, Set<string>>;
  /** object key → the owner uids it referenced when last seen. */
  owners: Map<string, string[]>;
  /** uid → key of the live object with that uid (to enqueue owners by uid). */
  byUid: Map<string, string>;
}

const hasFinalizer = (o: KubeObject, f: string) => !!o.metadata.finalizers?.includes(f);
const refsOf = (o: KubeObject): OwnerReference[] => o.metadata.ownerReferences ?? [];

/** The collector, with the sizes of its graph (bounded by the objects that exist). */
export function garbageCollector(reg: Registry): Controller & { graphSizes(): { dependents: number; owners: number; uids: number } } {
  const resources = gcResources();
  const byRid = new Map(resources.map((r) => [rid(r), r]));
  const graph: Graph = { dependents: new Map(), owners: new Map(), byUid: new Map() };

  const keyOf = (r: ResourceType, o: KubeObject) => `${rid(r)}|${o.metadata.namespace ?? ""}|${o.metadata.name}`;
  const parse = (key: string): [ResourceType | undefined, string | undefined, string] => {
    const [id, ns, name] = key.split("|");
    return [byRid.get(id), ns || undefined, name];
  };

  /** Records the object's current owners (none when gone); returns the owner uids it dropped. */
  function observe(key: string, obj: KubeObject | undefined): string[] {
    const before = graph.owners.get(key) ?? [];
    const after = obj ? refsOf(obj).map((ref) => ref.uid) : [];
    for (const uid of before) {
      if (after.includes(uid)) continue;
      const deps = graph.dependents.get(uid);
      deps?.delete(key);
      if (deps?.size === 0) graph.dependents.delete(uid);
    }
    for (const uid of after) {
      let deps = graph.dependents.get(uid);
      if (!deps) graph.dependents.set(uid, (deps = new Set()));
      deps.add(key);
    }
    if (after.length) graph.owners.set(key, after);
    else graph.owners.delete(key);
    if (obj?.metadata.uid) graph.byUid.set(obj.metadata.uid, key);
    return before.filter((u) => !after.includes(u));
  }

  function forget(key: string, uid: string | undefined): void {
    observe(key, undefined);
    if (uid && graph.byUid.get(uid) === key) graph.byUid.delete(uid);
  }

  /** The owner a reference names is a live object in the graph, with that uid, kind, namespace and name. */
  function ownerKnown(dep: KubeObject, ref: OwnerReference): boolean {
    const key = ref && graph.byUid.get(ref.uid);
    if (!key) return false;
    const [r, ns, name] = parse(key);
    const want = resourceForKind(ref.apiVersion, ref.kind);
    if (!r || !want || !isStored(want) || rid(storageResource(want)) !== rid(r) || name !== ref.name) return false;
    return want.namespaced ? ns === dep.metadata.namespace : ns === undefined;
  }

  const ownerKeys = (uids: string[]) => uids.map((u) => graph.byUid.get(u)).filter((k): k is string => !!k);
  const dependentKeys = (uid: string | undefined) => (uid ? [...(graph.dependents.get(uid) ?? [])] : []);

  /** The live dependents of an owner, pruning graph entries that no longer hold. */
  function liveDependents(owner: KubeObject): { key: string; obj: KubeObject; ref: OwnerReference }[] {
    const out: { key: string; obj: KubeObject; ref: OwnerReference }[] = [];
    const uid = owner.metadata.uid!;
    for (const key of dependentKeys(uid)) {
      const [r, ns, name] = parse(key);
      const obj = r && reg.tryGet(r, ns, name);
      const ref = obj && refsOf(obj).find((x) => x.uid === uid);
      if (!obj || !ref) {
        observe(key, obj);
        continue;
      }
      out.push({ key, obj, ref });
    }
    return out;
  }

  /** The owner an ownerReference names, as the dependent sees it; "unknown" for kinds not served. */
  function lookupOwner(dep: KubeObject, ref: OwnerReference): KubeObject | undefined | "unknown" {
    const r = resourceForKind(ref.apiVersion, ref.kind);
    if (!r || !isStored(r)) return "unknown";
    // A namespaced owner must share the dependent's namespace; a cluster-scoped dependent cannot have one.
    if (r.namespaced && !dep.metadata.namespace) return undefined;
    const owner = reg.tryGet(storageResource(r), r.namespaced ? dep.metadata.namespace : undefined, ref.name);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  }

  // Gone already, or changed under us (the next event brings it back here).
  const tolerate = (fn: () => unknown): void => void tolerateCodes(fn, GONE_OR_CHANGED);

  function removeFinalizer(r: ResourceType, obj: KubeObject, f: string, write: WriteCtx): void {
    tolerate(() => reg.guaranteedUpdate(r, obj.metadata.namespace, obj.metadata.name!, write, (cur) => {
      if (cur.metadata.uid !== obj.metadata.uid) return cur;
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((x) => x !== f);
      if (!cur.metadata.finalizers.length) delete cur.metadata.finalizers;
      return cur;
    }));
  }

  function stripRefs(r: ResourceType, obj: KubeObject, uids: Set<string>, write: WriteCtx): void {
    tolerate(() => reg.guaranteedUpdate(r, obj.metadata.namespace, obj.metadata.name!, write, (cur) => {
      if (cur.metadata.uid !== obj.metadata.uid) return cur;
      const kept = refsOf(cur).filter((ref) => !uids.has(ref.uid));
      if (kept.length) cur.metadata.ownerReferences = kept;
      else delete cur.metadata.ownerReferences;
      return cur;
    }));
  }

  function deleteObject(r: ResourceType, obj: KubeObject, policy: "Orphan" | "Foreground" | "Background", write: WriteCtx): void {
    tolerate(() => reg.delete(r, obj.metadata.namespace, obj.metadata.name!, write, {
      propagationPolicy: policy,
      preconditions: { uid: obj.metadata.uid },
    }));
  }

  /** attemptToOrphan: the owner's dependents lose their reference to it, then the owner its finalizer. */
  function orphan(r: ResourceType, owner: KubeObject, write: WriteCtx): void {
    const uid = new Set([owner.metadata.uid!]);
    for (const d of liveDependents(owner)) {
      const [dr] = parse(d.key);
      stripRefs(dr!, d.obj, uid, write);
    }
    removeFinalizer(r, owner, FINALIZER_ORPHAN, write);
  }

  /** processDeletingDependentsItem: an owner in foreground deletion waits for its blocking dependents. */
  function deletingDependents(r: ResourceType, owner: KubeObject, write: WriteCtx): void {
    const deps = liveDependents(owner);
    const blocking = deps.filter((d) => d.ref.blockOwnerDeletion);
    if (blocking.length === 0) {
      removeFinalizer(r, owner, FINALIZER_FOREGROUND, write);
      return;
    }
    // What the upstream collector enqueues for attemptToDelete, done in place; each dependent's
    // own deletion event brings this owner back here.
    // Only dependents not yet being deleted: the others have their own queue entries, and this
    // keeps a cycle of foreground owners from recursing.
    for (const d of deps) if (!d.obj.metadata.deletionTimestamp) attemptToDelete(d.key, write);
  }

  /** attemptToDeleteItem: the decision for one object, from the current state of it and its owners. */
  function attemptToDelete(key: string, write: WriteCtx): void {
    const [r, ns, name] = parse(key);
    if (!r) return;
    const obj = reg.tryGet(r, ns, name);
    observe(key, obj);
    if (!obj) return;
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, FINALIZER_ORPHAN)) orphan(r, obj, write);
      else if (hasFinalizer(obj, FINALIZER_FOREGROUND)) deletingDependents(r, obj, write);
      return; // otherwise it is already going away
    }
    const refs = refsOf(obj);
    if (refs.length === 0) return;

    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = lookupOwner(obj, ref);
      if (owner === "unknown") solid.push(ref); // cannot tell: never delete on a guess
      else if (!owner) dangling.push(ref);
      else if (owner.metadata.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND)) waiting.push(ref);
      else solid.push(ref);
    }

    if (solid.length) {
      // Still owned: only the references to owners that are gone or going are dropped.
      if (dangling.length || waiting.length) stripRefs(r, obj, new Set([...dangling, ...waiting].map((x) => x.uid)), write);
      return;
    }
    const deps = waiting.length ? liveDependents(obj) : [];
    if (deps.length) {
      // An owner waits for this object and it has dependents of its own: delete it in foreground
      // too. If one of those is itself deleting its dependents, unblock our owners first so two
      // foreground deletions cannot wait on each other forever.
      if (deps.some((d) => d.obj.metadata.deletionTimestamp && hasFinalizer(d.obj, FINALIZER_FOREGROUND))) {
        tolerate(() => reg.guaranteedUpdate(r, ns, name, write, (cur) => {
          for (const ref of refsOf(cur)) if (ref.blockOwnerDeletion) ref.blockOwnerDeletion = false;
          return cur;
        }));
        const fresh = reg.tryGet(r, ns, name);
        if (fresh && fresh.metadata.uid === obj.metadata.uid) deleteObject(r, fresh, "Foreground", write);
        return;
      }
      deleteObject(r, obj, "Foreground", write);
      return;
    }
    // No owner left: collect it, honouring a propagation finalizer it already carries.
    const policy = hasFinalizer(obj, FINALIZER_ORPHAN) ? "Orphan" : hasFinalizer(obj, FINALIZER_FOREGROUND) ? "Foreground" : "Background";
    deleteObject(r, obj, policy, write);
  }

  /** Keys a change enqueues; also keeps the graph current. Never throws (a throwing watcher is dropped). */
  function onChange(r: ResourceType, obj: KubeObject, prev: KubeObject | undefined, ev?: WatchCtx): string[] {
    try {
      const key = keyOf(r, obj);
      // Events arrive at commit, so a PUT's value is the live one and a DELETE means gone; without
      // the event type (driven by hand) the store is asked.
      let cur: KubeObject | undefined;
      if (ev) cur = ev.type === "DELETE" ? undefined : obj;
      else {
        const live = reg.etcd.get(registryKey(r, obj.metadata.namespace, obj.metadata.name!));
        cur = live ? reg.decode(live) : undefined;
      }
      const uid = obj.metadata.uid;
      if (!cur || cur.metadata.uid !== uid) {
        // Gone: its owners may be waiting for it, its dependents may now be orphans.
        const owners = graph.owners.get(key) ?? refsOf(obj).map((x) => x.uid);
        forget(key, uid);
        if (cur) observe(key, cur);
        return [...new Set([...ownerKeys(owners), ...dependentKeys(uid)])];
      }
      const dropped = observe(key, cur);
      const keys = ownerKeys(dropped);
      const refsChanged = !prev || prev.metadata.uid !== uid || JSON.stringify(refsOf(prev)) !== JSON.stringify(refsOf(cur));
      if (refsChanged) keys.push(...ownerKeys(refsOf(cur).map((x) => x.uid)));
      // As GraphBuilder, a dependent is looked at only when an owner it names is not in the graph
      // (a "virtual" node to verify); owners that exist are looked at through their own events.
      if (refsChanged && refsOf(cur).some((ref) => !ownerKnown(cur!, ref))) keys.push(key);
      if (cur.metadata.deletionTimestamp) {
        if (hasFinalizer(cur, FINALIZER_ORPHAN)) keys.push(key);
        if (hasFinalizer(cur, FINALIZER_FOREGROUND)) keys.push(key, ...dependentKeys(uid));
      }
      return [...new Set(keys)];
    } catch (e) {
      console.warn(`garbage collector: graph update failed: ${(e as Error).message}`);
      return [];
    }
  }

  return {
    name: "garbagecollector",
    graphSizes: () => ({ dependents: graph.dependents.size, owners: graph.owners.size, uids: graph.byUid.size }),
    watches: resources.map((r) => ({ prefix: registryPrefix(r), keys: (obj: KubeObject, prev: KubeObject | undefined, ev?: WatchCtx) => onChange(r, obj, prev, ev) })),
    resync(reg) {
      graph.dependents.clear();
      graph.owners.clear();
      graph.byUid.clear();
      const keys: string[] = [];
      for (const r of resources) {
        for (const obj of reg.list(r, undefined).items) {
          const key = keyOf(r, obj);
          observe(key, obj);
          const pending = obj.metadata.deletionTimestamp && (hasFinalizer(obj, FINALIZER_ORPHAN) || hasFinalizer(obj, FINALIZER_FOREGROUND));
          if (refsOf(obj).length || pending) keys.push(key);
        }
      }
      return keys;
    },
    reconcile(key, { write }) {
      attemptToDelete(key, write);
    },
  };
}
