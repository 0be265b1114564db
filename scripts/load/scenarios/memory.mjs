// memory: workerd RSS before and after 200 students and 5,000 pods (50 nodes, speed 1: at speed 100 a
// 50-node classroom stops answering, see deployment-fast; quota raised to 50 pods per student; each
// student creates a 25-replica Deployment). Every phase has a deadline; RSS is read whatever was reached. This is the whole workerd process
// (every object, the runtime, caches): an upper bound for the classroom object, not its own size. Bare:
// the idle bare server's RSS, subtracted to show what kubeclass holds beyond a bare runtime.
import { delay, fmt, heapMiB, request, rssMiB } from "../lib.mjs";
import { createClassroom, instructor, joinMany } from "../kube.mjs";

export const LIMIT_MS = 240_000;
const STUDENTS = 200;
const REPLICAS = 25;
const WAIT_MS = 90_000;
const WORK_MS = 180_000;

/** Pods created and ready across every Deployment (one list of 200 small objects). */
async function counts(c) {
  const r = await request(`${c.admin}/apis/apps/v1/deployments`, { timeoutMs: 15_000 });
  let created = 0, ready = 0;
  for (const d of r.json?.items ?? []) { created += d.status?.replicas ?? 0; ready += d.status?.readyReplicas ?? 0; }
  return { ok: r.status === 200, created, ready };
}

export async function run({ kube, bare, add, log, alive }) {
  await delay(3_000);
  const before = rssMiB(kube.workerdPids());
  const heapBefore = await heapMiB(kube).catch(() => NaN);
  const stop = Date.now() + WORK_MS;
  const c = await createClassroom(kube.baseUrl, { nodes: 50, speed: 1 });
  await instructor(c, "PUT", "/quota", { pods: "50" });
  const students = (await joinMany(c, STUDENTS, 20, "s", stop - WAIT_MS)).filter(Boolean);
  let made = 0;
  await Promise.all(Array.from({ length: 10 }, async (_, w) => {
    for (let i = w; i < students.length && alive() && Date.now() < stop - 30_000; i += 10) {
      const s = students[i];
      const r = await request(`${c.api(s.token)}/apis/apps/v1/namespaces/${s.namespace}/deployments`, { method: "POST", timeoutMs: 30_000, body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app" }, spec: { replicas: REPLICAS, selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "pause", image: "registry.k8s.io/pause:3.10" }] } } } } });
      if (r.status === 201) made++;
    }
  }));
  log(`${students.length} students, ${made} Deployments of ${REPLICAS}`);
  const deadline = Math.min(stop, Date.now() + WAIT_MS);
  let last = { ok: false, created: 0, ready: 0 };
  while (Date.now() < deadline && alive()) {
    last = await counts(c);
    if (last.created >= STUDENTS * REPLICAS) break;
    await delay(5_000);
  }
  const after = rssMiB(kube.workerdPids());
  const heapAfter = await heapMiB(kube).catch(() => NaN);
  const bareRss = rssMiB(bare.workerdPids());
  log(`pods created ${last.created}, ready ${last.ready}; kubeclass workerd RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MiB; bare ${bareRss.toFixed(0)} MiB`);
  add({ metric: `workerd RSS growth, ${students.length} students + ${last.created} pods created (${last.ready} ready)`, kubeclass: fmt(after - before, " MiB"), bare: "—", ratio: "", note: `${made}/${students.length} Deployment creates answered 201; whole workerd process, an upper bound for the classroom object; ${before.toFixed(0)} -> ${after.toFixed(0)} MiB${last.created < STUDENTS * REPLICAS ? `; only ${last.created}/${STUDENTS * REPLICAS} pods after ${WAIT_MS / 1000} s` : ""}` });
  // The JS heap in use in the Worker's isolate (garbage included: workerd cannot be asked to collect): the classroom object and, under wrangler dev, its
  // 50 node objects too (one isolate holds them all here; deployed, each object has its own 128 MB).
  add({ metric: `JS heap in use, classroom + 50 node objects, ${last.created} pods`, kubeclass: fmt(heapAfter, " MiB"), bare: "—", ratio: "", target: "< 100 MB for the object", note: `heap ${fmt(heapBefore, " MiB")} before the classroom existed; an upper bound for the classroom object alone` });
  add({ metric: "workerd RSS after, minus the idle bare server's", kubeclass: fmt(after - bareRss, " MiB"), bare: fmt(bareRss, " MiB"), ratio: "", note: "kubeclass RSS after minus bare RSS (the runtime's own floor)" });
}
