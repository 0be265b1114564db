// Live updates for every open page of a classroom: one hibernatable WebSocket per page, fed from
// etcd's committed changes. The object can sleep with the sockets open; any write wakes it, and
// the constructor subscribes again before the write commits, so no change is missed.
// A page that reconnects says the last revision it saw and gets only what changed since, read a
// page of history at a time and only while it stays under MAX_CATCH_UP / MAX_CATCH_UP_BYTES;
// beyond that it gets a fresh snapshot, so a resume never holds unbounded history.
// A class opening its pages at once costs O(pages), not O(pages²): pages opening in the same burst
// share one encoded snapshot (plus the changes since, already encoded for the fan-out), and
// presence goes out at most every PRESENCE_INTERVAL_MS however many join or leave (live-share.ts).
// Sockets: workerd's WebSocket has no bufferedAmount, so what a slow page has not received yet
// cannot be measured here; what is bounded is every message (catch-up as above, changes batched
// per burst of commits). Nothing is buffered per socket.
import { findResource, registryPrefix } from "../control-plane/api-server/resources";
import { CompactedError, type Etcd } from "../control-plane/etcd/store";
import type { Watch, WatchEvent } from "../control-plane/etcd/watch";
import { changesText, Coalescer, PRESENCE_INTERVAL_MS, realClock, SharedSnapshot, SharedTexts, type EncodedChange, type LiveClock } from "./live-share";
import { LIVE_RESOURCES, type ClientMessage, type LiveChange, type LiveObject, type LiveResource, type LiveSettings, type LiveStats, type Person, type ServerMessage } from "./live-protocol";

const GROUPS: Record<LiveResource, string> = { pods: "", nodes: "", events: "", services: "", namespaces: "", deployments: "apps", replicasets: "apps", daemonsets: "apps", statefulsets: "apps", jobs: "batch" };
const PREFIXES: [string, LiveResource][] = LIVE_RESOURCES.map((r) => [registryPrefix(findResource(GROUPS[r], "v1", r)!), r]);
/** A first view needs recent events, not all of them. */
const SNAPSHOT_EVENTS = 300;
/** Beyond this much to catch up on, a fresh snapshot is smaller. */
export const MAX_CATCH_UP = 2_000;
/** Nor more than this much of objects in one catch-up message (well under a WebSocket message's limit). */
export const MAX_CATCH_UP_BYTES = 8 * 1024 * 1024;

/**
 * Stats asked for within this long of the last computation get the same answer: the architecture
 * view polls every 2 s, and a class of pages on it must cost one computation a second, not one each.
 */
export const STATS_SHARE_MS = 1_000;

export interface LiveHooks {
  settings(): LiveSettings;
  stats(): LiveStats;
  /** A visible page counts as activity: the clock keeps running while people watch. */
  touch(): void;
}

interface Attachment { name: string; role: Person["role"]; namespace?: string }

function resourceOf(key: string): LiveResource | undefined {
  for (const [p, r] of PREFIXES) if (key.startsWith(p)) return r;
  return undefined;
}

function parse(value: string): LiveObject {
  const obj = JSON.parse(value) as LiveObject;
  // Bookkeeping for apply; pages never show it and it is most of an object's size.
  if (obj.metadata) delete obj.metadata.managedFields;
  return obj;
}

export function toChanges(events: WatchEvent[]): LiveChange[] {
  const out: LiveChange[] = [];
  for (const e of events) {
    const resource = resourceOf(e.kv.key);
    if (resource) out.push({ type: e.type, resource, object: parse(e.kv.value) });
  }
  return out;
}

export class LiveHub {
  /** Changes committed and not yet sent, each encoded once for every page. */
  private pending: EncodedChange[] = [];
  private watch?: Watch;
  private flushQueued = false;
  /** The storage warning last announced: pages hear when it turns on or off, not every byte. */
  private storageWarning: boolean;
  /** Real time for the shared snapshot's age and presence; tests swap in a manual clock. */
  clock: LiveClock = realClock;
  private readonly shared = new SharedSnapshot();
  private readonly texts = new SharedTexts();
  private readonly presence = new Coalescer(PRESENCE_INTERVAL_MS, () => this.clock, () => this.sendPresence());
  /** Sockets closed and still listed by the runtime until their close handler returns: not present. */
  private readonly leaving = new WeakSet<WebSocket>();
  /** What a burst of pages cost (the storm test reads these). */
  readonly counters = { snapshotsBuilt: 0, snapshotsShared: 0, catchUpsBuilt: 0, catchUpsShared: 0, statsBuilt: 0, statsShared: 0 };
  /** The last stats answer (one entry), shared for STATS_SHARE_MS. */
  private stats?: { at: number; text: string };

  constructor(private readonly ctx: DurableObjectState, private readonly etcd: Etcd, private readonly hooks: LiveHooks) {
    this.storageWarning = etcd.usage().warning;
    this.subscribe();
  }

  private subscribe(): void {
    const w = this.etcd.watch("/registry/", this.etcd.revision, (events) => this.onEvents(events));
    this.watch = w;
    // An etcd restore ends every watch: start again and give every page the restored cluster.
    w.onClose = () => {
      if (this.watch !== w) return; // told again after it already subscribed afresh
      this.pending = [];
      this.shared.clear();
      this.texts.clear();
      this.subscribe();
      const text = this.snapshotText();
      for (const ws of this.sockets()) this.sendText(ws, text);
    };
  }

  private sockets(except?: WebSocket): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws !== except && !this.leaving.has(ws));
  }

  private onEvents(events: WatchEvent[]): void {
    const warning = this.etcd.usage().warning;
    if (warning !== this.storageWarning) {
      this.storageWarning = warning;
      this.settingsChanged();
    }
    if (this.ctx.getWebSockets().length === 0) {
      // Nobody to tell, so nobody keeps the shared snapshot's tail: the next page builds afresh.
      this.shared.clear();
      return;
    }
    for (const e of events) {
      const resource = resourceOf(e.kv.key);
      if (resource) this.pending.push({ rev: e.kv.modRevision, text: JSON.stringify({ type: e.type, resource, object: parse(e.kv.value) } satisfies LiveChange) });
    }
    if (this.flushQueued) return;
    this.flushQueued = true;
    // One message per burst of commits (a request often writes several times).
    queueMicrotask(() => this.flush());
  }

  flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.shared.append(batch);
    this.broadcastText(changesText(this.etcd.revision, batch.map((c) => c.text)));
  }

  broadcast(msg: ServerMessage, except?: WebSocket): void {
    this.broadcastText(JSON.stringify(msg), except);
  }

  private broadcastText(text: string, except?: WebSocket): void {
    for (const ws of this.sockets(except)) this.sendText(ws, text);
  }

  private send(ws: WebSocket, msg: ServerMessage): void {
    this.sendText(ws, JSON.stringify(msg));
  }

  private sendText(ws: WebSocket, text: string): void {
    try {
      ws.send(text);
    } catch {
      // closing already; its close handler tidies up
    }
  }

  /** Accepts a page's socket: hello, then what it missed (or everything); presence follows, coalesced. */
  accept(person: Omit<Person, "connections">, since: number | undefined): Response {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [person.role]);
    const att: Attachment = { name: person.name, role: person.role, namespace: person.namespace };
    server.serializeAttachment(att);
    this.send(server, { t: "hello", you: { ...person, connections: 1 }, settings: this.hooks.settings() });
    for (const text of this.catchUpTexts(since)) this.sendText(server, text);
    this.presence.poke();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** What a page opening now needs, shared with every other page opening in the same burst. */
  private catchUpTexts(since: number | undefined): string[] {
    const rev = this.etcd.revision;
    if (since === undefined || since > rev) return this.snapshotTexts();
    const key = `since:${since}`;
    const cached = this.texts.get(rev, key);
    if (cached !== undefined) {
      this.counters.catchUpsShared++;
      return [cached];
    }
    const msg = this.catchUp(since);
    if (msg === undefined) return this.snapshotTexts();
    this.counters.catchUpsBuilt++;
    const text = JSON.stringify(msg);
    this.texts.put(rev, key, text);
    return [text];
  }

  /** The changes since a revision, or undefined when a snapshot is smaller (too many) or needed (compacted). */
  private catchUp(since: number): ServerMessage | undefined {
    try {
      const changes: LiveChange[] = [];
      let bytes = 0;
      for (const page of this.etcd.historyPages("/registry/", since)) {
        for (const e of page) if (resourceOf(e.kv.key)) bytes += e.kv.value.length;
        changes.push(...toChanges(page));
        if (changes.length > MAX_CATCH_UP || bytes > MAX_CATCH_UP_BYTES) return undefined;
      }
      return { t: "changes", rev: this.etcd.revision, changes };
    } catch (e) {
      if (e instanceof CompactedError) return undefined;
      throw e;
    }
  }

  /** The cluster for a page: the burst's shared snapshot and the changes since, or one built now and shared. */
  private snapshotTexts(): string[] {
    const now = this.clock.now();
    const held = this.shared.get(this.etcd.revision, now);
    if (held) {
      this.counters.snapshotsShared++;
      return held;
    }
    const text = this.snapshotText();
    this.shared.put(this.etcd.revision, now, text);
    return [text];
  }

  private snapshotText(): string {
    this.counters.snapshotsBuilt++;
    return JSON.stringify(this.snapshot());
  }

  snapshot(): ServerMessage {
    const objects: { resource: LiveResource; object: LiveObject }[] = [];
    for (const [prefix, resource] of PREFIXES) {
      let kvs = this.etcd.range(prefix).kvs;
      if (resource === "events") kvs = kvs.sort((a, b) => b.modRevision - a.modRevision).slice(0, SNAPSHOT_EVENTS);
      for (const kv of kvs) objects.push({ resource, object: parse(kv.value) });
    }
    return { t: "snapshot", rev: this.etcd.revision, objects };
  }

  /** What the live feed holds for sharing now (bounds are in live-share.ts). */
  sharedSize(): { snapshot: SharedSnapshot["size"]; texts: SharedTexts["size"]; presencePending: boolean } {
    return { snapshot: this.shared.size, texts: this.texts.size, presencePending: this.presence.pending };
  }

  /** Presence messages broadcast so far. */
  get presenceSent(): number { return this.presence.runs; }

  private sendPresence(): void {
    const sockets = this.sockets();
    if (sockets.length > 0) this.broadcastText(JSON.stringify({ t: "presence", people: this.people() } satisfies ServerMessage));
  }

  people(except?: WebSocket): Person[] {
    const byKey = new Map<string, Person>();
    for (const ws of this.sockets(except)) {
      const a = ws.deserializeAttachment() as Attachment | null;
      if (!a) continue;
      const key = `${a.role}/${a.name}`;
      const p = byKey.get(key);
      if (p) p.connections++;
      else byKey.set(key, { name: a.name, role: a.role, namespace: a.namespace, connections: 1 });
    }
    return [...byKey.values()].sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === "instructor" ? -1 : 1));
  }

  onMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
    } catch {
      return; // not ours; ignore rather than drop a classroom's page
    }
    if (msg.t === "ping") {
      this.hooks.touch();
      this.send(ws, { t: "pong" });
    } else if (msg.t === "stats") {
      const now = this.clock.now();
      if (this.stats && now - this.stats.at < STATS_SHARE_MS && now >= this.stats.at) {
        this.counters.statsShared++;
      } else {
        this.counters.statsBuilt++;
        this.stats = { at: now, text: JSON.stringify({ t: "stats", stats: this.hooks.stats() } satisfies ServerMessage) };
      }
      this.sendText(ws, this.stats.text);
    }
  }

  onClose(ws: WebSocket): void {
    this.leaving.add(ws);
    try {
      ws.close(1000, "bye");
    } catch {
      // already closed
    }
    this.presence.poke();
  }

  settingsChanged(): void {
    if (this.ctx.getWebSockets().length > 0) this.broadcast({ t: "settings", settings: this.hooks.settings() });
  }
}
