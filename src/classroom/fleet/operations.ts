// What the instructor does to the classroom's machines (add, remove, stop, partition, start) and
// what a reset does to them, as one concern: the machine's record (fleet.ts), its kubelet's
// credential, its Durable Object, its turn in the control loop, and its objects in the API
// (machines.ts). The classroom object only forwards its RPC calls here.
import { hashToken, randomToken } from "../../control-plane/api-server/auth";
import type { Registry, WriteCtx } from "../../control-plane/api-server/registry/store";
import type { NodeConfig } from "../../node/kubelet";
import type { Credentials } from "../credentials";
import { noSuchNode, type MachineState, type NodeFleet } from "./fleet";
import { forgetMachine, uncordon } from "./machines";

/** The parts of the control loop a machine change touches. */
export interface FleetLoop {
  now(): number;
  touch(): void;
  due: { at(key: string, t: number): void; set(key: string, t: number | null): void };
}

/** A node's Durable Object, as far as the fleet drives it. */
export interface NodeHandle {
  init(init: { classroomId: string; token: string; config: NodeConfig; seed: number; now: number }): Promise<unknown>;
  destroy(): Promise<unknown>;
}

export interface FleetDeps {
  fleet: NodeFleet;
  creds: Credentials;
  reg: Registry;
  loop: FleetLoop;
  node(name: string): NodeHandle;
  classroomId(): string;
  writer(): Pick<WriteCtx, "user" | "now">;
  /** After every change: the alarm is set and pages hear of it. */
  afterChange(): Promise<void>;
}

export type NodeOp = { add: { name?: string; size?: string } } | { remove: string } | { set: string; state: MachineState };

export class FleetOps {
  constructor(private readonly d: FleetDeps) {}

  /** One operation on one machine, as the instructor asks for it; refused with the API's errors. */
  async op(op: NodeOp): Promise<{ name: string }> {
    if ("add" in op) return this.add(op.add);
    if ("set" in op) await this.setState(op.set, op.state);
    else await this.remove(op.remove);
    return { name: "set" in op ? op.set : op.remove };
  }

  async add(opts: { name?: string; size?: string }): Promise<{ name: string }> {
    const token = randomToken();
    const hash = await hashToken(token);
    const { name, config } = this.d.fleet.plan(opts, hash);
    this.d.creds.add(hash, "node", { username: `system:node:${name}`, groups: ["system:nodes", "system:authenticated"] }, new Date().toISOString());
    const now = this.d.loop.now();
    await this.d.node(name).init({ classroomId: this.d.classroomId(), token, config, seed: this.d.fleet.seed(name), now });
    this.d.loop.due.at(`node:${name}`, now);
    this.d.loop.touch();
    await this.d.afterChange();
    return { name };
  }

  /**
   * stopped: the kubelet stops syncing and renewing its lease; nothing else is told.
   * partitioned: it runs its containers on, but cannot reach the API server.
   */
  async setState(name: string, state: MachineState): Promise<void> {
    if (!this.d.fleet.get(name)) throw noSuchNode(name);
    this.d.fleet.setState(name, state);
    if (state !== "stopped") this.d.loop.due.at(`node:${name}`, this.d.loop.now());
    else this.d.loop.due.set(`node:${name}`, null);
    await this.d.afterChange();
  }

  /** The machine is gone: its Node object goes, and its pods with it (as PodGC deletes them). */
  async remove(name: string): Promise<void> {
    const node = this.d.fleet.get(name);
    if (!node) throw noSuchNode(name);
    forgetMachine(this.d.reg, name, this.d.writer());
    this.d.creds.revoke(node.tokenHash);
    this.d.fleet.remove(name);
    this.d.loop.due.set(`node:${name}`, null);
    await this.d.node(name).destroy();
    await this.d.afterChange();
  }

  /** A reset: every machine back up, uncordoned, and synced now. */
  restoreAll(): void {
    for (const m of this.d.fleet.list()) {
      if (m.state !== "running") this.d.fleet.setState(m.name, "running");
      uncordon(this.d.reg, m.name, this.d.writer());
      this.d.loop.due.at(`node:${m.name}`, this.d.loop.now());
    }
  }

  list() {
    return this.d.fleet.list().map((n) => ({ name: n.name, state: n.state, instanceType: n.config.instanceType, zone: n.config.zone, cpuMillis: n.config.cpuMillis, memoryBytes: n.config.memoryBytes }));
  }
}
