/// <reference types="node" />
// Tests of the e2e harness itself. The Kubernetes API does not exist yet, so kubectl is only pointed at
// addresses we control (a closed port, a TCP server that never answers), never at wrangler dev.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, makeKubectl, startServer, type Kubectl, type Server, groupAlive } from "./harness";

function kubeconfigFor(server: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: dummy",
    "  cluster:",
    `    server: ${server}`,
    "contexts:",
    "- name: dummy",
    "  context:",
    "    cluster: dummy",
    "    user: dummy",
    "users:",
    "- name: dummy",
    "  user:",
    "    token: dummy-token",
    "current-context: dummy",
    "",
  ].join("\n");
}

/** Binding succeeds only if nothing listens on the port any more. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}


describe("startServer", () => {
  let server: Server | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it("serves /healthz", async () => {
    const t0 = Date.now();
    server = await startServer();
    console.log(`wrangler dev ready in ${Date.now() - t0} ms on ${server.baseUrl}`);
    expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(`${server.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
  });

  it("stop() ends the process group and frees the port", async () => {
    expect(server).toBeDefined();
    const { port, pid } = server!;
    await server!.stop();
    expect(groupAlive(pid)).toBe(false);
    expect(await portIsFree(port)).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await server!.stop(); // idempotent
  });

  it("keeps a given persistDir, so state survives a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubeclass-harness-test-"));
    try {
      const first = await startServer({ persistDir: dir });
      await first.stop();
      expect(existsSync(dir)).toBe(true);
      expect(readdirSync(dir).length).toBeGreaterThan(0);
      const second = await startServer({ persistDir: dir });
      try {
        expect((await fetch(`${second.baseUrl}/healthz`)).status).toBe(200);
      } finally {
        await second.stop();
      }
      expect(existsSync(dir)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("makeKubectl", () => {
  let kubectl: Kubectl;
  let hanging: NetServer;
  let hangingPort: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never answers: kubectl against it blocks until killed.
    hanging = createServer((s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    hangingPort = (hanging.address() as { port: number }).port;
  });
  afterAll(async () => {
    kubectl?.cleanup();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hanging.close(() => r()));
  });

  it("runs kubectl version --client with its own kubeconfig and cache dir", async () => {
    const closed = await freePort(); // nothing listens there
    kubectl = makeKubectl(kubeconfigFor(`http://127.0.0.1:${closed}`));
    expect(readFileSync(kubectl.kubeconfigPath, "utf8")).toContain(`127.0.0.1:${closed}`);
    const res = await kubectl.run(["version", "--client"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Client Version: v1\.\d+/);
    const view = await kubectl.run(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"]);
    expect(view).toMatchObject({ code: 0, stdout: `http://127.0.0.1:${closed}` });
  });

  it("resolves (does not throw) on a non-zero exit", async () => {
    const res = await kubectl.run(["get", "pods"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/refused/);
  });

  it("passes input on stdin", async () => {
    const res = await kubectl.run(["create", "--dry-run=client", "-o", "name", "--validate=false", "-f", "-"], {
      input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-stdin\n",
    });
    // Client-side dry run still needs discovery, which the closed port refuses: the input was read,
    // and the failure is about the server, not about missing input.
    expect(res.stderr).not.toMatch(/no objects passed/);
    expect(res.code).not.toBe(0);
  });

  it("kills kubectl at timeoutMs and says so", async () => {
    const hang = makeKubectl(kubeconfigFor(`http://127.0.0.1:${hangingPort}`));
    try {
      const t0 = Date.now();
      const res = await hang.run(["get", "pods", "--request-timeout=0"], { timeoutMs: 1_500 });
      expect(res.code).toBe(124);
      expect(res.stderr).toContain("killed after 1500 ms");
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      hang.cleanup();
    }
  });

  it("Watcher.waitFor resolves on matching output and stop() reports the exit", async () => {
    const w = kubectl.spawnWatch(["version", "--client", "--output=json"]);
    const out = await w.waitFor(/"gitVersion":\s*"v1\.\d+/, 10_000);
    expect(out).toContain("clientVersion");
    // Let kubectl exit by itself (waiting for text it never prints ends at its exit), so stop()
    // reports that exit rather than racing it with a kill.
    await expect(w.waitFor(/never-printed/, 10_000)).rejects.toThrow(/exited \(code 0\)/);
    const res = await w.stop();
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).clientVersion.gitVersion).toMatch(/^v1\./);
    // Already matched output resolves at once, also for a /g regexp.
    await expect(w.waitFor(/clientVersion/g, 10)).resolves.toContain("clientVersion");
  });

  it("Watcher.waitFor rejects when the process exits without a match", async () => {
    const w = kubectl.spawnWatch(["version", "--client", "--output=json"]);
    await expect(w.waitFor(/never-printed/, 10_000)).rejects.toThrow(/exited \(code 0\) without matching/);
    expect((await w.stop()).code).toBe(0);
  });

  it("Watcher.waitFor rejects on timeout with the output so far; stop() kills a running watch", async () => {
    const hang = makeKubectl(kubeconfigFor(`http://127.0.0.1:${hangingPort}`));
    try {
      const w = hang.spawnWatch(["get", "pods", "-w", "--request-timeout=0"]);
      await expect(w.waitFor(/never-printed/, 300)).rejects.toThrow(/timed out after 300 ms.*\nstdout so far:/);
      const res = await w.stop();
      expect(res.code).toBe(143); // SIGTERM
      expect(await w.stop()).toBe(res); // idempotent
    } finally {
      hang.cleanup();
    }
  });
});
