// Shared informers and their stores, after client-go's informers/factory.go (one informer per
// resource, shared by every controller), tools/cache/shared_informer.go (one watch, each event
// decoded once and handed to every handler) and tools/cache/thread_safe_store.go (an in-memory
// copy of what the watch has seen, indexed by namespace, that listers read instead of etcd).
//
// Delivery from the etcd watch is synchronous (at commit), so a store is never behind a write the
// controller itself just made: what ControllerExpectations guard against upstream cannot happen.
// Objects handed out are frozen: they are shared by every controller and must never be changed.
// A closed watch (etcd restore, compaction, a broken subscriber) drops the store; it is listed
// again from etcd on next use, so a store holds exactly the objects that exist under its prefix.
import type { Etcd, KeyValue } from "../etcd/store";
import type { Watch } from "../etcd/watch";
import type { Registry } from "../api-server/registry/store";
import { registryKey, registryPrefix, type ResourceType } from "../api-server/resources";
import type { KubeObject } from "../api-server/types";

/** Reads of the current objects: from a store when the manager gives one, else from etcd. */
export interface Lister {
  /** The objects of a resource (in one namespace, or all), in key order, as reg.list gives them; a new array. */
  list<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined): T[];
  get<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, name: string): T | undefined;
}

/** A lister straight over the registry (controllers driven by hand, without a manager). */
export function registryLister(reg: Registry): Lister {
  return {
    list: (r, ns) => reg.list(r, ns).items,
    get: (r, ns, name) => reg.tryGet(r, ns, name),
  };
}

export interface InformerEvent { type: "PUT" | "DELETE"; key: string; obj: KubeObject; prev?: KubeObject }

export interface Handler {
  event(ev: InformerEvent): void;
  /** A value under the prefix that could not be decoded. */
  error(key: string, err: unknown): void;
  /** The watch closed: the handler's owner must list again. */
  closed(): void;
}

/** One namespace's objects (key → object) and their keys in order, kept until one is added or removed. */
interface Bucket { objs: Map<string, KubeObject>; sorted?: string[] }

interface Store { byNs: Map<string, Bucket>; size: number }

interface Shared { prefix: string; watch?: Watch; handlers: Set<Handler>; store?: Store }

/** Freezes an object and everything in it (decoded JSON: plain objects and arrays). */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as Record<string, unknown>)) deepFreeze(x);
  }
  return v;
}

export class SharedInformers implements Lister {
  private readonly shared = new Map<string, Shared>();
  /** Values decoded from watch events (one per event, whatever the number of handlers). */
  decodes = 0;

  constructor(private readonly reg: Registry, private readonly etcd: Etcd) {}

  /** Adds a handler to the prefix's informer, opening its watch if needed; returns how to remove it. */
  subscribe(prefix: string, h: Handler): () => void {
    const s = this.open(prefix);
    s.handlers.add(h);
    return () => { s.handlers.delete(h); };
  }

  list<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined): T[] {
    const store = this.storeOf(registryPrefix(r));
    // A prefix holds only its resource's objects.
    if (ns !== undefined && r.namespaced) return sortedOf(store.byNs.get(ns)) as T[];
    const out: T[] = [];
    // Key order across namespaces: "a-b/x" sorts before "a/x".
    for (const name of [...store.byNs.keys()].sort((a, b) => cmp(`${a}/`, `${b}/`))) out.push(...(sortedOf(store.byNs.get(name)) as T[]));
    return out;
  }

  get<T extends KubeObject>(r: ResourceType<T>, ns: string | undefined, name: string): T | undefined {
    const prefix = registryPrefix(r);
    const key = registryKey(r, ns, name);
    return this.storeOf(prefix).byNs.get(nsOf(prefix, key))?.objs.get(key) as T | undefined;
  }

  /** Objects held per prefix (for tests and the bound: what exists, nothing more). */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.shared.values()) if (s.store) out[s.prefix] = s.store.size;
    return out;
  }

  /** Open etcd watches (one per prefix, however many controllers use it). */
  watchCount(): number {
    let n = 0;
    for (const s of this.shared.values()) if (s.watch) n++;
    return n;
  }

  stop(): void {
    for (const s of this.shared.values()) s.watch?.cancel();
    this.shared.clear();
  }

  private open(prefix: string): Shared {
    let s = this.shared.get(prefix);
    if (!s) this.shared.set(prefix, (s = { prefix, handlers: new Set() }));
    // Ended, but our onClose has not run yet (it threw; the hub tells it again at the next commit):
    // the store is stale and the watch deaf, so act on the end now rather than serve either.
    if (s.watch?.closed) {
      try {
        this.closed(s, s.watch);
      } catch (err) {
        // Every handler was told; one failing is its owner's fault, not this caller's.
        console.warn(`informer ${prefix}: a handler failed on a closed watch: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!s.watch) {
      const sh = s;
      const watch = this.etcd.watch(prefix, this.etcd.revision, (events) => {
        for (const e of events) this.deliver(sh, e.type, e.kv, e.prev);
      });
      watch.onClose = () => this.closed(sh, watch);
      s.watch = watch;
    }
    return s;
  }

  /** The prefix's store, listed from etcd when there is none (first use, or after a closed watch). */
  private storeOf(prefix: string): Store {
    const s = this.open(prefix);
    if (!s.store) {
      const store: Store = { byNs: new Map(), size: 0 };
      for (const kv of this.etcd.range(prefix).kvs) {
        const obj = this.tryDecode(kv);
        if (obj) put(store, prefix, kv.key, obj);
      }
      s.store = store;
    }
    return s.store;
  }

  private tryDecode(kv: KeyValue): KubeObject | undefined {
    const obj = this.reg.tryDecode(kv);
    return obj && deepFreeze(obj);
  }

  /** One event: decoded once, into the store, then to every handler (none of which may stop the others). */
  private deliver(s: Shared, type: "PUT" | "DELETE", kv: KeyValue, prevKv?: KeyValue): void {
    let obj: KubeObject;
    let prev: KubeObject | undefined;
    const held = s.store?.byNs.get(nsOf(s.prefix, kv.key))?.objs.get(kv.key);
    try {
      this.decodes++;
      obj = deepFreeze(this.reg.decode(kv));
      // What a list would leave out (reg.tryDecode) is no object to the handlers either.
      if (typeof obj.metadata !== "object" || obj.metadata === null || Array.isArray(obj.metadata)) throw new Error("stored value has no metadata");
      // The previous value is usually the one the store holds: no second decode.
      prev = !prevKv ? undefined : held && held.metadata.resourceVersion === String(prevKv.modRevision) ? held : deepFreeze(this.reg.decode(prevKv));
    } catch (err) {
      if (s.store) remove(s.store, s.prefix, kv.key);
      for (const h of [...s.handlers]) h.error(kv.key, err);
      return;
    }
    if (s.store) {
      if (type === "DELETE") remove(s.store, s.prefix, kv.key);
      // A late event (delivered after a newer one for the same key) never replaces the newer.
      else if (!held || Number(held.metadata.resourceVersion) <= kv.modRevision) put(s.store, s.prefix, kv.key, obj);
    }
    const ev: InformerEvent = { type, key: kv.key, obj, prev };
    for (const h of [...s.handlers]) h.event(ev);
  }

  private closed(s: Shared, watch: Watch): void {
    if (s.watch !== watch) return;
    s.watch = undefined;
    s.store = undefined; // stale from now on: listed again on next use
    const handlers = [...s.handlers];
    s.handlers.clear();
    // Every handler hears, whichever of them fails; the first failure goes on to the hub's log.
    let failed: unknown;
    for (const h of handlers) {
      try {
        h.closed();
      } catch (err) {
        failed ??= err;
      }
    }
    if (failed !== undefined) throw failed;
  }
}

/** The namespace part of a key under the prefix ("" for cluster-scoped objects). */
function nsOf(prefix: string, key: string): string {
  const rest = key.slice(prefix.length);
  const i = rest.indexOf("/");
  return i < 0 ? "" : rest.slice(0, i);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortedOf(b: Bucket | undefined): KubeObject[] {
  if (!b) return [];
  if (!b.sorted) b.sorted = [...b.objs.keys()].sort(cmp);
  return b.sorted.map((k) => b.objs.get(k)!);
}

function put(store: Store, prefix: string, key: string, obj: KubeObject): void {
  const ns = nsOf(prefix, key);
  let b = store.byNs.get(ns);
  if (!b) store.byNs.set(ns, (b = { objs: new Map() }));
  const had = b.objs.has(key);
  b.objs.set(key, obj);
  // An update keeps the key order; only an added key changes it.
  if (!had) {
    store.size++;
    b.sorted = undefined;
  }
}

function remove(store: Store, prefix: string, key: string): void {
  const ns = nsOf(prefix, key);
  const b = store.byNs.get(ns);
  if (!b || !b.objs.delete(key)) return;
  store.size--;
  b.sorted = undefined;
  if (b.objs.size === 0) store.byNs.delete(ns);
}
