// A student's kubectl is not always the server's minor. The dispatcher on PATH picks the kubectl that
// matches our /version (1.32, covered by kubectl.test.ts); the versioned binaries beside it are run
// directly here: a whole session with 1.28, 1.30 and 1.33, each command at --v=6 so every request
// and its status is in the log, and a shorter one with 1.29, 1.31 and 1.32.
import { existsSync, realpathSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { e2eSuite, type Kubectl, type KubectlOptions } from "./harness";

const fixture = (f: string) => resolve(__dirname, "../fixtures", f);
const suite = e2eSuite();

/** kubectl.1.<minor> next to the real file behind `kubectl` on PATH (readlink -f $(command -v kubectl)). */
function versionedKubectl(minor: number): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "kubectl");
    if (!dir || !existsSync(candidate)) continue;
    const binary = join(dirname(realpathSync(candidate)), `kubectl.1.${minor}`);
    if (existsSync(binary)) return binary;
    throw new Error(`no ${binary} next to ${realpathSync(candidate)} (the kubectl dispatcher keeps its versions there)`);
  }
  throw new Error("no kubectl on PATH");
}

interface Request { verb: string; path: string; status: number }

/** Every request kubectl logged at --v=6, in either format (1.28–1.30 and 1.31+), with the path after the kubeconfig's prefix. */
function requestsIn(stderr: string): Request[] {
  const out: Request[] = [];
  const strip = (url: string) => new URL(url).pathname.replace(/^\/clusters\/[0-9a-f]{32}\/auth\/[^/]+/, "");
  for (const m of stderr.matchAll(/round_trippers\.go:\d+\] (GET|POST|PUT|PATCH|DELETE) (\S+) (\d{3}) /g)) out.push({ verb: m[1], path: strip(m[2]), status: Number(m[3]) });
  for (const m of stderr.matchAll(/"Response" verb="(\w+)" url="([^"]+)" status="(\d{3})/g)) out.push({ verb: m[1], path: strip(m[2]), status: Number(m[3]) });
  return out;
}

/** /version, /api, /api/<v>, /apis, /apis/<g>, /apis/<g>/<v> and /openapi/...: what kubectl asks before it acts. */
const isDiscovery = (path: string) => /^\/(version|api(\/[^/]+)?|apis(\/[^/]+){0,2}|openapi(\/.*)?)$/.test(path);

/** A kubectl of one version on one classroom: every run at --v=6, its stderr kept for the session checks. */
function session(k: Kubectl) {
  const stderrs: string[] = [];
  const run = async (args: string[], input?: string) => {
    const r = await k.run(["--v=6", ...args], { input, timeoutMs: 90_000 });
    stderrs.push(r.stderr);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };
  return {
    run,
    stderrs,
    /**
     * No failed discovery or OpenAPI request, no other failure than the `expected` ones, and no
     * warning: no W/E klog line, no server `Warning:`.
     */
    check(expectedFailures: RegExp[]) {
      const all = stderrs.join("\n");
      const requests = requestsIn(all);
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((r) => isDiscovery(r.path)).length, "discovery requests").toBeGreaterThan(0);
      const failed = requests.filter((r) => r.status >= 400);
      expect(failed.filter((r) => isDiscovery(r.path)), "failed discovery requests").toEqual([]);
      expect(failed.filter((r) => !expectedFailures.some((re) => re.test(`${r.verb} ${r.path} ${r.status}`))), "unexpected failures").toEqual([]);
      expect(all.split("\n").filter((l) => /^[WE]\d{4} /.test(l) || /^Warning: /.test(l)), "warnings").toEqual([]);
    },
  };
}

/** apply reads an object before it creates it; delete (--wait) reads it until it is gone. */
const APPLY_404 = [/^GET \/apis\/apps\/v1\/namespaces\/demo\/deployments\/web 404$/];
const DELETE_404 = [/^GET \/apis\/apps\/v1\/namespaces\/demo\/deployments\/api 404$/];

for (const minor of [28, 30, 33]) {
  describe(`kubectl 1.${minor}`, () => {
    it("version, get, typed create (JSON or protobuf), apply, apply --server-side, rollout status, logs, explain, -w, delete; --v=6 shows no failed discovery and no warning", async () => {
      const binary = versionedKubectl(minor);
      const c = await suite.classroom({ name: `kubectl-1-${minor}`, nodes: 2, speed: 30 });
      const k = c.another({ binary });
      const s = session(k);

      // The skew warning is kubectl's own, printed the same against a real 1.32 server (supported: ±1 minor).
      const version = await k.run(["version"]);
      expect(version.code).toBe(0);
      expect(version.stdout).toMatch(new RegExp(`^Client Version: v1\\.${minor}\\.\\d+$`, "m"));
      expect(version.stdout).toMatch(/^Server Version: v1\.32\.\d+$/m);
      const skew = "WARNING: version difference between client (1." + minor + ") and server (1.32) exceeds the supported minor version skew of +/-1";
      if (Math.abs(32 - minor) > 1) expect(version.stdout + version.stderr).toContain(skew);
      else expect(version.stdout + version.stderr).not.toContain("WARNING");

      expect(await s.run(["get", "namespace", "default", "-o", "name"])).toBe("namespace/default\n");
      expect(await s.run(["api-resources"])).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      expect(await s.run(["create", "namespace", "demo"])).toBe("namespace/demo created\n");
      // Typed create commands: protobuf bodies from 1.32 on, JSON before.
      expect(await s.run(["create", "deployment", "api", "--image=nginx:1.25", "--replicas=1", "-n", "demo"])).toBe("deployment.apps/api created\n");
      const cm = await k.run(["--v=8", "create", "configmap", "cfg", "--from-literal=a=b", "-n", "demo"]);
      expect(cm.stdout, cm.stderr).toBe("configmap/cfg created\n");
      expect(cm.stderr).toMatch(minor >= 32 ? /Content-Type: application\/vnd\.kubernetes\.protobuf/ : /Content-Type: application\/json/);
      s.stderrs.push(cm.stderr);
      expect(await s.run(["get", "deploy", "api", "-n", "demo", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}"])).toBe("1 nginx:1.25");

      // Client-side apply: created, configured (a three-way strategic merge patch), unchanged.
      expect(await s.run(["apply", "-n", "demo", "-f", fixture("deployment.yaml")])).toBe("deployment.apps/web created\n");
      expect(await s.run(["apply", "-n", "demo", "-f", fixture("deployment-edited.yaml")])).toBe("deployment.apps/web configured\n");
      expect(await s.run(["apply", "-n", "demo", "-f", fixture("deployment-edited.yaml")])).toBe("deployment.apps/web unchanged\n");
      expect(await s.run(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}"])).toBe("4 nginx:1.25");
      expect(await s.run(["apply", "--server-side", "-n", "demo", "-f", fixture("ssa-configmap.yaml")])).toBe("configmap/settings serverside-applied\n");
      expect(await s.run(["get", "cm", "settings", "-n", "demo", "-o", "jsonpath={.data.mode} {.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}"]))
        .toBe("classroom kubectl Apply");

      expect(await s.run(["rollout", "status", "deployment/web", "-n", "demo", "--timeout=90s"])).toMatch(/deployment "web" successfully rolled out\n$/);
      const pods = (await s.run(["get", "pods", "-n", "demo", "-l", "app=web", "-o", "name"])).trim().split("\n");
      expect(pods).toHaveLength(4);
      expect(await s.run(["logs", pods[0], "-n", "demo"])).toMatch(/nginx|notice/);
      expect(await s.run(["explain", "deployment.spec.replicas"])).toMatch(/^FIELD: +replicas <integer>$/m);

      const w = k.spawnWatch(["--v=6", "get", "pods", "-n", "demo", "-w"]);
      await w.waitFor(/^web-\S+\s+1\/1\s+Running\s+0\s+\S+$/m);
      expect(await s.run(["run", "late", "--image=nginx:1.25", "-n", "demo"])).toBe("pod/late created\n");
      await w.waitFor(/^late\s+0\/1\s+Pending\s+0\s+\S+$/m);
      s.stderrs.push((await w.stop()).stderr);

      if (minor >= 33) {
        // WatchList (client-go's WatchListClient gate, off by default): the reflector asks for the initial
        // state as watch events and waits for the bookmark that ends it.
        const wl = c.another({ binary, env: { KUBE_FEATURE_WatchListClient: "true" } });
        const r = await wl.run(["--v=6", "rollout", "status", "deployment/web", "-n", "demo", "--timeout=60s"], { timeoutMs: 90_000 });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/successfully rolled out/);
        expect(r.stderr).toMatch(/sendInitialEvents=true/);
        s.stderrs.push(r.stderr);
      }

      expect(await s.run(["delete", "deployment", "api", "-n", "demo"])).toBe('deployment.apps "api" deleted\n');
      s.check([...APPLY_404, ...DELETE_404]);
    });
  });
}

describe("kubectl 1.29, 1.31 and 1.32 (the versioned binaries)", () => {
  it("discovery, apply, get, explain at --v=6: no failed discovery request and no warning", async () => {
    const c = await suite.classroom({ name: "kubectl-versions", nodes: 0 });
    await c.ok("create", "namespace", "demo");
    for (const minor of [29, 31, 32]) {
      const opts: KubectlOptions = { binary: versionedKubectl(minor) };
      const s = session(c.another(opts));
      expect(await s.run(["api-resources", "-o", "name"])).toMatch(/^deployments\.apps$/m);
      expect(await s.run(["apply", "-n", "demo", "-f", fixture("deployment.yaml")])).toMatch(/^deployment\.apps\/web (created|unchanged)\n$/);
      expect(await s.run(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.name}"])).toBe("web");
      expect(await s.run(["explain", "pods.spec.containers.image"])).toMatch(/^FIELD: +image <string>$/m);
      s.check(APPLY_404);
    }
  });
});
