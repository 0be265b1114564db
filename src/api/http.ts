// What the routes read from a request. A body is parsed once, by middleware that also declares
// what a client should send (`In`, the typed client's input); routes still check every field of
// what arrived (`JsonObject`), since any client may send anything.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { errors } from "../control-plane/api-server/status";
import type { JsonObject } from "../control-plane/api-server/patch/util";
import { invalidField } from "../classroom/refusal";
import type { AppEnv } from "./access";

export type { JsonObject };

const NOT_AN_OBJECT = "the request body must be a JSON object";

/** The request's JSON object, or 400 (`notJson` when it is no JSON at all). */
export async function readObject(c: Context, notJson = NOT_AN_OBJECT): Promise<JsonObject> {
  let b: unknown;
  try {
    b = await c.req.json();
  } catch {
    throw errors.badRequest(notJson);
  }
  if (typeof b === "object" && b !== null && !Array.isArray(b)) return b as JsonObject;
  throw errors.badRequest(NOT_AN_OBJECT);
}

/** A route's JSON object body, parsed by `read` (400 if not an object): the route takes it as c.req.valid("json"). */
export function body<In extends object>(read: (c: Context) => Promise<JsonObject> = (c) => readObject(c)) {
  return createMiddleware<AppEnv, string, { in: { json: In }; out: { json: JsonObject } }>(async (c, next) => {
    c.req.addValidatedData("json", await read(c));
    await next();
  });
}

/** Declares what a client sends (a query, a body the route parses itself) for the typed client; reads nothing. */
export function accepts<In extends { json?: object; query?: Record<string, string | undefined> }>() {
  return createMiddleware<AppEnv, string, { in: In }>(async (_c, next) => {
    await next();
  });
}

/** The origin links and kubeconfigs point at: the one the caller used. */
export const originOf = (c: Context): string => new URL(c.req.url).origin;

/** A field that must be true or false (422 at that field otherwise). */
export function flag(b: JsonObject, field: string): boolean {
  const v = b[field];
  if (typeof v !== "boolean") throw invalidField(field, "Invalid value: must be true or false");
  return v;
}
