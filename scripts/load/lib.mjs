// Shared pieces of the load tool (issue #11): starting and stopping `wrangler dev` (kubeclass and the bare
// baseline), the HTTP/WebSocket client, process CPU and memory from /proc, percentiles and the table.
// Everything talks to 127.0.0.1 only; every wait has a deadline.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Agent, fetch as undiciFetch, WebSocket } from "undici";
// ws for the inspector: undici's WebSocket is refused by the V8 inspector's handshake.
import InspectorSocket from "ws";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
const MAX_LOG_CHARS = 100_000;

export { WebSocket };
export const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** Enough connections that the client is never the bottleneck; one request per connection at a time. */
export const agent = new Agent({ connections: 1000, pipelining: 1, connectTimeout: 10_000, headersTimeout: 60_000, bodyTimeout: 60_000 });

/**
 * One HTTP request with its latency (ms, from send to the whole body read). Never throws: a network error
 * is `status: 0` with `error` set.
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string,string>, body?: unknown, timeoutMs?: number }} [opts]
 * @returns {Promise<{ status: number, ms: number, text: string, json: any, error?: string, end: number }>}
 */
export async function request(url, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  let body;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const t0 = performance.now();
  try {
    const res = await undiciFetch(url, { method: opts.method ?? "GET", headers, body, dispatcher: agent, signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
    const text = await res.text();
    const end = performance.now();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, ms: end - t0, text, json, end };
  } catch (e) {
    const end = performance.now();
    return { status: 0, ms: end - t0, text: "", json: undefined, error: String(e?.cause?.code ?? e?.name ?? e), end };
  }
}

/**
 * For set-up steps, not measurements: retries a 503 (wrangler's proxy: "worker restarted mid-request"),
 * a 429 or a network error a few times; a 409 on a retried create counts as done. Throws with the
 * answer if the status is still not an expected one.
 */
export async function must(url, opts, expected = [200, 201]) {
  let r;
  for (let attempt = 1; attempt <= 6; attempt++) {
    r = await request(url, opts);
    if (expected.includes(r.status) || (attempt > 1 && r.status === 409)) return r;
    if (![0, 429, 503].includes(r.status)) break;
    await delay(1_000 * attempt);
  }
  if (!expected.includes(r.status)) throw new Error(`${opts?.method ?? "GET"} ${url.replace(/\/auth\/[^/]+/, "/auth/<token>")} -> ${r.status} ${r.error ?? ""} ${r.text.slice(0, 300)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and output

/** Nearest-rank percentile of numbers (p in 0..100); NaN for none. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const fmt = (v, unit = "", digits = 0) => (v === undefined || v === null || Number.isNaN(v) ? "n/a" : `${Number(v).toFixed(digits)}${unit}`);
export const ms = (v) => fmt(v, " ms");

/** kubeclass / bare, as "0.42×"; n/a when either is missing. */
export function ratio(k, b, digits = 2) {
  if (typeof k !== "number" || typeof b !== "number" || !Number.isFinite(k) || !Number.isFinite(b) || b === 0) return "n/a";
  return `${(k / b).toFixed(digits)}×`;
}

/**
 * A result row. `kubeclass` and `bare` are display strings; `ratio` is kubeclass/bare ("higher is better"
 * or not is said by `target`).
 * @typedef {{ scenario: string, metric: string, kubeclass: string, bare: string, ratio: string, target?: string, verdict?: string, note?: string }} Row
 */

/** @param {Row} row */
export function printRow(row) {
  const verdict = row.verdict ? `  [${row.verdict}]` : "";
  console.log(`  ${row.scenario} | ${row.metric}: kubeclass ${row.kubeclass} | bare ${row.bare} | ratio ${row.ratio}${row.target ? ` | target ${row.target}` : ""}${verdict}${row.note ? `  (${row.note})` : ""}`);
}

export function machineLine() {
  const model = (readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? "?").trim();
  let nproc = cpus().length;
  try { nproc = Number(readFileSync("/sys/fs/cgroup/cpu.max", "utf8").split(" ")[0]) / 100000 || nproc; } catch { /* no cgroup v2 limit */ }
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return `Machine: ${cpus().length} CPUs (nproc; cgroup quota ${nproc}), ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, load average ${load}`;
}

/** @param {Row[]} rows */
export function markdownTable(rows) {
  const cols = ["scenario", "metric", "kubeclass", "bare", "ratio", "target", "verdict", "note"];
  const esc = (s) => String(s ?? "").replace(/\|/g, "\\|");
  const lines = [`| ${cols.join(" | ")} |`, `| ${cols.map(() => "---").join(" | ")} |`];
  for (const r of rows) lines.push(`| ${cols.map((c) => esc(r[c])).join(" | ")} |`);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------------
// Processes: wrangler dev in its own process group; its workerd children found by process group.

const liveGroups = new Set();
const tempDirs = new Set();
function killGroup(pgid, signal) {
  try { process.kill(-pgid, signal); } catch { /* gone */ }
}
function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}
export function killEverything() {
  for (const g of liveGroups) killGroup(g, "SIGKILL");
  liveGroups.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on("exit", killEverything);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    console.error(`\nload: ${sig}: stopping the servers`);
    killEverything();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[sig]);
  });
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === "object" ? res(a.port) : rej(new Error("no port"))));
    });
  });
}

/** Pids of the processes in a process group (from /proc/<pid>/stat field 5). */
export function groupPids(pgid) {
  const out = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) === pgid) out.push({ pid: Number(d), comm: st.slice(st.indexOf("(") + 1, st.lastIndexOf(")")) });
    } catch { /* exited */ }
  }
  return out;
}

const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat reports clock ticks of 1/100 s on every common build
/** CPU seconds (user + system) used so far by the given pids. */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    } catch { /* exited */ }
  }
  return ticks / CLK_TCK;
}

/** Resident memory (MiB) of the given pids, from VmRSS. */
export function rssMiB(pids) {
  let kb = 0;
  for (const pid of pids) {
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0); } catch { /* exited */ }
  }
  return kb / 1024;
}

/** Newest modification time under the work tree's sources: wrangler dev reloads if someone edits them mid-run. */
export function sourcesStamp() {
  let newest = 0;
  const walk = (dir, depth) => {
    if (depth > 6) return;
    let entries;
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else try { newest = Math.max(newest, statSync(p).mtimeMs); } catch { /* gone */ }
    }
  };
  for (const d of ["src", "web/src", "web/public"]) walk(join(ROOT, d), 0);
  return newest;
}

/**
 * @typedef {{ name: string, baseUrl: string, pgid: number, workerdPids(): number[], logs(): string, stop(): Promise<void> }} Server
 */

/**
 * Starts `wrangler dev` on a free 127.0.0.1 port with a fresh --persist-to dir; resolves once /healthz is 200.
 * @param {{ name: string, config?: string }} opts  config: a wrangler.toml path (default: kubeclass's)
 * @returns {Promise<Server>}
 */
export async function startServer(opts) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !/EADDRINUSE|address already in use/i.test(String(e))) throw e;
    }
  }
}

async function startOnce({ name, config }) {
  const port = await freePort();
  let inspector = await freePort();
  while (inspector === port) inspector = await freePort();
  const persist = mkdtempSync(join(tmpdir(), `kubeclass-load-${name}-`));
  tempDirs.add(persist);
  let logs = "";
  const append = (c) => { logs += c; if (logs.length > MAX_LOG_CHARS) logs = logs.slice(-MAX_LOG_CHARS); };
  const args = [WRANGLER, "dev", ...(config ? ["--config", config] : []), "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--persist-to", persist, "--log-level", "warn", "--show-interactive-dev-session=false"];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true, // own process group: stop() takes workerd down with it
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  if (child.pid === undefined) throw new Error(`could not spawn wrangler dev for ${name}`);
  const pgid = child.pid;
  liveGroups.add(pgid);
  child.stdout.setEncoding("utf8").on("data", append);
  child.stderr.setEncoding("utf8").on("data", append);
  let gone = false;
  child.once("exit", (code, sig) => { gone = true; append(`\n[load] wrangler dev exited (${code ?? sig})\n`); });
  let stopped;
  const server = {
    name,
    baseUrl: `http://127.0.0.1:${port}`,
    inspectorPort: inspector, // the V8 inspector of the Worker (scripts/load/profile.mjs reads CPU profiles from it)
    pgid,
    workerdPids: () => groupPids(pgid).filter((p) => p.comm.startsWith("workerd")).map((p) => p.pid),
    logs: () => logs,
    stop: () => (stopped ??= (async () => {
      killGroup(pgid, "SIGTERM");
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (groupAlive(pgid) && Date.now() < deadline) await delay(100);
      if (groupAlive(pgid)) killGroup(pgid, "SIGKILL");
      const hard = Date.now() + STOP_TIMEOUT_MS;
      while (groupAlive(pgid) && Date.now() < hard) await delay(100);
      liveGroups.delete(pgid);
      rmSync(persist, { recursive: true, force: true });
      tempDirs.delete(persist);
    })()),
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!gone && Date.now() < deadline) {
    const r = await request(`${server.baseUrl}/healthz`, { timeoutMs: 2_000 });
    if (r.status === 200 && server.workerdPids().length > 0) return server;
    await delay(200);
  }
  await server.stop();
  throw new Error(`${name}: wrangler dev ${gone ? "exited" : "not ready in time"} (port ${port})\n${logs.slice(-4000)}`);
}

/** Starts kubeclass and the bare baseline side by side (fresh state each). */
export async function startBoth() {
  const [k, b] = await Promise.allSettled([startServer({ name: "kubeclass" }), startServer({ name: "bare", config: join(ROOT, "load/bare/wrangler.toml") })]);
  if (k.status === "rejected" || b.status === "rejected") {
    if (k.status === "fulfilled") await k.value.stop();
    if (b.status === "fulfilled") await b.value.stop();
    throw k.status === "rejected" ? k.reason : b.reason;
  }
  return { kube: k.value, bare: b.value };
}

// ---------------------------------------------------------------------------------------------------------
// Bounded concurrency helpers

/**
 * Runs `fn(i)` for i in 0..n-1, at most `concurrency` at a time; stops starting new ones after `deadline`.
 * @template T @param {number} n @param {number} concurrency @param {(i: number) => Promise<T>} fn @param {number} [deadline]
 * @returns {Promise<T[]>}
 */
export async function pool(n, concurrency, fn, deadline = Infinity) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n && Date.now() < deadline) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

/** Runs `fn()` in `clients` parallel loops until `durationMs` is over; returns every result with its latency. */
export async function closedLoop(clients, durationMs, fn) {
  const results = [];
  const t0 = performance.now();
  const end = Date.now() + durationMs;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; Date.now() < end && i < 1_000_000; i++) results.push(await fn(c, i));
  }));
  return { results, seconds: (performance.now() - t0) / 1000 };
}

/** Counts of status codes as "201: 950, 429: 50". */
export function statusCounts(results) {
  const m = new Map();
  for (const r of results) m.set(r.status, (m.get(r.status) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s === 0 ? "net-error" : s}: ${n}`).join(", ");
}

/**
 * Fires `fn(i)` every `intervalMs` for `durationMs` (open loop: a slow answer does not delay the next
 * request), with at most `maxOutstanding` in flight (a tick with too many in flight is skipped and counted).
 * `until()` ends it early. Resolves once every request fired has answered.
 */
export async function openLoop(intervalMs, durationMs, fn, { maxOutstanding = 40, until = () => false } = {}) {
  const results = [];
  const pending = new Set();
  let skipped = 0;
  const end = Date.now() + durationMs;
  for (let i = 0; Date.now() < end && !until(); i++) {
    if (pending.size >= maxOutstanding) skipped++;
    else {
      const p = fn(i).then((r) => { results.push(r); pending.delete(p); });
      pending.add(p);
    }
    await delay(intervalMs);
  }
  await Promise.all(pending);
  return { results, skipped };
}

/**
 * The V8 inspector of a server's Worker (the Chrome DevTools protocol), for CPU profiles and heap
 * readings. Every call has a deadline.
 * @param {number} port
 */
export async function inspector(port) {
  const targets = await (await undiciFetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(10_000) })).json();
  const ws = new InspectorSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((ok, fail) => { ws.once("open", ok); ws.once("error", fail); });
  let id = 0;
  const waiting = new Map();
  ws.on("message", (m) => {
    const msg = JSON.parse(String(m));
    if (msg.id && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
  });
  const send = (method, params = {}, timeoutMs = 60_000) => new Promise((ok, fail) => {
    const i = ++id;
    const timer = setTimeout(() => { waiting.delete(i); fail(new Error(`inspector: ${method} timed out`)); }, timeoutMs);
    waiting.set(i, (msg) => { clearTimeout(timer); ok(msg); });
    ws.send(JSON.stringify({ id: i, method, params }));
  });
  return { send, close: () => ws.close() };
}

/**
 * The Worker isolate's JS heap in use (MiB). Not after a forced GC: workerd's inspector never answers
 * HeapProfiler.collectGarbage, so this includes garbage not yet collected (an upper bound).
 */
export async function heapMiB(server) {
  const insp = await inspector(server.inspectorPort);
  try {
    const r = await insp.send("Runtime.getHeapUsage", {}, 10_000);
    return r.result.usedSize / 2 ** 20;
  } finally {
    insp.close();
  }
}
