// The instructor's hold over who is in the classroom: students join with the join token (which
// can be rotated, so a leaked link stops working), up to a cap the instructor may set (so quota
// and rate limits are per person, not per name), and can be removed (their credential stops
// working at once, their namespace goes as `kubectl delete namespace` would take it, their pages
// are closed). Refusals are thrown as the API's errors (refusal.ts carries them over RPC).
import { hashToken, randomToken } from "../control-plane/api-server/auth";
import { STUDENT_PREFIX } from "../control-plane/api-server/classroom-authorizer";
import type { Registry } from "../control-plane/api-server/registry/store";
import { NAMESPACES } from "../control-plane/api-server/resources";
import { errors } from "../control-plane/api-server/status";
import type { Sql } from "../control-plane/etcd/sql";
import { INSTRUCTOR, JOIN } from "./classroom-schema";
import { joinUrl } from "./create";
import type { Credentials } from "./credentials";
import { invalidField } from "./refusal";
import type { ClassroomSettings } from "./settings";
import { addStudent, applyStudentQuota, type StudentJoin, type StudentQuota } from "./students";
export interface StudentEntry { name: string; namespace: string; joinedAt: string }
export interface StudentList { items: StudentEntry[]; max: number | null }
/**
 * The most students a classroom admits, whatever the instructor's cap (null: up to this). Far
 * beyond a lesson's 30–200, and small enough that every student's NodePorts fit the shared range:
 * 500 × `services.nodeports` 5 = 2,500 of 2,768, so no student is ever the one to find it full.
 */
export const MAX_STUDENTS_LIMIT = 500;
/** WebSocket close code for a removed student's pages (4000–4999 are the application's). */
export const REMOVED_CLOSE_CODE = 4001;

export interface StudentAdminDeps {
  sql: Sql;
  reg: Registry;
  creds: Credentials;
  settings: ClassroomSettings;
  ctx: DurableObjectState;
  id: () => string;
  now: () => Date;
  /** Tells the live feed a socket is gone (presence). */
  socketClosed: (ws: WebSocket) => void;
  /** After a change the control loop must act on (a namespace made or deleted). */
  woke: () => Promise<void>;
  /** After a change of settings pages show. */
  changed: () => Promise<void>;
}

export class StudentAdmin {
  constructor(private readonly d: StudentAdminDeps) {}

  /**
   * A student joins with the join token (or the instructor's): their namespace, credential and
   * kubeconfig. Refused or not, someone came: the control loop wakes (an idle clock runs again).
   */
  async join(joinToken: string, name: unknown, origin: string, client: string | null): Promise<StudentJoin> {
    try {
      return await this.admit(joinToken, name, origin, client);
    } finally {
      await this.d.woke();
    }
  }

  private async admit(joinToken: string, name: unknown, origin: string, client: string | null): Promise<StudentJoin> {
    const { who } = await this.d.creds.holder(joinToken, client, Date.now());
    if (who.kind !== "join" && who.kind !== "instructor") throw errors.unauthorized();
    const token = randomToken();
    const tokenHash = await hashToken(token);
    // No await from here on: the cap is checked and the student added in one turn, so two joins
    // at once cannot both take the last place.
    const max = this.d.settings.maxStudents;
    if (max !== null && this.count() >= max)
      throw errors.forbidden(`this classroom is full: the instructor admits at most ${max} student${max === 1 ? "" : "s"}`);
    if (this.count() >= MAX_STUDENTS_LIMIT) throw errors.forbidden(`this classroom is full: a classroom admits at most ${MAX_STUDENTS_LIMIT} students`);
    return addStudent(this.d.reg, this.d.sql, this.d.creds, { id: this.d.id(), name, token, tokenHash, origin, now: this.d.now(), quota: this.d.settings.studentQuota });
  }

  list(): StudentList {
    const items = this.d.creds.holders("student").map((r) => {
      const name = r.username.slice(STUDENT_PREFIX.length);
      return { name, namespace: `student-${name}`, joinedAt: r.createdAt };
    });
    return { items, max: this.d.settings.maxStudents };
  }

  /** Caps the number of students (null: no cap). Those already in stay, even above a lower cap. */
  setLimit(max: unknown): { max: number | null; students: number } {
    if (max !== null && !(typeof max === "number" && Number.isInteger(max) && max >= 0 && max <= MAX_STUDENTS_LIMIT))
      throw invalidField("max", `Invalid value: ${JSON.stringify(max)}: must be a whole number from 0 to ${MAX_STUDENTS_LIMIT}, or null for no limit (up to ${MAX_STUDENTS_LIMIT})`);
    this.d.settings.maxStudents = max;
    return { max, students: this.count() };
  }

  /** The instructor's per-student quota: stored for new students, applied to every current one. */
  async setQuota(quota: StudentQuota): Promise<{ quota: StudentQuota; students: number }> {
    this.d.settings.studentQuota = quota;
    const students = applyStudentQuota(this.d.reg, quota, this.d.now());
    await this.d.changed();
    return { quota, students };
  }

  /**
   * Removes a student: the credential row goes (and every cached copy with it), then the
   * Namespace is deleted through the registry, so the namespace controller empties it as it would
   * for `kubectl delete namespace`; their open pages are closed. The control loop wakes, found or not.
   */
  async remove(name: string): Promise<{ name: string; namespace: string }> {
    try {
      return this.removeNow(name);
    } finally {
      await this.d.woke();
    }
  }

  private removeNow(name: string): { name: string; namespace: string } {
    const namespace = `student-${name}`;
    if (!this.d.creds.revokeHolder("student", `${STUDENT_PREFIX}${name}`)) throw errors.notFoundMessage(`student "${name}" not found`);
    const nsR = NAMESPACES;
    const ns = this.d.reg.tryGet(nsR, undefined, namespace);
    if (ns && !ns.metadata.deletionTimestamp) this.d.reg.delete(nsR, undefined, namespace, { user: INSTRUCTOR, now: this.d.now() });
    for (const ws of this.sockets(name)) {
      try {
        ws.close(REMOVED_CLOSE_CODE, "removed from the classroom by the instructor");
      } catch {
        // closed already
      }
      this.d.socketClosed(ws);
    }
    return { name, namespace };
  }

  /** A new join token; the old one stops working at once. Students already in keep their own credentials. */
  async rotateJoinToken(origin: string): Promise<{ joinToken: string; joinUrl: string }> {
    const joinToken = randomToken();
    this.d.creds.replace(await hashToken(joinToken), "join", JOIN, new Date().toISOString());
    return { joinToken, joinUrl: joinUrl(origin, this.d.id(), joinToken) };
  }

  /** A student's open live pages (their sockets carry who they are as the attachment). */
  sockets(name: string): WebSocket[] {
    return this.d.ctx.getWebSockets("student").filter((ws) => (ws.deserializeAttachment() as { name?: string } | null)?.name === name);
  }

  private count(): number {
    return this.d.creds.count("student");
  }
}
