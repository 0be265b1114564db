// Who may call a classroom's routes, as middleware. Each resolves the classroom of the path's :id
// and, but for inClassroom, the caller of the bearer token (the classroom object decides whose it
// is, and limits guesses per client address), refuses as the route requires, and puts both on the
// context for the route: c.var.classroom (the object's stub) and c.var.person.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { errors, type ApiError } from "../control-plane/api-server/status";
import type { ClassroomObject } from "../classroom/classroom-object";
import { CLIENT_HEADER } from "../classroom/classroom-schema";
import { CLASSROOM_ID } from "../classroom/create";
import type { Who } from "../classroom/credentials";
import { unwrap } from "./refusal";

export type ClassroomStub = DurableObjectStub<ClassroomObject>;
/** Every sub-app's environment: the bindings (src/env.d.ts). */
export interface AppEnv { Bindings: Env }
export interface ClassroomEnv extends AppEnv { Variables: { classroom: ClassroomStub } }
export interface PersonEnv extends AppEnv { Variables: { classroom: ClassroomStub; person: Who } }

/** A classroom's object; an id no classroom can have is a 404 without waking any object. */
export function classroomStub(env: Env, id: string | undefined): ClassroomStub {
  if (id === undefined || !CLASSROOM_ID.test(id)) throw errors.notFound({ plural: "classrooms", group: "kubeclass.dev" }, id ?? "");
  return env.CLASSROOM.get(env.CLASSROOM.idFromName(id));
}

export function bearer(c: Context): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
  return m ? m[1].trim() : null;
}

/** The caller's address, for limiting failed authentication per client (Cloudflare sets it). */
export const clientOf = (c: Context): string | null => c.req.header(CLIENT_HEADER) ?? null;

/** The classroom alone: routes whose credential the object itself checks (joining, the live feed, kubectl's). */
export const inClassroom = createMiddleware<ClassroomEnv>(async (c, next) => {
  c.set("classroom", classroomStub(c.env, c.req.param("id")));
  await next();
});

/** A bearer token is required before anything else is read: 401 without one. */
export const withBearer = createMiddleware<{ Variables: { token: string } }>(async (c, next) => {
  const token = bearer(c);
  if (!token) throw errors.unauthorized();
  c.set("token", token);
  await next();
});

/** Who the token is in the classroom (401 if nobody, 429 after too many failures), then `refuse` decides. */
function access(refuse: (person: Who) => ApiError | undefined) {
  return createMiddleware<PersonEnv>(async (c, next) => {
    const classroom = classroomStub(c.env, c.req.param("id"));
    const person = unwrap(await classroom.authenticate(bearer(c), clientOf(c)));
    const refused = refuse(person);
    if (refused) throw refused;
    c.set("classroom", classroom);
    c.set("person", person);
    await next();
  });
}

/** Any credential of this classroom (the join token, a node's too). */
export const authenticated = access(() => undefined);
/** The instructor or a student of this classroom (not the join token, not another classroom's). */
export const memberOnly = access((p) => (p.kind === "instructor" || p.kind === "student" ? undefined : errors.unauthorized()));
/** kubeclass's instructor-only calls: anyone else with a credential here is 403. */
export const instructorOnly = access((p) => (p.kind === "instructor" ? undefined : errors.forbidden("only the instructor may do this")));
