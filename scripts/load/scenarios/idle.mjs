// idle: a converged classroom (30 pods Running, 3 nodes, speed 1) with nobody connected; CPU of the
// workerd processes of each wrangler dev over the same 30 s, as CPU seconds per minute. Bare: the bare
// server idle over the same 30 s. (A classroom pauses itself after 5 minutes without anyone; this is the
// first 30 s after convergence, before that.)
import { cpuSeconds, delay, fmt, ratio } from "../lib.mjs";
import { createClassroom, rollout } from "../kube.mjs";

export const LIMIT_MS = 180_000;
const SECONDS = 30;

export async function run({ kube, bare, add, log, alive }) {
  const c = await createClassroom(kube.baseUrl, { nodes: 3, speed: 1 });
  const r = await rollout(c, "idle", 30, 90_000, alive);
  log(`30 replicas ${r.seconds !== undefined ? `ready after ${r.seconds.toFixed(1)} s` : `not ready (${r.ready}/30)`}`);
  await delay(5_000);
  const kp = kube.workerdPids();
  const bp = bare.workerdPids();
  const k0 = cpuSeconds(kp), b0 = cpuSeconds(bp);
  await delay(SECONDS * 1000);
  const k = ((cpuSeconds(kp) - k0) * 60) / SECONDS;
  const b = ((cpuSeconds(bp) - b0) * 60) / SECONDS;
  log(`workerd CPU: kubeclass ${k.toFixed(2)} s/min (pids ${kp.join(",")}), bare ${b.toFixed(2)} s/min (pids ${bp.join(",")})`);
  add({ metric: `workerd CPU, idle converged classroom (${r.ready}/30 ready), ${SECONDS} s`, kubeclass: fmt(k, " s/min", 2), bare: fmt(b, " s/min", 2), ratio: ratio(k, b, 1), note: "whole workerd process of each wrangler dev; nobody connected" });
}
