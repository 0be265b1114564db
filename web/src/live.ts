// The page's copy of the cluster, kept current over the classroom's live WebSocket. After a drop
// it reconnects (backing off) and asks for what changed since the last revision it saw, so the
// page never reloads and never misses a change.
import type { InferResponseType } from "hono/client";
import type { LiveChange, LiveObject, LiveResource, LiveSettings, LiveStats, Person, ServerMessage } from "../../src/classroom/live-protocol";
import { LIVE_RESOURCES } from "../../src/classroom/live-protocol";
import { routes, type Kubeclass } from "./api";
import { Observable } from "./observable";

export type { LiveObject, LiveResource, LiveSettings, LiveStats, Person };
type Ticket = InferResponseType<Kubeclass["live"]["ticket"]["$post"]>;
export type ConnState = "connecting" | "live" | "offline";

export interface Cluster {
  rev: number;
  /** Bumped on every change, so views can tell "something changed" cheaply. */
  version: number;
  objects: Record<LiveResource, Map<string, LiveObject>>;
  /** Pods deleted in the last moments, so the map can show them leaving. */
  gone: Map<string, { pod: LiveObject; at: number }>;
}

export const objectKey = (o: LiveObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name ?? "");
const GONE_MS = 1500;
const PING_MS = 30_000;
/** The close code of a removed student's pages (src/classroom/student-admin.ts). */
const REMOVED_CLOSE_CODE = 4001;

function emptyObjects(): Cluster["objects"] {
  return Object.fromEntries(LIVE_RESOURCES.map((r) => [r, new Map()])) as Cluster["objects"];
}

export class Live {
  readonly state = new Observable<ConnState>("connecting");
  readonly cluster = new Observable<Cluster>({ rev: 0, version: 0, objects: emptyObjects(), gone: new Map() });
  readonly settings = new Observable<LiveSettings | undefined>(undefined);
  readonly people = new Observable<Person[]>([]);
  readonly stats = new Observable<LiveStats | undefined>(undefined);
  /** Whether the server's first message arrived (the cluster is loaded). */
  readonly loaded = new Observable(false);
  private settingsAt = Date.now();
  private ws?: WebSocket;
  private retry = 0;
  private closed = false;
  private timer?: ReturnType<typeof setInterval>;

  private readonly route: Kubeclass["live"] = routes().api.classrooms[":id"].live;

  constructor(private readonly classroomId: string, private readonly token: string) {}

  connect(): void {
    this.closed = false;
    this.state.set("connecting");
    void this.open();
  }

  /**
   * A browser cannot put a header on a WebSocket, and a credential must not ride in a URL (proxies
   * and servers log URLs): before every (re)connect the page trades its token for a single-use,
   * 30-second ticket, and the socket's URL carries that.
   */
  private async open(): Promise<void> {
    let ticket: string;
    try {
      // The route's path from the server's routes; fetched by hand, as a 401 or 403 here stops the feed rather than failing a call.
      const res = await fetch(this.route.ticket.$path({ param: { id: this.classroomId } }), { method: "POST", headers: { authorization: `Bearer ${this.token}` } });
      // 401/403: this credential is not (or no longer) a member's; asking again will not help.
      if (res.status === 401 || res.status === 403) return this.stop();
      if (!res.ok) throw new Error(`${res.status}`);
      ticket = ((await res.json()) as Ticket).ticket;
    } catch {
      return this.retryLater();
    }
    if (this.closed) return;
    const rev = this.cluster.value.rev;
    const path = this.route.$path({ param: { id: this.classroomId }, query: rev > 0 ? { ticket, since: String(rev) } : { ticket } });
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}${path}`);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.state.set("live");
      this.ping();
    };
    ws.onmessage = (e) => this.onMessage(JSON.parse(e.data as string) as ServerMessage);
    ws.onclose = (e?: CloseEvent) => {
      if (this.ws !== ws) return;
      // 4001: the instructor removed this student; their credential no longer works.
      if (e?.code === REMOVED_CLOSE_CODE) return this.stop();
      this.retryLater();
    };
    this.timer ??= setInterval(() => this.ping(), PING_MS);
  }

  private retryLater(): void {
    this.state.set("offline");
    if (this.closed) return;
    const delay = Math.min(5_000, 250 * 2 ** this.retry++);
    setTimeout(() => {
      if (!this.closed) this.connect();
    }, delay);
  }

  private stop(): void {
    this.close();
    this.state.set("offline");
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.ws?.close();
  }

  /** Drops the connection as a network failure would (tests and the "reconnect" demo). */
  drop(): void {
    this.ws?.close();
  }

  private send(msg: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Only a visible page keeps the classroom's clock running. */
  private ping(): void {
    if (document.visibilityState === "visible") this.send({ t: "ping" });
  }

  /** The classroom's simulated time now, estimated from the last clock reading and its speed. */
  simNow(): number {
    const c = this.settings.value?.clock;
    if (!c) return Date.now();
    // Held back when the simulation cannot keep up: estimate at the speed it achieves.
    const speed = Math.min(c.speed, c.achievedSpeed ?? c.speed);
    return c.paused ? c.now : c.now + (Date.now() - this.settingsAt) * speed;
  }

  requestStats(): void {
    this.send({ t: "stats" });
  }

  private onMessage(msg: ServerMessage): void {
    switch (msg.t) {
      case "hello":
      case "settings":
        this.settingsAt = Date.now();
        this.settings.set(msg.settings);
        break;
      case "presence":
        this.people.set(msg.people);
        break;
      case "stats":
        this.stats.set(msg.stats);
        break;
      case "snapshot": {
        const objects = emptyObjects();
        for (const { resource, object } of msg.objects) objects[resource].set(objectKey(object), object);
        this.cluster.set({ rev: msg.rev, version: this.cluster.value.version + 1, objects, gone: new Map() });
        this.loaded.set(true);
        break;
      }
      case "changes":
        this.apply(msg.rev, msg.changes);
        this.loaded.set(true);
        break;
    }
  }

  private apply(rev: number, changes: LiveChange[]): void {
    const c = this.cluster.value;
    const now = Date.now();
    for (const [uid, g] of c.gone) if (now - g.at > GONE_MS) c.gone.delete(uid);
    for (const ch of changes) {
      const map = c.objects[ch.resource];
      const key = objectKey(ch.object);
      if (ch.type === "DELETE") {
        map.delete(key);
        if (ch.resource === "pods" && ch.object.metadata.uid) c.gone.set(ch.object.metadata.uid, { pod: ch.object, at: now });
      } else {
        map.set(key, ch.object);
      }
    }
    this.cluster.set({ ...c, rev: Math.max(rev, c.rev), version: c.version + 1 });
    if (c.gone.size > 0) setTimeout(() => this.cluster.set({ ...this.cluster.value, version: this.cluster.value.version + 1 }), GONE_MS + 50);
  }
}
