// The rounds API (instructor only): start and end rounds, their outcomes as JSON or CSV, and the
// cluster map of a round at any moment (replay).
import type { Context, Hono } from "hono";
import { jsonResponse } from "../../control-plane/api-server/codec";
import { errors } from "../../control-plane/api-server/status";
import type { ClassroomObject } from "../classroom-object";
import type { Outcomes } from "./outcomes";
import type { ClusterMap } from "./replay";
import type { Round } from "./types";

type Stub = DurableObjectStub<ClassroomObject>;
// RPC result types lose their shape where they hold `unknown` (settings): name them again here.
type Refused = { ok: false; code: number; message: string };
type Op = { ok: true; round: Round } | Refused;
type OutcomesResult = { ok: true; round: Round; outcomes: Outcomes | string } | Refused;
type ReplayResult = { ok: true; round: Round; map: ClusterMap & { at: number } } | Refused;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type App = Hono<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type C = Context<any>;

const ROUND = { kind: "Round", group: "kubeclass.dev" };

function refusal(res: { code: number; message: string }, field = "title"): Error {
  if (res.code === 409) return errors.conflictMessage(res.message);
  if (res.code === 404) return errors.notFoundMessage(res.message);
  return errors.invalid(ROUND, "", [{ reason: "FieldValueInvalid", message: res.message, field }]);
}

function roundNumber(c: C): number {
  const n = Number(c.req.param("n"));
  if (!Number.isInteger(n) || n < 1) throw errors.notFoundMessage(`round "${c.req.param("n")}" not found`);
  return n;
}

export function roundRoutes(app: App, requireInstructor: (c: C, id: string) => Promise<Stub>, jsonBody: (c: C) => Promise<Record<string, unknown>>): void {
  app.get("/api/classrooms/:id/rounds", async (c) => jsonResponse({ items: await (await requireInstructor(c, c.req.param("id"))).roundList() }));

  /** {"title": "...", "goal"?: "..."} → 201 with the round, the settings in force recorded with it. */
  app.post("/api/classrooms/:id/rounds", async (c) => {
    const stub = await requireInstructor(c, c.req.param("id"));
    const body = await jsonBody(c);
    const res = (await stub.roundOp({ start: { title: body.title, goal: body.goal } })) as Op;
    if (!res.ok) throw refusal(res, res.message.startsWith("goal") ? "goal" : "title");
    return jsonResponse(res.round, 201);
  });

  app.post("/api/classrooms/:id/rounds/current/end", async (c) => {
    const res = (await (await requireInstructor(c, c.req.param("id"))).roundOp({ end: true })) as Op;
    if (!res.ok) throw refusal(res);
    return jsonResponse(res.round);
  });

  /** ?format=csv for a spreadsheet: one row per student. */
  app.get("/api/classrooms/:id/rounds/:n/outcomes", async (c) => {
    const stub = await requireInstructor(c, c.req.param("id"));
    const csv = c.req.query("format") === "csv";
    const n = roundNumber(c);
    const res = (await stub.roundOutcomes(n, csv ? "csv" : "json")) as OutcomesResult;
    if (!res.ok) throw refusal(res);
    if (csv) return new Response(res.outcomes as string, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="round-${n}-outcomes.csv"` } });
    return jsonResponse(res.outcomes);
  });

  /** ?at=<simulated ms or RFC 3339 time>; default: the end of the round (or now, while it runs). */
  app.get("/api/classrooms/:id/rounds/:n/replay", async (c) => {
    const stub = await requireInstructor(c, c.req.param("id"));
    const q = c.req.query("at");
    const at = q === undefined ? undefined : /^\d+$/.test(q) ? Number(q) : Date.parse(q);
    if (at !== undefined && !Number.isFinite(at)) throw errors.badRequest(`at must be a time (milliseconds or RFC 3339), got "${q}"`);
    const res = (await stub.roundReplay(roundNumber(c), at)) as ReplayResult;
    if (!res.ok) throw refusal(res);
    return jsonResponse({ round: res.round, ...res.map });
  });
}
