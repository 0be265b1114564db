// deployment: a 1,000-replica Deployment (kubectl create deployment's shape: no requests) on 50 nodes at
// speed 1; time from the create's answer until status.readyReplicas is 1000, polled every second, given
// up after 150 s. No bare figure: the baseline has nothing that schedules or runs pods.
import { fmt, statusCounts } from "../lib.mjs";
import { createClassroom, nodesReady, rollout } from "../kube.mjs";

export const LIMIT_MS = 230_000;
const REPLICAS = 1000;
const TIMEOUT_MS = 100_000;

export async function run({ kube, add, log, alive }) {
  const t = performance.now();
  const c = await createClassroom(kube.baseUrl, { nodes: 50, speed: 1 });
  log(`classroom with 50 nodes created in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const up = await nodesReady(c, 50, 75_000);
  log(`50 nodes Ready after ${up === undefined ? "(not all in 75 s)" : `${up.toFixed(1)} s`}`);
  add({ metric: "50 nodes Ready after classroom create", kubeclass: up === undefined ? "> 75 s" : fmt(up, " s", 1), bare: "—", ratio: "" });
  const r = await rollout(c, "web", REPLICAS, TIMEOUT_MS, alive);
  log(`ready ${r.ready}/${REPLICAS} ${r.seconds !== undefined ? `after ${r.seconds.toFixed(1)} s` : `(gave up after ${TIMEOUT_MS / 1000} s)`}; progress ${r.progress.join(", ")}`);
  add({ metric: `${REPLICAS} replicas ready, 50 nodes, speed 1`, kubeclass: r.seconds !== undefined ? fmt(r.seconds, " s", 1) : `> ${TIMEOUT_MS / 1000} s (${r.ready}/${REPLICAS})`, bare: "—", ratio: "", target: `1000/1000 within ${TIMEOUT_MS / 1000} s`, verdict: r.seconds !== undefined ? "ok" : "FAIL", note: `at 30 s marks: ${r.progress.join(", ") || "-"}; status polls ${statusCounts(r.polls)}` });
}
