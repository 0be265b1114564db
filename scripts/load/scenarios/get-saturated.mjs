// get-saturated: single-object GET latency (the Deployment, as `kubectl get deploy web` reads it) at 20/s
// for 30 s while a 50-node classroom at speed 100 rolls out 1,000 replicas. Target p99 <= 100 ms.
// Bare: the same 20/s GET of one row for 30 s (the bare object has no simulation to saturate it).
import { ms, openLoop, percentile, ratio, request, statusCounts } from "../lib.mjs";
import { createClassroom, createDeployment } from "../kube.mjs";

export const LIMIT_MS = 150_000;
const SECONDS = 30;

export async function run({ kube, bare, add, log, alive }) {
  const row = await request(`${bare.baseUrl}/items`, { method: "POST", body: { kind: "Deployment", metadata: { name: "web" } } });
  const b = await openLoop(50, SECONDS * 1000, () => request(`${bare.baseUrl}/items/${row.json?.id ?? 1}`, { timeoutMs: 20_000 }), { until: () => !alive() });
  const bLat = b.results.filter((r) => r.status === 200).map((r) => r.ms);
  log(`bare: GET p99 ${ms(percentile(bLat, 99))} (${statusCounts(b.results)})`);

  const c = await createClassroom(kube.baseUrl, { nodes: 50, speed: 100 });
  await createDeployment(c.admin, "default", "web", 1000);
  const k = await openLoop(50, SECONDS * 1000, () => request(`${c.admin}/apis/apps/v1/namespaces/default/deployments/web`, { timeoutMs: 20_000 }), { until: () => !alive() });
  const kLat = k.results.filter((r) => r.status === 200).map((r) => r.ms);
  log(`kubeclass: GET p99 ${ms(percentile(kLat, 99))} (${statusCounts(k.results)}; ${k.skipped} ticks skipped, 40 in flight)`);
  const p99 = percentile(kLat, 99);
  add({ metric: "GET deployment p50, 20/s during rollout (speed 100, 50 nodes)", kubeclass: ms(percentile(kLat, 50)), bare: ms(percentile(bLat, 50)), ratio: ratio(percentile(kLat, 50), percentile(bLat, 50)) });
  add({ metric: "GET deployment p99, 20/s during rollout", kubeclass: ms(p99), bare: ms(percentile(bLat, 99)), ratio: ratio(p99, percentile(bLat, 99)), target: "<= 100 ms", verdict: kLat.length > 0 && p99 <= 100 ? "ok" : "FAIL", note: `kubeclass ${statusCounts(k.results)}, ${k.skipped} ticks skipped (40 in flight); bare ${statusCounts(b.results)}` });
}
