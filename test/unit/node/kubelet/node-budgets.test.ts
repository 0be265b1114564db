// Budgets for simulated work and slow consumers (issue #10): a container's script can never make the
// kubelet's sync throw, run long or grow the node's state; one pod's failure stays that pod's; a
// `kubectl logs -f` reader that stops reading is closed instead of blocking the node.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, joinAs, newClassroom } from "../../api-helpers";
import { NODE_BEHIND_RETRY_REAL_MS } from "../../../../src/classroom/sim-pace";
import { cfg, pod, Sim, T0 } from "./kubelet-helpers";
import { behaviourOf, type ContainerInput } from "../../../../src/node/container-runtime/behaviour";
import { CONTAINER_LOG_MAX_BYTES, FILES_MAX, LINE_MAX_BYTES, LOG_READ_MAX_BYTES, NODE_SYNC_WORK, PROBE_CATCHUP_MS, RUN_LOG_BYTES, POD_STATE_MAX_BYTES, SCRIPT_STEPS_PER_START, WORD_BYTES_PER_STEP } from "../../../../src/node/container-runtime/budgets";
import { bytesWritten, rotatedAt, runLines, type LogRun } from "../../../../src/node/container-runtime/logs";
import { interpretScript } from "../../../../src/node/container-runtime/shell";
import { initialState, nodeObject, syncPods } from "../../../../src/node/kubelet";
import { boundState, POD_RETRY_MS } from "../../../../src/node/kubelet/faults";
import { FOLLOW_MAX_QUEUED_BYTES, FOLLOWERS_MAX, FOLLOWERS_PER_USER, LogFollowers } from "../../../../src/node/log-followers";

const BOMB = "A=xxxxxxxx; for i in $(seq 40); do A=$A$A; done; sleep 1";
const Mi = 1024 * 1024;
const sh = (script: string, memoryLimitBytes?: number) => interpretScript(script, { env: {}, hostname: "h", flavor: "busybox", memoryLimitBytes });
const bytesOf = (lines: { text: string }[]) => lines.reduce((a, l) => a + l.text.length + 1, 0);

function input(script: string, memoryLimitBytes: number | null): ContainerInput {
  return { family: "shell", tag: "latest", entrypoint: [], imageCmd: [], command: ["sh", "-c", script], env: {}, stdin: false, hostname: "h", namespace: "default", memoryLimitBytes, cpuLimitMillis: null, nodeMemoryBytes: 4 * 1024 ** 3 };
}

describe("shell budgets", () => {
  it("the doubling string bomb is an OOM kill at the memory limit, not an exception", () => {
    const tl = sh(BOMB, 128 * Mi);
    expect(tl.oomAtMs).not.toBeNull();
    expect(tl.exitCode).toBe(137);
    expect(tl.exitAtMs).toBe(tl.oomAtMs);
    expect(tl.memoryPeakBytes).toBeGreaterThan(128 * Mi);
    expect(tl.memoryPeakBytes).toBeLessThanOrEqual(256 * Mi); // killed at the doubling that crossed it
  });

  it("without a limit the bomb is killed at the node's memory (4 GiB here), some seconds of copying in", () => {
    const b = behaviourOf(input(BOMB, null));
    expect(b.oomAtMs).not.toBeNull();
    expect(b.exitCode).toBe(137);
    expect(b.oomAtMs!).toBeGreaterThan(1000); // copying GiBs takes time (COPY_MS_PER_MIB)
    const limited = behaviourOf(input(BOMB, 64 * Mi));
    expect(limited.oomAtMs!).toBeLessThan(b.oomAtMs!);
  });

  it("a value stays a bounded prefix: echoing the big variable prints one line of at most LINE_MAX_BYTES", () => {
    const tl = sh("A=xxxxxxxx; for i in $(seq 20); do A=$A$A; done; echo $A; echo $A$A$A$A", 1024 * Mi);
    expect(tl.oomAtMs).toBeNull();
    expect(tl.memoryPeakBytes).toBe(8 * 2 ** 20);
    expect(tl.logs).toHaveLength(2);
    for (const l of tl.logs) expect(l.text.length).toBeLessThanOrEqual(LINE_MAX_BYTES);
  });

  it("a while-true body that grows memory runs its passes until the OOM killer, with sleeps in between", () => {
    const tl = sh("A=x; while true; do A=$A$A; sleep 1; done", 64 * Mi);
    // 2^27 bytes > 64 MiB on the 27th pass, after 26 sleeps and the copying (1 ms per MiB)
    expect(tl.oomAtMs).toBeGreaterThanOrEqual(26_000);
    expect(tl.oomAtMs).toBeLessThan(26_000 + 300);
    expect(tl.periodic).toHaveLength(0);
  });

  it("the step budget ends interpretation: the container keeps running, busy, and never exits by itself", () => {
    const tl = sh("for i in $(seq 1000); do for j in $(seq 1000); do true; done; done; echo never");
    expect(tl.stepsExhausted).toBe(true);
    expect(tl.busy).toBe(true);
    expect(tl.exitAtMs).toBeNull();
    expect(tl.logs.map((l) => l.text)).not.toContain("never");
    expect(SCRIPT_STEPS_PER_START).toBe(5000);
  });

  it("a line is cut at containerd's 16 KiB; a run keeps the newest RUN_LOG_BYTES of its output", () => {
    const long = "y".repeat(40_000);
    expect(sh(`echo ${long}`).logs[0].text.length).toBe(LINE_MAX_BYTES);
    const kb = "z".repeat(1000);
    const tl = sh(`for i in $(seq 1000); do echo $i ${kb}; done`);
    expect(bytesOf(tl.logs)).toBeLessThanOrEqual(RUN_LOG_BYTES);
    expect(tl.logs[tl.logs.length - 1].text.startsWith("1000 ")).toBe(true); // the newest are kept
    expect(tl.logs.length).toBeLessThan(1000);
  });

  it("a script's files are bounded (FILES_MAX records)", () => {
    const tl = sh("for i in $(seq 300); do touch /tmp/f$i; rm /tmp/f$i; echo $i > /tmp/g$i; done");
    expect(tl.files.length).toBeLessThanOrEqual(FILES_MAX);
    expect(tl.files.some((f) => f.path === "/tmp/g300")).toBe(true);
  });

  it("a log read renders at most LOG_READ_MAX_BYTES, the newest", () => {
    const b = behaviourOf(input("while true; do echo " + "w".repeat(10_000) + "; sleep 1; done", null));
    const run: LogRun = { startedAt: 0, finishedAt: null, behaviour: b, extra: [], requests: [], podIP: "10.0.0.1" };
    const lines = runLines(run, -Infinity, 3_600_000);
    expect(bytesOf(lines)).toBeLessThanOrEqual(LOG_READ_MAX_BYTES);
    expect(lines[lines.length - 1].at).toBeGreaterThan(3_590_000);
  });

  it("the log file is rotated at containerLogMaxSize (10 MiB): a read shows only what the current file holds", () => {
    const b = behaviourOf(input("while true; do echo " + "r".repeat(1023) + "; sleep 1; done", null)); // 1 KiB a second
    const run: LogRun = { startedAt: 0, finishedAt: null, behaviour: b, extra: [], requests: [], podIP: "10.0.0.1" };
    expect(CONTAINER_LOG_MAX_BYTES).toBe(10 * Mi);
    // Before 10 MiB: the newest LOG_READ_MAX_BYTES (1,024 lines of 1 KiB)
    const before = runLines(run, -Infinity, 10_000_000);
    expect(rotatedAt(run, 10_000_000)).toBe(-Infinity);
    expect(before).toHaveLength(LOG_READ_MAX_BYTES / 1024);
    // The 10,240th line (written at 10,239 s) fills the file; 20 s later the current file holds 20 lines
    expect(bytesWritten(run, 10_239_000)).toBe(10 * Mi);
    expect(rotatedAt(run, 10_259_000)).toBe(10_239_001);
    const after = runLines(run, -Infinity, 10_259_000);
    expect(after).toHaveLength(20);
    expect(after[0].at).toBe(10_240_000);
    // At 20 MiB it rotates again
    expect(rotatedAt(run, 20_500_000)).toBe(20_479_001);
  });
});

describe("cpu per sync", () => {
  // One script start costs up to SCRIPT_STEPS_PER_START; a sync checks the node's budget between steps.
  const HEAVY = "for i in $(seq 1000); do for j in $(seq 1000); do true; done; done";
  const OVERSHOOT = SCRIPT_STEPS_PER_START + 100;

  it("a long word costs its size: a 1 MiB word echoed in a loop uses up the step budget after a few echoes", () => {
    const meter = { used: 0 };
    const word = "w".repeat(Mi);
    const tl = interpretScript(`for i in $(seq 1000); do echo ${word}; done`, { env: {}, hostname: "h", flavor: "busybox", meter });
    expect(tl.stepsExhausted).toBe(true);
    expect(tl.logs.length).toBeLessThanOrEqual(Math.ceil(SCRIPT_STEPS_PER_START / (Mi / WORD_BYTES_PER_STEP)) + 1);
    // the meter holds the statements and the parse of the 1 MiB script
    expect(meter.used).toBeGreaterThanOrEqual(SCRIPT_STEPS_PER_START);
    expect(meter.used).toBeLessThanOrEqual(SCRIPT_STEPS_PER_START + Mi / WORD_BYTES_PER_STEP + 1);
  });

  it("40 pods starting busy scripts in one sync: none spends past NODE_SYNC_WORK (plus one script); the rest start at the next syncs, the deferred first", () => {
    const pods = Array.from({ length: 40 }, (_, i) => pod(`busy-${String(i).padStart(2, "0")}`, { containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", HEAVY] }] }));
    let state = syncPods(cfg, initialState(cfg, 7), pods, T0).state; // admitted; pulls and starts are due later
    const at = T0 + 600_000; // one late sync: every pull is done and every container starts in it
    const started = new Map<string, number>(); // pod -> index of the sync that started it
    const works: number[] = [];
    let out;
    for (let i = 0; i < 100; i++) {
      out = syncPods(cfg, state, pods, at);
      state = out.state;
      works.push(out.work);
      for (const e of out.events) if (e.reason === "Started") started.set(e.regarding.name, i);
      expect(out.work).toBeLessThanOrEqual(NODE_SYNC_WORK + OVERSHOOT);
      if (out.deferred === 0) break;
      expect(out.nextWakeAt).toBe(at); // the rest is due at once
    }
    expect(out!.deferred).toBe(0);
    expect(started.size).toBe(40);
    // 40 starts × 5,000 steps cannot fit one sync of 100,000: it took several, each full but the last
    expect(works.length).toBeGreaterThanOrEqual(Math.ceil((40 * SCRIPT_STEPS_PER_START) / (NODE_SYNC_WORK + OVERSHOOT)));
    for (const w of works.slice(0, -1)) expect(w).toBeGreaterThanOrEqual(NODE_SYNC_WORK);
    // The deferred go first: each sync started pods none before it had, in creation order, wrapping round
    const order = pods.map((p) => started.get(p.metadata.name!)!);
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThanOrEqual(order[i - 1]);
    for (let i = 0; i < works.length - 1; i++) expect(order.filter((x) => x === i).length).toBeGreaterThan(0);
    for (const p of pods) expect(state.pods[p.metadata.uid!].containers[0].stage).toBe("running");
  });

  it("a node behind on exec probes drops the ticks it missed: a minute's catch-up takes bounded syncs, and the pod beside them still runs", () => {
    const probe = { exec: { command: ["sh", "-c", HEAVY] }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1_000_000 };
    const sim = new Sim();
    for (let i = 0; i < 20; i++) sim.add(pod(`probed-${i}`, { containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", "sleep 36000"], livenessProbe: probe }] }));
    sim.add(pod("web", { containers: [{ name: "nginx", image: "nginx:1.25" }] }));
    sim.advance(20);
    // A minute with no sync (a long pause of the node's object), then syncs back to back at one time.
    const at = sim.now + 60_000;
    let out = syncPods(cfg, sim.state, sim.pods, at);
    let syncs = 1;
    for (;;) {
      expect(out.work).toBeLessThanOrEqual(NODE_SYNC_WORK + OVERSHOOT);
      if (out.deferred === 0 || syncs >= 1000) break;
      out = syncPods(cfg, out.state, sim.pods, at);
      syncs++;
    }
    expect(out.deferred).toBe(0);
    // 20 pods × 60 ticks × 5,000 steps would be 6,000,000 (60 syncs); with ticks past PROBE_CATCHUP_MS dropped, ~2,000,000
    const replayedAll = (20 * 60 * SCRIPT_STEPS_PER_START) / (NODE_SYNC_WORK + OVERSHOOT);
    const windowOnly = (20 * (PROBE_CATCHUP_MS / 1000 + 1) * SCRIPT_STEPS_PER_START) / NODE_SYNC_WORK;
    expect(syncs).toBeLessThan(replayedAll);
    expect(syncs).toBeLessThanOrEqual(Math.ceil(windowOnly) + 25);
    const web = Object.values(out.state.pods).find((r) => r.name === "web")!;
    expect(web.containers[0].stage).toBe("running");
  });
});

describe("kubelet containment", () => {
  it("the bomb pod is OOMKilled and restarted with back-off; the pod beside it runs; the sync never throws", () => {
    const sim = new Sim();
    sim.add(pod("bomb", { containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", BOMB], resources: { limits: { memory: "128Mi" } } }] }));
    sim.add(pod("web", { containers: [{ name: "nginx", image: "nginx:1.25" }] }));
    sim.advance(90);
    const cs = sim.get("bomb").status.containerStatuses[0];
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
    expect(cs.restartCount).toBeGreaterThanOrEqual(2);
    expect(sim.eventsFor("bomb").map((e) => e.reason)).toContain("BackOff");
    expect(sim.get("web").status.phase).toBe("Running");
  });

  it("a pod whose sync throws gets a FailedSync event; the other pods go on, the node stays Ready, the retry waits its back-off", () => {
    const sim = new Sim();
    sim.add(pod("web", { containers: [{ name: "nginx", image: "nginx:1.25" }] }));
    const bad = pod("bad", { containers: [{ name: "c", image: "busybox:1.36" }] });
    Object.defineProperty(bad.spec, "containers", { get() { throw new Error("simulated kubelet bug"); } });
    sim.pods.push(bad);
    const out = syncPods(cfg, sim.state, sim.pods, sim.now + 1000);
    expect(out.faults).toHaveLength(1);
    expect(out.faults[0]).toMatchObject({ name: "bad", message: "Error: simulated kubelet bug" });
    const failed = out.events.find((e) => e.reason === "FailedSync")!;
    expect(failed).toMatchObject({ type: "Warning", regarding: { name: "bad" } });
    expect(failed.message).toBe("error syncing pod: Error: simulated kubelet bug");
    expect(out.state.faults?.total).toBe(1);
    expect(out.state.pods[bad.metadata.uid!]).toBeUndefined();
    expect(out.nextWakeAt).not.toBe(sim.now + 1000); // no hot retry loop
    expect(out.nextWakeAt!).toBeLessThanOrEqual(sim.now + 1000 + POD_RETRY_MS);
    sim.sync(sim.now + 1000);
    sim.advance(60);
    expect(sim.get("web").status.phase).toBe("Running");
    const ready = (nodeObject(cfg, sim.state, sim.now) as any).status.conditions.find((c: any) => c.type === "Ready");
    expect(ready.status).toBe("True");
    expect(sim.state.faults!.recent.length).toBeLessThanOrEqual(20);
  });

  it("each pod's record is kept under POD_STATE_MAX_BYTES: its retained output is rotated, previous runs first; a quiet pod beside it keeps all of its own", () => {
    const sim = new Sim();
    const kb = "q".repeat(1000);
    const chatty = `for i in $(seq 200); do echo $i ${kb}; done; exit 1`; // 200 KB a run, restarting
    for (let i = 0; i < 3; i++) sim.add(pod(`chatty-${i}`, { containers: [{ name: "a", image: "busybox:1.36", command: ["sh", "-c", chatty] }, { name: "b", image: "busybox:1.36", command: ["sh", "-c", chatty] }] }));
    sim.add(pod("quiet", { containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", `for i in $(seq 20); do echo $i ${kb}; done; sleep 3600`] }] }));
    sim.advance(120);
    for (const rec of Object.values(sim.state.pods)) expect(JSON.stringify(rec).length).toBeLessThanOrEqual(POD_STATE_MAX_BYTES);
    const quiet = Object.values(sim.state.pods).find((r) => r.name === "quiet")!;
    expect(quiet.containers[0].current!.behaviour.logs).toHaveLength(20); // untouched by its neighbours
    const big = structuredClone(sim.state);
    expect(boundState(big, 40_000)).not.toBeNull();
    for (const rec of Object.values(big.pods)) expect(JSON.stringify(rec).length).toBeLessThanOrEqual(40_000);
  });
});

describe("log followers", () => {
  const ts = (ms: number) => new Date(ms).toISOString().replace("Z", "000000Z");
  const target = { uid: "u", container: "c", timestamps: false, user: "kubeclass:student:ana" };

  it("a reader that keeps up gets every new line; feed never waits for it", async () => {
    const fol = new LogFollowers();
    const stream = fol.open(target, `${ts(1000)} first\n`, 1000);
    const reader = stream.getReader();
    const dec = new TextDecoder();
    expect(dec.decode((await reader.read()).value)).toBe("first\n");
    const r = fol.feed(() => ({ text: `${ts(1000)} first\n${ts(2000)} second\n` }), 2000);
    expect(r).toBeUndefined(); // synchronous: nothing to await
    expect(dec.decode((await reader.read()).value)).toBe("second\n");
  });

  it("a reader that stops reading is closed once its queue would pass the bound (1 MiB), and nothing blocks", async () => {
    const fol = new LogFollowers();
    const stream = fol.open(target, "", 0);
    const line = "x".repeat(64 * 1024);
    let t = 1000;
    for (let i = 0; i < 40 && fol.size > 0; i++, t += 1000) fol.feed(() => ({ text: `${ts(t)} ${line}\n` }), t);
    expect(fol.size).toBe(0);
    expect(fol.slowClosed).toBe(1);
    // What was queued is still there, then the stream ends: at most the bound.
    const reader = stream.getReader();
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
    }
    expect(total).toBeLessThanOrEqual(FOLLOW_MAX_QUEUED_BYTES);
    expect(total).toBeGreaterThan(FOLLOW_MAX_QUEUED_BYTES / 2);
  });

  it("one person holds at most FOLLOWERS_PER_USER streams: a new one ends their oldest (an interrupted `logs -f` whose cancel never arrived), never a classmate's", async () => {
    const fol = new LogFollowers();
    const bia = fol.open({ ...target, user: "kubeclass:student:bia" }, "", 0);
    const anas = Array.from({ length: 33 }, () => fol.open(target, "", 0)); // ana's kubectl, interrupted 33 times
    expect(fol.byUser().get("kubeclass:student:ana")).toBe(FOLLOWERS_PER_USER);
    expect(fol.byUser().get("kubeclass:student:bia")).toBe(1);
    expect(fol.replaced).toBe(33 - FOLLOWERS_PER_USER);
    expect((await anas[0].getReader().read()).done).toBe(true); // ended, as when the log stream ends
    const open = bia.getReader();
    fol.feed(() => ({ text: `${ts(5000)} hello\n` }), 5000);
    expect(new TextDecoder().decode((await open.read()).value)).toBe("hello\n");
  });

  it("a node serves at most FOLLOWERS_MAX followers: past it the busiest person's oldest stream ends; a gone container closes its follower", () => {
    const fol = new LogFollowers();
    for (let i = 0; i < FOLLOWERS_MAX; i++) fol.open({ ...target, user: `student-${i % 10}` }, "", 0); // 10 people, 3–4 streams each
    expect(fol.size).toBe(FOLLOWERS_MAX);
    fol.open({ ...target, user: "kubeclass:instructor" }, "", 0);
    expect(fol.size).toBe(FOLLOWERS_MAX);
    expect(fol.byUser().get("kubeclass:instructor")).toBe(1);
    expect(fol.byUser().get("student-0")).toBe(3); // student-0 held 4 (the most, first seen): its oldest went
    fol.feed(() => ({ error: "gone" }), 1);
    expect(fol.size).toBe(0);
  });
});

describe("whole cluster", () => {
  it("a node whose pods hold more state than one storage row (2 MB) stays Ready: one row per pod record", async () => {
    const cls = await newClassroom("rows", 1);
    const stub = (env as any).CLASSROOM.get((env as any).CLASSROOM.idFromName(cls.id));
    await stub.setClock({ paused: true });
    await stub.advance(1000);
    const k = client(cls);
    const nodeName = (await k.get("/api/v1/nodes")).body.items[0].metadata.name as string;
    // Each container prints 55 KB and sleeps: a pod's record is ~115 KB, under its cap (nothing trimmed).
    const chatty = ["sh", "-c", `for i in $(seq 80); do echo $i ${"x".repeat(690)}; done; sleep 36000`];
    const containers = [{ name: "a", image: "busybox:1.36", command: chatty }, { name: "b", image: "busybox:1.36", command: chatty }];
    for (let i = 0; i < 20; i++) expect((await k.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: `chatty-${i}` }, spec: { nodeName, containers } })).status).toBe(201);
    for (let s = 0; s < 3; s++) await stub.advance(10_000);
    const node = (await k.get(`/api/v1/nodes/${nodeName}`)).body;
    expect(node.status.conditions.find((x: any) => x.type === "Ready").status).toBe("True");
    const pods = (await k.get("/api/v1/namespaces/default/pods")).body.items as any[];
    expect(pods.filter((p) => p.status.phase === "Running")).toHaveLength(20);
    const nodeStub = (env as any).NODE.get((env as any).NODE.idFromName(`${cls.id}/${nodeName}`));
    const inside = runInDurableObject as unknown as (s: unknown, f: (o: any) => { key: string; n: number }[]) => Promise<{ key: string; n: number }[]>;
    const rows = await inside(nodeStub, (o) => o.sql.all("SELECT key, length(value) AS n FROM node_kv"));
    const total = rows.reduce((a, r) => a + r.n, 0);
    expect(total).toBeGreaterThan(2_000_000); // more than one row could hold
    for (const r of rows) expect(r.n).toBeLessThanOrEqual(POD_STATE_MAX_BYTES);
    expect(rows.filter((r) => r.key.startsWith("pod:"))).toHaveLength(20);
  }, 120_000);


  it("a node out of cpu runs behind on its own: re-synced NODE_BEHIND_RETRY_REAL_MS later, not at once; a classmate's pod on it still starts, every node stays Ready", async () => {
    const cls = await newClassroom("cpu", 2);
    const stub = (env as any).CLASSROOM.get((env as any).CLASSROOM.idFromName(cls.id));
    await stub.setClock({ paused: true });
    await stub.advance(1000);
    const k = client(cls);
    const nodeName = (await k.get("/api/v1/nodes")).body.items[0].metadata.name as string;
    const heavy = ["sh", "-c", "for i in $(seq 1000); do for j in $(seq 1000); do true; done; done"];
    const probe = { exec: { command: heavy }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1_000_000 };
    const c = (n: string) => ({ name: n, image: "busybox:1.36", command: ["sh", "-c", "sleep 36000"], livenessProbe: probe, readinessProbe: probe });
    for (let i = 0; i < 8; i++) expect((await k.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: `hog-${i}` }, spec: { nodeName, containers: [c("a"), c("b")] } })).status).toBe(201);
    await stub.advance(20_000);
    const bia = client(cls, (await joinAs(cls, "bia")).body.token);
    expect((await bia.post("/api/v1/namespaces/student-bia/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { nodeName, containers: [{ name: "nginx", image: "nginx:1.25" }] } })).status).toBe(201);
    const dues: { at: number; now: number }[] = [];
    for (let s = 0; s < 4; s++) {
      await stub.advance(5_000);
      const inside = runInDurableObject as unknown as (s: unknown, f: (o: any) => { at: number; now: number }) => Promise<{ at: number; now: number }>;
      dues.push(await inside(stub, (o) => {
        const item = o.loop.due.all().find((d: { name: string }) => d.name === `node:${nodeName}`);
        return { at: item?.at ?? 0, now: o.loop.now() };
      }));
    }
    // 8 pods × 4 exec probes × 5,000 steps a second is 160,000 a second: more than one sync's cpu
    for (const d of dues) expect(d.at - d.now).toBeGreaterThan(0);
    expect(dues.some((d) => d.at - d.now === NODE_BEHIND_RETRY_REAL_MS)).toBe(true); // speed 1: 250 simulated ms
    const web = (await bia.get("/api/v1/namespaces/student-bia/pods/web")).body;
    expect(web.status.phase).toBe("Running");
    for (const n of (await k.get("/api/v1/nodes")).body.items as any[]) expect(n.status.conditions.find((x: any) => x.type === "Ready").status).toBe("True");
  }, 120_000);

  it("a DaemonSet with the shell bomb on 3 nodes: every node stays Ready, the other pods run, the bomb's pods are OOMKilled", async () => {
    const cls = await newClassroom("budgets", 3);
    const ns = (env as any).CLASSROOM;
    const stub = ns.get(ns.idFromName(cls.id));
    await stub.setClock({ paused: true });
    const k = client(cls);
    await stub.advance(1000);
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "bomb" }, spec: { selector: { matchLabels: { app: "bomb" } }, template: { metadata: { labels: { app: "bomb" } }, spec: { containers: [{ name: "bomb", image: "busybox:1.36", command: ["sh", "-c", BOMB] }] } } } };
    const dep = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] } } } };
    expect((await k.post("/apis/apps/v1/namespaces/default/daemonsets", ds)).status).toBe(201);
    expect((await k.post("/apis/apps/v1/namespaces/default/deployments", dep)).status).toBe(201);
    for (let s = 0; s < 120; s += 10) await stub.advance(10_000);
    const nodes = (await k.get("/api/v1/nodes")).body.items as any[];
    expect(nodes).toHaveLength(3);
    for (const n of nodes) expect(n.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
    const web = (await k.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).body.items as any[];
    expect(web.filter((p) => p.status.phase === "Running")).toHaveLength(3);
    const bombs = (await k.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dbomb")).body.items as any[];
    expect(bombs).toHaveLength(3);
    for (const p of bombs) {
      const cs = p.status.containerStatuses[0];
      expect(cs.lastState.terminated ?? cs.state.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
      expect(cs.restartCount).toBeGreaterThanOrEqual(1);
      const evs = (await k.get(`/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${p.metadata.name}`)}`)).body.items as any[];
      expect(evs.map((e) => e.reason)).toEqual(expect.arrayContaining(["Scheduled", "Pulled", "Created", "Started", "BackOff"]));
      expect(evs.map((e) => e.reason)).not.toContain("FailedSync");
    }
  }, 120_000);
});
