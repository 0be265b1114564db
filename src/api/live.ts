// The classroom's live feed for its pages: a WebSocket to the classroom object, opened with a
// single-use ticket. Browsers cannot set headers on a WebSocket, so the page first trades its
// token for a ticket (30 s) and opens ?ticket=; ?since=<revision> resumes after a reconnect.
// ?token= is accepted only over plain HTTP (local runs, where the kubeconfig carries the token in
// its path anyway), never over HTTPS.
import { Hono } from "hono";
import { errors } from "../control-plane/api-server/status";
import { CLIENT_HEADER, LIVE_HOST, TICKET_HEADER, TOKEN_HEADER } from "../classroom/classroom-schema";
import { bearer, clientOf, inClassroom, type AppEnv } from "./access";
import { accepts } from "./http";
import { unwrap } from "./refusal";

export const live = new Hono<AppEnv>()
  /** A single-use ticket (30 s) to open the live feed: a credential never rides in a WebSocket URL. */
  .post("/live/ticket", inClassroom, async (c) => c.json(unwrap(await c.var.classroom.liveTicket(bearer(c), clientOf(c)))))
  .get("/live", inClassroom, accepts<{ query: { ticket?: string; since?: string; token?: string } }>(), async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw errors.badRequest("this endpoint is a WebSocket: connect with Upgrade: websocket");
    const plain = new URL(c.req.url).protocol === "http:";
    const token = bearer(c) ?? (plain ? c.req.query("token") : undefined) ?? null;
    const ticket = c.req.query("ticket");
    const headers = new Headers({ upgrade: "websocket" });
    if (ticket) headers.set(TICKET_HEADER, ticket);
    else if (token) headers.set(TOKEN_HEADER, token);
    const client = clientOf(c);
    if (client) headers.set(CLIENT_HEADER, client);
    const since = c.req.query("since");
    return c.var.classroom.fetch(new Request(`https://${LIVE_HOST}/${since ? `?since=${encodeURIComponent(since)}` : ""}`, { headers }));
  });
