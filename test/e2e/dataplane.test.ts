// Nodes, scheduler and kubelets with the real kubectl. The classroom clock runs fast (30×), and
// every wait is on a condition (kubectl wait, or a watch's output), never a fixed sleep.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { e2eSuite } from "./harness";

const fixture = (f: string) => resolve(__dirname, "../fixtures", f);
const suite = e2eSuite();

/** A classroom of 3 nodes at 30× speed, its nodes Ready; each test owns one. */
async function classroom() {
  const c = await suite.classroom({ name: "dataplane", nodes: 3, speed: 30 });
  await c.ok("wait", "--for=condition=Ready", "node", "--all", "--timeout=60s");
  return c;
}

describe("a running cluster, through kubectl", () => {
  it("nodes, run, logs, describe node, top", async () => {
    const { ok, k } = await classroom();
    const nodes = await ok("get", "nodes", "-o", "wide");
    expect(nodes).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/m);
    expect(nodes.match(/^node-\d\s+Ready\s+<none>\s+\S+\s+v1\.32\.2\s+10\.0\.0\.\d+\s+<none>\s+Ubuntu 24\.04\.1 LTS\s+\S+\s+containerd:\/\/1\.7\.24$/gm)).toHaveLength(3);

    expect(await ok("run", "web", "--image=nginx")).toBe("pod/web created\n");
    expect(await ok("wait", "--for=condition=Ready", "pod/web", "--timeout=60s")).toBe("pod/web condition met\n");
    const wide = await ok("get", "pod", "web", "-o", "wide");
    expect(wide).toMatch(/^web\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node-\d\s+<none>\s+<none>$/m);
    expect(await ok("logs", "web")).toContain("/docker-entrypoint.sh");
    expect((await ok("logs", "web", "-c", "web", "--tail=1")).trim().split("\n")).toHaveLength(1);

    await ok("run", "ticker", "--image=busybox", "--", "sh", "-c", "while true; do echo tick; sleep 1; done");
    const follow = k.spawnWatch(["logs", "-f", "ticker"]);
    await follow.waitFor(/tick\ntick\ntick\n/, 60_000);
    await follow.stop();

    const node = (await ok("get", "pod", "web", "-o", "jsonpath={.spec.nodeName}")).trim();
    const described = await ok("describe", "node", node);
    expect(described).toMatch(/^Non-terminated Pods:\s+\(1 in total\)$/m);
    expect(described).toMatch(/^\s+default\s+web\s+0 \(0%\)\s+0 \(0%\)\s+0 \(0%\)\s+0 \(0%\)\s+\S+$/m);
    expect(described).toMatch(/^Allocated resources:$/m);
    expect(described).toMatch(/^\s+Resource\s+Requests\s+Limits$/m);

    const top = await ok("top", "nodes");
    // kubectl pads every column, the last one too.
    expect(top).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s*$/m);
    expect(top.match(/^node-\d\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$/gm)).toHaveLength(3);
    expect(await ok("top", "pods")).toMatch(/^web\s+\d+m\s+\d+Mi\s*$/m);
  });

  it("a pod no node can hold stays Pending, and describe says why", async () => {
    const { ok } = await classroom();
    await ok("apply", "-f", fixture("too-big.yaml"));
    await ok("wait", "--for=jsonpath={.status.conditions[0].reason}=Unschedulable", "pod/too-big", "--timeout=60s");
    const d = await ok("describe", "pod", "too-big");
    expect(d).toMatch(/^Status:\s+Pending$/m);
    expect(d).toMatch(/Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 No preemption victims found for incoming pod\./);
  });

  it("cordon, uncordon and drain", async () => {
    const { ok } = await classroom();
    await ok("run", "web", "--image=nginx");
    await ok("wait", "--for=condition=Ready", "pod/web", "--timeout=60s");
    const node = (await ok("get", "pod", "web", "-o", "jsonpath={.spec.nodeName}")).trim();
    expect(await ok("cordon", "node-1")).toBe("node/node-1 cordoned\n");
    expect(await ok("get", "node", "node-1")).toMatch(/^node-1\s+Ready,SchedulingDisabled\s/m);
    expect(await ok("uncordon", "node-1")).toBe("node/node-1 uncordoned\n");
    const drained = await ok("drain", node, "--ignore-daemonsets", "--force", "--timeout=60s");
    expect(drained).toContain(`node/${node} cordoned`);
    expect(drained).toContain("pod/web evicted");
    expect(drained).toContain(`node/${node} drained`);
    expect(await ok("get", "pods", "-o", "name")).toBe("");
  });

  // Short-lived states (a 4 s ErrImagePull, a 10 s back-off) last a fraction of a real second at
  // 30×: these tests pause the clock and move it by hand, so every step is written at its time.
  it("image pull failures back off: ErrImagePull, then ImagePullBackOff", async () => {
    const { ok, k, advance } = await classroom();
    const w = k.spawnWatch(["get", "pods", "-w"]);
    await advance(0);
    await ok("run", "bad", "--image=nginx:doesnotexist");
    await advance(60);
    await w.waitFor(/^bad\s+0\/1\s+ErrImagePull\s/m, 60_000);
    await w.waitFor(/^bad\s+0\/1\s+ImagePullBackOff\s/m, 60_000);
    await w.stop();
    expect(await ok("describe", "pod", "bad")).toMatch(/Back-off pulling image "nginx:doesnotexist"/);
  });

  it("a container exiting 1 goes into CrashLoopBackOff with a growing back-off", async () => {
    const { ok, k, advance } = await classroom();
    await advance(0);
    await ok("run", "crash", "--image=busybox", "--", "sh", "-c", "echo boom; exit 1");
    await advance(5);
    const w = k.spawnWatch(["get", "pod", "crash", "-w", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}{\"\\n\"}"]);
    await w.waitFor(/\n/, 30_000); // the watch is open: now let time run
    await advance(120);
    await w.waitFor(/back-off 10s restarting failed container=crash pod=crash_default\(/, 60_000);
    await w.waitFor(/back-off 20s restarting failed container=crash/, 60_000);
    await w.waitFor(/back-off 40s restarting failed container=crash/, 90_000);
    await w.stop();
    expect(await ok("get", "pod", "crash")).toMatch(/^crash\s+0\/1\s+(CrashLoopBackOff|Error)\s+[3-9]/m);
    expect(await ok("logs", "crash", "--previous")).toBe("boom\n");
  });

  it("a memory hog is OOMKilled; a failing liveness probe restarts its container", async () => {
    const { ok } = await classroom();
    await ok("apply", "-f", fixture("memory-demo-2.yaml"), "-f", fixture("exec-liveness.yaml"));
    await ok("wait", "--for=jsonpath={.status.containerStatuses[0].lastState.terminated.reason}=OOMKilled", "pod/memory-demo-2", "--timeout=60s");
    await ok("wait", "--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/liveness-exec", "--timeout=90s");
    const d = await ok("describe", "pod", "liveness-exec");
    expect(d).toMatch(/Warning\s+Unhealthy\s+.*Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/);
    expect(d).toMatch(/Normal\s+Killing\s+.*Container liveness failed liveness probe, will be restarted/);
  });
});
