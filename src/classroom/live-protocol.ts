// What travels over a classroom's live WebSocket, shared by the classroom object and the web
// client (web/ imports this file), so both sides agree on every message at compile time.
// Objects are sent as the API serves them (minus managedFields); the client keeps its own copy
// and resumes from the last revision it saw after a reconnect.

/** An API object as JSON; kept loose here so the web bundle needs none of the server's types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LiveObject = { apiVersion?: string; kind?: string; metadata: { name?: string; namespace?: string; uid?: string; [k: string]: any }; spec?: any; status?: any; [k: string]: any };

/** The resources streamed to every browser (plural names); Secrets and ConfigMaps never are. */
export const LIVE_RESOURCES = ["pods", "nodes", "events", "deployments", "replicasets", "services", "jobs", "daemonsets", "statefulsets", "namespaces"] as const;
export type LiveResource = (typeof LIVE_RESOURCES)[number];

export interface LiveChange {
  type: "PUT" | "DELETE";
  resource: LiveResource;
  object: LiveObject;
}

export interface Person {
  name: string;
  role: "instructor" | "student";
  namespace?: string;
  /** Open pages (tabs) of this person. */
  connections: number;
}

export interface MachineState {
  name: string;
  state: "running" | "stopped" | "partitioned";
  instanceType: string;
  zone: string;
}

export interface LiveSettings {
  name: string;
  cloud: boolean;
  locked: boolean;
  /** achievedSpeed: what the simulation really kept up with (sim-pace.ts), below speed when overloaded. */
  clock: { speed: number; paused: boolean; now: number; achievedSpeed?: number };
  scheduler: { stopped: boolean; scoring: string };
  controllersStopped: boolean;
  machines: MachineState[];
  quota: { pods?: string; cpu?: string; memory?: string };
  /** The round running now, if any (simulated ms). */
  round: { n: number; title: string; goal: string | null; startedAt: number } | null;
  /**
   * etcd's space: live objects + retained history against the classroom's quota. `warning` from
   * 80 % on; at 100 % every write but deletes is refused ("etcdserver: mvcc: database space
   * exceeded"). Always sent by the server; optional so a page can read settings without it.
   */
  storage?: StorageState;
}

export interface StorageState { usedBytes: number; quotaBytes: number; warning: boolean }

/** What each component is doing now, for the architecture view. */
export interface LiveStats {
  at: number;
  /** shed: requests answered 429 by the admission of load (flow-control.ts); behind: its queue stands now. */
  apiServer: { requestsPerSecond: number; requests: number; watches: number; shed?: number; behind?: boolean };
  /** The simulation's slices (sim-pace.ts): how many, the longest (real ms), simulated ms held back in all. */
  pace?: { slices: number; longestSliceMs: number; heldBackMs: number };
  etcd: { revision: number; keys: number; historyRows: number; dbBytes: number; compacted: number };
  scheduler: { stopped: boolean; scoring: string; active: number; backoff: number; unschedulable: number; cycles: number; bound: number; failed: number; last: { pod: string; node?: string; message?: string; at: number }[] };
  controllers: { stopped: boolean; reconciles: Record<string, number> };
  cloud: { enabled: boolean; loadBalancers: number };
  kubelets: { node: string; state: MachineState["state"]; lastHeartbeat?: string; pods: number }[];
  proxy: { services: number; endpoints: number; rulesPerNode: number };
  /** Faults contained (an object that broke a handler, a failed sync): counted, retried, never fatal. */
  faults: { total: number; byComponent: Record<string, number>; recent: { component: string; key: string; message: string; at: number }[] };
}

export type ServerMessage =
  | { t: "hello"; you: Person; settings: LiveSettings }
  /** Everything at `rev`: replaces what the client holds (first connect, or history was compacted). */
  | { t: "snapshot"; rev: number; objects: { resource: LiveResource; object: LiveObject }[] }
  | { t: "changes"; rev: number; changes: LiveChange[] }
  | { t: "presence"; people: Person[] }
  | { t: "settings"; settings: LiveSettings }
  | { t: "stats"; stats: LiveStats }
  | { t: "pong" };

export type ClientMessage =
  /** The page is visible: keeps the classroom's clock running while people watch. */
  | { t: "ping" }
  | { t: "stats" };
