// Where the classroom object spends its CPU under a load: starts kubeclass under `wrangler dev`, runs a
// workload, takes a V8 CPU profile of the Worker over the inspector (the same one Chrome DevTools uses)
// and prints self time per function, top first. For finding what to cut (issue #11), not a measurement
// of record: the figures of record are `npm run load`'s.
//   node scripts/load/profile.mjs [creates|api|deployment|deployment-fast] [seconds]   (api: creates with the scheduler and controllers stopped)
import { closedLoop, delay, inspector, killEverything, startServer } from "./lib.mjs";
import { createClassroom, createDeployment, createPod, instructor } from "./kube.mjs";

const workload = process.argv[2] ?? "creates";
const seconds = Math.min(Number(process.argv[3] ?? 15), 120);

function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const print = (title, m, n) => {
    console.log(`${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
    for (const [k, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  };
  print("self time", self, 30);
  // Inclusive time: each sample counted once for every distinct function on its stack.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-1)[0]}:${n.callFrame.lineNumber + 1}`;
  const incl = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const k = keyOf(byId.get(id));
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  }
  print("inclusive time", incl, 60);
  // Who calls the functions named in PROFILE_CALLERS (comma-separated), by inclusive time.
  for (const name of (process.env.PROFILE_CALLERS ?? "").split(",").filter(Boolean)) {
    const callers = new Map();
    for (let i = 0; i < profile.samples.length; i++) {
      const chain = [];
      for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) chain.push(byId.get(id));
      const at = chain.findIndex((n) => n.callFrame.functionName === name);
      if (at < 0) continue;
      const k = chain.slice(at + 1, at + 4).map(keyOf).join(" < ");
      callers.set(k, (callers.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
    print(`callers of ${name}`, callers, 8);
  }
}

const kube = await startServer({ name: "kubeclass" });
try {
  const c = await createClassroom(kube.baseUrl, workload.startsWith("deployment") ? { nodes: 50, speed: workload === "deployment-fast" ? 100 : 1 } : { nodes: 10 });
  await delay(3000);
  if (workload === "api") {
    await instructor(c, "PUT", "/scheduler/running", { running: false });
    await instructor(c, "PUT", "/controllers/running", { running: false });
  }
  const insp = await inspector(kube.inspectorPort);
  await insp.send("Profiler.enable");
  await insp.send("Profiler.setSamplingInterval", { interval: 200 });
  await insp.send("Profiler.start");
  if (workload.startsWith("deployment")) {
    await createDeployment(c.admin, "default", "big", 1000);
    await delay(seconds * 1000);
  } else {
    const res = await closedLoop(16, seconds * 1000, (cl, i) => createPod(c.admin, "default", `p-${cl}-${i}`));
    console.log(`${res.results.filter((r) => r.status === 201).length} creates in ${res.seconds.toFixed(1)} s`);
  }
  const { result } = await insp.send("Profiler.stop");
  insp.close();
  summarize(result.profile);
} finally {
  await kube.stop();
  killEverything();
}
