// What the live feed shares among pages instead of building per page, after kube-apiserver's
// watch cache (staging/src/k8s.io/apiserver/pkg/storage/cacher: cachingObject serializes an event
// once per encoder for every watcher) applied to a page's first view:
// - SharedSnapshot: one encoded snapshot for every page that opens during a burst. It is built at
//   a revision and followed by the changes committed since (kept encoded, as the fan-out already
//   made them), so a page opening a little later costs a string join, not a walk of etcd.
// - SharedTexts: other catch-up messages (a resume from ?since=N) per revision, dropped at the next.
// - Coalescer: presence as a leading-and-trailing throttle, so a storm of joins costs a few
//   broadcasts, not one per join to every page.
// Every holder has a bound in entries and bytes; past it the next page builds its own.

/** Real time for the live feed; tests swap in a manual one. */
export interface LiveClock {
  now(): number;
  later(ms: number, fn: () => void): void;
}

export const realClock: LiveClock = { now: () => Date.now(), later: (ms, fn) => { setTimeout(fn, ms); } };

/** A shared snapshot serves pages for this many changes after it; then one fresh snapshot is cheaper than the tail. */
export const SNAPSHOT_TAIL_CHANGES = 500;
/** ...and while the tail stays under this many bytes, or a quarter of the snapshot when that is more
 * (past it every page would get much more than a fresh snapshot: one is built and shared instead). */
export const SNAPSHOT_TAIL_BYTES = 64 * 1024;
export const SNAPSHOT_TAIL_RATIO = 0.25;
/** ...and for this long (ms): a storm lasts seconds, and the text is memory held for nobody afterwards. */
export const SNAPSHOT_MAX_AGE_MS = 10_000;
/** A snapshot larger than this is built per page rather than held (the object's memory is 128 MB). */
export const MAX_SHARED_SNAPSHOT_BYTES = 16 * 1024 * 1024;
/** Catch-up messages kept for the current revision: entries and bytes. */
export const MAX_SHARED_TEXTS = 16;
export const MAX_SHARED_TEXT_BYTES = 8 * 1024 * 1024;
/** Presence goes out at most once per interval (2 a second): the first change at once, the rest together. */
export const PRESENCE_INTERVAL_MS = 500;

/** One change as it went out to pages: the revision that made it and its JSON text. */
export interface EncodedChange { rev: number; text: string }

/** `{"t":"changes",...}` from already-encoded changes: the bytes JSON.stringify gives for the whole message. */
export function changesText(rev: number, changes: readonly string[]): string {
  return `{"t":"changes","rev":${rev},"changes":[${changes.join(",")}]}`;
}

export class SharedSnapshot {
  private base?: { rev: number; at: number; text: string };
  private tail: EncodedChange[] = [];
  private tailBytes = 0;
  /** The tail's message, per revision it ends at. */
  private tailText?: { rev: number; text: string };

  get size(): { snapshots: number; bytes: number; tail: number } {
    return { snapshots: this.base ? 1 : 0, bytes: (this.base?.text.length ?? 0) + this.tailBytes + (this.tailText?.text.length ?? 0), tail: this.tail.length };
  }

  /** The messages that give a page the cluster at `rev`, from the held snapshot; undefined when none fits. */
  get(rev: number, now: number): string[] | undefined {
    const b = this.base;
    if (!b) return undefined;
    if (now - b.at > SNAPSHOT_MAX_AGE_MS || rev < b.rev) {
      this.clear();
      return undefined;
    }
    const tail = this.tail.filter((c) => c.rev > b.rev);
    if (tail.length === 0) return [b.text];
    if (this.tailText?.rev !== rev) this.tailText = { rev, text: changesText(rev, tail.map((c) => c.text)) };
    return [b.text, this.tailText.text];
  }

  /** Holds a snapshot just built at `rev`, when small enough. */
  put(rev: number, now: number, text: string): void {
    this.clear();
    if (text.length <= MAX_SHARED_SNAPSHOT_BYTES) this.base = { rev, at: now, text };
  }

  /** Changes committed after the snapshot; past the tail's bounds the snapshot is let go. */
  append(changes: readonly EncodedChange[]): void {
    if (!this.base) return;
    for (const c of changes) {
      this.tail.push(c);
      this.tailBytes += c.text.length;
    }
    if (this.tail.length > SNAPSHOT_TAIL_CHANGES || this.tailBytes > Math.max(SNAPSHOT_TAIL_BYTES, this.base.text.length * SNAPSHOT_TAIL_RATIO)) this.clear();
  }

  clear(): void {
    this.base = undefined;
    this.tail = [];
    this.tailBytes = 0;
    this.tailText = undefined;
  }
}

/** Encoded messages valid at one revision only (the next commit makes them stale), bounded in entries and bytes. */
export class SharedTexts {
  private rev = -1;
  private readonly texts = new Map<string, string>();
  private bytes = 0;

  get size(): { entries: number; bytes: number } { return { entries: this.texts.size, bytes: this.bytes }; }

  get(rev: number, key: string): string | undefined {
    if (rev !== this.rev) this.clear(rev);
    return this.texts.get(key);
  }

  put(rev: number, key: string, text: string): void {
    if (rev !== this.rev) this.clear(rev);
    if (text.length > MAX_SHARED_TEXT_BYTES || this.texts.has(key)) return;
    this.texts.set(key, text);
    this.bytes += text.length;
    // Oldest first: Map keeps insertion order.
    for (const [k, t] of this.texts) {
      if (this.texts.size <= MAX_SHARED_TEXTS && this.bytes <= MAX_SHARED_TEXT_BYTES) break;
      this.texts.delete(k);
      this.bytes -= t.length;
    }
  }

  clear(rev = -1): void {
    this.rev = rev;
    this.texts.clear();
    this.bytes = 0;
  }
}

/**
 * Runs `fire` at most once per interval: at once when the last run is an interval old, otherwise
 * once at the end of the interval however many pokes came meanwhile. The pending run is one flag,
 * not a queue: what it sends is read when it runs.
 */
export class Coalescer {
  private lastAt = -Infinity;
  private armed = false;
  /** Runs of `fire` so far (tests and the storm measurement). */
  runs = 0;

  constructor(private readonly intervalMs: number, private readonly clock: () => LiveClock, private readonly fire: () => void) {}

  get pending(): boolean { return this.armed; }

  poke(): void {
    if (this.armed) return;
    const wait = this.lastAt + this.intervalMs - this.clock().now();
    if (wait <= 0) return this.run();
    this.armed = true;
    this.clock().later(wait, () => {
      this.armed = false;
      this.run();
    });
  }

  private run(): void {
    this.lastAt = this.clock().now();
    this.runs++;
    this.fire();
  }
}
