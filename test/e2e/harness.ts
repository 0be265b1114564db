/// <reference types="node" />
// End-to-end harness: starts `wrangler dev` on a free 127.0.0.1 port and drives it with the real kubectl.
// Runs in Node (vitest.e2e.config.ts), not in workerd. Every wait is on a condition with a deadline.
import { afterAll, beforeAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { constants as osConstants, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WRANGLER = join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js");
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
const MAX_LOG_CHARS = 200_000;

// ---------------------------------------------------------------------------------------------------------
// Safety net: whatever a failing test leaves behind is killed when the test process ends. Children are
// spawned detached (own process group), so killing -pid also reaches workerd and kubectl's versioned binary.
const liveGroups = new Set<number>();
const liveTempDirs = new Set<string>();
function killEverything(): void {
  for (const pgid of liveGroups) killGroup(pgid, "SIGKILL");
  liveGroups.clear();
  for (const dir of liveTempDirs) rmSync(dir, { recursive: true, force: true });
  liveTempDirs.clear();
}
process.on("exit", killEverything);
// Vitest ends its fork workers with SIGTERM, which skips 'exit' handlers: clean up, then die of the same
// signal as we would have without this handler (unless someone else also handles it).
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  const onSignal = () => {
    killEverything();
    process.off(sig, onSignal);
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  process.on(sig, onSignal);
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  liveTempDirs.add(dir);
  return dir;
}

function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveTempDirs.delete(dir);
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Polls `check` until it returns true or the deadline passes. The pause between attempts is the poll
// interval of a condition wait, not a fixed sleep standing in for one.
async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Exit code of a finished child, with signals mapped the shell's way (128 + n). */
function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
}

/** Resolves once `child` has exited (immediately if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

/**
 * Stops a detached child's whole process group: SIGTERM, then SIGKILL if anything in the group is still
 * there after the deadline. Resolves only when no member of the group remains.
 */
async function stopGroup(child: ChildProcess, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  killGroup(pgid, "SIGTERM");
  const clean = await waitUntil(() => !groupAlive(pgid), timeoutMs);
  if (!clean) {
    killGroup(pgid, "SIGKILL");
    await waitUntil(() => !groupAlive(pgid), timeoutMs);
  }
  await exited(child);
  liveGroups.delete(pgid);
}

/** A port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("could not read the bound port"));
        return;
      }
      srv.close(() => resolvePort(addr.port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// wrangler dev

export interface Server {
  baseUrl: string;
  port: number;
  /** Process-group id of `wrangler dev` (wrangler and its workerd children). */
  pid: number;
  stop(): Promise<void>;
  logs(): string;
}

/**
 * Starts `wrangler dev` on a fresh 127.0.0.1 port with its own inspector port and persistence directory
 * (a new temp dir removed on stop, unless `persistDir` is given: then it is kept, so a second server can
 * reopen the same state). Resolves once GET /healthz answers 200.
 */
export async function startServer(opts: { persistDir?: string } = {}): Promise<Server> {
  // Another process can take a probed port before wrangler binds it; retry on that race only.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(opts);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof AddressInUse)) throw err;
    }
  }
}

class AddressInUse extends Error {}

async function startServerOnce(opts: { persistDir?: string }): Promise<Server> {
  const port = await freePort();
  let inspectorPort = await freePort();
  while (inspectorPort === port) inspectorPort = await freePort();
  const ownDir = opts.persistDir === undefined;
  const persistDir = opts.persistDir ?? makeTempDir("kubeclass-e2e-state-");

  let logs = "";
  const append = (chunk: string) => {
    logs += chunk;
    if (logs.length > MAX_LOG_CHARS) logs = logs.slice(logs.length - MAX_LOG_CHARS);
  };

  const child = spawn(
    process.execPath,
    [
      WRANGLER, "dev",
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--inspector-port", String(inspectorPort),
      "--persist-to", persistDir,
      "--log-level", "warn",
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: REPO_ROOT,
      detached: true, // own process group, so stop() can take workerd down with it
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    },
  );
  if (child.pid === undefined) {
    if (ownDir) removeTempDir(persistDir);
    throw new Error(`could not spawn wrangler dev (${WRANGLER})`);
  }
  const pid = child.pid;
  liveGroups.add(pid);
  child.stdout!.setEncoding("utf8").on("data", append);
  child.stderr!.setEncoding("utf8").on("data", append);
  child.on("exit", (code, signal) => append(`\n[harness] wrangler dev exited (code ${code}, signal ${signal})\n`));

  let stopped: Promise<void> | undefined;
  const server: Server = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    pid,
    logs: () => logs,
    stop: () => {
      stopped ??= (async () => {
        await stopGroup(child);
        if (ownDir) removeTempDir(persistDir);
      })();
      return stopped;
    },
  };

  const startedAt = Date.now();
  let childGone = false;
  child.once("exit", () => (childGone = true));
  let lastProbe = "";
  const ready = await waitUntil(
    async () => childGone || (await healthy(server.baseUrl, (line) => (lastProbe = line))),
    READY_TIMEOUT_MS,
    100,
  );
  if (ready && !childGone) return server;

  await server.stop();
  const why = childGone ? "wrangler dev exited before it was ready" : `wrangler dev not ready after ${READY_TIMEOUT_MS} ms`;
  const probe = lastProbe ? `\nLast probe: ${lastProbe}` : "";
  const message = `${why} (port ${port}, ${Date.now() - startedAt} ms).${probe}\nLogs:\n${logs}`;
  if (childGone && /EADDRINUSE|address already in use/i.test(logs)) throw new AddressInUse(message);
  throw new Error(message);
}

async function healthy(baseUrl: string, report: (line: string) => void): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body = await res.text();
    if (res.status === 200) return true;
    report(`GET /healthz -> ${res.status}: ${body.slice(0, 2_000)}`); // listening but broken: keep the why
    return false;
  } catch {
    return false; // not listening yet
  }
}

// ---------------------------------------------------------------------------------------------------------
// kubectl

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Watcher {
  /** stdout so far. */
  output(): string;
  /**
   * Resolves with stdout so far as soon as it matches `re` (checked on every 'data' event). Rejects with the
   * output so far on timeout (default 30 s) or when the process exits without a match.
   */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Stops the process (its whole group) if still running and reports how it ended. */
  stop(): Promise<KubectlResult>;
}

export interface Kubectl {
  kubeconfigPath: string;
  /** Runs kubectl to completion; never rejects on a non-zero exit. Killed at timeoutMs (default 60 s): code 124. */
  run(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. `get pods -w`, `logs -f`). */
  spawnWatch(args: string[]): Watcher;
  /** Kills anything still running from this instance and removes its temp dir (kubeconfig, discovery cache). */
  cleanup(): void;
}

const KUBECTL_TIMEOUT_MS = 60_000;
const WAIT_FOR_TIMEOUT_MS = 30_000;

export interface KubectlOptions {
  /** The kubectl to run (default `kubectl` on PATH, the dispatcher), e.g. a versioned `kubectl.1.28`. */
  binary?: string;
  /** Extra environment, e.g. `KUBE_FEATURE_WatchListClient`. */
  env?: Record<string, string>;
}

/**
 * Writes `kubeconfigYaml` to a temp file. Every kubectl runs with `--kubeconfig <that file>` and its own
 * KUBECACHEDIR, so discovery cached by one test never leaks into another; HOME is left alone.
 */
export function makeKubectl(kubeconfigYaml: string, opts: KubectlOptions = {}): Kubectl {
  const dir = makeTempDir("kubeclass-e2e-kubectl-");
  const kubeconfigPath = join(dir, "kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });
  const binary = opts.binary ?? "kubectl";
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, KUBECACHEDIR: join(dir, "cache") };
  delete env.KUBECONFIG; // --kubeconfig wins anyway; keep the environment from adding confusion
  const children = new Set<ChildProcess>();

  const start = (args: string[]) => {
    const child = spawn(binary, ["--kubeconfig", kubeconfigPath, ...args], {
      env,
      // The installed kubectl is a dispatcher that may run a versioned kubectl: a group kill reaches both.
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out = { stdout: "", stderr: "" };
    child.stdout!.setEncoding("utf8").on("data", (c: string) => (out.stdout += c));
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (out.stderr += c));
    child.stdin!.on("error", () => {}); // EPIPE if kubectl exits before reading its input
    if (child.pid !== undefined) {
      liveGroups.add(child.pid);
      children.add(child);
    }
    // 'close' fires after 'exit' and after stdout/stderr have ended, so the output is complete.
    const closed = new Promise<{ code: number; spawnError?: Error }>((r) => {
      let spawnError: Error | undefined;
      child.once("error", (e) => {
        spawnError = e;
        if (child.pid === undefined) r({ code: 127, spawnError });
      });
      child.once("close", (code, signal) => {
        if (child.pid !== undefined) liveGroups.delete(child.pid);
        children.delete(child);
        r({ code: exitCode(code, signal), spawnError });
      });
    });
    return { child, out, closed };
  };

  const run: Kubectl["run"] = async (args, opts = {}) => {
    const timeoutMs = opts.timeoutMs ?? KUBECTL_TIMEOUT_MS;
    const { child, out, closed } = start(args);
    // Always close stdin, so a command that reads it gets EOF instead of hanging.
    child.stdin!.end(opts.input ?? "");
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    }, timeoutMs);
    const { code, spawnError } = await closed;
    clearTimeout(timer);
    let stderr = out.stderr;
    if (spawnError) stderr += `\n[harness] could not run kubectl: ${spawnError.message}\n`;
    if (timedOut) {
      stderr += `\n[harness] kubectl ${args.join(" ")} killed after ${timeoutMs} ms timeout\n`;
      return { code: 124, stdout: out.stdout, stderr };
    }
    return { code, stdout: out.stdout, stderr };
  };

  const spawnWatch: Kubectl["spawnWatch"] = (args) => {
    const { child, out, closed } = start(args);
    child.stdin!.end();
    let done = false;
    void closed.then(() => (done = true));
    let result: Promise<KubectlResult> | undefined;
    return {
      output: () => out.stdout,
      waitFor(re, timeoutMs = WAIT_FOR_TIMEOUT_MS) {
        const pattern = new RegExp(re.source, re.flags.replace(/[gy]/g, "")); // stateless test()
        if (pattern.test(out.stdout)) return Promise.resolve(out.stdout);
        return new Promise<string>((resolveWait, reject) => {
          const finish = (err?: Error) => {
            clearTimeout(timer);
            child.stdout!.off("data", onData);
            if (err) reject(err);
            else resolveWait(out.stdout);
          };
          // Listeners run in registration order, so `out.stdout` already holds this chunk.
          const onData = () => {
            if (pattern.test(out.stdout)) finish();
          };
          const timer = setTimeout(
            () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${re} in kubectl ${args.join(" ")}\n` +
              `stdout so far:\n${out.stdout}\nstderr so far:\n${out.stderr}`)),
            timeoutMs,
          );
          child.stdout!.on("data", onData);
          void closed.then(({ code }) => {
            if (pattern.test(out.stdout)) finish();
            else finish(new Error(`kubectl ${args.join(" ")} exited (code ${code}) without matching ${re}\n` +
              `stdout:\n${out.stdout}\nstderr:\n${out.stderr}`));
          });
        });
      },
      stop() {
        result ??= (async () => {
          if (!done) await stopGroup(child);
          const { code } = await closed;
          return { code, stdout: out.stdout, stderr: out.stderr };
        })();
        return result;
      },
    };
  };

  return {
    kubeconfigPath,
    run,
    spawnWatch,
    cleanup() {
      for (const child of children) if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
      removeTempDir(dir);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// API helpers

export interface Classroom {
  id: string;
  instructorUrl: string;
  joinUrl: string;
  instructorToken: string;
  joinToken: string;
  kubeconfig: string;
}

/** POST /api/classrooms; throws (with the response body) unless it answers 201 with every field. */
export async function createClassroom(baseUrl: string, body: { name?: string; nodes?: number; speed?: number; cloud?: boolean } = {}): Promise<Classroom> {
  const res = await fetch(`${baseUrl}/api/classrooms`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/classrooms: expected 201, got ${res.status}: ${text}`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`POST /api/classrooms: body is not JSON: ${text}`);
  }
  const fields = ["id", "instructorUrl", "joinUrl", "instructorToken", "joinToken", "kubeconfig"] as const;
  for (const f of fields) {
    if (typeof json[f] !== "string" || json[f] === "") {
      throw new Error(`POST /api/classrooms: field ${f} missing or not a string: ${text}`);
    }
  }
  return Object.fromEntries(fields.map((f) => [f, json[f] as string])) as unknown as Classroom;
}

// ---------------------------------------------------------------------------------------------------------
// A suite: one server for the file, one classroom per test

export interface SuiteClassroom {
  cls: Classroom;
  k: Kubectl;
  /** Runs kubectl and returns stdout; a non-zero exit throws with everything kubectl said. */
  ok(...args: string[]): Promise<string>;
  /** Another kubectl on the same classroom (a second terminal), optionally another binary or environment. */
  another(opts?: KubectlOptions): Kubectl;
  /** The instructor's kubeclass API of this classroom (path after /api/classrooms/<id>). */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** Pauses the classroom clock, then moves it forward, running every due step at its own time. */
  advance(seconds: number): Promise<void>;
  /** A student joins through the join link's API; returns a kubectl with the student's kubeconfig. */
  student(name: string): Promise<Kubectl>;
  /** The kubeclass base URL (http://127.0.0.1:<port>). */
  baseUrl: string;
}

/** Starts `wrangler dev` before the file's tests and stops it (and every kubectl) after them. */
export function e2eSuite(): { classroom(body?: { name?: string; nodes?: number; speed?: number; cloud?: boolean }): Promise<SuiteClassroom> } {
  let server: Server | undefined;
  const kubectls: Kubectl[] = [];
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const k of kubectls) k.cleanup();
    await server?.stop();
  });
  const track = (k: Kubectl) => (kubectls.push(k), k);
  return {
    async classroom(body = {}) {
      const cls = await createClassroom(server!.baseUrl, body);
      const k = track(makeKubectl(cls.kubeconfig));
      const ok = async (...args: string[]) => {
        const r = await k.run(args, { timeoutMs: 90_000 });
        if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
        return r.stdout;
      };
      const api = (method: string, path: string, body?: unknown) => fetch(`${server!.baseUrl}/api/classrooms/${cls.id}${path}`, {
        method, headers: { authorization: `Bearer ${cls.instructorToken}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(120_000),
      });
      const advance = async (seconds: number) => {
        for (const [m, p, b] of [["PUT", "/clock", { paused: true }], ["POST", "/clock/advance", { seconds }]] as const) {
          const res = await api(m, p, b);
          if (!res.ok) throw new Error(`${m} ${p}: ${res.status} ${await res.text()}`);
        }
      };
      const student = async (name: string) => {
        const res = await fetch(`${server!.baseUrl}/api/classrooms/${cls.id}/students`, {
          method: "POST", headers: { authorization: `Bearer ${cls.joinToken}`, "content-type": "application/json" }, body: JSON.stringify({ name }),
        });
        if (res.status !== 201) throw new Error(`join as ${name}: ${res.status} ${await res.text()}`);
        return track(makeKubectl(((await res.json()) as { kubeconfig: string }).kubeconfig));
      };
      return { cls, baseUrl: server!.baseUrl, k, ok, another: (opts?: KubectlOptions) => track(makeKubectl(cls.kubeconfig, opts)), api, advance, student };
    },
  };
}
