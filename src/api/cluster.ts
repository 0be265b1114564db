// The instructor's hold over the cluster as a whole: lock students' writes, reset what anyone
// deployed, and back etcd up or restore it (as the course notes advise).
import { Hono } from "hono";
import { errors } from "../control-plane/api-server/status";
import type { Snapshot } from "../control-plane/etcd/store";
import { instructorOnly, type AppEnv } from "./access";
import { accepts, body, flag } from "./http";
import { unwrap } from "./refusal";

export const cluster = new Hono<AppEnv>()
  /** {"locked": true}: students can still read everything, but every write of theirs is refused. */
  .put("/lock", instructorOnly, body<{ locked: boolean }>(), async (c) => c.json(await c.var.classroom.setLocked(flag(c.req.valid("json"), "locked"))))
  /** Deletes everything anyone deployed; machines and students stay. */
  .post("/reset", instructorOnly, async (c) => c.json(await c.var.classroom.reset()))
  .get("/etcd/snapshot", instructorOnly, async (c) => {
    const snap = await c.var.classroom.snapshot();
    return c.json(snap, 200, { "Content-Disposition": `attachment; filename="etcd-snapshot-${snap.revision}.json"` });
  })
  /** Any JSON is handed on: what is wrong with a snapshot is the classroom's to say (400 "cannot restore: …"). */
  .post("/etcd/restore", instructorOnly, accepts<{ json: Snapshot }>(), async (c) => {
    let snap: unknown;
    try {
      snap = await c.req.json();
    } catch {
      throw errors.badRequest("the request body must be a snapshot as downloaded from /etcd/snapshot");
    }
    return c.json(unwrap(await c.var.classroom.restore(snap as Snapshot)));
  });
