// Requests before simulation (src/classroom/sim-pace.ts): the simulation runs in bounded slices and
// yields to waiting requests after each; when it cannot keep up, the clock is held back and the
// speed actually achieved is reported.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { client, newClassroom } from "../api-helpers";
import { allowedLag, holdBack, MAX_LAG_REAL_MS, MAX_LAG_SIM_MS, MAX_PACE_SAMPLES, Pace, PACE_WINDOW_REAL_MS, SLICE } from "../../../src/classroom/sim-pace";
import { newClock, simNow } from "../../../src/classroom/sim-clock";

function stubOf(id: string): any {
  const ns = (env as any).CLASSROOM;
  return ns.get(ns.idFromName(id));
}

describe("holding the clock back", () => {
  it("does nothing while work trails the clock by less than the allowed lag", () => {
    const c = newClock(1_000_000, 10);
    const real = 1_000_000 + 5_000; // sim now = 1,050,000
    expect(holdBack(c, real, simNow(c, real) - allowedLag(10))).toBeUndefined();
    expect(allowedLag(1)).toBe(MAX_LAG_REAL_MS);
    expect(allowedLag(100)).toBe(MAX_LAG_SIM_MS); // well inside the 40 s a node's lease may age
    expect(holdBack(c, real, null)).toBeUndefined();
    expect(holdBack({ ...c, paused: true }, real, 0)).toBeUndefined();
  });

  it("holds it so the earliest due work trails by exactly the allowed lag, and time stays monotonic", () => {
    const c = newClock(1_000_000, 100);
    const real = 1_000_000 + 2_000; // sim now = 1,200,000
    const earliest = 1_000_000 + 50_000; // the work is 150 s of simulated time behind
    const held = holdBack(c, real, earliest)!;
    expect(held.heldMs).toBe(150_000 - allowedLag(100));
    expect(simNow(held.clock, real)).toBe(earliest + allowedLag(100));
    expect(simNow(held.clock, real)).toBeGreaterThan(earliest);
    // From there it runs on at the requested speed.
    expect(simNow(held.clock, real + 10) - simNow(held.clock, real)).toBe(1000);
  });
});

describe("the achieved speed", () => {
  it("is the requested speed until a second has been measured, then simulated over real time", () => {
    const pace = new Pace();
    let c = newClock(0, 100);
    pace.sample(0, 0);
    expect(pace.achieved(c, 500)).toBe(100);
    // After 2 s at 100× (200 s) the work is 100 s behind; held back to trail by 2 s: 102 s in 2 s.
    c = holdBack(c, 2000, 100_000)!.clock;
    expect(simNow(c, 2000)).toBe(100_000 + allowedLag(100));
    expect(pace.achieved(c, 2000)).toBe(51);
    expect(pace.achieved({ ...c, paused: true }, 2000)).toBe(0);
  });

  it("keeps a bounded window of samples", () => {
    const pace = new Pace();
    const c = newClock(0, 1);
    for (let i = 0; i < 10 * MAX_PACE_SAMPLES; i++) pace.sample(i * 100, i * 100);
    expect(pace.size()).toBeLessThanOrEqual(MAX_PACE_SAMPLES);
    for (let i = 0; i < 1000; i++) pace.sample(10_000_000 + i * 1000, 0);
    expect(pace.size()).toBeLessThanOrEqual(PACE_WINDOW_REAL_MS / 1000 + 2);
    expect(pace.achieved(c, 10_000_000 + 999_000)).toBeLessThanOrEqual(1);
  });
});

describe("requests during a long simulation step", () => {
  it("are answered between slices, not after the whole step", { timeout: 120_000 }, async () => {
    const cls = await newClassroom("pace", 2);
    const stub = () => stubOf(cls.id);
    await stub().setClock({ paused: true });
    await stub().setSchedulerStopped(true);
    const k = client(cls);
    const pods = SLICE.schedulerPods * 3; // room on 2 nodes of 110 pods
    const res = await k.post("/apis/apps/v1/namespaces/default/deployments", {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "many" },
      spec: { replicas: pods, selector: { matchLabels: { app: "many" } }, template: { metadata: { labels: { app: "many" } }, spec: { containers: [{ name: "c", image: "nginx:1.25", resources: { requests: { cpu: "1m", memory: "1Mi" } } }] } } },
    });
    expect(res.status).toBe(201);
    await stub().advance(1000); // the ReplicaSet controller creates the pods; none is scheduled
    const pending = (await k.get("/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3D")).body.items.length;
    expect(pending).toBe(pods);

    // One step that schedules all of them: ≥ 3 scheduler slices, plus the controllers and kubelets
    // that follow. Meanwhile an API request is sent each time the previous one is answered.
    await stub().setSchedulerStopped(false);
    const before = (await stub().clock()).slices as number;
    let done = false;
    const step = stub().advance(1000).then(() => { done = true; });
    const during: number[] = [];
    while (!done && during.length < 10_000) {
      const r = await k.get("/api/v1/namespaces/default");
      expect(r.status).toBe(200);
      if (!done) during.push((await stub().clock()).slices as number);
    }
    await step;
    const after = (await stub().clock()).slices as number;
    const scheduled = (await k.get("/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%21%3D")).body.items.length;
    expect(scheduled).toBe(pods);
    // Answered while the step was under way, many times, each within a few slices of the last.
    expect(after - before).toBeGreaterThanOrEqual(3);
    const inside = during.filter((s) => s > before && s < after);
    expect(inside.length).toBeGreaterThanOrEqual(2);
    const gaps = during.slice(1).map((s, i) => s - during[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(4);
  });
});
