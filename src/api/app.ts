// The Worker's routes: kubeclass's own API (/api/..., one sub-app per area, mounted here) and each
// classroom's Kubernetes API (/clusters/<id>/...); everything else is the web client. Its type,
// AppType, is the web client's contract: web/src/api.ts calls these routes through hono's typed
// client, so a route changed here breaks the web build.
import { Hono } from "hono";
import { errorResponse } from "../control-plane/api-server/codec";
import { errors } from "../control-plane/api-server/status";
import type { AppEnv } from "./access";
import { classrooms } from "./classrooms";
import { cluster } from "./cluster";
import { clusters } from "./clusters";
import { control } from "./control";
import { live } from "./live";
import { nodes } from "./nodes";
import { rounds } from "./rounds";
import { students } from "./students";

/** Where every classroom's own routes hang. */
const CLASSROOM = "/api/classrooms/:id";

export const app = new Hono<AppEnv>()
  .get("/healthz", (c) => c.text("ok"))
  .route("/api/classrooms", classrooms)
  .route(CLASSROOM, students)
  .route(CLASSROOM, nodes)
  .route(CLASSROOM, cluster)
  .route(CLASSROOM, control)
  .route(CLASSROOM, rounds)
  .route(CLASSROOM, live)
  .route("/clusters", clusters)
  .all("/api/*", () => errorResponse(errors.pathNotFound()))
  // Everything else is the web client.
  .all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

// Every refusal, thrown anywhere in a route (an ApiError, a classroom's refusal unwrapped), is
// answered here as kube-apiserver answers: a metav1.Status with its code.
app.onError((e) => errorResponse(e));

export type AppType = typeof app;
