// Who is in the classroom: students join with the join token; the instructor lists them, caps
// their number, removes one, rotates the join link and sets each student's quota.
import { Hono } from "hono";
import { parseQuantity } from "../control-plane/api-server/quantity";
import type { StatusCause } from "../control-plane/api-server/types";
import { errors } from "../control-plane/api-server/status";
import { invalidField, KUBECLASS } from "../classroom/refusal";
import type { StudentQuota } from "../classroom/students";
import { clientOf, inClassroom, instructorOnly, withBearer, type AppEnv } from "./access";
import { body, originOf, type JsonObject } from "./http";
import { unwrap } from "./refusal";

type Quantity = string | number;

/** Quantities as in a ResourceQuota: pods a whole number, cpu "2" or "500m", memory "4Gi". */
function studentQuota(b: JsonObject): StudentQuota {
  const causes: StatusCause[] = [];
  const q: StudentQuota = {};
  for (const field of ["pods", "cpu", "memory"] as const) {
    const v = b[field];
    if (v === undefined) continue;
    const text = typeof v === "number" ? String(v) : v;
    const parsed = typeof text === "string" ? parseQuantity(text) : undefined;
    if (typeof text !== "string" || parsed === undefined || parsed.value < 0 || (field === "pods" && !Number.isInteger(parsed.value)))
      causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(v)}: must be a ${field === "pods" ? "whole number" : "quantity such as " + (field === "cpu" ? '"2" or "500m"' : '"4Gi"')}`, field });
    else q[field] = text;
  }
  if (causes.length) throw errors.invalid(KUBECLASS("StudentQuota"), "", causes);
  return q;
}

export const students = new Hono<AppEnv>()
  /** A student joins with the join token: 201 with their namespace, token and kubeconfig. */
  .post("/students", inClassroom, withBearer, body<{ name: string }>(), async (c) =>
    c.json(unwrap(await c.var.classroom.joinStudent(c.var.token, c.req.valid("json").name, originOf(c), clientOf(c))), 201))
  /** Who joined when, and the cap on their number. */
  .get("/students", instructorOnly, async (c) => c.json(await c.var.classroom.studentList()))
  /** {"max": n} (0..500), or {"max": null} for the classroom's own cap of 500. */
  .put("/students/limit", instructorOnly, body<{ max: number | null }>(), async (c) => {
    const { max } = c.req.valid("json");
    if (max === undefined) throw invalidField("max", "Required value: a whole number of students, or null for no limit");
    return c.json(unwrap(await c.var.classroom.setStudentLimit(max)));
  })
  /** Their credential stops working at once, their namespace is deleted, their pages closed. */
  .delete("/students/:name", instructorOnly, async (c) => c.json(unwrap(await c.var.classroom.removeStudent(c.req.param("name")))))
  /** A new join token and link; the old token stops working at once (students already in stay). */
  .post("/join-token/rotate", instructorOnly, async (c) => c.json(await c.var.classroom.rotateJoinToken(originOf(c))))
  /** Each student's quota: {"pods"?: "20", "cpu"?: "2", "memory"?: "4Gi"}, for current and new students. */
  .put("/quota", instructorOnly, body<{ pods?: Quantity; cpu?: Quantity; memory?: Quantity }>(), async (c) =>
    c.json(await c.var.classroom.setStudentQuota(studentQuota(c.req.valid("json")))));
