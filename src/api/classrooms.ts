// kubeclass's classrooms: opening one (anyone may; its id and tokens are the secrets) and what it
// is (name, node count, creation time) for anyone holding one of its credentials.
import type { Context } from "hono";
import { Hono } from "hono";
import { createClassroom } from "../classroom/create";
import type { NodeSize } from "../classroom/fleet/node-sizes";
import { authenticated, type AppEnv } from "./access";
import { body, originOf, readObject } from "./http";

/** What a client sends to open a classroom (README: POST /api/classrooms); every field has a default. */
export interface CreateClassroomBody { name?: string; nodes?: number; size?: "mixed" | NodeSize; speed?: number; cloud?: boolean }

const readCreate = (c: Context) => readObject(c, "the request body must be JSON, e.g. {\"name\": \"demo\", \"nodes\": 3}");

export const classrooms = new Hono<AppEnv>()
  .post("/", body<CreateClassroomBody>(readCreate), async (c) => c.json(await createClassroom(c.env.CLASSROOM, originOf(c), c.req.valid("json")), 201))
  .get("/:id", authenticated, async (c) => c.json(await c.var.classroom.info()));
