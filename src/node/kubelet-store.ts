// Where the Node object keeps its kubelet's state: one row for the node's own part and one row per
// pod record, as the kubelet keeps a checkpoint per pod rather than one file for the node. A single
// row would have to hold every container of every pod on the node, and a Durable Object's SQLite
// refuses a value over 2 MB (SQLITE_TOOBIG): then the save threw, the sync failed before renewing
// the Lease, and the node went NotReady for everyone (a student's pods with 1,000 containers did
// it). Per pod, a row is bounded by the API's containers-per-pod limit. Only changed rows are
// written: a pod record's JSON is compared with what this object last wrote for it.

import type { Sql } from "../control-plane/etcd/sql";
import type { KubeletState, PodRecord } from "./kubelet/state";

const STATE_KEY = "state";
const POD_PREFIX = "pod:";

export class KubeletStore {
  /** uid -> the JSON last written for that pod (what is in its row now). */
  private written = new Map<string, string>();
  private loadedRows = false;

  constructor(private readonly sql: Sql) {}

  /** The state with every pod record, or undefined before the node booted. */
  load(): KubeletState | undefined {
    const row = this.sql.one<{ value: string }>("SELECT value FROM node_kv WHERE key = ?", STATE_KEY);
    if (!row) return undefined;
    const state = JSON.parse(row.value) as KubeletState;
    // Records still inside the node's row come from before the split; the next save moves them out.
    const pods: Record<string, PodRecord> = { ...state.pods };
    const rows = this.sql.all<{ key: string; value: string }>("SELECT key, value FROM node_kv WHERE key >= ? AND key < ?", POD_PREFIX, POD_PREFIX + "\uffff");
    if (!this.loadedRows) {
      for (const r of rows) this.written.set(r.key.slice(POD_PREFIX.length), r.value);
      this.loadedRows = true;
    }
    for (const r of rows) pods[r.key.slice(POD_PREFIX.length)] = JSON.parse(r.value) as PodRecord;
    state.pods = pods;
    return state;
  }

  /** Writes what changed: the node's row, each changed pod's row, and removes pods gone. */
  save(state: KubeletState): void {
    if (!this.loadedRows) this.load();
    const changed: [string, string][] = [];
    for (const [uid, rec] of Object.entries(state.pods)) {
      const json = JSON.stringify(rec);
      if (this.written.get(uid) !== json) changed.push([uid, json]);
    }
    const gone = [...this.written.keys()].filter((uid) => !state.pods[uid]);
    this.sql.transaction(() => {
      for (const [uid, json] of changed) this.put(POD_PREFIX + uid, json);
      for (const uid of gone) this.sql.run("DELETE FROM node_kv WHERE key = ?", POD_PREFIX + uid);
      this.put(STATE_KEY, JSON.stringify({ ...state, pods: {} }));
    });
    // Only once the rows are there: a failed save leaves the memo as storage is.
    for (const [uid, json] of changed) this.written.set(uid, json);
    for (const uid of gone) this.written.delete(uid);
  }

  /** After storage was wiped (the machine is gone). */
  forget(): void {
    this.written.clear();
    this.loadedRows = false;
  }

  private put(key: string, json: string): void {
    this.sql.run("INSERT INTO node_kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, json);
  }
}
