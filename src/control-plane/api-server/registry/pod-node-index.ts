// Pods by node, as kube-apiserver's watch cache indexes them (pkg/registry/core/pod: the
// "spec.nodeName" indexer and NodeNameTriggerFunc): every kubelet lists its pods with
// fieldSelector=spec.nodeName=<node>, and without an index each of those LISTs reads and decodes
// every pod of the classroom. The index follows etcd through a watch, whoever writes; a restore or a
// compaction closes the watch and the index is built again at the next use.
import type { Etcd, KeyValue } from "../../etcd/store";
import type { Watch } from "../../etcd/watch";

export const PODS_PREFIX = "/registry/pods/";

/** spec.nodeName of a stored pod (JSON), or "" when unscheduled or unreadable. */
function nodeNameOf(value: string): string {
  // Most pod writes are status updates of scheduled pods; nodeName never changes once set (the
  // update validation forbids it), so its presence is checked before anything is parsed.
  if (!value.includes('"nodeName"')) return "";
  try {
    const pod = JSON.parse(value) as { spec?: { nodeName?: unknown } };
    return typeof pod.spec?.nodeName === "string" ? pod.spec.nodeName : "";
  } catch {
    return "";
  }
}

export class PodNodeIndex {
  /** key → node, for scheduled pods; node → keys. Bounded by the pods that exist. */
  private readonly nodeOf = new Map<string, string>();
  private readonly keysOf = new Map<string, Set<string>>();
  private watch?: Watch;

  constructor(private readonly etcd: Etcd) {}

  /** Keys of the pods on `node` (sorted, as a range would return them), under `prefix`. */
  keys(node: string, prefix = PODS_PREFIX): string[] {
    this.follow();
    const keys = [...(this.keysOf.get(node) ?? [])].filter((k) => k.startsWith(prefix));
    return keys.sort();
  }

  size(): number {
    return this.nodeOf.size;
  }

  private follow(): void {
    if (this.watch && !this.watch.closed) return; // ended but not yet heard (etcd/watch.ts): rebuild now
    this.nodeOf.clear();
    this.keysOf.clear();
    const { kvs, revision } = this.etcd.range(PODS_PREFIX);
    for (const kv of kvs) this.put(kv);
    const w = this.etcd.watch(PODS_PREFIX, revision, (events) => {
      for (const e of events) {
        if (e.type === "DELETE") this.remove(e.kv.key);
        else this.put(e.kv);
      }
    });
    w.onClose = () => {
      if (this.watch !== w) return; // a late retelling after a rebuild
      this.watch = undefined;
      this.nodeOf.clear();
      this.keysOf.clear();
    };
    this.watch = w;
  }

  private put(kv: KeyValue): void {
    const known = this.nodeOf.get(kv.key);
    // The same pod written again (a status update): its node cannot have changed.
    if (known !== undefined && kv.value.includes(`"nodeName":${JSON.stringify(known)}`)) return;
    const node = nodeNameOf(kv.value);
    if (node === known) return;
    this.remove(kv.key);
    if (!node) return;
    this.nodeOf.set(kv.key, node);
    let set = this.keysOf.get(node);
    if (!set) this.keysOf.set(node, (set = new Set()));
    set.add(kv.key);
  }

  private remove(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const set = this.keysOf.get(node);
    set?.delete(key);
    if (set && set.size === 0) this.keysOf.delete(node);
  }
}
