// A class opening its pages at once (the load tool's live-storm scenario at test size): what the
// classroom object does per page, measured on its LiveHub directly (the Workers pool's own
// WebSocket plumbing costs far more per socket than the object does, and would hide it).
// Bounds: presence messages per page, snapshots built per burst, what the hub holds afterwards.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, newClassroom, pod } from "../api-helpers";
import type { ServerMessage } from "../../../src/classroom/live-protocol";
import type { LiveHub } from "../../../src/classroom/live";
import { MAX_SHARED_SNAPSHOT_BYTES, MAX_SHARED_TEXT_BYTES, MAX_SHARED_TEXTS, PRESENCE_INTERVAL_MS } from "../../../src/classroom/live-share";
import { manualClock } from "./live-helpers";

const PAGES = 200;
const STUDENTS = 50;
const PODS = 100;


interface Page { ws: WebSocket; msgs: ServerMessage[]; bytes: number }

const stubOf = (id: string) => (env as any).CLASSROOM.get((env as any).CLASSROOM.idFromName(id));
// The pages' sockets belong to the object (I/O of one object cannot be touched from elsewhere), so
// everything done with them runs inside it.
const inHub = <T>(stub: unknown, fn: (hub: LiveHub) => T | Promise<T>): Promise<T> =>
  (runInDurableObject as unknown as (s: unknown, f: (i: { live: LiveHub }) => T | Promise<T>) => Promise<T>)(stub, (i) => fn(i.live));

/** Opens n pages on the hub in one turn of the object, as a storm of sockets arriving together does. */
function openPages(hub: LiveHub, n: number): Page[] {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) {
    const s = i % STUDENTS;
    const res = hub.accept({ name: `s${s}`, role: "student", namespace: `student-s${s}` }, undefined);
    const ws = res.webSocket!;
    const page: Page = { ws, msgs: [], bytes: 0 };
    ws.addEventListener("message", (e) => {
      page.bytes += (e.data as string).length;
      page.msgs.push(JSON.parse(e.data as string) as ServerMessage);
    });
    ws.accept();
    pages.push(page);
  }
  return pages;
}

/** Resolves once a page has a message matching pred (every message before it has arrived too). */
function until(page: Page, pred: (m: ServerMessage) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (page.msgs.some(pred)) return resolve();
    page.ws.addEventListener("message", () => { if (page.msgs.some(pred)) resolve(); });
  });
}

const people = (m: ServerMessage) => (m.t === "presence" ? m.people.reduce((a, p) => a + p.connections, 0) : -1);

describe("live feed connection storm", () => {
  it(`${PAGES} pages at once: one snapshot built, presence coalesced, the same view for all`, { timeout: 120_000 }, async () => {
    const cls = await newClassroom("storm", 2, { controllers: false });
    const stub = stubOf(cls.id);
    await stub.setClock({ paused: true });
    const k = client(cls);
    for (let i = 0; i < PODS; i++) expect((await k.post("/api/v1/namespaces/default/pods", pod(`p${i}`))).status).toBe(201);
    const m = manualClock();
    await inHub(stub, (hub) => { hub.clock = m.clock; });

    const t0 = performance.now();
    const pages = await inHub(stub, (hub) => openPages(hub, PAGES));
    const acceptMs = performance.now() - t0;
    // The trailing presence of the burst: one interval later, naming all pages.
    await inHub(stub, () => m.advance(PRESENCE_INTERVAL_MS));
    await inHub(stub, () => Promise.all(pages.map((p) => until(p, (x) => people(x) === PAGES))));
    const settledMs = performance.now() - t0;

    const counts = await inHub(stub, (hub) => ({ ...hub.counters, presence: hub.presenceSent, held: hub.sharedSize() }));
    const presence = pages.map((p) => p.msgs.filter((x) => x.t === "presence").length);
    const bytes = pages.reduce((a, p) => a + p.bytes, 0);
    const snapshots = new Set(pages.map((p) => JSON.stringify(p.msgs.find((x) => x.t === "snapshot"))));
    console.log(`storm: ${PAGES} pages accepted in ${acceptMs.toFixed(0)} ms, all with full presence in ${settledMs.toFixed(0)} ms; presence messages per page <= ${Math.max(...presence)} (${presence.reduce((a, b) => a + b, 0)} in all); ${(bytes / 1e6).toFixed(1)} MB sent; counters ${JSON.stringify(counts)}`);

    // One snapshot for the burst, and every page got exactly it.
    expect(counts.snapshotsBuilt).toBe(1);
    expect(counts.snapshotsShared).toBe(PAGES - 1);
    expect(snapshots.size).toBe(1);
    // Presence: the first join at once, the other 199 together an interval later.
    expect(counts.presence).toBe(2);
    expect(Math.max(...presence)).toBeLessThanOrEqual(2);
    expect(m.pending()).toBe(0);
    // What the hub holds afterwards stays inside its bounds.
    expect(counts.held.snapshot.snapshots).toBe(1);
    expect(counts.held.snapshot.bytes).toBeLessThanOrEqual(MAX_SHARED_SNAPSHOT_BYTES);
    expect(counts.held.texts.entries).toBeLessThanOrEqual(MAX_SHARED_TEXTS);
    expect(counts.held.texts.bytes).toBeLessThanOrEqual(MAX_SHARED_TEXT_BYTES);
    expect(counts.held.presencePending).toBe(false);
    await inHub(stub, () => { for (const p of pages) p.ws.close(); });
  });

  it("pages opening while the class writes share the burst's snapshot, and each ends with the view a fresh snapshot gives", { timeout: 60_000 }, async () => {
    const cls = await newClassroom("storm-writes", 1, { controllers: false });
    const stub = stubOf(cls.id);
    await stub.setClock({ paused: true });
    const k = client(cls);
    for (let i = 0; i < 10; i++) await k.post("/api/v1/namespaces/default/pods", pod(`p${i}`));
    const m = manualClock();
    await inHub(stub, (hub) => { hub.clock = m.clock; });
    const pages: Page[] = [];
    for (let round = 0; round < 5; round++) {
      pages.push(...await inHub(stub, (hub) => openPages(hub, 10)));
      // Creates, updates and deletes between the groups of pages.
      await k.post("/api/v1/namespaces/default/pods", pod(`new${round}`));
      await k.patch(`/api/v1/namespaces/default/pods/p${round}`, { metadata: { labels: { round: String(round) } } }, "application/merge-patch+json");
      await k.del(`/api/v1/namespaces/default/pods/p${9 - round}`, { gracePeriodSeconds: 0 });
    }
    const { fresh, counters } = await inHub(stub, (hub) => ({ fresh: hub.snapshot(), counters: { ...hub.counters } }));
    if (fresh.t !== "snapshot") throw new Error("not a snapshot");
    // Every page has heard of every change up to the fresh snapshot's revision.
    await inHub(stub, () => Promise.all(pages.map((p) => until(p, (x) => (x.t === "changes" || x.t === "snapshot") && x.rev >= fresh.rev))));
    const key = (r: string, o: { metadata: { namespace?: string; name?: string } }) => `${r}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const want = new Map(fresh.objects.map((o) => [key(o.resource, o.object), JSON.stringify(o.object)]));
    for (const p of pages) {
      // What web/src/live.ts does with the messages.
      const view = new Map<string, string>();
      for (const x of p.msgs) {
        if (x.t === "snapshot") { view.clear(); for (const o of x.objects) view.set(key(o.resource, o.object), JSON.stringify(o.object)); }
        if (x.t === "changes") {
          for (const c of x.changes) {
            if (c.type === "DELETE") view.delete(key(c.resource, c.object));
            else view.set(key(c.resource, c.object), JSON.stringify(c.object));
          }
        }
      }
      expect(view).toEqual(want);
    }
    // One snapshot for all 50 pages: the later groups got it and the changes since, already encoded.
    expect(counters.snapshotsBuilt).toBe(1);
    expect(counters.snapshotsShared).toBe(49);
    await inHub(stub, () => { for (const p of pages) p.ws.close(); });
  });
});
