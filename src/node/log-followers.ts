// `kubectl logs -f` readers of one node: slow consumers with bounded buffers. The node's sync hands
// each follower its new lines without ever waiting for the reader (the stream is a byte stream the
// node only enqueues into); a follower whose unread bytes would pass FOLLOW_MAX_QUEUED_BYTES is
// closed, as kube-apiserver closes a watch whose client cannot keep up (its watch cache's bounded
// per-watcher channel, staging/src/k8s.io/apiserver/pkg/storage/cacher), instead of blocking the sync
// or growing memory. What was queued before the close is still delivered; then the stream ends.

/** Unread bytes a follower may have queued before it is closed as too slow. */
export const FOLLOW_MAX_QUEUED_BYTES = 1024 * 1024;
/** Followers a node serves at once; one more is refused (429, as a server past its in-flight limit). */
export const FOLLOWERS_MAX = 32;

export interface FollowTarget { uid: string; container: string; timestamps: boolean }

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

  get size(): number {
    return this.followers.size;
  }

  /**
   * Open a follower: the first text (CRI timestamped lines, already bounded by the read's byte cap)
   * is queued at once. Returns null when the node already serves FOLLOWERS_MAX followers.
   */
  open(target: FollowTarget, firstText: string, now: number): ReadableStream<Uint8Array> | null {
    if (this.followers.size >= FOLLOWERS_MAX) return null;
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
