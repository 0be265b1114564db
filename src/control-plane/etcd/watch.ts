// In-memory fan-out of committed events to open watches. History lives in SQLite; this only
// holds the live subscribers of one classroom object. A subscriber that fails is ended, never
// dropped silently: its owner hears of it through onClose, as etcd's watchable store cancels a
// watcher it cannot deliver to and the client sees its watch channel close.
import type { KeyValue } from "./store";

export interface WatchEvent {
  type: "PUT" | "DELETE";
  /** For DELETE: the last value the key had, with modRevision = the deleting revision. */
  kv: KeyValue;
  prev?: KeyValue;
}

export interface Watch {
  cancel(): void;
  /** Called when the store ends the watch (restore, or the subscriber threw): the client must relist. */
  onClose?: (err: Error) => void;
}

/** The store ended a watch because delivering to it failed; `cause` is what its callback threw. */
export class WatchClosedError extends Error {
  constructor(public override readonly cause: Error) {
    super(`watch closed: ${cause.message}`);
    this.name = "WatchClosedError";
  }
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

  /**
   * Hands every subscriber its events, in the order they subscribed. Subscribers of one prefix get
   * the same event objects (one filtering per prefix, not per subscriber), which is what lets the
   * API server's watches share one decode and one encode of each value (handlers/watch.ts).
   */
  publish(events: WatchEvent[]): void {
    const byPrefix = new Map<string, WatchEvent[]>();
    for (const sub of [...this.subs]) {
      let mine = byPrefix.get(sub.prefix);
      if (!mine) byPrefix.set(sub.prefix, (mine = events.filter((e) => e.kv.key.startsWith(sub.prefix))));
      if (mine.length === 0) continue;
      try {
        sub.fn(mine);
      } catch (e) {
        // A broken subscriber (closed stream) must not stop delivery to the others; it is ended
        // and told, so its owner can re-watch instead of waiting forever for events it missed.
        this.subs.delete(sub);
        const err = e instanceof Error ? e : new Error(String(e));
        try {
          sub.onClose?.(new WatchClosedError(err));
        } catch {
          // its owner's handler failing too must not stop delivery to the others either
        }
      }
    }
  }

  closeAll(err: Error): void {
    const subs = [...this.subs];
    this.subs.clear();
    for (const s of subs) {
      try {
        s.onClose?.(err);
      } catch {
        // one owner failing must not keep the others from hearing
      }
    }
  }
}
