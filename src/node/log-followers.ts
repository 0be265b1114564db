// `kubectl logs -f` readers of one node: slow consumers with bounded buffers. The node's sync hands
// each follower its new lines without ever waiting for the reader (the stream is a byte stream the
// node only enqueues into); a follower whose unread bytes would pass FOLLOW_MAX_QUEUED_BYTES is
// closed, as kube-apiserver closes a watch whose client cannot keep up (its watch cache's bounded
// per-watcher channel, staging/src/k8s.io/apiserver/pkg/storage/cacher), instead of blocking the sync
// or growing memory. What was queued before the close is still delivered; then the stream ends.

/** Unread bytes a follower may have queued before it is closed as too slow. */
export const FOLLOW_MAX_QUEUED_BYTES = 1024 * 1024;
/**
 * Followers a node serves at once, and per person. A new follower is never refused (a real kubelet
 * has no such limit): past a bound the oldest stream of whoever holds the most is ended first. A
 * client that went away without its cancel reaching the node (a stream of a quiet pod is never
 * written to, so nothing notices) thus costs a slot only until its owner, or the busiest
 * follower, opens another one; one person can never hold more than FOLLOWERS_PER_USER.
 */
export const FOLLOWERS_MAX = 32;
export const FOLLOWERS_PER_USER = 4;

export interface FollowTarget { uid: string; container: string; timestamps: boolean; user: string }

interface Follower extends FollowTarget {
  /** Timestamp (RFC 3339, as in the CRI log) of the last line sent, and its time in ms. */
  lastTs: string;
  lastAt: number;
  ctl: ReadableByteStreamController;
  closed: boolean;
}

/** New lines for a follower since `sinceAt`, with CRI timestamps, or an error when its container is gone. */
export type RenderSince = (f: FollowTarget, sinceAt: number) => { text: string } | { error: string };

const encoder = new TextEncoder();

export class LogFollowers {
  private readonly followers = new Set<Follower>();
  /** Followers closed because they fell behind, since this node object started. */
  slowClosed = 0;
  /** Followers ended to make room for a newer one (the per-person or per-node bound). */
  replaced = 0;

  get size(): number {
    return this.followers.size;
  }

  /**
   * Open a follower: the first text (CRI timestamped lines, already bounded by the read's byte cap)
   * is queued at once. Makes room first: the user's own oldest stream past FOLLOWERS_PER_USER, or,
   * past FOLLOWERS_MAX, the oldest stream of the person holding the most.
   */
  open(target: FollowTarget, firstText: string, now: number): ReadableStream<Uint8Array> {
    const mine = [...this.followers].filter((f) => f.user === target.user);
    if (mine.length >= FOLLOWERS_PER_USER) this.end(mine[0]);
    else if (this.followers.size >= FOLLOWERS_MAX) this.end(this.oldestOfBusiest());
    let ctl!: ReadableByteStreamController;
    let follower: Follower | undefined;
    const source: UnderlyingByteSource = {
      type: "bytes",
      start: (c) => { ctl = c; },
      cancel: () => { if (follower) this.drop(follower); }, // the client went away
    };
    const stream = new ReadableStream(source, { highWaterMark: FOLLOW_MAX_QUEUED_BYTES });
    follower = { ...target, lastTs: lastTimestamp(firstText), lastAt: now, ctl, closed: false };
    this.followers.add(follower);
    const first = format(firstText, target.timestamps);
    if (first) ctl.enqueue(encoder.encode(first));
    return stream as ReadableStream<Uint8Array>;
  }

  /** Followers per person (for tests and the architecture view). */
  byUser(): Map<string, number> {
    const out = new Map<string, number>();
    for (const f of this.followers) out.set(f.user, (out.get(f.user) ?? 0) + 1);
    return out;
  }

  /** Set order is opening order: the first follower of the person with the most is their oldest. */
  private oldestOfBusiest(): Follower {
    const counts = this.byUser();
    let busiest = "";
    for (const [u, n] of counts) if (n > (counts.get(busiest) ?? 0)) busiest = u;
    return [...this.followers].find((f) => f.user === busiest)!;
  }

  private end(f: Follower): void {
    this.replaced++;
    this.close(f);
  }

  /** Hand every follower its new lines. Synchronous: it never waits for a reader. */
  feed(render: RenderSince, now: number): void {
    for (const f of [...this.followers]) {
      if (f.closed) { this.followers.delete(f); continue; }
      const res = render(f, f.lastAt);
      if ("error" in res) { this.close(f); continue; }
      const fresh = res.text.split("\n").filter((l) => l && l.slice(0, l.indexOf(" ")) > f.lastTs);
      f.lastAt = now;
      if (fresh.length === 0) continue;
      const last = fresh[fresh.length - 1];
      f.lastTs = last.slice(0, last.indexOf(" "));
      const bytes = encoder.encode(format(fresh.join("\n") + "\n", f.timestamps));
      // A reader this far behind is not going to catch up: end its stream (slow consumer).
      if (bytes.byteLength > (f.ctl.desiredSize ?? 0)) {
        this.slowClosed++;
        this.close(f);
        continue;
      }
      try {
        f.ctl.enqueue(bytes);
      } catch {
        this.drop(f); // the stream is already errored or closed
      }
    }
  }

  closeAll(): void {
    for (const f of [...this.followers]) this.close(f);
  }

  private close(f: Follower): void {
    if (!f.closed) {
      try { f.ctl.close(); } catch { /* already closed or cancelled */ }
    }
    this.drop(f);
  }

  private drop(f: Follower): void {
    f.closed = true;
    this.followers.delete(f);
  }
}

function format(text: string, timestamps: boolean): string {
  return timestamps ? text : text.split("\n").map((l) => (l ? l.slice(l.indexOf(" ") + 1) : l)).join("\n");
}

function lastTimestamp(text: string): string {
  const lines = text.split("\n").filter(Boolean);
  const last = lines[lines.length - 1];
  return last ? last.slice(0, last.indexOf(" ")) : "";
}
