/// <reference types="node" />
// `npm start` (scripts/start.mjs) must not print credentials: over plain HTTP a kubeconfig's token
// rides in the request path, and wrangler dev logs every request's path.
import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, groupAlive } from "./harness";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

let child: ChildProcess | undefined;
const stateDir = mkdtempSync(join(tmpdir(), "kubeclass-start-"));

afterAll(async () => {
  if (child?.pid) {
    const pid = child.pid;
    try { process.kill(pid, "SIGTERM"); } catch { /* gone */ }
    for (let i = 0; i < 150 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ }
  }
  rmSync(stateDir, { recursive: true, force: true });
});

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pred();
}

describe("npm start", () => {
  it("prints requests with /auth/<redacted>, never the token", async () => {
    const port = await freePort();
    const inspector = await freePort();
    let out = "";
    child = spawn(process.execPath, [join(ROOT, "scripts/start.mjs")], {
      cwd: ROOT,
      detached: true, // its own group, so afterAll takes wrangler and workerd down too
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PORT: String(port), INSPECTOR_PORT: String(inspector), KUBECLASS_STATE_DIR: stateDir, NO_COLOR: "1", WRANGLER_SEND_METRICS: "false" },
    });
    child.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (out += c));
    expect(await until(() => out.includes("kubeclass is running"), 90_000)).toBe(true);

    const base = `http://127.0.0.1:${port}`;
    const res = await fetch(`${base}/api/classrooms`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "redact", nodes: 0 }) });
    const cls = (await res.json()) as { id: string; instructorToken: string };
    const ns = await fetch(`${base}/clusters/${cls.id}/auth/${cls.instructorToken}/api/v1/namespaces`);
    expect(ns.status).toBe(200);
    await fetch(`${base}/api/classrooms/${cls.id}/live?token=${cls.instructorToken}`);
    expect(await until(() => out.includes(`/clusters/${cls.id}/auth/<redacted>/api/v1/namespaces`), 10_000)).toBe(true);
    expect(out).not.toContain(cls.instructorToken);
  }, 120_000);
});
