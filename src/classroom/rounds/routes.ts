// The rounds API (instructor only): start and end rounds, their outcomes as JSON or CSV, and the
// cluster map of a round at any moment (replay).
import type { Context, Hono } from "hono";
import { jsonResponse } from "../../control-plane/api-server/codec";
import { errors } from "../../control-plane/api-server/status";
import type { ClassroomObject } from "../classroom-object";
import type { Result } from "../refusal";
import type { Outcomes } from "./outcomes";
import type { ClusterMap } from "./replay";
import type { Round } from "./types";

type Stub = DurableObjectStub<ClassroomObject>;
// RPC result types lose their shape where they hold `unknown` (settings): name them again here.
type Op = Result<Round>;
type OutcomesResult = Result<Outcomes>;
type ReplayResult = Result<{ round: Round; map: ClusterMap & { at: number } }>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type App = Hono<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type C = Context<any>;

function roundNumber(c: C): number {
  const n = Number(c.req.param("n"));
  if (!Number.isInteger(n) || n < 1) throw errors.notFoundMessage(`round "${c.req.param("n")}" not found`);
  return n;
}

export function roundRoutes(app: App, requireInstructor: (c: C, id: string) => Promise<Stub>, jsonBody: (c: C) => Promise<Record<string, unknown>>, unwrap: <T>(r: Result<T>) => T): void {
  app.get("/api/classrooms/:id/rounds", async (c) => jsonResponse({ items: await (await requireInstructor(c, c.req.param("id"))).roundList() }));

  /** {"title": "...", "goal"?: "..."} → 201 with the round, the settings in force recorded with it. */
  app.post("/api/classrooms/:id/rounds", async (c) => {
    const stub = await requireInstructor(c, c.req.param("id"));
    const body = await jsonBody(c);
    return jsonResponse(unwrap((await stub.roundOp({ start: { title: body.title, goal: body.goal } })) as unknown as Op), 201);
  });

  app.post("/api/classrooms/:id/rounds/current/end", async (c) => {
    return jsonResponse(unwrap((await (await requireInstructor(c, c.req.param("id"))).roundOp({ end: true })) as unknown as Op));
  });

  /** ?format=csv for a spreadsheet: one row per student. */
  app.get("/api/classrooms/:id/rounds/:n/outcomes", async (c) => {
    const stub = await requireInstructor(c, c.req.param("id"));
    const csv = c.req.query("format") === "csv";
    const n = roundNumber(c);
    if (csv) return new Response(unwrap(await stub.roundOutcomesCsv(n)), { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="round-${n}-outcomes.csv"` } });
    return jsonResponse(unwrap((await stub.roundOutcomes(n)) as unknown as OutcomesResult));
  });

  /** ?at=<simulated ms or RFC 3339 time>; default: the end of the round (or now, while it runs). */
  app.get("/api/classrooms/:id/rounds/:n/replay", async (c) => {
    const stub = await requireInstructor(c, c.req.param("id"));
    const q = c.req.query("at");
    const at = q === undefined ? undefined : /^\d+$/.test(q) ? Number(q) : Date.parse(q);
    if (at !== undefined && !Number.isFinite(at)) throw errors.badRequest(`at must be a time (milliseconds or RFC 3339), got "${q}"`);
    const { round, map } = unwrap((await stub.roundReplay(roundNumber(c), at)) as unknown as ReplayResult);
    return jsonResponse({ round, ...map });
  });
}
