import { describe, expect, it } from "vitest";
import { podCells } from "../../../../src/control-plane/api-server/tables/pod";
import { podLogs, syncPods } from "../../../../src/node/kubelet";
import { cfg, pod, Sim, T0 } from "./kubelet-helpers";

const statusText = (s: Sim, name: string) => String(podCells(s.get(name), s.now)[2]);
const readyText = (s: Sim, name: string) => String(podCells(s.get(name), s.now)[1]);
const reasons = (s: Sim, name: string) => s.eventsFor(name).map((e) => e.reason);
const cond = (s: Sim, name: string, type: string) => s.get(name).status.conditions.find((c) => c.type === type)!;

describe("kubelet: a pod reaches Running", () => {
  it("nginx: sandbox and IP, Pulling/Pulled/Created/Started, Running and Ready", () => {
    const s = new Sim();
    s.add(pod("web", { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }] }] }));
    // Right after admission: Pending, ContainerCreating, no IP yet, start time and host IP set.
    let st = s.get("web").status;
    expect(st.phase).toBe("Pending");
    expect(st.podIP).toBeUndefined();
    expect(st.hostIP).toBe(cfg.internalIP);
    expect(st.startTime).toBe("2025-01-15T10:00:00Z");
    expect(statusText(s, "web")).toBe("ContainerCreating");
    expect(st.containerStatuses[0].state.waiting.reason).toBe("ContainerCreating");
    expect(cond(s, "web", "PodReadyToStartContainers").status).toBe("False");
    expect(cond(s, "web", "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [nginx]" });

    s.advance(1);
    st = s.get("web").status;
    expect(st.podIP).toMatch(/^10\.244\.1\.\d+$/);
    expect(st.podIPs).toEqual([{ ip: st.podIP }]);
    expect(cond(s, "web", "PodReadyToStartContainers").status).toBe("True");
    expect(statusText(s, "web")).toBe("ContainerCreating"); // still pulling

    s.advance(10);
    st = s.get("web").status;
    expect(st.phase).toBe("Running");
    expect(statusText(s, "web")).toBe("Running");
    expect(readyText(s, "web")).toBe("1/1");
    const cs = st.containerStatuses[0];
    expect(cs).toMatchObject({ name: "nginx", ready: true, started: true, restartCount: 0, image: "docker.io/library/nginx:latest", lastState: {} });
    expect(cs.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(st.conditions.map((c: { type: string }) => c.type)).toEqual(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]);
    expect(st.qosClass).toBe("BestEffort");

    expect(reasons(s, "web")).toEqual(["Pulling", "Pulled", "Created", "Started"]);
    const ev = s.eventsFor("web");
    expect(ev[0]).toMatchObject({ type: "Normal", message: 'Pulling image "nginx"', fieldPath: "spec.containers{nginx}", regarding: { kind: "Pod", name: "web", namespace: "default", apiVersion: "v1" } });
    expect(ev[1].message).toMatch(/^Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: 72099501 bytes\.$/);
    expect(ev[2].message).toBe("Created container: nginx");
    expect(ev[3].message).toBe("Started container nginx");
    // Steady: no probes, nothing pending, no alarm.
    expect(s.wake).toBeNull();
  });

  it("reports only changes, and an idle node sets no alarm", () => {
    const s = new Sim();
    s.add(pod("web", { containers: [{ name: "nginx", image: "nginx" }] }));
    s.advance(30);
    const out = syncPods(cfg, s.state, s.pods, s.now + 60_000);
    expect(out.statusUpdates).toEqual([]);
    expect(out.events).toEqual([]);
    expect(out.nextWakeAt).toBeNull();
    const empty = new Sim();
    expect(syncPods(cfg, empty.state, [], T0).nextWakeAt).toBeNull();
  });

  it("a second pod with the same image: IfNotPresent uses the cache, Always checks the manifest fast", () => {
    const s = new Sim();
    s.add(pod("a", { containers: [{ name: "c", image: "nginx:1.27" }] }));
    s.advance(15);
    s.add(pod("b", { containers: [{ name: "c", image: "nginx:1.27" }] }));
    s.advance(5);
    expect(s.eventsFor("b").map((e) => e.message)).toContain('Container image "nginx:1.27" already present on machine');
    expect(reasons(s, "b")).not.toContain("Pulling");
    expect(statusText(s, "b")).toBe("Running");

    s.add(pod("c", { containers: [{ name: "c", image: "nginx:1.27", imagePullPolicy: "Always" }] }));
    s.advance(5);
    const pulled = s.eventsFor("c").find((e) => e.reason === "Pulled")!;
    const ms = /in (\d+)ms/.exec(pulled.message);
    expect(ms && Number(ms[1])).toBeLessThan(1000);
  });

  it("pulls are serialized per node: the waiting shows in the Pulled message", () => {
    const s = new Sim();
    s.add(pod("a", { containers: [{ name: "c", image: "postgres:16" }] }), pod("b", { containers: [{ name: "c", image: "redis:7" }] }));
    s.advance(30);
    const m = /in ([\d.]+)s \(([\d.]+)s including waiting\)/.exec(s.eventsFor("b").find((e) => e.reason === "Pulled")!.message)!;
    expect(Number(m[2])).toBeGreaterThan(Number(m[1]) + 3);
  });

  it("pod IPs are distinct and handed out in order", () => {
    const s = new Sim();
    s.add(pod("a", { containers: [{ name: "c", image: "nginx" }] }), pod("b", { containers: [{ name: "c", image: "nginx" }] }));
    s.advance(2);
    expect(s.get("a").status.podIP).toBe("10.244.1.2");
    expect(s.get("b").status.podIP).toBe("10.244.1.3");
  });
});

describe("kubelet: image pull failures", () => {
  it("nginx:doesnotexist: ErrImagePull, then ImagePullBackOff with a back-off doubling from 10 s", () => {
    const s = new Sim();
    s.add(pod("bad", { containers: [{ name: "app", image: "nginx:doesnotexist" }] }));
    s.advance(2);
    expect(statusText(s, "bad")).toBe("ErrImagePull");
    const w = s.get("bad").status.containerStatuses[0].state.waiting;
    expect(w.reason).toBe("ErrImagePull");
    expect(w.message).toBe('rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:doesnotexist": failed to resolve reference "docker.io/library/nginx:doesnotexist": docker.io/library/nginx:doesnotexist: not found');
    const failed = s.eventsFor("bad").filter((e) => e.reason === "Failed").map((e) => e.message);
    expect(failed).toEqual([`Failed to pull image "nginx:doesnotexist": ${w.message}`, "Error: ErrImagePull"]);

    s.advance(4);
    expect(statusText(s, "bad")).toBe("ImagePullBackOff");
    expect(s.get("bad").status.containerStatuses[0].state.waiting).toEqual({ reason: "ImagePullBackOff", message: 'Back-off pulling image "nginx:doesnotexist"' });
    expect(s.eventsFor("bad").find((e) => e.reason === "BackOff")).toMatchObject({ type: "Normal", message: 'Back-off pulling image "nginx:doesnotexist"' });
    expect(s.get("bad").status.phase).toBe("Pending");

    s.advance(600);
    const pulls = s.eventsFor("bad").filter((e) => e.reason === "Pulling").map((e) => e.at!);
    const gaps = pulls.slice(1).map((t, i) => Math.round((t - pulls[i]) / 1000));
    // Each gap is the back-off plus the failing pull's own ~1 s.
    expect(gaps.slice(0, 5).map((g, i) => g - 10 * 2 ** i)).toEqual(gaps.slice(0, 5).map(() => expect.any(Number)));
    for (const [i, g] of gaps.slice(0, 5).entries()) {
      expect(g - 10 * 2 ** i).toBeGreaterThanOrEqual(0);
      expect(g - 10 * 2 ** i).toBeLessThanOrEqual(2);
    }
    expect(s.wake).not.toBeNull();
  });

  it("an unknown repository is refused the way Docker Hub refuses it", () => {
    const s = new Sim();
    s.add(pod("typo", { containers: [{ name: "app", image: "ngnix" }] }));
    s.advance(2);
    expect(s.get("typo").status.containerStatuses[0].state.waiting.message).toContain("pull access denied, repository does not exist or may require authorization");
  });

  it("imagePullPolicy Never without the image: ErrImageNeverPull, no alarm", () => {
    const s = new Sim();
    s.add(pod("never", { containers: [{ name: "app", image: "nginx:1.27", imagePullPolicy: "Never" }] }));
    s.advance(3);
    expect(statusText(s, "never")).toBe("ErrImageNeverPull");
    expect(s.get("never").status.containerStatuses[0].state.waiting.message).toBe('Container image "nginx:1.27" is not present with pull policy of Never');
    expect(s.wake).toBeNull();
  });

  it("an invalid reference: InvalidImageName", () => {
    const s = new Sim();
    s.add(pod("inv", { containers: [{ name: "app", image: "Nginx" }] }));
    s.advance(3);
    expect(statusText(s, "inv")).toBe("InvalidImageName");
    expect(s.eventsFor("inv").map((e) => e.reason)).toEqual(["InspectFailed", "Failed"]);
  });
});

describe("kubelet: exits, restarts and CrashLoopBackOff", () => {
  it("exit 1 under Always: Error, restarts, CrashLoopBackOff with back-off 10s, 20s, 40s", () => {
    const s = new Sim();
    s.add(pod("crash", { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "exit 1"] }] }));
    const messages: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      s.advance(0.5);
      const w = s.get("crash").status.containerStatuses[0].state.waiting;
      if (w?.reason === "CrashLoopBackOff" && !seen.has(w.message)) {
        seen.add(w.message);
        messages.push(w.message);
      }
    }
    const uid = s.get("crash").metadata.uid;
    expect(messages.slice(0, 4)).toEqual([10, 20, 40, 80].map((n) => `back-off ${n === 80 ? "1m20s" : `${n}s`} restarting failed container=app pod=crash_default(${uid})`));
    const cs = s.get("crash").status.containerStatuses[0];
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(cs.restartCount).toBeGreaterThanOrEqual(4);
    expect(s.get("crash").status.phase).toBe("Running");
    expect(s.eventsFor("crash").find((e) => e.reason === "BackOff")).toMatchObject({ type: "Warning", message: `Back-off restarting failed container app in pod crash_default(${uid})` });
    expect(String(podCells(s.get("crash"), s.now)[3])).toMatch(/^\d+ \(\d+s ago\)$/);
  });

  it("bare busybox (no command) completes at once and goes Completed -> CrashLoopBackOff", () => {
    const s = new Sim();
    s.add(pod("bb", { containers: [{ name: "bb", image: "busybox" }] }));
    const seenStatuses = new Set<string>();
    for (let i = 0; i < 60; i++) {
      s.advance(0.5);
      seenStatuses.add(statusText(s, "bb"));
    }
    expect(seenStatuses).toContain("Completed");
    expect(seenStatuses).toContain("CrashLoopBackOff");
    expect(s.get("bb").status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
  });

  it("the back-off resets after a container ran for 10 minutes", () => {
    const s = new Sim();
    s.add(pod("slow", { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "sleep 700; exit 3"] }] }));
    s.advance(3000);
    const msgs = new Set(s.eventsFor("slow").filter((e) => e.reason === "BackOff").map((e) => e.message));
    expect(msgs.size).toBeLessThanOrEqual(1);
    // Every run lasts 700 s, so each failure finds an expired entry and restarts at once.
    expect(s.get("slow").status.containerStatuses[0].restartCount).toBeGreaterThanOrEqual(3);
    expect(s.eventsFor("slow").some((e) => e.reason === "BackOff")).toBe(false);
  });

  it("OOMKilled: the docs' polinux/stress 250M with a 100Mi limit", () => {
    const s = new Sim();
    s.add(pod("mem", { containers: [{ name: "memory-demo-2-ctr", image: "polinux/stress", command: ["stress"], args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"], resources: { limits: { memory: "100Mi" }, requests: { memory: "50Mi" } } }] }));
    let seenOOM = false;
    for (let i = 0; i < 80; i++) {
      s.advance(0.25);
      if (statusText(s, "mem") === "OOMKilled") seenOOM = true;
    }
    expect(seenOOM).toBe(true);
    const cs = s.get("mem").status.containerStatuses[0];
    expect(cs.lastState.terminated ?? cs.state.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
  });

  it("within its limit the same program runs (150M under 200Mi)", () => {
    const s = new Sim();
    s.add(pod("mem", { containers: [{ name: "c", image: "polinux/stress", command: ["stress"], args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"], resources: { limits: { memory: "200Mi" } } }] }));
    s.advance(60);
    expect(statusText(s, "mem")).toBe("Running");
  });
});

describe("kubelet: Job-like pods", () => {
  it("restartPolicy Never, exit 0: Succeeded, Completed, Ready False PodCompleted, sandbox gone", () => {
    const s = new Sim();
    s.add(pod("job", { restartPolicy: "Never", containers: [{ name: "pi", image: "busybox:1.36", command: ["sh", "-c", "echo 3.14159; sleep 2"] }] }));
    s.advance(15);
    const st = s.get("job").status;
    expect(st.phase).toBe("Succeeded");
    expect(statusText(s, "job")).toBe("Completed");
    expect(readyText(s, "job")).toBe("0/1");
    expect(cond(s, "job", "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
    expect(cond(s, "job", "Initialized")).toMatchObject({ status: "True", reason: "PodCompleted" });
    expect(cond(s, "job", "PodReadyToStartContainers").status).toBe("False");
    expect(st.podIP).toMatch(/^10\.244\.1\./); // kept in status after completion
    expect(st.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(s.wake).toBeNull();
    expect(podLogs(s.state, s.get("job").metadata.uid!, "pi", { now: s.now })).toEqual({ text: "3.14159\n" });
  });

  it("restartPolicy Never, exit 2: Failed, Error", () => {
    const s = new Sim();
    s.add(pod("job", { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", "exit 2"] }] }));
    s.advance(15);
    expect(s.get("job").status.phase).toBe("Failed");
    expect(statusText(s, "job")).toBe("Error");
    expect(cond(s, "job", "Ready")).toMatchObject({ status: "False", reason: "PodFailed" });
  });

  it("restartPolicy OnFailure: a failure restarts, success completes", () => {
    const s = new Sim();
    s.add(pod("job", { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox:1.36", command: ["false"] }] }));
    s.advance(20);
    expect(s.get("job").status.containerStatuses[0].restartCount).toBeGreaterThanOrEqual(1);
    expect(s.get("job").status.phase).toBe("Running");
    const ok = new Sim();
    ok.add(pod("job", { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox:1.36", command: ["true"] }] }));
    ok.advance(20);
    expect(ok.get("job").status.phase).toBe("Succeeded");
  });
});

describe("kubelet: init containers", () => {
  it("run in order, Init:0/2 -> Init:1/2 -> PodInitializing/Running", () => {
    const s = new Sim();
    s.add(pod("myapp", {
      initContainers: [
        { name: "init-a", image: "busybox:1.28", command: ["sh", "-c", "echo a; sleep 4"] },
        { name: "init-b", image: "busybox:1.28", command: ["sh", "-c", "echo b; sleep 4"] },
      ],
      containers: [{ name: "app", image: "busybox:1.28", command: ["sh", "-c", "echo The app is running! && sleep 3600"] }],
    }));
    const texts: string[] = [];
    for (let i = 0; i < 60; i++) {
      s.advance(0.5);
      const t = statusText(s, "myapp");
      if (texts[texts.length - 1] !== t) texts.push(t);
    }
    expect(texts[0]).toBe("Init:0/2");
    expect(texts).toContain("Init:1/2");
    expect(texts[texts.length - 1]).toBe("Running");
    const order = s.eventsFor("myapp").filter((e) => e.reason === "Started").map((e) => e.fieldPath);
    expect(order).toEqual(["spec.initContainers{init-a}", "spec.initContainers{init-b}", "spec.containers{app}"]);
    const init = s.get("myapp").status.initContainerStatuses;
    expect(init.map((c: { ready: boolean; state: { terminated?: { reason: string } } }) => [c.ready, c.state.terminated?.reason])).toEqual([[true, "Completed"], [true, "Completed"]]);
    expect(cond(s, "myapp", "Initialized").status).toBe("True");
  });

  it("while initializing the Initialized condition names the incomplete ones", () => {
    const s = new Sim();
    s.add(pod("p", { initContainers: [{ name: "wait", image: "busybox:1.28", command: ["sleep", "3600"] }], containers: [{ name: "app", image: "nginx" }] }));
    s.advance(10);
    expect(cond(s, "p", "Initialized")).toMatchObject({ status: "False", reason: "ContainersNotInitialized", message: "containers with incomplete status: [wait]" });
    expect(s.get("p").status.containerStatuses[0].state.waiting.reason).toBe("PodInitializing");
    expect(statusText(s, "p")).toBe("Init:0/1");
  });

  it("a failing init container: Init:Error, Init:CrashLoopBackOff; under Never the pod fails", () => {
    const s = new Sim();
    s.add(pod("p", { initContainers: [{ name: "bad", image: "busybox:1.28", command: ["sh", "-c", "exit 1"] }], containers: [{ name: "app", image: "nginx" }] }));
    const texts = new Set<string>();
    for (let i = 0; i < 80; i++) {
      s.advance(0.5);
      texts.add(statusText(s, "p"));
    }
    expect(texts).toContain("Init:Error");
    expect(texts).toContain("Init:CrashLoopBackOff");
    expect(s.get("p").status.phase).toBe("Pending");

    const n = new Sim();
    n.add(pod("p", { restartPolicy: "Never", initContainers: [{ name: "bad", image: "busybox:1.28", command: ["sh", "-c", "exit 1"] }], containers: [{ name: "app", image: "nginx" }] }));
    n.advance(20);
    expect(n.get("p").status.phase).toBe("Failed");
    expect(statusText(n, "p")).toBe("Init:Error");
  });
});

describe("kubelet: probes", () => {
  it("the docs' liveness exec example: fails after 30 s, killed after failureThreshold x period, restarted", () => {
    const s = new Sim();
    s.add(pod("liveness-exec", {
      containers: [{
        name: "liveness",
        image: "registry.k8s.io/busybox",
        args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"],
        livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
      }],
    }));
    s.advance(20);
    expect(s.eventsFor("liveness-exec").some((e) => e.reason === "Unhealthy")).toBe(false);
    s.advance(100);
    const ev = s.eventsFor("liveness-exec");
    const started = ev.find((e) => e.reason === "Started")!.at!;
    const unhealthy = ev.filter((e) => e.reason === "Unhealthy");
    expect(unhealthy[0]).toMatchObject({ type: "Warning", message: "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory" });
    expect(unhealthy[0].at! - started).toBeGreaterThanOrEqual(30_000);
    expect(unhealthy[0].at! - started).toBeLessThan(36_000);
    const killing = ev.find((e) => e.reason === "Killing")!;
    expect(killing.message).toBe("Container liveness failed liveness probe, will be restarted");
    expect(killing.at! - unhealthy[0].at!).toBe(10_000); // 3 failures, 5 s apart
    // sh as PID 1 ignores SIGTERM: it dies at the end of the 30 s grace period, then restarts.
    const cs = s.get("liveness-exec").status.containerStatuses[0];
    expect(cs.restartCount).toBe(1);
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
    expect(Date.parse(cs.lastState.terminated.finishedAt) - Math.floor(killing.at! / 1000) * 1000).toBeGreaterThanOrEqual(29_000);
  });

  it("the docs' HTTP liveness example (agnhost liveness) fails with statuscode 500", () => {
    const s = new Sim();
    s.add(pod("liveness-http", { containers: [{ name: "liveness", image: "registry.k8s.io/e2e-test-images/agnhost:2.40", args: ["liveness"], livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, initialDelaySeconds: 3, periodSeconds: 3 } }] }));
    s.advance(40);
    const msgs = s.eventsFor("liveness-http").filter((e) => e.reason === "Unhealthy").map((e) => e.message);
    expect(msgs[0]).toBe("Liveness probe failed: HTTP probe failed with statuscode: 500");
    expect(s.eventsFor("liveness-http").some((e) => e.reason === "Killing")).toBe(true);
  });

  it("readiness gates Ready; a settled probe sets no alarm", () => {
    const s = new Sim();
    s.add(pod("web", { containers: [{ name: "nginx", image: "nginx", readinessProbe: { httpGet: { path: "/", port: 80 }, initialDelaySeconds: 5, periodSeconds: 5 } }] }));
    s.advance(6);
    expect(statusText(s, "web")).toBe("Running");
    expect(readyText(s, "web")).toBe("0/1");
    expect(s.get("web").status.containerStatuses[0]).toMatchObject({ ready: false, started: true });
    expect(cond(s, "web", "Ready").status).toBe("False");
    s.advance(10);
    expect(readyText(s, "web")).toBe("1/1");
    expect(cond(s, "web", "Ready").status).toBe("True");
    expect(s.wake).toBeNull();
    // The probe requests show in nginx's access log.
    const logs = podLogs(s.state, s.get("web").metadata.uid!, "nginx", { now: s.now + 60_000 });
    expect("text" in logs && logs.text).toMatch(/10\.244\.1\.1 - - \[15\/Jan\/2025:10:00:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 615 "-" "kube-probe\/1\.32" "-"/);
  });

  it("a readiness probe on a closed port keeps the pod NotReady and reports every period", () => {
    const s = new Sim();
    s.add(pod("web", { containers: [{ name: "nginx", image: "nginx", readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10 } }] }));
    s.advance(60);
    expect(readyText(s, "web")).toBe("0/1");
    const msgs = s.eventsFor("web").filter((e) => e.reason === "Unhealthy").map((e) => e.message);
    expect(msgs.length).toBeGreaterThanOrEqual(5);
    expect(msgs[0]).toMatch(/^Readiness probe failed: dial tcp 10\.244\.1\.\d+:8080: connect: connection refused$/);
    expect(s.wake).not.toBeNull();
  });

  it("a startup probe holds started=false (and liveness/readiness) until it passes", () => {
    const s = new Sim();
    s.add(pod("db", { containers: [{ name: "mysql", image: "mysql:8.4", env: [{ name: "MYSQL_ROOT_PASSWORD", value: "secret" }], startupProbe: { tcpSocket: { port: 3306 }, periodSeconds: 2, failureThreshold: 30 }, readinessProbe: { tcpSocket: { port: 3306 }, periodSeconds: 5 } }] }));
    s.advance(15); // the pull takes a few seconds, mysqld listens ~11 s after start
    let cs = s.get("db").status.containerStatuses[0];
    expect(cs.state.running).toBeDefined();
    expect(cs).toMatchObject({ started: false, ready: false });
    expect(statusText(s, "db")).toBe("Running");
    expect(s.eventsFor("db").filter((e) => e.reason === "Unhealthy").every((e) => e.message.startsWith("Startup probe failed: dial tcp"))).toBe(true);
    s.advance(30);
    cs = s.get("db").status.containerStatuses[0];
    expect(cs).toMatchObject({ started: true, ready: true, restartCount: 0 });
  });
});

describe("kubelet: graceful termination", () => {
  it("nginx stops quickly on its stop signal, then the pod is reported for deletion", () => {
    const s = new Sim();
    s.add(pod("web", { containers: [{ name: "nginx", image: "nginx" }] }));
    s.advance(15);
    s.deletePod("web");
    expect(s.eventsFor("web").at(-1)).toMatchObject({ reason: "Killing", message: "Stopping container nginx" });
    expect(s.wake).not.toBeNull();
    expect(s.wake! - s.now).toBeLessThan(1000);
    s.advance(1);
    expect(s.deleted).toEqual(["web"]);
  });

  it("sleep ignores SIGTERM as PID 1: killed at the end of the grace period", () => {
    const s = new Sim();
    s.add(pod("sleeper", { terminationGracePeriodSeconds: 30, containers: [{ name: "c", image: "busybox:1.36", command: ["sleep", "3600"] }] }));
    s.advance(15);
    const from = s.now;
    s.deletePod("sleeper");
    s.advance(29);
    expect(s.deleted).toEqual([]);
    expect(statusText(s, "sleeper")).toBe("Terminating");
    const out = syncPods(cfg, s.state, s.pods, from + 30_000);
    expect(out.deletions.map((d) => d.name)).toEqual(["sleeper"]);
    const st = out.statusUpdates[0].status as { phase: string; containerStatuses: { state: { terminated: { exitCode: number } } }[] };
    expect(st.containerStatuses[0].state.terminated.exitCode).toBe(137);
    expect(st.phase).toBe("Failed");
  });

  it("a pending pod is deleted at once, and its IP is freed", () => {
    const s = new Sim();
    s.add(pod("p", { containers: [{ name: "c", image: "nginx:doesnotexist" }] }));
    s.advance(3);
    s.deletePod("p");
    expect(s.deleted).toEqual(["p"]);
    s.sync(s.now + 1);
    expect(Object.keys(s.state.ipam.used)).toEqual([]);
  });
});

describe("kubelet: logs", () => {
  it("--previous and --tail over restarts of a looping container", () => {
    const s = new Sim();
    s.add(pod("loop", { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "for i in 1 2 3; do echo line $i; sleep 1; done; exit 1"] }] }));
    const uid = s.get("loop").metadata.uid!;
    expect(podLogs(s.state, uid, "app", { now: s.now })).toEqual({ error: 'container "app" in pod "loop" is waiting to start: ContainerCreating' });
    expect(podLogs(s.state, uid, "app", { now: s.now, previous: true })).toEqual({ error: 'previous terminated container "app" in pod "loop" not found' });
    s.advance(30);
    expect(podLogs(s.state, uid, "app", { now: s.now })).toEqual({ text: "line 1\nline 2\nline 3\n" });
    expect(podLogs(s.state, uid, "app", { now: s.now, tailLines: 1 })).toEqual({ text: "line 3\n" });
    expect(podLogs(s.state, uid, "app", { now: s.now, previous: true })).toEqual({ text: "line 1\nline 2\nline 3\n" });
    const ts = podLogs(s.state, uid, "app", { now: s.now, timestamps: true, tailLines: 1 });
    expect("text" in ts && ts.text).toMatch(/^2025-01-15T10:00:\d\d\.\d{9}Z line 3\n$/);
    expect(podLogs(s.state, uid, "nope", { now: s.now })).toEqual({ error: "container nope is not valid for pod loop" });
  });

  it("an endless loop prints on its period; --since and --tail bound the output", () => {
    const s = new Sim();
    s.add(pod("counter", { containers: [{ name: "count", image: "busybox:1.36", args: ["/bin/sh", "-c", 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done'] }] }));
    s.advance(5);
    expect(s.wake).toBeNull(); // printing needs no wakes
    const uid = s.get("counter").metadata.uid!;
    const all = podLogs(s.state, uid, "count", { now: s.now + 3600_000 });
    expect("text" in all && all.text.split("\n").length).toBeGreaterThan(3000);
    const tail = podLogs(s.state, uid, "count", { now: s.now + 3600_000, tailLines: 2 });
    expect("text" in tail && tail.text.trimEnd().split("\n")).toHaveLength(2);
    expect("text" in tail && tail.text).toMatch(/: Wed Jan 15 11:00:0\d UTC 2025\n/);
    const since = podLogs(s.state, uid, "count", { now: s.now, sinceSeconds: 2 });
    expect("text" in since && since.text.trimEnd().split("\n").length).toBeLessThanOrEqual(3);
  });

  it("nginx prints its real start-up lines", () => {
    const s = new Sim();
    s.add(pod("web", { containers: [{ name: "nginx", image: "nginx" }] }));
    s.advance(10);
    const l = podLogs(s.state, s.get("web").metadata.uid!, "nginx", { now: s.now });
    expect("text" in l && l.text.split("\n")[0]).toBe("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration");
    expect("text" in l && l.text).toContain("[notice] 1#1: nginx/1.27.3");
  });
});

describe("kubelet: more pod shapes", () => {
  it("several containers start in order; one bad image keeps the pod Pending with the others running", () => {
    const s = new Sim();
    s.add(pod("multi", { containers: [{ name: "web", image: "nginx" }, { name: "cache", image: "redis:7" }, { name: "bad", image: "nginx:nope" }] }));
    s.advance(30);
    expect(readyText(s, "multi")).toBe("2/3");
    expect(s.get("multi").status.phase).toBe("Pending");
    expect(["ErrImagePull", "ImagePullBackOff"]).toContain(statusText(s, "multi"));
    const started = s.eventsFor("multi").filter((e) => e.reason === "Started").map((e) => e.fieldPath);
    expect(started).toEqual(["spec.containers{web}", "spec.containers{cache}"]);
  });

  it("a sidecar (restartable init container) keeps running next to the app", () => {
    const s = new Sim();
    s.add(pod("side", { initContainers: [{ name: "log", image: "busybox:1.36", restartPolicy: "Always", command: ["sh", "-c", "while true; do echo x; sleep 5; done"] }], containers: [{ name: "app", image: "nginx" }] }));
    s.advance(30);
    expect(readyText(s, "side")).toBe("2/2");
    expect(statusText(s, "side")).toBe("Running");
    expect(s.get("side").status.initContainerStatuses[0]).toMatchObject({ name: "log", ready: true, started: true });
  });

  it("hostNetwork pods use the node IP; a changed image restarts the container", () => {
    const s = new Sim();
    s.add(pod("hn", { hostNetwork: true, containers: [{ name: "web", image: "nginx" }] }));
    s.advance(15);
    expect(s.get("hn").status.podIP).toBe(cfg.internalIP);
    s.get("hn").spec.containers[0].image = "nginx:1.25";
    s.sync(s.now);
    expect(s.eventsFor("hn").at(-1)).toMatchObject({ reason: "Killing", message: "Container web definition changed, will be restarted" });
    s.advance(20);
    expect(s.get("hn").status.containerStatuses[0]).toMatchObject({ image: "docker.io/library/nginx:1.25", restartCount: 1, ready: true });
  });
});

describe("kubelet: determinism", () => {
  it("the same seed and inputs give the same outputs", () => {
    const run = () => {
      const s = new Sim(7);
      s.add(pod("a", { containers: [{ name: "c", image: "nginx" }] }, { uidSeq: 900 }), pod("b", { containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "exit 1"] }] }, { uidSeq: 901 }));
      s.advance(120);
      return JSON.stringify([s.state, s.events, s.pods.map((p) => p.status)]);
    };
    expect(run()).toBe(run());
  });
});
