// In-memory fan-out of committed events to open watches. History lives in SQLite; this only
// holds the live subscribers of one classroom object. A subscriber that fails is ended, never
// dropped silently: its owner hears of it through onClose, as etcd's watchable store cancels a
// watcher it cannot deliver to and the client sees its watch channel close. An owner's onClose
// that throws is called again at the next commit (client-go's reflector would notice its closed
// channel on its next loop; a callback has no loop, so the hub keeps telling it until it hears).
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
  /** Why the store ended the watch, set before onClose is called: an owner can always tell it is deaf. */
  readonly closed?: Error;
}

/** Times a throwing onClose is called again (once per commit) before the hub gives up and logs it. */
export const MAX_CLOSE_RETRIES = 100;

/** The store ended a watch because delivering to it failed; `cause` is what its callback threw. */
export class WatchClosedError extends Error {
  constructor(public override readonly cause: Error) {
    super(`watch closed: ${cause.message}`);
    this.name = "WatchClosedError";
  }
}

interface Sub extends Watch { prefix: string; fn: (events: WatchEvent[]) => void; closed?: Error; cancelled?: boolean }

export class WatchHub {
  private readonly subs = new Set<Sub>();
  /** Ended watches whose owner's onClose threw: told again at each commit, with the tries so far. */
  private readonly unheard = new Map<Sub, number>();

  get size(): number { return this.subs.size; }

  add(prefix: string, fn: (events: WatchEvent[]) => void): Watch {
    const sub: Sub = { prefix, fn, cancel: () => { sub.cancelled = true; this.subs.delete(sub); this.unheard.delete(sub); } };
    this.subs.add(sub);
    return sub;
  }

  /**
   * Hands every subscriber its events, in the order they subscribed. Subscribers of one prefix get
   * the same event objects (one filtering per prefix, not per subscriber), which is what lets the
   * API server's watches share one decode and one encode of each value (handlers/watch.ts).
   */
  publish(events: WatchEvent[]): void {
    // Owners that missed their watch's end hear first, so they relist before what follows.
    this.retryUnheard();
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
        this.end(sub, new WatchClosedError(err));
      }
    }
  }

  closeAll(err: Error): void {
    this.retryUnheard();
    const subs = [...this.subs];
    this.subs.clear();
    for (const s of subs) this.end(s, err);
  }

  /** Marks the watch ended, then tells its owner; an owner that throws is told again later. */
  private end(sub: Sub, err: Error): void {
    sub.closed = err;
    if (!this.tell(sub)) this.unheard.set(sub, 0);
  }

  /** Calls onClose; false when it threw (one owner failing must not keep the others from hearing). */
  private tell(sub: Sub): boolean {
    try {
      sub.onClose?.(sub.closed!);
      return true;
    } catch (e) {
      console.warn(`watch ${sub.prefix}: onClose failed: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  private retryUnheard(): void {
    if (this.unheard.size === 0) return;
    const due = [...this.unheard];
    this.unheard.clear(); // before calling: a commit made from inside onClose must not call it twice
    for (const [sub, tries] of due) {
      if (this.tell(sub) || sub.cancelled) continue; // heard, or its owner let it go
      if (tries + 1 < MAX_CLOSE_RETRIES) this.unheard.set(sub, tries + 1);
      else console.error(`watch ${sub.prefix}: owner never heard that its watch ended (${MAX_CLOSE_RETRIES} tries)`);
    }
  }
}
