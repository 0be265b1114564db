// What happens to the classroom as a whole: created once (its settings, the instructor's and the
// join credential, the cluster's bootstrap objects, its first machines), reset (what anyone
// deployed goes, machines and students stay), and restored from an etcd snapshot.
import type { Registry } from "../control-plane/api-server/registry/store";
import { errors } from "../control-plane/api-server/status";
import type { Etcd, Snapshot } from "../control-plane/etcd/store";
import type { Sql } from "../control-plane/etcd/sql";
import { bootstrapCluster } from "./bootstrap";
import { INSTRUCTOR, JOIN, type ClassroomInit } from "./classroom-schema";
import type { ControlLoop } from "./control-loop";
import type { Credentials } from "./credentials";
import type { FleetOps } from "./fleet/operations";
import { resetCluster } from "./reset";
import type { ClassroomSettings } from "./settings";

export interface LifecycleDeps {
  sql: Sql;
  settings: ClassroomSettings;
  creds: Credentials;
  etcd: Etcd;
  reg: Registry;
  loop: ControlLoop;
  machines: FleetOps;
  /** After a change of settings or machines: the alarm is set and every page hears of it. */
  changed(): Promise<void>;
  /** After a change the control loop must act on: the clock runs and the alarm is set. */
  woke(): Promise<void>;
}

export class Lifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  /** Creates the classroom. Only once: a second time is a fault (ids are 128 random bits), not a refusal. */
  async create(init: ClassroomInit): Promise<void> {
    if (this.d.settings.id !== undefined) throw new Error("classroom already exists");
    const createdAt = new Date().toISOString();
    this.d.sql.transaction(() => {
      this.d.settings.create(init, createdAt);
      this.d.creds.add(init.instructorTokenHash, "instructor", INSTRUCTOR, createdAt);
      this.d.creds.add(init.joinTokenHash, "join", JOIN, createdAt);
    });
    if (init.speed) this.d.loop.setClock({ speed: init.speed });
    if (init.cloud === false) this.d.loop.setOnPremises();
    bootstrapCluster(this.d.reg, new Date(this.d.loop.now()));
    for (let i = 0; i < init.nodes; i++) await this.d.machines.add({ size: init.size });
    await this.d.woke();
  }

  /** Everything anyone deployed goes; machines come back up, uncordoned; students stay. */
  async reset(): Promise<{ deleted: number }> {
    const deleted = resetCluster(this.d.etcd, (ns) => ns === "default" || ns.startsWith("student-"));
    this.d.machines.restoreAll();
    this.d.loop.touch();
    await this.d.changed();
    return { deleted };
  }

  /** Replaces the keyspace with a snapshot; whatever goes wrong is the snapshot refused (400). */
  async restore(snap: Snapshot): Promise<{ revision: number }> {
    try {
      const revision = this.d.etcd.restore(snap);
      this.d.loop.forgetNodePods();
      // Every watch was closed: the scheduler and controllers relist now, not at the next request.
      this.d.loop.touch();
      await this.d.loop.runDue();
      return { revision };
    } catch (e) {
      throw errors.badRequest(`cannot restore: ${(e as Error).message}`);
    }
  }
}
