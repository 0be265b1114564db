// The page's live store (web/src/live.ts) against a scripted WebSocket: the first snapshot, changes,
// pods leaving, and a reconnect that asks only for what changed since the last revision seen.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Live } from "../../web/src/live";

class FakeSocket {
  static all: FakeSocket[] = [];
  static readonly OPEN = 1;
  readyState = 0;
  sent: unknown[] = [];
  onopen?: () => void;
  onmessage?: (e: { data: string }) => void;
  onclose?: () => void;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; this.onclose?.(); }
  open() { this.readyState = 1; this.onopen?.(); }
  deliver(msg: unknown) { this.onmessage?.({ data: JSON.stringify(msg) }); }
}

const pod = (name: string, phase = "Pending", uid = `uid-${name}`) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "student-ana", uid }, status: { phase } });

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("location", { protocol: "http:", host: "127.0.0.1:8787" });
  vi.stubGlobal("document", { visibilityState: "visible" });
  // Every (re)connect first trades the token for a single-use ticket (see live-ticket.test.ts).
  vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ ticket: "tkt", expiresInSeconds: 30 })));
});

/** connect() fetches a ticket first: the socket exists once that settles. */
const socketCount = (n: number) => vi.waitFor(() => expect(FakeSocket.all).toHaveLength(n));

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("Live", () => {
  it("loads a snapshot, applies changes, and keeps deleted pods a moment for the map", async () => {
    const live = new Live("c0ffee", "tok");
    live.connect();
    await socketCount(1);
    const ws = FakeSocket.all[0];
    expect(ws.url).toBe("ws://127.0.0.1:8787/api/classrooms/c0ffee/live?ticket=tkt");
    ws.open();
    expect(ws.sent).toEqual([{ t: "ping" }]);
    expect(live.state.value).toBe("live");
    ws.deliver({ t: "snapshot", rev: 10, objects: [{ resource: "pods", object: pod("a") }, { resource: "nodes", object: { metadata: { name: "node-1" } } }] });
    expect(live.loaded.value).toBe(true);
    expect([...live.cluster.value.objects.pods.keys()]).toEqual(["student-ana/a"]);
    ws.deliver({ t: "changes", rev: 12, changes: [{ type: "PUT", resource: "pods", object: pod("a", "Running") }, { type: "PUT", resource: "pods", object: pod("b") }] });
    expect(live.cluster.value.objects.pods.get("student-ana/a")!.status.phase).toBe("Running");
    ws.deliver({ t: "changes", rev: 13, changes: [{ type: "DELETE", resource: "pods", object: pod("b") }] });
    expect(live.cluster.value.objects.pods.has("student-ana/b")).toBe(false);
    expect(live.cluster.value.gone.get("uid-b")!.pod.metadata.name).toBe("b");
    expect(live.cluster.value.rev).toBe(13);
  });

  it("reconnects after a drop and resumes from the last revision it saw", async () => {
    const live = new Live("c0ffee", "tok");
    live.connect();
    await socketCount(1);
    FakeSocket.all[0].open();
    FakeSocket.all[0].deliver({ t: "snapshot", rev: 42, objects: [{ resource: "pods", object: pod("a") }] });
    live.drop();
    expect(live.state.value).toBe("offline");
    await vi.advanceTimersByTimeAsync(300);
    await socketCount(2);
    const again = FakeSocket.all[1];
    expect(new URL(again.url).searchParams.get("since")).toBe("42");
    again.open();
    again.deliver({ t: "changes", rev: 44, changes: [{ type: "PUT", resource: "pods", object: pod("c") }] });
    // What it held before the drop is still there: no reload, no gap.
    expect([...live.cluster.value.objects.pods.keys()].sort()).toEqual(["student-ana/a", "student-ana/c"]);
    live.close();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all).toHaveLength(2); // closed on purpose: no reconnect
  });

  it("estimates the simulated clock from the last reading and its speed", async () => {
    const live = new Live("c0ffee", "tok");
    live.connect();
    await socketCount(1);
    FakeSocket.all[0].open();
    const settings = { name: "x", cloud: true, locked: false, clock: { speed: 10, paused: false, now: 1_000_000 }, scheduler: { stopped: false, scoring: "LeastAllocated" }, controllersStopped: false, machines: [], quota: {}, round: null };
    FakeSocket.all[0].deliver({ t: "hello", you: { name: "ana", role: "student", connections: 1 }, settings });
    vi.advanceTimersByTime(2_000);
    expect(live.simNow()).toBe(1_000_000 + 20_000);
    FakeSocket.all[0].deliver({ t: "settings", settings: { ...settings, clock: { speed: 10, paused: true, now: 5_000_000 } } });
    vi.advanceTimersByTime(2_000);
    expect(live.simNow()).toBe(5_000_000);
  });
});
