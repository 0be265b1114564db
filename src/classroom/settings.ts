// The classroom's own settings, typed: what it was created as (id, name, creation time, cloud or
// on premises), the instructor's lock, each student's quota and the cap on students. One row each
// in the classroom's settings table (etcd/sql.ts KeyValueTable).
import { KeyValueTable, type Sql } from "../control-plane/etcd/sql";
import type { ClassroomInit } from "./classroom-schema";
import type { StudentQuota } from "./students";

export class ClassroomSettings {
  private readonly kv: KeyValueTable;

  constructor(sql: Sql) {
    this.kv = new KeyValueTable(sql, "classroom");
  }

  /** Undefined until the classroom is created. */
  get id(): string | undefined {
    return this.kv.text("id");
  }

  /** What it was created as (the caller's transaction: with its credentials). */
  create(init: ClassroomInit, createdAt: string): void {
    for (const [k, v] of Object.entries({ id: init.id, name: init.name, nodes: String(init.nodes), cloud: String(init.cloud ?? true), createdAt })) this.kv.putText(k, v);
  }

  /** Undefined until created; the node count is the fleet's, now. */
  info(nodes: number): { id: string; name: string; nodes: number; createdAt: string } | undefined {
    const id = this.id;
    return id === undefined ? undefined : { id, name: this.name, nodes, createdAt: this.kv.text("createdAt") ?? "" };
  }

  get name(): string {
    return this.kv.text("name") ?? "";
  }

  /** false: on premises, no cloud-controller-manager. */
  get cloud(): boolean {
    return this.kv.text("cloud") !== "false";
  }

  /** Students' writes are refused while the instructor has locked them. */
  get locked(): boolean {
    return this.kv.text("locked") === "true";
  }

  set locked(locked: boolean) {
    this.kv.putText("locked", String(locked));
  }

  /** The instructor's per-student quota, for every student namespace. */
  get studentQuota(): StudentQuota {
    return this.kv.get<StudentQuota>("studentQuota") ?? {};
  }

  set studentQuota(q: StudentQuota) {
    this.kv.put("studentQuota", q);
  }

  /** The instructor's cap on students; null: none but the classroom's own. */
  get maxStudents(): number | null {
    const v = this.kv.text("maxStudents");
    return v === undefined ? null : Number(v);
  }

  set maxStudents(max: number | null) {
    if (max === null) this.kv.delete("maxStudents");
    else this.kv.putText("maxStudents", String(max));
  }
}
