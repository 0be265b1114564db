// sustained: 16 clients creating pods back to back for 15 s on a 10-node classroom with every component
// running, then the same with the scheduler and the controllers stopped. Bare: 16 clients inserting.
// Target: kubeclass >= 0.5x bare. The 16 clients use the instructor's credential (students are limited
// to 10 requests/s each: that limit is not what is measured here).
import { fmt, ms, percentile, ratio, request, closedLoop, statusCounts, delay } from "../lib.mjs";
import { createClassroom, createPod, instructor } from "../kube.mjs";

export const LIMIT_MS = 150_000;
const CLIENTS = 16;
const SECONDS = 15;

function rate(res) {
  const ok = res.results.filter((r) => r.status === 201);
  return { perS: ok.length / res.seconds, p99: percentile(res.results.map((r) => r.ms), 99), counts: statusCounts(res.results) };
}

export async function run({ kube, bare, add, log }) {
  const b = rate(await closedLoop(CLIENTS, SECONDS * 1000, (c, i) => request(`${bare.baseUrl}/items`, { method: "POST", body: { kind: "Pod", metadata: { name: `p${c}-${i}` } } })));
  log(`bare: ${fmt(b.perS, "/s", 1)} (${b.counts})`);

  const c = await createClassroom(kube.baseUrl, { nodes: 10 });
  await delay(3_000); // the nodes register and the loop settles
  const on = rate(await closedLoop(CLIENTS, SECONDS * 1000, (cl, i) => createPod(c.admin, "default", `on-${cl}-${i}`)));
  log(`kubeclass, all running: ${fmt(on.perS, "/s", 1)} (${on.counts})`);

  await instructor(c, "PUT", "/scheduler/running", { running: false });
  await instructor(c, "PUT", "/controllers/running", { running: false });
  const off = rate(await closedLoop(CLIENTS, SECONDS * 1000, (cl, i) => createPod(c.admin, "default", `off-${cl}-${i}`)));
  log(`kubeclass, scheduler and controllers stopped: ${fmt(off.perS, "/s", 1)} (${off.counts})`);

  const verdict = (k) => (k / b.perS >= 0.5 ? "ok" : "FAIL");
  add({ metric: `creates/s, ${CLIENTS} clients, ${SECONDS} s, all components`, kubeclass: fmt(on.perS, "/s", 1), bare: fmt(b.perS, "/s", 1), ratio: ratio(on.perS, b.perS), target: ">= 0.5×", verdict: verdict(on.perS), note: `kubeclass ${on.counts}; p99 ${ms(on.p99)} (bare ${ms(b.p99)})` });
  add({ metric: "creates/s, scheduler + controllers stopped", kubeclass: fmt(off.perS, "/s", 1), bare: fmt(b.perS, "/s", 1), ratio: ratio(off.perS, b.perS), target: ">= 0.5×", verdict: verdict(off.perS), note: `kubeclass ${off.counts}; p99 ${ms(off.p99)}` });
}
