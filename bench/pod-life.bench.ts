// A pod's life through the whole control plane: a classroom of 20 nodes, a Deployment of 500
// replicas, simulated time advanced a second at a time until all are Ready. Prints the wall time,
// etcd reads and writes per pod, and where the classroom object's time went (scheduler,
// controllers per controller, kubelet syncs). Measurement wraps the object's parts from outside
// (runInDurableObject), so no counter lives in the product.
//
// Issue #11, 2-core shared machine, same tree but for src/control-plane/controller-manager:
//   before (list-per-event, decode per controller): 102 s wall, controllers 65 s; per pod 4,907
//     decodes, 83 etcd gets, 44 ranges, 15 txns
//   after (shared informers and stores):           37 s wall, controllers 9 s; per pod 232
//     decodes, 55 gets, 19 ranges, 15 txns (most decodes left are the kubelets' API lists)
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { bench, describe } from "vitest";
import { client, newClassroom } from "../test/unit/api-helpers";

const NODES = 20;
const REPLICAS = 500;
const STEP_MS = 1000;
const MAX_STEPS = 600;

type Any = any; // the object's private parts, reached for measurement only

function stubOf(id: string): Any {
  const ns = (env as Any).CLASSROOM;
  return ns.get(ns.idFromName(id));
}

const inObject = <T>(stub: unknown, fn: (i: Any) => T): Promise<T> =>
  (runInDurableObject as unknown as (s: unknown, f: (i: Any) => T) => Promise<T>)(stub, fn);

interface Profile { ms: Map<string, number>; calls: Map<string, number> }

/** Replaces obj[name] by a wrapper that adds its time and calls to the profile under `label`. */
function time(p: Profile, label: string, obj: Any, name: string): void {
  const orig = obj[name];
  if (typeof orig !== "function") return;
  obj[name] = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const add = () => {
      p.ms.set(label, (p.ms.get(label) ?? 0) + performance.now() - t0);
      p.calls.set(label, (p.calls.get(label) ?? 0) + 1);
    };
    let res: unknown;
    try {
      res = orig.apply(this, args);
    } catch (e) {
      add();
      throw e;
    }
    if (res instanceof Promise) return res.finally(add);
    add();
    return res;
  };
}

let report: Record<string, unknown>[] = [];
const callers = new Map<string, number>();

async function podLife(): Promise<void> {
  const cls = await newClassroom("pod-life", NODES);
  const stub = stubOf(cls.id);
  await stub.setClock({ paused: true });
  await stub.advance(2000);
  const profile: Profile = { ms: new Map(), calls: new Map() };
  await inObject(stub, (i) => {
    const loop = i.loop;
    time(profile, "etcd.get", i.etcd, "get");
    time(profile, "etcd.range", i.etcd, "range");
    time(profile, "etcd.txn", i.etcd, "txn");
    time(profile, "scheduler.run", loop.scheduler, "run");
    time(profile, "controllers.run", loop.controllers, "run");
    time(profile, "kubelet sync (rpc)", loop.nodes, "sync");
    for (const c of loop.controllers.controllers as Any[]) {
      time(profile, `reconcile ${c.name}`, c, "reconcile");
      for (const w of c.watches) time(profile, `keys ${c.name}`, w, "keys");
    }
    time(profile, "decode", i.api.registry, "decode");
    for (const m of ["create", "update", "guaranteedUpdate", "delete", "list"]) time(profile, `reg.${m}`, i.api.registry, m);
    // Who decodes: one call in 50 is attributed to the first frames outside the registry.
    const decode = i.api.registry.decode;
    let n = 0;
    i.api.registry.decode = function (this: unknown, ...args: unknown[]) {
      if (n++ % 50 === 0) {
        const frames = (new Error().stack ?? "").split("\n").slice(2).map((l) => l.trim().replace(/^at /, "").replace(/\(.*\/(src|bench)\//, "(").replace(/:\d+\)$/, ")"));
        const site = frames.filter((f) => !/registry\/store|pod-life/.test(f)).slice(0, 3).join(" < ");
        callers.set(site, (callers.get(site) ?? 0) + 50);
      }
      return decode.apply(this, args);
    };
  });
  const k = client(cls);
  const res = await k.post("/apis/apps/v1/namespaces/default/deployments", {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "big" },
    spec: {
      replicas: REPLICAS, selector: { matchLabels: { app: "big" } },
      template: { metadata: { labels: { app: "big" } }, spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } },
    },
  });
  if (res.status !== 201) throw new Error(`create deployment: ${res.status} ${JSON.stringify(res.body)}`);
  // A Service over the pods, so the Endpoints and EndpointSlice controllers have work per pod.
  await k.post("/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: "big" }, spec: { selector: { app: "big" }, ports: [{ port: 80 }] } });

  const t0 = performance.now();
  let ready = 0;
  let steps = 0;
  for (; steps < MAX_STEPS && ready < REPLICAS; steps++) {
    await stub.advance(STEP_MS);
    ready = await inObject(stub, (i) => {
      const kv = i.etcd.get("/registry/deployments/default/big");
      return kv ? (JSON.parse(kv.value).status?.readyReplicas ?? 0) : 0;
    });
  }
  const wall = (performance.now() - t0) / 1000;
  const per = (label: string) => ((profile.calls.get(label) ?? 0) / REPLICAS).toFixed(1);
  console.log(`pod-life: ${ready}/${REPLICAS} Ready on ${NODES} nodes after ${steps} simulated s, ${wall.toFixed(2)} s wall`);
  console.log(`  per pod: etcd.get ${per("etcd.get")}, etcd.range ${per("etcd.range")}, etcd.txn ${per("etcd.txn")}, decode ${per("decode")}`);
  report = [...profile.ms].sort((a, b) => b[1] - a[1]).map(([label, ms]) => ({ label, ms: Math.round(ms), calls: profile.calls.get(label) ?? 0 }));
  for (const r of report) console.log(`  ${String(r.label).padEnd(34)} ${String(r.ms).padStart(8)} ms ${String(r.calls).padStart(9)} calls`);
  console.log("  decodes by caller (sampled):");
  for (const [site, count] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${String(count).padStart(9)}  ${site}`);
}

describe("a pod's life", () => {
  bench(`${REPLICAS} replicas on ${NODES} nodes to Ready`, podLife, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
