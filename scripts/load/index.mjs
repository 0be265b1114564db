#!/usr/bin/env node
// `npm run load -- [scenario ...]` (issue #11): load scenarios against kubeclass under `wrangler dev`, each
// beside a bare baseline (load/bare: one SQLite Durable Object, same wrangler, same load generator, same
// run), so every figure comes with the bare figure and the ratio. No argument runs every scenario.
// Each scenario gets fresh servers (own ports, own --persist-to temp dirs) and an overall time limit;
// both servers' process groups are killed at the end, on error and on Ctrl-C.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { killEverything, machineLine, markdownTable, printRow, sourcesStamp, startBoth } from "./lib.mjs";

const SCENARIOS = ["burst", "sustained", "deployment", "deployment-fast", "get-saturated", "live-storm", "idle", "memory"];

const args = process.argv.slice(2).filter((a) => a !== "--");
if (args.includes("-h") || args.includes("--help")) {
  console.log(`usage: npm run load -- [${SCENARIOS.join(" | ")} ...]   (none: all, in this order)`);
  process.exit(0);
}
const unknown = args.filter((a) => !SCENARIOS.includes(a));
if (unknown.length) {
  console.error(`load: unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.join(", ")}`);
  process.exit(2);
}
const chosen = args.length ? args : SCENARIOS;

const machine = machineLine();
console.log(machine);
/** @type {import("./lib.mjs").Row[]} */
const rows = [];
const startedAll = Date.now();

for (const name of chosen) {
  /** @type {{ LIMIT_MS: number, run: (ctx: any) => Promise<void> }} */
  const mod = await import(`./scenarios/${name}.mjs`);
  console.log(`\n== ${name} (time limit ${Math.round(mod.LIMIT_MS / 1000)} s)`);
  const t0 = Date.now();
  const stamp = sourcesStamp();
  let servers;
  const mine = [];
  const add = (row) => {
    const full = { scenario: name, ...row };
    mine.push(full);
    rows.push(full); // a row that arrives after a time limit still belongs in the table
    printRow(full);
  };
  let timer;
  const ac = new AbortController();
  try {
    servers = await startBoth();
    console.log(`  servers up in ${((Date.now() - t0) / 1000).toFixed(1)} s: kubeclass ${servers.kube.baseUrl}, bare ${servers.bare.baseUrl}`);
    const limit = new Promise((_, rej) => (timer = setTimeout(() => { ac.abort(); rej(new Error(`time limit of ${mod.LIMIT_MS / 1000} s reached`)); }, mod.LIMIT_MS)));
    const ctx = { kube: servers.kube, bare: servers.bare, add, log: (s) => console.log(`  ${s}`), alive: () => !ac.signal.aborted };
    await Promise.race([mod.run(ctx), limit]);
  } catch (e) {
    const msg = String(e?.message ?? e).split("\n")[0];
    console.error(`  ${name} failed: ${String(e?.stack ?? e).slice(0, 2000)}`);
    add({ metric: "scenario", kubeclass: "error", bare: "", ratio: "", verdict: "ERROR", note: msg.slice(0, 200) });
  } finally {
    clearTimeout(timer);
    ac.abort(); // whatever the scenario still runs stops at its next check
    // LOAD_LOGS=<dir>: kubeclass's server log of each scenario (warnings and faults), for a failed row.
    if (servers && process.env.LOAD_LOGS) writeFileSync(join(process.env.LOAD_LOGS, `${name}.log`), servers.kube.logs());
    if (servers) await Promise.all([servers.kube.stop(), servers.bare.stop()]);
  }
  if (sourcesStamp() !== stamp) for (const r of mine) r.note = `${r.note ? r.note + "; " : ""}src/ or web/ changed during the run: wrangler may have reloaded`;
  console.log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

killEverything();
console.log(`\n## kubeclass load (${new Date().toISOString()}, ${((Date.now() - startedAll) / 60000).toFixed(1)} min)\n`);
console.log(machine + "\n");
console.log(markdownTable(rows));
console.log(`\nratio = kubeclass / bare. Both servers are \`wrangler dev\` on this machine in the same run; absolute figures depend on the machine and what else runs on it.`);
process.exit(rows.some((r) => r.verdict === "ERROR") ? 1 : 0);
