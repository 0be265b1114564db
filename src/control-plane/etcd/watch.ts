// In-memory fan-out of committed events to open watches. History lives in SQLite; this only
// holds the live subscribers of one classroom object.
import type { KeyValue } from "./store";

export interface WatchEvent {
  type: "PUT" | "DELETE";
  /** For DELETE: the last value the key had, with modRevision = the deleting revision. */
  kv: KeyValue;
  prev?: KeyValue;
}

export interface Watch {
  cancel(): void;
  /** Called when the store ends the watch (restore): the client must relist. */
  onClose?: (err: Error) => void;
}

interface Sub extends Watch { prefix: string; fn: (events: WatchEvent[]) => void }

export class WatchHub {
  private readonly subs = new Set<Sub>();

  get size(): number { return this.subs.size; }

  add(prefix: string, fn: (events: WatchEvent[]) => void): Watch {
    const sub: Sub = { prefix, fn, cancel: () => { this.subs.delete(sub); } };
    this.subs.add(sub);
    return sub;
  }

  publish(events: WatchEvent[]): void {
    for (const sub of [...this.subs]) {
      const mine = events.filter((e) => e.kv.key.startsWith(sub.prefix));
      if (mine.length === 0) continue;
      try {
        sub.fn(mine);
      } catch {
        // A broken subscriber (closed stream) must not stop delivery to the others.
        this.subs.delete(sub);
      }
    }
  }

  closeAll(err: Error): void {
    const subs = [...this.subs];
    this.subs.clear();
    for (const s of subs) s.onClose?.(err);
  }
}
