// Keys read since etcd's revision last moved. A write reads its key up to three times (the
// registry's read of the old object, the transaction's compare, its plan); with this it is one
// SELECT. Exact: every change of etcd_kv moves the revision (txn, restore), and the cache is
// dropped whenever it has moved. Bounded all the same: a reader of many keys between two writes
// (a garbage collector pass) starts it again at READ_CACHE_MAX.
import type { KeyValue } from "./store";

export const READ_CACHE_MAX = 256;

export class ReadCache {
  private readonly reads = new Map<string, KeyValue | undefined>();
  private at = -1;

  get(key: string, revision: number, load: (key: string) => KeyValue | undefined): KeyValue | undefined {
    if (this.at !== revision) {
      this.reads.clear();
      this.at = revision;
    }
    if (this.reads.has(key)) return this.reads.get(key);
    const kv = load(key);
    if (this.reads.size >= READ_CACHE_MAX) this.reads.clear();
    // Frozen: a reader that changed a cached value would change what the next one reads.
    this.reads.set(key, kv && Object.freeze(kv));
    return kv;
  }

  /** Keys held for this revision (for the bound's test). */
  size(revision: number): number {
    return this.at === revision ? this.reads.size : 0;
  }
}
