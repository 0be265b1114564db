// The instructor's controls over the simulation: the clock (speed, pause, skipping ahead),
// kube-scheduler (its profile, stopping it, its decisions) and kube-controller-manager.
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { SchedulerProfile } from "../control-plane/scheduler";
import { invalidField } from "../classroom/refusal";
import { instructorOnly, memberOnly, type AppEnv, type PersonEnv } from "./access";
import { accepts, body, flag } from "./http";
import { unwrap } from "./refusal";

/** Anyone in the classroom may ask about one pod (they can read every pod); only the instructor may list every decision. */
const decisionsAccess = createMiddleware<PersonEnv>((c, next) => (c.req.query("pod") ? memberOnly : instructorOnly)(c, next));

export const control = new Hono<AppEnv>()
  .get("/clock", instructorOnly, async (c) => c.json(await c.var.classroom.clock()))
  /** {"speed"?: 0<s≤100, "paused"?: boolean}. */
  .put("/clock", instructorOnly, body<{ speed?: number; paused?: boolean }>(), async (c) => {
    const b = c.req.valid("json");
    const { speed } = b;
    if (speed !== undefined && !(typeof speed === "number" && speed > 0 && speed <= 100)) throw invalidField("speed", `Invalid value: ${JSON.stringify(speed)}: must be a number greater than 0 and at most 100`);
    return c.json(await c.var.classroom.setClock({ speed, paused: b.paused === undefined ? undefined : flag(b, "paused") }));
  })
  /** {"seconds": 0..3600}: simulated time moves on, everything due on the way runs. */
  .post("/clock/advance", instructorOnly, body<{ seconds: number }>(), async (c) => {
    const { seconds } = c.req.valid("json");
    if (!(typeof seconds === "number" && seconds >= 0 && seconds <= 3600)) throw invalidField("seconds", `Invalid value: ${JSON.stringify(seconds)}: must be a number of seconds from 0 to 3600`);
    return c.json({ now: new Date(await c.var.classroom.advance(seconds * 1000)).toISOString() });
  })
  .get("/scheduler", instructorOnly, async (c) => c.json(await c.var.classroom.schedulerProfile()))
  .put("/scheduler/profile", instructorOnly, body<Partial<SchedulerProfile>>(), async (c) => c.json(unwrap(await c.var.classroom.setSchedulerProfile(c.req.valid("json")))))
  .put("/scheduler/running", instructorOnly, body<{ running: boolean }>(), async (c) => {
    const running = flag(c.req.valid("json"), "running");
    await c.var.classroom.setSchedulerStopped(!running);
    return c.json(await c.var.classroom.schedulerProfile());
  })
  /** The scheduler's latest decision about a pod: which filter rejected each node, the scores. */
  .get("/scheduler/decisions", decisionsAccess, accepts<{ query: { namespace?: string; pod?: string } }>(), async (c) => {
    const name = c.req.query("pod");
    return c.json({ items: await c.var.classroom.schedulerRecords(name ? { namespace: c.req.query("namespace") ?? "default", name } : {}) });
  })
  /** {"running": false}: nothing reconciles (deleted pods are not replaced) until it runs again. */
  .put("/controllers/running", instructorOnly, body<{ running: boolean }>(), async (c) => c.json(await c.var.classroom.setControllersStopped(!flag(c.req.valid("json"), "running"))));
