// The classroom's record of its worker machines: which exist, their size and zone, and whether
// each is running. (Their Node objects in the API are what the kubelets register.)
import type { NodeConfig } from "../../node/kubelet";
import { errors } from "../../control-plane/api-server/status";
import type { Sql } from "../../control-plane/etcd/sql";
import { NODE_SIZES, nodeConfig, validNodeName } from "./node-sizes";

/** A machine that is not in the fleet, as the API says it of a Node. */
export const noSuchNode = (name: string) => errors.notFound({ plural: "nodes", group: "" }, name);

export interface FleetNode {
  name: string;
  idx: number;
  config: NodeConfig;
  tokenHash: string;
  state: MachineState;
}

/** partitioned: the machine runs on but cannot reach the control plane. */
export type MachineState = "running" | "stopped" | "partitioned";

interface Row { name: string; idx: number; config: string; token_hash: string; state: string }
const MAX_NODES = 50;

export class NodeFleet {
  private cache?: FleetNode[];

  constructor(private readonly sql: Sql) {}

  list(): FleetNode[] {
    this.cache ??= this.sql.all<Row>("SELECT * FROM nodes ORDER BY idx").map((r) => ({
      name: r.name, idx: r.idx, config: JSON.parse(r.config), tokenHash: r.token_hash, state: r.state as FleetNode["state"],
    }));
    return this.cache;
  }

  get(name: string): FleetNode | undefined {
    return this.list().find((n) => n.name === name);
  }

  /** Machines whose kubelet runs (a partitioned one too: it just cannot reach the API server). */
  running(): string[] {
    return this.list().filter((n) => n.state !== "stopped").map((n) => n.name);
  }

  /** Reserves a name, index (which fixes its pod CIDR and IP) and size for a new machine. */
  plan(opts: { name?: string; size?: string }, tokenHash: string): { name: string; config: NodeConfig } {
    const nodes = this.list();
    if (nodes.length >= MAX_NODES) throw errors.conflictMessage(`a classroom has at most ${MAX_NODES} nodes`);
    if (opts.size !== undefined && !NODE_SIZES.some((s) => s.instanceType === opts.size))
      throw errors.badRequest(`unknown size "${opts.size}": choose one of ${NODE_SIZES.map((s) => s.instanceType).join(", ")}`);
    const idx = Math.max(0, ...nodes.map((n) => n.idx)) + 1;
    const name = opts.name ?? `node-${idx}`;
    if (!validNodeName(name)) throw errors.badRequest(`invalid node name "${name}": a lowercase RFC 1123 label, at most 63 characters`);
    if (nodes.some((n) => n.name === name)) throw errors.conflictMessage(`node "${name}" already exists`);
    const config = nodeConfig(idx, { name, size: opts.size });
    this.sql.run("INSERT INTO nodes (name, idx, config, token_hash, state) VALUES (?, ?, ?, ?, 'running')", name, idx, JSON.stringify(config), tokenHash);
    this.cache = undefined;
    return { name, config };
  }

  remove(name: string): void {
    this.sql.run("DELETE FROM nodes WHERE name = ?", name);
    this.cache = undefined;
  }

  setState(name: string, state: FleetNode["state"]): void {
    this.sql.run("UPDATE nodes SET state = ? WHERE name = ?", state, name);
    this.cache = undefined;
  }

  /** A stable per-node seed, so a node's simulated timings are reproducible. */
  seed(name: string): number {
    let h = 2166136261;
    for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    return (h ^ (this.get(name)?.idx ?? 0)) >>> 0;
  }
}
