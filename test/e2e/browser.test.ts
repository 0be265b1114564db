/// <reference types="node" />
// The classroom in real browsers: one instructor and three students, each in a browser profile
// of their own, all at once against one `wrangler dev`. The classroom clock is paused and moved
// by the test, so every wait below is for a condition the simulation reaches, not for time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { makeKubectl, startServer, type Server } from "./harness";
import { artifact, launchBrowser, person } from "./browser-harness";

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const WAIT = { timeout: 60_000 };

/** Pods of students shown Running on a page's map (optionally: on one node). */
const runningChips = (page: Page, node?: string) =>
  page.locator(`[data-testid^="pod-student-"][data-status="Running"]${node ? `[data-node="${node}"]` : ""}`).count();

async function waitForChips(page: Page, pred: (running: number) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeout;
  for (;;) {
    const n = await runningChips(page);
    if (pred(n)) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${n} Running student pods on the map`);
    await page.waitForTimeout(100); // the poll interval of a condition wait
  }
}

const DEPLOYMENT_YAML = (name: string, replicas: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: ${name}
        image: nginx:1.27
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
`;

describe("the classroom in the browser", () => {
  it("an instructor and three students share one live cluster", async () => {
    // ---- the instructor creates the classroom from the home page
    const teacher = await person(browser, { viewport: { width: 1600, height: 900 } });
    const t = teacher.page;
    await t.goto(`${server.baseUrl}/`);
    await t.locator('[data-testid="create-form"] input[name="name"]').fill("Browser class");
    await t.locator('[data-testid="create-form"] input[name="nodes"]').fill("3");
    await t.getByTestId("create").click();
    const joinUrl = await t.getByTestId("join-url").inputValue();
    const instructorUrl = await t.getByTestId("instructor-url").inputValue();
    const id = /\/classroom\/([0-9a-f]{32})/.exec(instructorUrl)![1];
    const instructorToken = new URLSearchParams(new URL(instructorUrl).hash.slice(1)).get("instructor")!;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.baseUrl}/api/classrooms/${id}${path}`, { method, headers: { authorization: `Bearer ${instructorToken}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return res.json() as Promise<any>;
    };
    await api("PUT", "/clock", { paused: true });
    await t.getByTestId("open-classroom").click();
    await t.locator('[data-testid="conn"][data-state="live"]').waitFor(WAIT);
    expect(t.url()).toBe(`${server.baseUrl}/classroom/${id}`); // the secret is out of the address bar

    // ---- three students join through the link, each in a browser of their own
    const names = ["ana", "bia", "caio"];
    const students = await Promise.all(names.map(async (name) => {
      const s = await person(browser, { viewport: name === "caio" ? { width: 390, height: 844 } : { width: 1400, height: 900 } });
      await s.page.goto(joinUrl);
      await s.page.getByTestId("join-name").fill(name);
      await s.page.getByTestId("join").click();
      await s.page.locator('[data-testid="conn"][data-state="live"]').waitFor(WAIT);
      return s;
    }));
    const [ana, bia, caio] = students.map((s) => s.page);
    const everyone = [t, ana, bia, caio];
    // Marks each page: if any page reloaded, its mark would be gone.
    for (const p of everyone) await p.evaluate(() => ((window as unknown as { mark: number }).mark = 42));
    for (const name of names) await t.getByTestId(`person-${name}`).waitFor(WAIT);
    // A taken name is refused with the server's message; re-opening the link resumes as the same student.
    const late = await person(browser, { locale: "pt-BR" });
    await late.page.goto(joinUrl);
    await late.page.getByTestId("join-name").fill("ana");
    await late.page.getByTestId("join").click();
    expect(await late.page.getByTestId("join-error").textContent()).toContain("ana");
    expect(await late.page.getByTestId("join").textContent()).toBe("Entrar"); // pt-BR from the browser's language
    await late.context.close();
    const again = await students[0].context.newPage();
    await again.goto(joinUrl);
    await again.locator('[data-testid="conn"][data-state="live"]').waitFor(WAIT);
    expect(await again.getByTestId("me").textContent()).toContain("ana");
    // The language is switchable, and remembered by the browser.
    await again.getByTestId("lang").selectOption("pt-BR");
    expect(await again.getByTestId("tab-map").textContent()).toBe("Mapa do cluster");
    await again.getByTestId("lang").selectOption("en");
    await again.close();

    // ---- they deploy at the same time: from the form, from YAML, and from YAML after a mistake
    await Promise.all([
      (async () => {
        await ana.getByTestId("tab-deploy").click();
        await ana.getByTestId("form-kind").selectOption("Deployment");
        await ana.getByTestId("form-name").fill("web");
        await ana.getByTestId("form-image").fill("nginx");
        await ana.getByTestId("form-replicas").fill("2");
        await ana.getByTestId("form-cpu-request").fill("100m");
        await ana.getByTestId("form-submit").click();
        await ana.getByTestId("deploy-result").waitFor(WAIT);
      })(),
      (async () => {
        await bia.getByTestId("tab-deploy").click();
        await bia.getByTestId("yaml").fill(DEPLOYMENT_YAML("shop", "3"));
        await bia.getByTestId("apply").click();
        await bia.getByTestId("deploy-result").waitFor(WAIT);
      })(),
      (async () => {
        await caio.getByTestId("tab-deploy").click();
        await caio.getByTestId("yaml").fill(DEPLOYMENT_YAML("api", "-1"));
        await caio.getByTestId("apply").click();
        // The API's validation error, shown at its field.
        const err = caio.locator('[data-testid="field-error"][data-field="spec.replicas"]');
        await err.waitFor(WAIT);
        expect(await err.textContent()).toContain("must be greater than or equal to 0");
        expect(await err.getAttribute("data-line")).toBe("8");
        await caio.getByTestId("yaml").fill(DEPLOYMENT_YAML("api", "1"));
        await caio.getByTestId("apply").click();
        await caio.getByTestId("deploy-result").waitFor(WAIT);
      })(),
    ]);

    // ---- time passes; every browser sees all six pods reach Running, without a reload
    await api("POST", "/clock/advance", { seconds: 60 });
    for (const p of everyone) {
      if ((await p.getByTestId("tab-map").getAttribute("aria-selected")) !== "true") await p.getByTestId("tab-map").click();
      await waitForChips(p, (n) => n === 6, "all pods Running");
    }

    // ---- ana cannot delete bia's pod: the page shows the API server's refusal...
    const biaPod = ana.locator('[data-testid^="pod-student-bia-shop-"]').first();
    const biaPodName = (await biaPod.getAttribute("data-testid"))!.slice("pod-student-bia-".length);
    await biaPod.click();
    await ana.getByTestId("pod-detail").waitFor(WAIT);
    await ana.getByTestId("delete-pod").click();
    const refusal = ana.getByTestId("detail-error");
    await refusal.waitFor(WAIT);
    expect(await refusal.textContent()).toContain(`pods "${biaPodName}" is forbidden: User "kubeclass:student:ana" cannot delete resource "pods" in API group "" in the namespace "student-bia"`);
    // ...and so does kubectl with ana's downloaded kubeconfig; her own pods she may delete.
    const anaKubeconfig = await ana.evaluate((cid) => JSON.parse(localStorage.getItem(`kubeclass.${cid}.student`)!).kubeconfig as string, id);
    const kubectl = makeKubectl(anaKubeconfig);
    try {
      const denied = await kubectl.run(["delete", "pod", biaPodName, "-n", "student-bia"]);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toContain(`cannot delete resource "pods" in API group "" in the namespace "student-bia"`);
      const mine = await kubectl.run(["get", "pods", "-o", "name"]);
      expect(mine.stdout.trim().split("\n")).toHaveLength(2);
    } finally {
      kubectl.cleanup();
    }
    await ana.getByTestId("close-detail").click();

    // ---- the instructor stops the busiest node; every browser sees its pods move elsewhere
    const pods = (await (await fetch(`${server.baseUrl}/clusters/${id}/api/v1/pods`, { headers: { authorization: `Bearer ${instructorToken}` } })).json()).items as any[];
    const perNode = new Map<string, number>();
    for (const p of pods.filter((p) => p.metadata.namespace.startsWith("student-"))) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    const victim = [...perNode.entries()].sort((a, b) => b[1] - a[1])[0][0];
    for (const p of everyone) expect(await runningChips(p, victim)).toBeGreaterThan(0);
    // bia's network drops just as the node goes: her page reconnects and catches up by itself.
    await bia.evaluate(() => (window as unknown as { kubeclass: { live: { drop(): void } } }).kubeclass.live.drop());
    await t.getByTestId("tab-console").click();
    await t.getByTestId(`node-${victim}-stop`).click();
    await t.getByTestId("tab-map").click();
    // 40 s without a heartbeat: NotReady; 300 s more: evicted; replacements start elsewhere.
    await api("POST", "/clock/advance", { seconds: 420 });
    for (const p of everyone) {
      await p.locator(`[data-testid="node-${victim}"][data-ready="false"]`).waitFor(WAIT);
      await waitForChips(p, (n) => n === 6, "pods Running again");
      expect(await runningChips(p, victim)).toBe(0);
    }
    for (const p of everyone) expect(await p.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(42);
    expect(await bia.getByTestId("conn").getAttribute("data-state")).toBe("live");

    // ---- artefacts: the instructor's map and a student's view
    await t.screenshot({ path: artifact("instructor-map.png"), fullPage: true });
    await ana.screenshot({ path: artifact("student-ana-map.png"), fullPage: true });
    await caio.getByTestId("tab-deploy").click();
    await caio.screenshot({ path: artifact("student-caio-phone.png"), fullPage: true });
    for (const s of [teacher, ...students]) expect(s.errors).toEqual([]);
    for (const s of [teacher, ...students]) await s.context.close();
  }, 300_000);

  it("the instructor runs two rounds, compares them, and replays one with the slider", async () => {
    const created = await (await fetch(`${server.baseUrl}/api/classrooms`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Rounds", nodes: 4, size: "kc-standard-2" }) })).json() as any;
    const api = async (method: string, path: string, body?: unknown, token = created.instructorToken) => {
      const res = await fetch(`${server.baseUrl}${path.startsWith("/clusters") ? path : `/api/classrooms/${created.id}${path}`}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return res.json() as Promise<any>;
    };
    await api("PUT", "/clock", { paused: true });
    const ana = await (await fetch(`${server.baseUrl}/api/classrooms/${created.id}/students`, { method: "POST", headers: { authorization: `Bearer ${created.joinToken}`, "content-type": "application/json" }, body: JSON.stringify({ name: "ana" }) })).json() as any;
    const workload = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 6, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { requests: { cpu: "200m", memory: "128Mi" } } }] } } } };

    const teacher = await person(browser, { viewport: { width: 1600, height: 1000 } });
    const t = teacher.page;
    await t.goto(created.instructorUrl);
    await t.locator('[data-testid="conn"][data-state="live"]').waitFor(WAIT);
    await t.getByTestId("tab-rounds").click();

    const round = async (title: string) => {
      await t.getByTestId("round-title").fill(title);
      await t.getByTestId("round-start").click();
      await t.getByTestId("round-end").waitFor(WAIT);
      await api("POST", "/clock/advance", { seconds: 1 });
      await api("POST", "/clusters/" + created.id + "/apis/apps/v1/namespaces/student-ana/deployments", workload, ana.token);
      await api("POST", "/clock/advance", { seconds: 60 });
      await t.getByTestId("round-end").click();
      await t.getByTestId("round-title").waitFor(WAIT);
    };
    await round("spread");
    // The same exercise under the other strategy, from a clean cluster.
    await t.getByTestId("tab-console").click();
    await t.getByTestId("scoring").selectOption("MostAllocated");
    await t.locator('[data-testid="scoring"]:not([disabled])').waitFor(WAIT);
    await api("POST", "/reset");
    await api("POST", "/clock/advance", { seconds: 30 });
    await t.getByTestId("tab-rounds").click();
    await round("pack");

    // Compare: MostAllocated packed the same six pods onto fewer nodes.
    await t.getByTestId("round-compare-1").check();
    await t.getByTestId("round-compare-2").check();
    // Both rounds' outcomes loaded: the row carries both numbers.
    const nodesUsed = t.locator('[data-testid="compare-metric-nodesUsed"]:not([data-a=""]):not([data-b=""])');
    await nodesUsed.waitFor(WAIT);
    const [a, b] = [Number(await nodesUsed.getAttribute("data-a")), Number(await nodesUsed.getAttribute("data-b"))];
    expect(a).toBe(4);
    expect(b).toBeLessThan(a);
    await t.getByTestId("compare").screenshot({ path: artifact("rounds-compare.png") });

    // Replay round 1: at its start no pod of ana's; at its end all six, spread over the nodes.
    await t.getByTestId("round-select-1").click();
    const slider = t.getByTestId("replay-slider");
    await slider.waitFor(WAIT);
    const slide = (to: "min" | "max") => slider.evaluate((el, which) => {
      const input = el as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, which === "min" ? input.min : input.max);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, to);
    const replayPods = () => t.locator('[data-testid^="replay-pod-student-ana-"]').count();
    await slide("min");
    await t.waitForFunction(() => document.querySelectorAll('[data-testid^="replay-pod-student-ana-"]').length === 0, undefined, WAIT);
    await slide("max");
    await t.waitForFunction(() => document.querySelectorAll('[data-testid^="replay-pod-student-ana-"]').length === 6, undefined, WAIT);
    expect(await replayPods()).toBe(6);
    const occupied = await t.locator('[data-testid^="replay-node-"]').evaluateAll((els) => els.filter((e) => Number(e.getAttribute("data-pods")) > 0).length);
    expect(occupied).toBe(4);
    await t.screenshot({ path: artifact("rounds-replay.png"), fullPage: true });
    expect(teacher.errors).toEqual([]);
    await teacher.context.close();
  }, 300_000);

  it("the instructor console drives the cluster: cordon, lock, stop the scheduler, partition, drain, snapshot, reset", async () => {
    const created = await (await fetch(`${server.baseUrl}/api/classrooms`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Console", nodes: 2 }) })).json() as any;
    const api = async (method: string, path: string, body?: unknown, token = created.instructorToken) => {
      const res = await fetch(`${server.baseUrl}${path.startsWith("/clusters") ? path : `/api/classrooms/${created.id}${path}`}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: await res.json() as any };
    };
    const k8s = (method: string, path: string, body?: unknown, token?: string) => api(method, `/clusters/${created.id}${path}`, body, token);
    const advance = (seconds: number) => api("POST", "/clock/advance", { seconds });
    await api("PUT", "/clock", { paused: true });
    const ana = (await api("POST", "/students", { name: "ana" }, created.joinToken)).body;

    const teacher = await person(browser, { viewport: { width: 1600, height: 1000 } });
    const t = teacher.page;
    t.on("dialog", (d) => void d.accept()); // the console asks before removing or resetting
    await t.goto(created.instructorUrl);
    await t.locator('[data-testid="conn"][data-state="live"]').waitFor(WAIT);
    // The student's browser has joined before (what the join page stores), so it goes straight in.
    const student = await person(browser);
    await student.context.addInitScript(([id, s]) => localStorage.setItem(`kubeclass.${id}.student`, s), [created.id, JSON.stringify(ana)]);
    const s = student.page;
    await s.goto(`${server.baseUrl}/classroom/${created.id}`);
    await s.locator('[data-testid="conn"][data-state="live"]').waitFor(WAIT);
    await t.getByTestId("tab-console").click();

    // Cordon: the Node says unschedulable, and every map shows it.
    await t.getByTestId("node-node-1-cordon").click();
    await s.locator('[data-testid="node-node-1"] [data-testid="cordoned"]').waitFor(WAIT);
    expect((await k8s("GET", "/api/v1/nodes/node-1")).body.spec.unschedulable).toBe(true);
    await t.getByTestId("node-node-1-uncordon").click();
    await s.locator('[data-testid="node-node-1"] [data-testid="cordoned"]').waitFor({ state: "detached", ...WAIT });

    // Lock: the student sees why, and the API refuses their writes.
    await t.getByTestId("lock").click();
    await s.getByTestId("locked-banner").waitFor(WAIT);
    const locked = await k8s("POST", "/api/v1/namespaces/student-ana/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx" }] } }, ana.token);
    expect(locked.status).toBe(403);
    await t.getByTestId("lock").click();
    await s.getByTestId("locked-banner").waitFor({ state: "detached", ...WAIT });

    // Stop the scheduler: a new pod stays Pending in the queue; started again, it runs.
    await t.getByTestId("scheduler-toggle").click();
    await t.locator('[data-testid="scheduler-toggle-state"]', { hasText: "stopped" }).waitFor(WAIT);
    const workload = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 4, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } } } };
    expect((await k8s("POST", "/apis/apps/v1/namespaces/student-ana/deployments", workload, ana.token)).status).toBe(201);
    await advance(30);
    await s.locator('[data-testid="pending"] [data-testid^="pod-student-ana-web-"]').first().waitFor(WAIT);
    expect(await s.locator('[data-testid="pending"] [data-testid^="pod-student-ana-web-"]').count()).toBe(4);
    await t.getByTestId("scheduler-toggle").click();
    await t.locator('[data-testid="scheduler-toggle-state"]', { hasText: "running" }).waitFor(WAIT);
    await advance(60);
    await waitForChips(s, (n) => n === 4, "pods Running after the scheduler is back");

    // Partition node-2: it goes NotReady (Unknown) while its machine runs on; healed, Ready again.
    await t.getByTestId("node-node-2-partition").click();
    await s.locator('[data-testid="node-node-2"] [data-testid="machine-partitioned"]').waitFor(WAIT);
    await advance(60);
    await s.locator('[data-testid="node-node-2"][data-ready="false"]').waitFor(WAIT);
    await t.getByTestId("node-node-2-heal").click();
    await advance(20);
    await s.locator('[data-testid="node-node-2"][data-ready="true"]').waitFor(WAIT);

    // Drain node-1: its pods are evicted and come back on node-2.
    await t.getByTestId("node-node-1-drain").click();
    await t.locator('[data-testid="console-result"]', { hasText: "evicted from node-1" }).waitFor(WAIT);
    await advance(90);
    await waitForChips(s, (n) => n === 4, "pods Running after the drain");
    expect(await runningChips(s, "node-1")).toBe(0);

    // Snapshot download, then reset: everything ana deployed goes; she is still in the class.
    const [download] = await Promise.all([t.waitForEvent("download"), t.getByTestId("snapshot").click()]);
    expect(download.suggestedFilename()).toMatch(/^etcd-snapshot-\d+\.json$/);
    await t.getByTestId("reset").click();
    await t.getByTestId("reset-result").waitFor(WAIT);
    await advance(30);
    await s.waitForFunction(() => document.querySelectorAll('[data-testid^="pod-student-ana-"]').length === 0, undefined, WAIT);
    expect((await k8s("GET", "/api/v1/namespaces/student-ana")).status).toBe(200);
    await t.screenshot({ path: artifact("instructor-console.png"), fullPage: true });
    expect(teacher.errors).toEqual([]);
    expect(student.errors).toEqual([]);
    await teacher.context.close();
    await student.context.close();
  }, 300_000);
});
