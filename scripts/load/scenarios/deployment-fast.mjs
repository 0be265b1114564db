// deployment-fast: the 1,000-replica Deployment on 50 nodes at speed 100, while `kubectl get pods` (a
// list with the Table Accept header) is sampled every 250 ms. Bare: 1,000 rows inserted, then the same
// 250 ms list GET of every row, for 20 s.
import { fmt, ms, openLoop, percentile, pool, ratio, request, statusCounts } from "../lib.mjs";
import { createClassroom, nodesReady, rollout, TABLE_ACCEPT } from "../kube.mjs";

export const LIMIT_MS = 200_000;
const REPLICAS = 1000;
const TIMEOUT_MS = 75_000;

export async function run({ kube, bare, add, log, alive }) {
  await pool(REPLICAS, 16, (i) => request(`${bare.baseUrl}/items`, { method: "POST", body: { kind: "Pod", metadata: { name: `p${i}` } } }), Date.now() + 60_000);
  const bl = await openLoop(250, 20_000, () => request(`${bare.baseUrl}/items`));
  const bLat = bl.results.filter((r) => r.status === 200).map((r) => r.ms);
  log(`bare list of ${REPLICAS} rows: p99 ${ms(percentile(bLat, 99))} over ${bLat.length}`);

  const c = await createClassroom(kube.baseUrl, { nodes: 50, speed: 100 });
  const up = await nodesReady(c, 50, 60_000);
  log(`50 nodes Ready after ${up === undefined ? "(not all in 60 s)" : `${up.toFixed(1)} s`}`);
  let done = false;
  const sampling = openLoop(250, TIMEOUT_MS + 5_000, () => request(`${c.admin}/api/v1/namespaces/default/pods?limit=500`, { headers: { accept: TABLE_ACCEPT }, timeoutMs: 20_000 }), { until: () => done || !alive() });
  const r = await rollout(c, "web", REPLICAS, TIMEOUT_MS, alive);
  done = true;
  const k = await sampling;
  const kLat = k.results.filter((x) => x.status === 200).map((x) => x.ms);
  const bad = k.results.length - kLat.length;
  log(`ready ${r.ready}/${REPLICAS} ${r.seconds !== undefined ? `after ${r.seconds.toFixed(1)} s` : "(gave up)"}; GET pods p99 ${ms(percentile(kLat, 99))} over ${kLat.length} (${statusCounts(k.results)}; ${k.skipped} ticks skipped: 40 in flight); status polls ${statusCounts(r.polls)}`);
  add({ metric: `${REPLICAS} replicas ready, 50 nodes, speed 100`, kubeclass: r.seconds !== undefined ? fmt(r.seconds, " s", 1) : `> ${TIMEOUT_MS / 1000} s (${r.ready}/${REPLICAS})`, bare: "—", ratio: "", verdict: r.seconds !== undefined ? "ok" : "FAIL", note: `at 30 s marks: ${r.progress.join(", ") || "-"}; status polls ${statusCounts(r.polls)}` });
  add({ metric: "GET pods (Table, limit 500) every 250 ms: p50", kubeclass: ms(percentile(kLat, 50)), bare: ms(percentile(bLat, 50)), ratio: ratio(percentile(kLat, 50), percentile(bLat, 50)), note: `bare: list of ${REPLICAS} rows as JSON` });
  add({ metric: "GET pods (Table, limit 500) every 250 ms: p99", kubeclass: ms(percentile(kLat, 99)), bare: ms(percentile(bLat, 99)), ratio: ratio(percentile(kLat, 99), percentile(bLat, 99)), target: "<= 1000 ms", verdict: percentile(kLat, 99) <= 1000 ? "ok" : "FAIL", note: `${kLat.length} answered 200, ${bad} not, ${k.skipped} ticks skipped (40 in flight)` });
}
