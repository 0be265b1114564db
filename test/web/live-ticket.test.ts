// The page opens the live feed with a single-use ticket, fetched with its token before every
// (re)connect: the token never appears in the WebSocket's URL.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Live } from "../../web/src/live";

class FakeSocket {
  static all: FakeSocket[] = [];
  static readonly OPEN = 1;
  readyState = 0;
  onopen?: () => void;
  onmessage?: (e: { data: string }) => void;
  onclose?: (e?: { code: number }) => void;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close(code = 1000) { this.readyState = 3; this.onclose?.({ code }); }
  open() { this.readyState = 1; this.onopen?.(); }
}

let calls: { url: string; init: RequestInit }[] = [];
let answer: () => Response;
let n = 0;

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  calls = [];
  n = 0;
  answer = () => new Response(JSON.stringify({ ticket: `t${++n}`, expiresInSeconds: 30 }), { status: 200 });
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => { calls.push({ url, init }); return answer(); });
  vi.stubGlobal("location", { protocol: "https:", host: "kubeclass.example" });
  vi.stubGlobal("document", { visibilityState: "visible" });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("Live: tickets, never tokens, in the socket's URL", () => {
  it("fetches a ticket with the token in a header, then opens ?ticket=; a fresh one on every reconnect", async () => {
    const live = new Live("c0ffee", "secret-token");
    live.connect();
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    expect(calls[0].url).toBe("/api/classrooms/c0ffee/live/ticket");
    expect(calls[0].init).toMatchObject({ method: "POST", headers: { authorization: "Bearer secret-token" } });
    expect(FakeSocket.all[0].url).toBe("wss://kubeclass.example/api/classrooms/c0ffee/live?ticket=t1");
    FakeSocket.all[0].open();
    FakeSocket.all[0].close(1006);
    await vi.advanceTimersByTimeAsync(300);
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(2));
    expect(FakeSocket.all[1].url).toContain("?ticket=t2");
    for (const s of FakeSocket.all) expect(s.url).not.toContain("secret-token");
    live.close();
  });

  it("stops when its credential is refused (401) or the student is removed (4001)", async () => {
    answer = () => new Response("{}", { status: 401 });
    const refused = new Live("c0ffee", "gone");
    refused.connect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
    expect(FakeSocket.all).toHaveLength(0);
    expect(refused.state.value).toBe("offline");

    answer = () => new Response(JSON.stringify({ ticket: "t" }), { status: 200 });
    const removed = new Live("c0ffee", "ana");
    removed.connect();
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.all[0].open();
    FakeSocket.all[0].close(4001);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(removed.state.value).toBe("offline");
  });

  it("retries with back-off when the ticket cannot be fetched (network down)", async () => {
    answer = () => { throw new TypeError("network"); };
    const live = new Live("c0ffee", "tok");
    live.connect();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.length).toBeGreaterThan(1);
    answer = () => new Response(JSON.stringify({ ticket: "ok" }), { status: 200 });
    await vi.advanceTimersByTimeAsync(6_000);
    expect(FakeSocket.all.length).toBe(1);
    live.close();
  });
});
