// The Worker: stateless routing in front of the per-classroom control plane objects.
// /api/... is kubeclass's own API (classrooms); /clusters/<id>/... is each classroom's Kubernetes API.
import { Hono, type Context } from "hono";
import { errorResponse, jsonResponse, MAX_BODY_BYTES, readBody } from "./control-plane/api-server/codec";
import { parseQuantity } from "./control-plane/api-server/quantity";
import { ApiError, errors } from "./control-plane/api-server/status";
import { CLIENT_HEADER, LIVE_HOST, TICKET_HEADER, TOKEN_HEADER } from "./classroom/classroom-object";
import { invalidField, type Result } from "./classroom/refusal";
import { CLASSROOM_ID, createClassroom } from "./classroom/create";
import { stampReceived } from "./control-plane/api-server/flow-control";
import { roundRoutes } from "./classroom/rounds/routes";

export { ClassroomObject } from "./classroom/classroom-object";
export { NodeObject } from "./node/node-object";

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

/** The caller's address, for limiting failed authentication per client (Cloudflare sets it). */
const clientOf = (c: C) => c.req.header(CLIENT_HEADER) ?? null;

/** A call's value, or its refusal thrown as the ApiError it was in the classroom object. */
function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.status, r.headers);
}

/** Who the bearer token belongs to in this classroom: 401 if nobody, 429 after too many failures. */
async function authenticated(c: C, id: string) {
  const stub = classroom(c, id);
  const { kind } = unwrap(await stub.authenticate(bearer(c), clientOf(c)));
  return { stub, kind };
}

/** Instructor-only kubeclass API calls; anything else is 401 (no or unknown token) or 403. */
async function requireInstructor(c: C, id: string) {
  const { stub, kind } = await authenticated(c, id);
  if (kind !== "instructor") throw errors.forbidden("only the instructor may do this");
  return stub;
}

/** The instructor or a student of this classroom (not the join token, not another classroom's). */
async function requireMember(c: C, id: string) {
  const { stub, kind } = await authenticated(c, id);
  if (kind !== "instructor" && kind !== "student") throw errors.unauthorized();
  return stub;
}

app.get("/api/classrooms/:id", async (c) => jsonResponse(await (await authenticated(c, c.req.param("id"))).stub.info()));

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
  return jsonResponse(unwrap(await stub.restore(snap as never)));
});

async function jsonBody(c: C): Promise<Record<string, unknown>> {
  try {
    const b = await c.req.json();
    if (typeof b === "object" && b !== null && !Array.isArray(b)) return b as Record<string, unknown>;
  } catch { /* fall through */ }
  throw errors.badRequest("the request body must be a JSON object");
}

/** A student joins with the join token: 201 with their namespace, token and kubeconfig. */
app.post("/api/classrooms/:id/students", async (c) => {
  const stub = classroom(c, c.req.param("id"));
  const token = bearer(c);
  if (!token) throw errors.unauthorized();
  const body = await jsonBody(c);
  return jsonResponse(unwrap(await stub.joinStudent(token, body.name, new URL(c.req.url).origin, clientOf(c))), 201);
});

/** Per-student quota: {"pods"?: "20", "cpu"?: "2", "memory"?: "4Gi"} (quantities as in a ResourceQuota). */
app.put("/api/classrooms/:id/quota", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const body = await jsonBody(c);
  const causes = [];
  const q: Record<string, string> = {};
  for (const field of ["pods", "cpu", "memory"]) {
    const v = body[field];
    if (v === undefined) continue;
    const text = typeof v === "number" ? String(v) : v;
    const parsed = typeof text === "string" ? parseQuantity(text) : undefined;
    if (parsed === undefined || parsed.value < 0 || (field === "pods" && !Number.isInteger(parsed.value)))
      causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(v)}: must be a ${field === "pods" ? "whole number" : "quantity such as " + (field === "cpu" ? '"2" or "500m"' : '"4Gi"')}`, field });
    else q[field] = text as string;
  }
  if (causes.length) throw errors.invalid({ kind: "StudentQuota", group: "kubeclass.dev" }, "", causes);
  return jsonResponse(await stub.setStudentQuota(q));
});

app.get("/api/classrooms/:id/nodes", async (c) => jsonResponse({ items: await (await requireInstructor(c, c.req.param("id"))).nodes() }));

app.post("/api/classrooms/:id/nodes", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const body = await jsonBody(c);
  if (body.name !== undefined && typeof body.name !== "string") throw invalidField("name", "Invalid value: must be a string");
  if (body.size !== undefined && typeof body.size !== "string") throw invalidField("size", "Invalid value: must be a string");
  const { name } = unwrap(await stub.nodeOp({ add: { name: body.name as string | undefined, size: body.size as string | undefined } }));
  return jsonResponse({ name }, 201);
});

app.delete("/api/classrooms/:id/nodes/:node", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const { name } = unwrap(await stub.nodeOp({ remove: c.req.param("node") }));
  return jsonResponse({ name });
});

// stop/start a machine; partition cuts it off from the control plane, heal reconnects it.
const MACHINE_ACTIONS = { stop: "stopped", start: "running", partition: "partitioned", heal: "running" } as const;
for (const [action, state] of Object.entries(MACHINE_ACTIONS)) {
  app.post(`/api/classrooms/:id/nodes/:node/${action}`, async (c) => {
    const stub = await requireInstructor(c, c.req.param("id"));
    const { name } = unwrap(await stub.nodeOp({ set: c.req.param("node"), state }));
    return jsonResponse({ name, state });
  });
}

/** Lock or unlock students' submissions: {"locked": true}. */
app.put("/api/classrooms/:id/lock", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const body = await jsonBody(c);
  if (typeof body.locked !== "boolean") throw invalidField("locked", "Invalid value: must be true or false");
  return jsonResponse(await stub.setLocked(body.locked));
});

/** Deletes everything anyone deployed; machines and students stay. */
app.post("/api/classrooms/:id/reset", async (c) => jsonResponse(await (await requireInstructor(c, c.req.param("id"))).reset()));

/** The students (instructor): who joined when, and the cap on their number. */
app.get("/api/classrooms/:id/students", async (c) => jsonResponse(await (await requireInstructor(c, c.req.param("id"))).studentList()));

/** Caps the number of students: {"max": n} (0..500), or {"max": null} for the classroom's own cap of 500. */
app.put("/api/classrooms/:id/students/limit", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const { max } = await jsonBody(c);
  if (max === undefined) throw invalidField("max", "Required value: a whole number of students, or null for no limit");
  return jsonResponse(unwrap(await stub.setStudentLimit(max)));
});

/** Removes a student: their credential stops working at once, their namespace is deleted, their pages closed. */
app.delete("/api/classrooms/:id/students/:name", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  return jsonResponse(unwrap(await stub.removeStudent(c.req.param("name"))));
});

/** A new join token and link; the old token stops working at once (students already in stay). */
app.post("/api/classrooms/:id/join-token/rotate", async (c) =>
  jsonResponse(await (await requireInstructor(c, c.req.param("id"))).rotateJoinToken(new URL(c.req.url).origin)));

/** A single-use ticket (30 s) to open the live feed: a credential never rides in a WebSocket URL. */
app.post("/api/classrooms/:id/live/ticket", async (c) => {
  return jsonResponse(unwrap(await classroom(c, c.req.param("id")).liveTicket(bearer(c), clientOf(c))));
});

/**
 * The live feed of a classroom for its pages (WebSocket). Browsers cannot set headers on a
 * WebSocket, so the page first asks for a ticket (above) and opens ?ticket=; ?since=<revision>
 * resumes after a reconnect. ?token= is accepted only over plain HTTP (local runs, where the
 * kubeconfig carries the token in its path anyway), never over HTTPS.
 */
app.get("/api/classrooms/:id/live", async (c) => {
  const stub = classroom(c, c.req.param("id"));
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
  return stub.fetch(new Request(`https://${LIVE_HOST}/${since ? `?since=${encodeURIComponent(since)}` : ""}`, { headers }));
});

app.get("/api/classrooms/:id/clock", async (c) => jsonResponse(await (await requireInstructor(c, c.req.param("id"))).clock()));

app.put("/api/classrooms/:id/clock", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const body = await jsonBody(c);
  if (body.speed !== undefined && !(typeof body.speed === "number" && body.speed > 0 && body.speed <= 100)) throw invalidField("speed", `Invalid value: ${JSON.stringify(body.speed)}: must be a number greater than 0 and at most 100`);
  if (body.paused !== undefined && typeof body.paused !== "boolean") throw invalidField("paused", "Invalid value: must be true or false");
  return jsonResponse(await stub.setClock({ speed: body.speed as number | undefined, paused: body.paused as boolean | undefined }));
});

app.post("/api/classrooms/:id/clock/advance", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const body = await jsonBody(c);
  if (!(typeof body.seconds === "number" && body.seconds >= 0 && body.seconds <= 3600)) throw invalidField("seconds", `Invalid value: ${JSON.stringify(body.seconds)}: must be a number of seconds from 0 to 3600`);
  return jsonResponse({ now: new Date(await stub.advance(body.seconds * 1000)).toISOString() });
});

app.get("/api/classrooms/:id/scheduler", async (c) => jsonResponse(await (await requireInstructor(c, c.req.param("id"))).schedulerProfile()));

app.put("/api/classrooms/:id/scheduler/profile", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  return jsonResponse(unwrap(await stub.setSchedulerProfile(await jsonBody(c))));
});

app.put("/api/classrooms/:id/scheduler/running", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const body = await jsonBody(c);
  if (typeof body.running !== "boolean") throw invalidField("running", "Invalid value: must be true or false");
  await stub.setSchedulerStopped(!body.running);
  return jsonResponse(await stub.schedulerProfile());
});

app.put("/api/classrooms/:id/controllers/running", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const body = await jsonBody(c);
  if (typeof body.running !== "boolean") throw invalidField("running", "Invalid value: must be true or false");
  return jsonResponse(await stub.setControllersStopped(!body.running));
});

/**
 * The scheduler's latest decision about a pod: which filter rejected each node, the scores.
 * Anyone in the classroom may ask about one pod (they can read every pod); only the
 * instructor may list every decision.
 */
app.get("/api/classrooms/:id/scheduler/decisions", async (c) => {
  const ns = c.req.query("namespace") ?? "default";
  const name = c.req.query("pod");
  const stub = name ? await requireMember(c, c.req.param("id")) : await requireInstructor(c, c.req.param("id"));
  return jsonResponse({ items: await stub.schedulerRecords(name ? { namespace: ns, name } : {}) });
});

/** Sends a request to a Service through kube-proxy and says which pod answered. */
app.post("/api/classrooms/:id/requests", async (c) => {
  const stub = await requireInstructor(c, c.req.param("id"));
  const body = await jsonBody(c);
  const to = body.to as Record<string, unknown> | undefined;
  if (!to || typeof to !== "object") throw invalidField("to", "Required value: a service {namespace, name, port}, a clusterIP and port, or a nodePort");
  return jsonResponse(unwrap(await stub.proxyRequest(body as never)));
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
  headers.delete(TICKET_HEADER);
  if (token) headers.set(TOKEN_HEADER, token);
  const init: RequestInit = { method: c.req.method, headers };
  // Read here (3 MiB at most): a refusal before the object reads a streamed body would leave it dangling.
  if (c.req.method !== "GET" && c.req.method !== "HEAD") init.body = await readBody(c.req.raw);
  // The moment it is handed to the object (after the body's upload, which is not the object's
  // queue; Date.now() has moved past that I/O): the object measures its queue from this. Always
  // the Worker's own value, replacing whatever a client sent under that name.
  stampReceived(headers, Date.now());
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

roundRoutes(app, requireInstructor, jsonBody, unwrap);

app.all("/api/*", () => errorResponse(errors.pathNotFound()));
// Everything else is the web client.
app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

export default app;
