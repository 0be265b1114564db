// The official clients, with the kubeconfig kubeclass hands out, unchanged, against `wrangler dev`:
// @kubernetes/client-node (devDependency, pinned) and Debian's python3-kubernetes.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { e2eSuite } from "./harness";

const suite = e2eSuite();
const classroom = () => suite.classroom({ name: "clients", nodes: 2, speed: 30 });
const PYTHON_SCRIPT = resolve(__dirname, "python-client.py");
const WAIT_MS = 45_000;

const pod = (name: string, labels: Record<string, string>): k8s.V1Pod => ({
  apiVersion: "v1", kind: "Pod", metadata: { name, labels },
  spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
});

type Ev = { type: "add" | "update" | "delete"; pod: k8s.V1Pod };

/** Records an informer's events; `waitFor` resolves on the first recorded event that matches (past or future). */
function recorder(informer: k8s.Informer<k8s.V1Pod> & k8s.ObjectCache<k8s.V1Pod>) {
  const events: Ev[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<{ match: (e: Ev) => boolean; resolve: (e: Ev) => void }>();
  const record = (type: Ev["type"]) => (p: k8s.V1Pod) => {
    const e = { type, pod: p };
    events.push(e);
    for (const w of waiters) {
      if (!w.match(e)) continue;
      waiters.delete(w);
      w.resolve(e);
    }
  };
  informer.on("add", record("add"));
  informer.on("update", record("update"));
  informer.on("delete", record("delete"));
  informer.on("error", (err: unknown) => errors.push(err));
  return {
    events, errors,
    waitFor(what: string, match: (e: Ev) => boolean, timeoutMs = WAIT_MS): Promise<Ev> {
      const past = events.find(match);
      if (past) return Promise.resolve(past);
      return new Promise<Ev>((res, rej) => {
        const w = { match, resolve: (e: Ev) => (clearTimeout(timer), res(e)) };
        const timer = setTimeout(() => {
          waiters.delete(w);
          rej(new Error(`informer: no ${what} within ${timeoutMs} ms; saw ${JSON.stringify(events.map((e) => [e.type, e.pod.metadata?.name, e.pod.status?.phase]))}; errors ${errors.map(String).join("; ")}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
  };
}

const names = (l: k8s.V1PodList) => l.items.map((p) => p.metadata!.name!).sort();

describe("@kubernetes/client-node", () => {
  it("the instructor kubeconfig as issued: create, list with label selectors, an informer sees add/update/delete, patch, delete", async () => {
    const { cls } = await classroom();
    const kc = new k8s.KubeConfig();
    kc.loadFromString(cls.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const ns = "js";
    await core.createNamespace({ body: { metadata: { name: ns } } });

    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/pods`, () => core.listNamespacedPod({ namespace: ns }));
    const rec = recorder(informer);
    await informer.start();
    try {
      expect((await core.createNamespacedPod({ namespace: ns, body: pod("web-1", { app: "web", tier: "front" }) })).metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      await core.createNamespacedPod({ namespace: ns, body: pod("db-1", { app: "db" }) });
      await rec.waitFor("add of web-1", (e) => e.type === "add" && e.pod.metadata?.name === "web-1");
      await rec.waitFor("add of db-1", (e) => e.type === "add" && e.pod.metadata?.name === "db-1");

      expect(names(await core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" }))).toEqual(["web-1"]);
      expect(names(await core.listNamespacedPod({ namespace: ns, labelSelector: "app in (web,db)" }))).toEqual(["db-1", "web-1"]);
      expect(names(await core.listNamespacedPod({ namespace: ns, labelSelector: "app!=web" }))).toEqual(["db-1"]);
      expect(names(await core.listNamespacedPod({ namespace: ns, labelSelector: "tier" }))).toEqual(["web-1"]);
      expect(names(await core.listPodForAllNamespaces({ labelSelector: "app=db" }))).toEqual(["db-1"]);

      // The scheduler and a kubelet move it on: the informer sees the updates up to Running.
      await rec.waitFor("web-1 Running", (e) => e.type === "update" && e.pod.metadata?.name === "web-1" && e.pod.status?.phase === "Running");

      // Patch: a merge patch, and the client's default (a JSON patch).
      const merged = await core.patchNamespacedPod({ namespace: ns, name: "web-1", body: { metadata: { labels: { reviewed: "yes" } } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
      expect(merged.metadata?.labels).toEqual({ app: "web", tier: "front", reviewed: "yes" });
      await rec.waitFor("update with the merge-patched label", (e) => e.type === "update" && e.pod.metadata?.labels?.reviewed === "yes");
      const jsonPatched = await core.patchNamespacedPod({ namespace: ns, name: "web-1", body: [{ op: "add", path: "/metadata/annotations", value: { note: "json-patch" } }] });
      expect(jsonPatched.metadata?.annotations?.note).toBe("json-patch");
      await rec.waitFor("update with the JSON-patched annotation", (e) => e.type === "update" && e.pod.metadata?.annotations?.note === "json-patch");
      expect(informer.get("web-1", ns)?.metadata?.annotations?.note).toBe("json-patch");

      // Delete: graceful (the kubelet stops it, then the object goes), and the informer sees it go.
      await core.deleteNamespacedPod({ namespace: ns, name: "web-1" });
      await rec.waitFor("delete of web-1", (e) => e.type === "delete" && e.pod.metadata?.name === "web-1");
      expect(informer.list(ns).map((p) => p.metadata?.name)).toEqual(["db-1"]);
      await expect(core.readNamespacedPod({ namespace: ns, name: "web-1" })).rejects.toMatchObject({ code: 404 });

      // Another group through the same file.
      await apps.createNamespacedDeployment({ namespace: ns, body: {
        metadata: { name: "api" },
        spec: { replicas: 2, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "nginx:1.25" }] } } },
      } });
      expect((await apps.readNamespacedDeployment({ namespace: ns, name: "api" })).spec?.replicas).toBe(2);
      expect(rec.errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it("a student's kubeconfig as issued: a watch in their namespace, and the real Forbidden outside it", async () => {
    const { student } = await classroom();
    const ana = await student("ana");
    const kc = new k8s.KubeConfig();
    kc.loadFromString(readFileSync(ana.kubeconfigPath, "utf8"));
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe("student-ana");
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const ns = "student-ana";
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/pods`, () => core.listNamespacedPod({ namespace: ns }), "app=mine");
    const rec = recorder(informer);
    await informer.start();
    try {
      await core.createNamespacedPod({ namespace: ns, body: pod("mine", { app: "mine" }) });
      await core.createNamespacedPod({ namespace: ns, body: pod("other", { app: "other" }) });
      await rec.waitFor("add of mine", (e) => e.type === "add" && e.pod.metadata?.name === "mine");
      expect(informer.list().map((p) => p.metadata?.name)).toEqual(["mine"]); // the label selector holds on the watch too
      const refused = await core.createNamespacedPod({ namespace: "default", body: pod("intruder", {}) }).then(() => undefined, (e: unknown) => e);
      expect(refused).toBeInstanceOf(k8s.ApiException);
      const ex = refused as k8s.ApiException<string>;
      expect(ex.code).toBe(403);
      expect(JSON.parse(ex.body).message).toBe('pods is forbidden: User "kubeclass:student:ana" cannot create resource "pods" in API group "" in the namespace "default"');
      expect(rec.errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// python3-kubernetes (Debian's package; `.ci/run` installs it). Debian's interpreter, not whatever
// python3 comes first on PATH, since that is where apt puts the module.

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

function pythonHasKubernetes(): string | undefined {
  try {
    return execFileSync(PYTHON, ["-c", "import kubernetes; print(kubernetes.__version__)"], { encoding: "utf8", timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

/** Runs the script to completion (killed at the deadline) and returns its JSON lines. */
function runPython(args: string[], timeoutMs = 100_000): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(PYTHON, [PYTHON_SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      res({ code, lines, stderr });
    });
  });
}

describe("python3-kubernetes", () => {
  it("a student's kubeconfig: load_kube_config, list_namespaced_pod, create from a dict, a watch that sees the pod become Running", async () => {
    const version = pythonHasKubernetes();
    expect(version, `${PYTHON} cannot import kubernetes: install Debian's python3-kubernetes (bash .ci/run does)`).toBeDefined();
    const { student } = await classroom();
    const bia = await student("bia");
    const r = await runPython([bia.kubeconfigPath, "student-bia"]);
    const step = (name: string) => r.lines.filter((l) => l.step === name);
    const why = `exit ${r.code}\nstdout: ${JSON.stringify(r.lines)}\nstderr: ${r.stderr}`;
    expect(r.code, why).toBe(0);
    expect(step("config")[0], why).toMatchObject({ namespace: "student-bia", host: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/clusters\/[0-9a-f]{32}\/auth\//) });
    expect(step("list")[0], why).toMatchObject({ count: 0 });
    expect(step("created")[0], why).toMatchObject({ pod: "py-web", configmap: "py-settings" });
    const events = step("event") as { type: string; name: string; phase: string }[];
    expect(events[0], why).toMatchObject({ type: "ADDED", name: "py-web", phase: "Pending" });
    expect(events.at(-1), why).toMatchObject({ type: "MODIFIED", name: "py-web", phase: "Running" });
    expect(step("selected")[0], why).toMatchObject({ pods: ["py-web"], none: [] });
    expect(step("deleted")[0], why).toMatchObject({ pod: "py-web" });
    expect(step("forbidden")[0], why).toMatchObject({ status: 403, reason: "Forbidden" });
  });
});
