// One write, many watches: each published value is decoded and encoded once per (resource, version,
// output, event type) and the bytes are shared (kube-apiserver's cachingObject), while what each
// watch receives stays its own: its namespace, its selectors, its first Table line.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Etcd } from "../../../../src/control-plane/etcd/store";
import { client, kubeclassApi, newClassroom, pod, type Classroom } from "../../api-helpers";
import { watchEncodes } from "../../../../src/control-plane/api-server/handlers/watch";

/** A watch stream read line by line as raw text (byte-for-byte what kubectl gets). */
function lines(res: Response) {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  const got: string[] = [];
  return {
    got,
    async until(n: number): Promise<string[]> {
      while (got.length < n) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          got.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      }
      return got.slice(0, n);
    },
    cancel: () => reader.cancel(),
  };
}

async function openWatch(cls: Classroom, path: string, headers: Record<string, string> = {}) {
  const res = await client(cls).call("GET", path, undefined, headers);
  expect(res.status).toBe(200);
  return lines(res);
}

/** No scheduler or controllers: only the test writes pods. */
async function quietClassroom(name: string): Promise<Classroom> {
  const cls = await newClassroom(name, 0, { controllers: false });
  expect((await kubeclassApi(cls, "PUT", "/scheduler/running", { running: false })).status).toBe(200);
  return cls;
}

const typeAndName = (l: string) => { const e = JSON.parse(l); return `${e.type} ${e.object.metadata?.name ?? e.object.rows?.[0]?.object?.metadata?.name}`; };

describe("watch fan-out", () => {
  it("watches of the same kind share each event's bytes; selectors, namespaces and Tables stay per watch", async () => {
    const cls = await quietClassroom("fanout");
    const k = client(cls);
    await k.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } });
    const rv = (await k.get("/api/v1/pods")).body.metadata.resourceVersion;
    const all1 = await openWatch(cls, `/api/v1/pods?watch=true&resourceVersion=${rv}`);
    const all2 = await openWatch(cls, `/api/v1/pods?watch=true&resourceVersion=${rv}`);
    const web = await openWatch(cls, `/api/v1/pods?watch=true&resourceVersion=${rv}&labelSelector=app%3Dweb`);
    const other = await openWatch(cls, `/api/v1/namespaces/other/pods?watch=true&resourceVersion=${rv}`);
    const table = await openWatch(cls, `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    const before = { ...watchEncodes };

    await k.post("/api/v1/namespaces/default/pods", pod("a", { app: "web" }));
    await k.post("/api/v1/namespaces/other/pods", pod("b", { app: "db" }));
    await k.patch("/api/v1/namespaces/default/pods/a", { metadata: { labels: { app: "api" } } }, "application/merge-patch+json");
    await k.del("/api/v1/namespaces/default/pods/a", { gracePeriodSeconds: 0 });

    const a1 = await all1.until(4);
    const a2 = await all2.until(4);
    // Byte for byte the same stream for two watches of the same kind.
    expect(a2).toEqual(a1);
    expect(a1.map(typeAndName)).toEqual(["ADDED a", "ADDED b", "MODIFIED a", "DELETED a"]);
    // The selector watch: a leaves app=web with the patch, which it sees as DELETED; b never matched.
    expect((await web.until(2)).map(typeAndName)).toEqual(["ADDED a", "DELETED a"]);
    expect((await other.until(1)).map(typeAndName)).toEqual(["ADDED b"]);
    const t = await table.until(3);
    expect(t.map(typeAndName)).toEqual(["ADDED a", "MODIFIED a", "DELETED a"]);
    // The first Table line carries the column definitions, the others do not.
    expect(JSON.parse(t[0]).object.columnDefinitions.length).toBeGreaterThan(0);
    expect(JSON.parse(t[1]).object.columnDefinitions).toEqual([]);
    // The two all-namespace watches encoded each event once between them.
    expect(watchEncodes.shared - before.shared).toBeGreaterThanOrEqual(4);
    for (const w of [all1, all2, web, other, table]) await w.cancel();
  });

  it(`measured: 40 watches of every pod, 60 writes`, { timeout: 60_000 }, async () => {
    const cls = await quietClassroom("fanout-measure");
    const k = client(cls);
    const rv = (await k.get("/api/v1/pods")).body.metadata.resourceVersion;
    const watches = await Promise.all(Array.from({ length: 40 }, () => openWatch(cls, `/api/v1/pods?watch=true&resourceVersion=${rv}`)));
    const before = { ...watchEncodes };
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      await k.post("/api/v1/namespaces/default/pods", pod(`p${i}`));
      await k.patch(`/api/v1/namespaces/default/pods/p${i}`, { metadata: { labels: { n: String(i) } } }, "application/merge-patch+json");
      await k.del(`/api/v1/namespaces/default/pods/p${i}`, { gracePeriodSeconds: 0 });
    }
    const got = await Promise.all(watches.map((w) => w.until(60)));
    const ms = performance.now() - t0;
    const encoded = watchEncodes.encoded - before.encoded;
    const shared = watchEncodes.shared - before.shared;
    console.log(`fan-out: 40 watches x 60 writes delivered in ${ms.toFixed(0)} ms; ${encoded} encodes, ${shared} shared`);
    for (const g of got) expect(g).toEqual(got[0]);
    expect(encoded).toBe(60);
    expect(shared).toBe(60 * 39);
    // The object's own share of the fan-out: 100 writes made inside it, delivered to 200 watches
    // synchronously, timed from outside (inside, the clock stands still while code runs).
    const many = await Promise.all(Array.from({ length: 160 }, () => openWatch(cls, `/api/v1/pods?watch=true&resourceVersion=${rv}`)));
    const stub = (env as any).CLASSROOM.get((env as any).CLASSROOM.idFromName(cls.id));
    const big = { ...pod("x"), metadata: { name: "x", namespace: "default", labels: { app: "web" }, annotations: { note: "n".repeat(2000) } } };
    const t1 = performance.now();
    await (runInDurableObject as any)(stub, (i: { etcd: Etcd }) => {
      for (let n = 0; n < 100; n++) i.etcd.put(`/registry/pods/default/big-${n}`, JSON.stringify({ ...big, metadata: { ...big.metadata, name: `big-${n}` } }));
    });
    const inside = performance.now() - t1;
    const all = await Promise.all([...watches, ...many].map((w) => w.until(160)));
    console.log(`fan-out inside the object: 100 writes of ${JSON.stringify(big).length} bytes to 200 watches in ${inside.toFixed(0)} ms`);
    for (const g of all) expect(g.slice(-100)).toEqual(all[0].slice(-100));
    for (const w of [...watches, ...many]) await w.cancel();
  });
});
