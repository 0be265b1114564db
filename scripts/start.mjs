#!/usr/bin/env node
// `npm start`: serve kubeclass locally with `wrangler dev` on 127.0.0.1 (PORT, default 8787), state kept
// under .wrangler/state, and say where it is once /healthz answers. wrangler's output reaches the
// terminal through redact.mjs: over plain HTTP a kubeconfig's token is in every request path it logs.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { constants as osConstants } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pipeRedacted } from "./redact.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 90_000;

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`start: PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}
const baseUrl = `http://${HOST}:${port}`;

// The web client is bundled by wrangler's [build] step (scripts/build-web.mjs) before it serves.

const child = spawn(
  process.execPath,
  [
    join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev",
    "--ip", HOST,
    "--port", String(port),
    // KUBECLASS_STATE_DIR and INSPECTOR_PORT let a test run its own copy beside a developer's.
    "--persist-to", process.env.KUBECLASS_STATE_DIR || join(ROOT, ".wrangler/state"),
    ...(process.env.INSPECTOR_PORT ? ["--inspector-port", process.env.INSPECTOR_PORT] : []),
    // No hotkey UI: it puts the terminal in raw mode, and then Ctrl-C would not reach us as SIGINT.
    "--show-interactive-dev-session=false",
  ],
  {
    cwd: ROOT,
    // Own process group: a terminal Ctrl-C reaches only us, and we forward it exactly once.
    detached: true,
    // Piped (not inherited) so every line can be redacted; nothing reads stdin (no hotkeys, above).
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? "false",
      // A pipe is not a terminal: keep wrangler's colours when ours is one.
      ...(process.stdout.isTTY && process.env.NO_COLOR === undefined ? { FORCE_COLOR: process.env.FORCE_COLOR ?? "1" } : {}),
    },
  },
);
pipeRedacted(child.stdout, process.stdout);
pipeRedacted(child.stderr, process.stderr);
// Resolves once wrangler's last words are written (or after a second, whatever happens).
const outputDone = Promise.race([
  Promise.all([once(child.stdout, "end"), once(child.stderr, "end")]),
  new Promise((r) => setTimeout(r, 1_000).unref()),
]);

let childExited = false;
let readyFailed = false;
const groupAlive = () => {
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
};
const killGroup = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};

// The first SIGINT/SIGTERM is forwarded for a clean shutdown. Repeats are ignored: under `npm start` a
// Ctrl-C arrives twice (from the terminal and forwarded by npm). If wrangler has not exited in time,
// the whole group is killed.
const STOP_GRACE_MS = 10_000;
let signalsSeen = 0;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    if (signalsSeen++ > 0 || childExited) return;
    child.kill(sig);
    setTimeout(() => killGroup("SIGKILL"), STOP_GRACE_MS).unref();
  });
}
// Safety net if we exit some other way: never leave wrangler or workerd behind.
process.on("exit", () => killGroup("SIGKILL"));

child.on("error", (err) => {
  console.error(`start: could not run wrangler: ${err.message}`);
  process.exit(1);
});

child.on("exit", async (code, signal) => {
  childExited = true;
  // wrangler stops its workerd children on the way out; make sure nothing in its group outlives it.
  const deadline = Date.now() + 5_000;
  while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  killGroup("SIGKILL");
  await outputDone;
  process.exit(readyFailed ? 1 : (code ?? 128 + (osConstants.signals[signal] ?? 0)));
});

async function healthy() {
  try {
    const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false; // not listening yet
  }
}

// Poll /healthz until the Worker answers or the deadline passes.
const deadline = Date.now() + READY_TIMEOUT_MS;
while (!childExited && signalsSeen === 0) {
  if (await healthy()) {
    const curl = `curl -X POST ${baseUrl}/api/classrooms -H 'content-type: application/json' -d '{"name":"demo"}'`;
    console.log(`\nkubeclass is running: open ${baseUrl}/ to create a classroom, or script it: ${curl}\n(Ctrl-C to stop)\n`);
    break;
  }
  if (Date.now() >= deadline) {
    console.error(`start: ${baseUrl}/healthz did not answer within ${READY_TIMEOUT_MS / 1000} s; stopping wrangler`);
    readyFailed = true;
    process.kill(process.pid, "SIGTERM"); // same path as a user's stop
    break;
  }
  await new Promise((r) => setTimeout(r, 200));
}
