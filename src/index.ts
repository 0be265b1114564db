// The Worker: stateless routing in front of the per-classroom control plane objects.
// /api/... is kubeclass's own API (classrooms); /clusters/<id>/... is each classroom's Kubernetes API.
import { Hono, type Context } from "hono";
import { errorResponse, jsonResponse, MAX_BODY_BYTES } from "./control-plane/api-server/codec";
import { errors } from "./control-plane/api-server/status";
import { TOKEN_HEADER, type ClassroomObject } from "./classroom/classroom-object";
import { CLASSROOM_ID, createClassroom } from "./classroom/create";

export { ClassroomObject } from "./classroom/classroom-object";
export { NodeObject } from "./node/node-object";

export interface Env {
  CLASSROOM: DurableObjectNamespace<ClassroomObject>;
  NODE: DurableObjectNamespace;
  ASSETS: Fetcher;
}

type C = Context<{ Bindings: Env }>;
const app = new Hono<{ Bindings: Env }>();

app.onError((e) => errorResponse(e));
app.get("/healthz", (c) => c.text("ok"));

app.post("/api/classrooms", async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw errors.badRequest("the request body must be JSON, e.g. {\"name\": \"demo\", \"nodes\": 3}");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw errors.badRequest("the request body must be a JSON object");
  const created = await createClassroom(c.env.CLASSROOM, new URL(c.req.url).origin, body);
  return jsonResponse(created, 201);
});

function classroom(c: C, id: string) {
  if (!CLASSROOM_ID.test(id)) throw errors.notFound({ plural: "classrooms", group: "kubeclass.dev" }, id);
  return c.env.CLASSROOM.get(c.env.CLASSROOM.idFromName(id));
}

function bearer(c: C): string | null {
  const h = c.req.header("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m ? m[1].trim() : null;
}

/** Instructor-only kubeclass API calls; anything else is 401 (no or unknown token) or 403. */
async function requireInstructor(c: C, id: string) {
  const stub = classroom(c, id);
  const who = await stub.whoami(bearer(c));
  if (!who) throw errors.unauthorized();
  if (who.kind !== "instructor") throw errors.forbidden("only the instructor may do this");
  return stub;
}

app.get("/api/classrooms/:id", async (c) => {
  const stub = classroom(c, c.req.param("id"));
  const who = await stub.whoami(bearer(c));
  if (!who) throw errors.unauthorized();
  return jsonResponse(await stub.info());
});

app.get("/api/classrooms/:id/etcd/snapshot", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const snap = await stub.snapshot();
  return jsonResponse(snap, 200, { "Content-Disposition": `attachment; filename="etcd-snapshot-${snap.revision}.json"` });
});

app.post("/api/classrooms/:id/etcd/restore", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  let snap: unknown;
  try {
    snap = await c.req.json();
  } catch {
    throw errors.badRequest("the request body must be a snapshot as downloaded from /etcd/snapshot");
  }
  try {
    return jsonResponse(await stub.restore(snap as never));
  } catch (e) {
    throw errors.badRequest(`cannot restore: ${(e as Error).message}`);
  }
});

/** Forwards a Kubernetes API request to the classroom object, the credential in a trusted header. */
async function forward(c: C, id: string, token: string | null, prefix: string): Promise<Response> {
  const stub = classroom(c, id);
  // Oversize bodies are refused here, before they cost the classroom object anything.
  if (Number(c.req.header("content-length") ?? "0") > MAX_BODY_BYTES) {
    await c.req.raw.body?.cancel();
    throw errors.tooLarge();
  }
  const url = new URL(c.req.url);
  const apiPath = url.pathname.slice(prefix.length) || "/";
  const headers = new Headers(c.req.raw.headers);
  headers.delete(TOKEN_HEADER);
  if (token) headers.set(TOKEN_HEADER, token);
  const init: RequestInit = { method: c.req.method, headers };
  if (c.req.method !== "GET" && c.req.method !== "HEAD") init.body = c.req.raw.body;
  return stub.fetch(new Request(`https://classroom${apiPath}${url.search}`, init));
}

app.all("/clusters/:id/auth/:token/*", (c) => {
  const { id, token } = c.req.param();
  return forward(c, id, token, `/clusters/${id}/auth/${token}`);
});
app.all("/clusters/:id/auth/:token", (c) => {
  const { id, token } = c.req.param();
  return forward(c, id, token, `/clusters/${id}/auth/${token}`);
});
app.all("/clusters/:id/*", (c) => forward(c, c.req.param("id"), bearer(c), `/clusters/${c.req.param("id")}`));

app.all("/api/*", () => errorResponse(errors.pathNotFound()));
// Everything else is the web client.
app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

export default app;
