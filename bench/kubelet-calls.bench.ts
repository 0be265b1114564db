// What one kubelet API call costs the classroom object on the apiBatch path (a Request per call,
// JSON.stringify of the body, the full API server, the response text and JSON.parse), next to the
// API server's own handling (ApiServer.handle). 200 pods on one node of two (the other lists
// none); each call kind repeated, times averaged. Measurement wraps the object from outside.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { bench, describe } from "vitest";
import { client, newClassroom } from "../test/unit/api-helpers";

type Any = any; // the objects' private parts, reached for measurement only
const PODS = 200;
const REPEAT_LIST = 40;
const REPEAT_SMALL = 400; // workerd's clock ticks in whole ms: many repeats for sub-ms calls

const stubOf = (binding: string, name: string): Any => {
  const ns = (env as Any)[binding];
  return ns.get(ns.idFromName(name));
};
const inObject = <T>(stub: unknown, fn: (i: Any) => T): Promise<T> =>
  (runInDurableObject as unknown as (s: unknown, f: (i: Any) => T) => Promise<T>)(stub, fn);

async function calls(): Promise<void> {
  const cls = await newClassroom("calls", 2);
  const stub = stubOf("CLASSROOM", cls.id);
  await stub.setClock({ paused: true });
  await stub.advance(1000);
  const k = client(cls);
  for (let i = 0; i < PODS; i++) {
    await k.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: `p-${i}` }, spec: { nodeName: "node-1", containers: [{ name: "c", image: "nginx:1.27" }] } });
  }
  await stub.advance(60_000);
  const node = stubOf("NODE", `${cls.id}/node-1`);
  const token: string = await inObject(node, (n) => n.get("token"));
  const pod = (await k.get("/api/v1/namespaces/default/pods/p-0")).body;
  const kinds: Record<string, Any> = {
    "LIST pods (fieldSelector, 200 of 200)": { method: "GET", path: `/api/v1/pods?fieldSelector=${encodeURIComponent("spec.nodeName=node-1")}` },
    "LIST pods (fieldSelector, 0 of 200)": { method: "GET", path: `/api/v1/pods?fieldSelector=${encodeURIComponent("spec.nodeName=node-2")}` },
    "PUT pods/status": { method: "PUT", path: "/api/v1/namespaces/default/pods/p-0/status", body: { apiVersion: "v1", kind: "Pod", metadata: { name: "p-0", namespace: "default", uid: pod.metadata.uid }, status: pod.status } },
    "PATCH leases": { method: "PATCH", path: "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1", contentType: "application/merge-patch+json", body: { spec: { renewTime: "2026-01-01T00:00:00.000000Z" } } },
    "POST events": { method: "POST", path: "/api/v1/namespaces/default/events", body: { apiVersion: "v1", kind: "Event", metadata: { generateName: "p-0." }, involvedObject: { kind: "Pod", namespace: "default", name: "p-0", uid: pod.metadata.uid, apiVersion: "v1" }, reason: "Pulled", message: "m", type: "Normal", source: { component: "kubelet", host: "node-1" }, count: 1 } },
  };
  const rows = await inObject(stub, async (obj) => {
    const out: Record<string, Any> = {};
    const handle = obj.api.handle.bind(obj.api);
    let inHandle = 0;
    let inLookup = 0;
    let inArm = 0;
    let inText = 0;
    obj.api.handle = async (...args: Any[]) => {
      const t = performance.now();
      let res: Response;
      try { res = await handle(...args); } finally { inHandle += performance.now() - t; }
      // Read the body here, timed apart: what apiBatch's res.text() and JSON.parse cost.
      const t2 = performance.now();
      const text = await res.text();
      if (text) JSON.parse(text);
      inText += performance.now() - t2;
      return new Response(text, { status: res.status, headers: res.headers });
    };
    const lookup = obj.creds.lookup.bind(obj.creds);
    obj.creds.lookup = async (...args: Any[]) => {
      const t = performance.now();
      try { return await lookup(...args); } finally { inLookup += performance.now() - t; }
    };
    const arm = obj.loop.arm.bind(obj.loop);
    obj.loop.arm = async () => {
      const t = performance.now();
      try { return await arm(); } finally { inArm += performance.now() - t; }
    };
    for (const [label, call] of Object.entries(kinds)) {
      const REPEAT = call.method === "GET" ? REPEAT_LIST : REPEAT_SMALL;
      inHandle = inLookup = inArm = inText = 0;
      const t0 = performance.now();
      for (let i = 0; i < REPEAT; i++) {
        const [r] = await obj.apiBatch(token, [call]);
        if (r.status >= 300) throw new Error(`${label}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
      const total = (performance.now() - t0) / REPEAT;
      const [last] = await obj.apiBatch(token, [call]);
      const bytes = JSON.stringify(last.body ?? "").length;
      // A Request with the body, read back: the transport's floor per call.
      const t1 = performance.now();
      for (let i = 0; i < REPEAT; i++) {
        const req = new Request("https://classroom/x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call.body ?? {}) });
        await req.text();
      }
      const bare = (performance.now() - t1) / REPEAT;
      const ms = (x: number) => +(x / REPEAT).toFixed(3);
      // total includes the reply read twice (once in the wrapper, timed as replyTextAndParseMs).
      out[label] = { apiBatchMs: +(total - inText / REPEAT).toFixed(3), handleMs: ms(inHandle), replyTextAndParseMs: ms(inText), credLookupMs: ms(inLookup), armMs: ms(inArm), replyBytes: bytes, requestOnlyMs: +bare.toFixed(3) };
    }
    return out;
  });
  for (const [label, r] of Object.entries(rows)) console.log(`kubelet-calls: ${label.padEnd(40)} ${JSON.stringify(r)}`);
}

/**
 * A converged classroom's heartbeats: 5 nodes, 300 pods, 5 simulated minutes, the time the API
 * server spent on the kubelets' calls, with the control loop's sync hints (PodsDirty) and without
 * (every sync lists, as before).
 */
async function heartbeats(hinted: boolean): Promise<void> {
  const NODES = 5;
  const cls = await newClassroom(`beats-${hinted}`, NODES);
  const stub = stubOf("CLASSROOM", cls.id);
  await stub.setClock({ paused: true });
  await stub.advance(1000);
  if (!hinted) {
    // The kubelets as before the hint: every sync lists (the control loop passes PodsDirty's hints).
    await inObject(stub, (obj) => {
      obj.loop.nodes.sync = (node: string, now: number) => stubOf("NODE", `${cls.id}/${node}`).sync(now, {});
    });
  }
  const k = client(cls);
  for (let i = 0; i < 300; i++) {
    await k.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: `p-${i}` }, spec: { nodeName: `node-${1 + (i % NODES)}`, containers: [{ name: "c", image: "nginx:1.27" }] } });
  }
  await stub.advance(10 * 60_000); // converged: every pod Running and Ready
  const took = await inObject(stub, async (obj) => {
    const handle = obj.api.handle.bind(obj.api);
    const by = { ms: 0, calls: 0, kinds: {} as Record<string, number> };
    obj.api.handle = async (req: Request, user: Any) => {
      const t = performance.now();
      try { return await handle(req, user); } finally {
        if (user?.username?.startsWith("system:node:")) {
          by.ms += performance.now() - t;
          by.calls++;
          const kind = `${req.method} ${new URL(req.url).pathname.split("/").slice(-2).join("/")}`.replace(/node-\d+|p-\d+[^/]*/g, "*");
          by.kinds[kind] = (by.kinds[kind] ?? 0) + 1;
        }
      }
    };
    const t0 = performance.now();
    await obj.loop.advance(5 * 60_000);
    return { ...by, wallMs: performance.now() - t0 };
  });
  console.log(`kubelet-calls: 5 nodes, 300 pods, 5 idle simulated minutes, ${hinted ? "with" : "without"} hints: ${took.calls} kubelet calls, ${Math.round(took.ms)} ms in the API server, ${Math.round(took.wallMs)} ms wall; ${JSON.stringify(took.kinds)}`);
}

describe("kubelet calls", () => {
  bench("heartbeats without hints", () => heartbeats(false), { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
  bench("heartbeats with hints", () => heartbeats(true), { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
  bench(`apiBatch per call, ${PODS} pods`, calls, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
