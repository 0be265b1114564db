// Rounds (instructor only): start and end them, their outcomes as JSON or CSV, and the cluster map
// of a round at any moment (replay).
import type { Context } from "hono";
import { Hono } from "hono";
import { errors } from "../control-plane/api-server/status";
import { instructorOnly, type AppEnv } from "./access";
import { accepts, body } from "./http";
import { unwrap } from "./refusal";

function roundNumber(c: Context): number {
  const n = Number(c.req.param("n"));
  if (!Number.isInteger(n) || n < 1) throw errors.notFoundMessage(`round "${c.req.param("n")}" not found`);
  return n;
}

/** ?at=<simulated ms or RFC 3339 time>; none: the end of the round (or now, while it runs). */
function replayAt(c: Context): number | undefined {
  const q = c.req.query("at");
  const at = q === undefined ? undefined : /^\d+$/.test(q) ? Number(q) : Date.parse(q);
  if (at !== undefined && !Number.isFinite(at)) throw errors.badRequest(`at must be a time (milliseconds or RFC 3339), got "${q}"`);
  return at;
}

export const rounds = new Hono<AppEnv>()
  .get("/rounds", instructorOnly, async (c) => c.json({ items: await c.var.classroom.roundList() }))
  /** {"title": "...", "goal"?: "..."} → 201 with the round, the settings in force recorded with it. */
  .post("/rounds", instructorOnly, body<{ title: string; goal?: string }>(), async (c) => {
    const { title, goal } = c.req.valid("json");
    return c.json(unwrap(await c.var.classroom.startRound(title, goal)), 201);
  })
  .post("/rounds/current/end", instructorOnly, async (c) => c.json(unwrap(await c.var.classroom.endRound())))
  /** ?format=csv for a spreadsheet: one row per student. */
  .get("/rounds/:n/outcomes", instructorOnly, accepts<{ query: { format?: "csv" } }>(), async (c) => {
    const n = roundNumber(c);
    if (c.req.query("format") !== "csv") return c.json(unwrap(await c.var.classroom.roundOutcomes(n)));
    const csv = unwrap(await c.var.classroom.roundOutcomesCsv(n));
    return c.body(csv, 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="round-${n}-outcomes.csv"` });
  })
  .get("/rounds/:n/replay", instructorOnly, accepts<{ query: { at?: string } }>(), async (c) => {
    const at = replayAt(c);
    const { round, map } = unwrap(await c.var.classroom.roundReplay(roundNumber(c), at));
    return c.json({ round, ...map });
  });
