// Each classroom's Kubernetes API, /clusters/<id>/..., forwarded to its classroom object as it
// came, the credential in a header only the Worker sets: from the Authorization header (kubectl
// over HTTPS) or from the path (/clusters/<id>/auth/<token>/..., kubectl over plain HTTP, where it
// sends no bearer token). The answers are the API server's own: this sub-app types none of them.
import type { Context } from "hono";
import { Hono } from "hono";
import { MAX_BODY_BYTES, readBody } from "../control-plane/api-server/codec";
import { stampReceived } from "../control-plane/api-server/flow-control";
import { errors } from "../control-plane/api-server/status";
import { TICKET_HEADER, TOKEN_HEADER } from "../classroom/classroom-schema";
import { bearer, inClassroom, type ClassroomEnv } from "./access";

async function forward(c: Context<ClassroomEnv>, token: string | null, prefix: string): Promise<Response> {
  // Oversize bodies are refused here, before they cost the classroom object anything.
  if (Number(c.req.header("content-length") ?? "0") > MAX_BODY_BYTES) {
    await c.req.raw.body?.cancel();
    throw errors.tooLarge();
  }
  const url = new URL(c.req.url);
  const apiPath = url.pathname.slice(prefix.length) || "/";
  const headers = new Headers(c.req.raw.headers);
  headers.delete(TOKEN_HEADER);
  headers.delete(TICKET_HEADER);
  if (token) headers.set(TOKEN_HEADER, token);
  const init: RequestInit = { method: c.req.method, headers };
  // Read here (3 MiB at most): a refusal before the object reads a streamed body would leave it dangling.
  if (c.req.method !== "GET" && c.req.method !== "HEAD") init.body = await readBody(c.req.raw);
  // The moment it is handed to the object (after the body's upload, which is not the object's
  // queue; Date.now() has moved past that I/O): the object measures its queue from this. Always
  // the Worker's own value, replacing whatever a client sent under that name.
  stampReceived(headers, Date.now());
  return c.var.classroom.fetch(new Request(`https://classroom${apiPath}${url.search}`, init));
}

const inPath = (c: Context<ClassroomEnv>) => {
  const { id, token } = c.req.param() as { id: string; token: string };
  return forward(c, token, `/clusters/${id}/auth/${token}`);
};

export const clusters = new Hono<ClassroomEnv>()
  .all("/:id/auth/:token/*", inClassroom, inPath)
  .all("/:id/auth/:token", inClassroom, inPath)
  .all("/:id/*", inClassroom, (c) => forward(c, bearer(c), `/clusters/${c.req.param("id")}`));
