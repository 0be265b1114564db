// The garbage collector's dependency graph (pkg/controller/garbagecollector/graph_builder.go):
// owner uid → dependent keys (GraphBuilder's uidToNode), built by resync and kept current by the
// watches from the events alone (no read per event), so a reconcile reads only the objects it
// concerns. Its size is bounded by the objects that exist (a delete removes the entries). The graph
// is a hint: every decision re-reads the objects from the registry (level-triggered), and stale
// entries are pruned when they are found not to hold.
import type { Registry } from "../../api-server/registry/store";
import { isStored, registryKey, resourceForKind, storageResource, type ResourceType } from "../../api-server/resources";
import type { KubeObject, OwnerReference } from "../../api-server/types";
import type { WatchCtx } from "../manager";
import { storageResources } from "../controller-utils";

export const FINALIZER_ORPHAN = "orphan";
export const FINALIZER_FOREGROUND = "foregroundDeletion";

export const hasFinalizer = (o: KubeObject, f: string) => !!o.metadata.finalizers?.includes(f);
export const refsOf = (o: KubeObject): OwnerReference[] => o.metadata.ownerReferences ?? [];

/** Resource id in keys: the storage resource, so versions sharing storage share keys. */
const rid = (r: ResourceType) => `${r.group}/${r.version}/${r.plural}`;

/**
 * What the collector watches: every stored resource once per storage prefix. Events are left out,
 * as kube-controller-manager's default ignoredResources does (they churn, and nothing owns them).
 */
export const gcResources = (): ResourceType[] => storageResources((r) => r.plural !== "events");

export interface Graph {
  /** owner uid → keys of objects that reference it. */
  dependents: Map<string, Set<string>>;
  /** object key → the owner uids it referenced when last seen. */
  owners: Map<string, string[]>;
  /** uid → key of the live object with that uid (to enqueue owners by uid). */
  byUid: Map<string, string>;
}

/** The collector's state: the registry it reads, the resources it watches and the graph. */
export interface GCState {
  reg: Registry;
  resources: ResourceType[];
  byRid: Map<string, ResourceType>;
  graph: Graph;
}

export function newGCState(reg: Registry): GCState {
  const resources = gcResources();
  return { reg, resources, byRid: new Map(resources.map((r) => [rid(r), r])), graph: { dependents: new Map(), owners: new Map(), byUid: new Map() } };
}

/** The collector's key for an object: "<resource id>|<namespace>|<name>". */
export const gcKey = (r: ResourceType, o: KubeObject) => `${rid(r)}|${o.metadata.namespace ?? ""}|${o.metadata.name}`;

export function parseKey(state: GCState, key: string): [ResourceType | undefined, string | undefined, string] {
  const [id, ns, name] = key.split("|");
  return [state.byRid.get(id), ns || undefined, name];
}

/** Records the object's current owners (none when gone); returns the owner uids it dropped. */
export function observe(graph: Graph, key: string, obj: KubeObject | undefined): string[] {
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

function forget(graph: Graph, key: string, uid: string | undefined): void {
  observe(graph, key, undefined);
  if (uid && graph.byUid.get(uid) === key) graph.byUid.delete(uid);
}

/** The owner a reference names is a live object in the graph, with that uid, kind, namespace and name. */
function ownerKnown(state: GCState, dep: KubeObject, ref: OwnerReference): boolean {
  const key = ref && state.graph.byUid.get(ref.uid);
  if (!key) return false;
  const [r, ns, name] = parseKey(state, key);
  const want = resourceForKind(ref.apiVersion, ref.kind);
  if (!r || !want || !isStored(want) || rid(storageResource(want)) !== rid(r) || name !== ref.name) return false;
  return want.namespaced ? ns === dep.metadata.namespace : ns === undefined;
}

const ownerKeys = (graph: Graph, uids: string[]) => uids.map((u) => graph.byUid.get(u)).filter((k): k is string => !!k);
export const dependentKeys = (graph: Graph, uid: string | undefined) => (uid ? [...(graph.dependents.get(uid) ?? [])] : []);

/**
 * processGraphChanges: the keys a change enqueues; also keeps the graph current. Never throws (a
 * throwing watcher is dropped).
 */
export function processGraphChanges(state: GCState, r: ResourceType, obj: KubeObject, prev: KubeObject | undefined, ev?: WatchCtx): string[] {
  const { graph, reg } = state;
  try {
    const key = gcKey(r, obj);
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
      forget(graph, key, uid);
      if (cur) observe(graph, key, cur);
      return [...new Set([...ownerKeys(graph, owners), ...dependentKeys(graph, uid)])];
    }
    const dropped = observe(graph, key, cur);
    const keys = ownerKeys(graph, dropped);
    const refsChanged = !prev || prev.metadata.uid !== uid || JSON.stringify(refsOf(prev)) !== JSON.stringify(refsOf(cur));
    if (refsChanged) keys.push(...ownerKeys(graph, refsOf(cur).map((x) => x.uid)));
    // As GraphBuilder, a dependent is looked at only when an owner it names is not in the graph
    // (a "virtual" node to verify); owners that exist are looked at through their own events.
    if (refsChanged && refsOf(cur).some((ref) => !ownerKnown(state, cur!, ref))) keys.push(key);
    if (cur.metadata.deletionTimestamp) {
      if (hasFinalizer(cur, FINALIZER_ORPHAN)) keys.push(key);
      if (hasFinalizer(cur, FINALIZER_FOREGROUND)) keys.push(key, ...dependentKeys(graph, uid));
    }
    return [...new Set(keys)];
  } catch (e) {
    console.warn(`garbage collector: graph update failed: ${(e as Error).message}`);
    return [];
  }
}

/** The graph rebuilt from a full list; the keys of objects with owners or a propagation finalizer pending. */
export function resyncGraph(state: GCState, reg: Registry): string[] {
  const { graph } = state;
  graph.dependents.clear();
  graph.owners.clear();
  graph.byUid.clear();
  const keys: string[] = [];
  for (const r of state.resources) {
    for (const obj of reg.list(r, undefined).items) {
      const key = gcKey(r, obj);
      observe(graph, key, obj);
      const pending = obj.metadata.deletionTimestamp && (hasFinalizer(obj, FINALIZER_ORPHAN) || hasFinalizer(obj, FINALIZER_FOREGROUND));
      if (refsOf(obj).length || pending) keys.push(key);
    }
  }
  return keys;
}
