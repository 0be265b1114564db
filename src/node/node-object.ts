// One simulated worker node: its kubelet (with the container runtime inside) keeps its own state
// here and reaches the control plane only through the Kubernetes API, with its own credential.
import type { Pod } from "../control-plane/api-server/objects/core";
import { DurableObject } from "cloudflare:workers";
import { migrate, Sql, KeyValueTable } from "../control-plane/etcd/sql";
import { ApiClient, type ApiCall, type ApiReply, type ControlPlane } from "./api-client";
import { eventCalls, nodeCorrelator, sqlCorrelatorStore } from "./event-correlator";
import type { EventCorrelator } from "../control-plane/api-server/events-cache";
import { initialState, nodeObject, podLogs, syncPods, usage, type NodeConfig, type SyncOutput } from "./kubelet";
import { KubeletStore } from "./kubelet-store";
import { LogFollowers } from "./log-followers";
import { CallStats } from "./call-stats";
import { FAULTS_KEPT } from "./container-runtime/budgets";
import { buildRules, newAffinityTable, route, type AffinityTable, type ProxyRules, type RouteRequest, type RouteResult } from "./kube-proxy";

export interface NodeInit {
  classroomId: string;
  token: string;
  config: NodeConfig;
  seed: number;
  now: number; // simulated ms
}

export interface PodUsage { namespace: string; name: string; cpuMillis: number; memoryBytes: number }

export interface LogQuery {
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  previous: boolean;
  tailLines?: number;
  timestamps: boolean;
  sinceSeconds?: number;
  follow: boolean;
  now: number;
  user?: string;
}

export const NODE_MIGRATIONS = [
  {
    version: 1,
    statements: [
      "CREATE TABLE node_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      "CREATE TABLE node_events (key TEXT PRIMARY KEY, name TEXT NOT NULL, count INTEGER NOT NULL, at INTEGER NOT NULL)",
    ],
  },
  // Events the spam filter dropped are counted before they are first written: when was the first.
  { version: 2, statements: ["ALTER TABLE node_events ADD COLUMN first_at INTEGER NOT NULL DEFAULT 0"] },
];

const LEASE_RENEW_MS = 10_000; // the kubelet's default renew interval (leaseDurationSeconds 40 / 4)
const NODE_STATUS_REPORT_MS = 5 * 60_000; // nodeStatusReportFrequency: unchanged status is re-sent this often
const NODE_STATUS_UPDATE_MS = 10_000; // nodeStatusUpdateFrequency: how often the status is computed and compared
/** With the caller's word that its pods did not change, the kubelet still relists this often. */
export const POD_RELIST_MS = 5 * 60_000;
const COMPONENT = "kubelet";

/** What one sync did, for the control loop and the architecture view. */
/**
 * What the caller knows about this sync. podsChanged false: nothing another component changed about
 * this node's pods since the last sync (the kubelet's watch would have delivered nothing), so the
 * kubelet runs on the pods it holds instead of listing them. Absent: it lists, as before.
 */
export interface SyncHint {
  podsChanged?: boolean;
}

export interface NodeSyncResult {
  nextWakeAt: number | null;
  pods: number;
  usage: PodUsage[];
  /** Pods whose sync threw this time (contained: FailedSync events; the node stayed Ready). */
  faults: number;
  /** Contained faults since the node booted (kept in the kubelet state). */
  faultsTotal: number;
  /** `kubectl logs -f` streams open, and those closed so far for falling behind. */
  followers: number;
  followersClosedSlow: number;
  /** Pods this sync had no cpu left for (NODE_SYNC_WORK): the node is behind, on its own. */
  deferred?: number;
}

export class NodeObject extends DurableObject<Env> {
  private readonly sql: Sql;
  private readonly store: KubeletStore;
  private readonly kv: KeyValueTable;
  private readonly followers = new LogFollowers();
  /** The API calls this kubelet sent since the object started (or the last reset). */
  private readonly stats = new CallStats();
  /** The pods the kubelet last listed: what it runs on when the API server is unreachable. */
  private lastPods?: Pod[];
  /** When lastPods was listed (simulated ms). */
  private listedAt = -Infinity;
  private events?: EventCorrelator;
  private syncAt = 0;
  /** Syncs whose state could not be saved (contained: the node reported and renewed its Lease). */
  private saveFaults = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new Sql(ctx.storage as never);
    migrate(this.sql, "node", NODE_MIGRATIONS);
    this.store = new KubeletStore(this.sql);
    this.kv = new KeyValueTable(this.sql, "node_kv");
  }

  private get<T>(key: string): T | undefined {
    return this.kv.get<T>(key);
  }

  private put(key: string, value: unknown): void {
    this.kv.put(key, value);
  }

  private client(): ApiClient {
    const classroomId = this.get<string>("classroomId")!;
    const ns = this.env.CLASSROOM;
    return new ApiClient(ns.get(ns.idFromName(classroomId)) as unknown as ControlPlane, this.get<string>("token")!, this.stats);
  }

  config(): NodeConfig | undefined {
    return this.get<NodeConfig>("config");
  }

  /** Boots the kubelet: registers the Node and its Lease, as a kubelet does on start-up. */
  async init(init: NodeInit): Promise<void> {
    this.sql.transaction(() => {
      this.put("classroomId", init.classroomId);
      this.put("token", init.token);
      this.put("config", init.config);
      if (!this.store.load()) this.store.save(initialState(init.config, init.seed));
    });
    await this.register(init.now);
  }

  private async register(now: number): Promise<void> {
    const cfg = this.config()!;
    const state = this.store.load()!;
    const node = nodeObject(cfg, state, now);
    const api = this.client();
    const [created] = await api.batch([{ method: "POST", path: "/api/v1/nodes", body: node }]);
    if (created.status === 409) await api.batch([{ method: "PUT", path: `/api/v1/nodes/${cfg.name}/status`, body: node }]);
    else if (created.status >= 300) throw new Error(`node registration failed: ${created.status} ${JSON.stringify(created.body)}`);
    const uid = created.status < 300 ? created.body.metadata.uid : undefined;
    await api.batch([this.leaseCall(cfg.name, now, uid, true)]);
    this.put("lastLease", now);
    this.put("lastNodeStatus", { at: now, fingerprint: fingerprint(node) });
  }

  private leaseCall(name: string, now: number, nodeUid: string | undefined, create: boolean): ApiCall {
    const renewTime = new Date(now).toISOString().replace("Z", "000Z");
    if (!create) return { method: "PATCH", path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`, contentType: "application/merge-patch+json", body: { spec: { renewTime } } };
    const metadata: Record<string, unknown> = { name, namespace: "kube-node-lease" };
    if (nodeUid) metadata.ownerReferences = [{ apiVersion: "v1", kind: "Node", name, uid: nodeUid }];
    return { method: "POST", path: "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime } } };
  }

  /**
   * One kubelet sync at simulated time `now`: read this node's pods from the API, advance every
   * container, write back statuses, final deletions, events, the node status and the lease.
   * Returns when it next needs to run by itself (null: nothing pending).
   */
  async sync(now: number, hint: SyncHint = {}): Promise<NodeSyncResult> {
    const cfg = this.config();
    const idle = (nextWakeAt: number | null): NodeSyncResult => ({ nextWakeAt, pods: 0, usage: [], faults: 0, faultsTotal: 0, followers: this.followers.size, followersClosedSlow: this.followers.slowClosed });
    if (!cfg) return idle(null);
    const api = this.client();
    // A LIST reads every pod of the classroom to filter this node's: skipped when nothing changed.
    const cached = hint.podsChanged === false && this.lastPods !== undefined && now >= this.listedAt && now - this.listedAt < POD_RELIST_MS;
    const [list] = cached
      ? [{ status: 200, body: { items: this.lastPods } }]
      : await api.batch([{ method: "GET", path: `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${cfg.name}`)}` }]);
    let pods: Pod[];
    if (list.status === 200) {
      pods = list.body.items;
      this.lastPods = pods;
      if (!cached) this.listedAt = now;
    } else if (list.status === 503) {
      // Cut off from the API server (a network partition): like a real kubelet, keep running the
      // pods it last knew of, and try again soon. Its writes fail until the network heals.
      // What changed meanwhile was not seen: list again at the next sync, whatever it is told.
      this.listedAt = -Infinity;
      if (!this.lastPods) return idle(now + LEASE_RENEW_MS);
      pods = this.lastPods;
    } else throw new Error(`kubelet could not list its pods: ${list.status} ${JSON.stringify(list.body)}`);
    const prev = this.store.load()!;
    let out: SyncOutput;
    try {
      out = syncPods(cfg, prev, pods, now);
    } catch (err) {
      // syncPods contains each pod's failure itself; should anything else throw, the node still
      // reports its status and renews its lease below (its pods wait for the next sync).
      const state = structuredClone(prev);
      const f = (state.faults ??= { total: 0, recent: [] });
      f.total++;
      f.recent.push({ namespace: "", name: "", uid: "", at: now, message: String(err).slice(0, 512) });
      if (f.recent.length > FAULTS_KEPT) f.recent.splice(0, f.recent.length - FAULTS_KEPT);
      out = { state, statusUpdates: [], deletions: [], events: [], nextWakeAt: now + LEASE_RENEW_MS, faults: [], work: 0, deferred: 0 };
    }

    const calls: ApiCall[] = [];
    for (const u of out.statusUpdates) {
      calls.push({ method: "PUT", path: `/api/v1/namespaces/${u.namespace}/pods/${u.name}/status`, body: { apiVersion: "v1", kind: "Pod", metadata: { name: u.name, namespace: u.namespace, uid: u.uid }, status: u.status } });
    }
    for (const d of out.deletions) {
      calls.push({ method: "DELETE", path: `/api/v1/namespaces/${d.namespace}/pods/${d.name}`, body: { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0, preconditions: { uid: d.uid } } });
    }
    this.syncAt = now;
    calls.push(...eventCalls(out.events, this.correlator(), COMPONENT, cfg.name, now));

    // kubelet_node_status.go: every nodeStatusUpdateFrequency the status is compared with the last
    // one posted, and posted when it changed or nodeStatusReportFrequency has passed.
    const last = this.get<{ at: number; fingerprint: string; checkedAt?: number }>("lastNodeStatus");
    if (!last || now - (last.checkedAt ?? last.at) >= NODE_STATUS_UPDATE_MS || now < (last.checkedAt ?? last.at)) {
      const node = nodeObject(cfg, out.state, now);
      const fp = fingerprint(node);
      if (!last || last.fingerprint !== fp || now - last.at >= NODE_STATUS_REPORT_MS) {
        calls.push({ method: "PUT", path: `/api/v1/nodes/${cfg.name}/status`, body: node });
        this.put("lastNodeStatus", { at: now, fingerprint: fp, checkedAt: now });
      } else this.put("lastNodeStatus", { ...last, checkedAt: now });
    }
    if (now - (this.get<number>("lastLease") ?? 0) >= LEASE_RENEW_MS) {
      calls.push(this.leaseCall(cfg.name, now, undefined, false));
      this.put("lastLease", now);
    }
    try {
      this.store.save(out.state);
    } catch (err) {
      // Whatever the storage refuses, the node still renews its Lease and reports below; the pods
      // replay from the last saved state at the next sync (the kubelet is deterministic).
      this.saveFaults++;
      console.error(`kubelet ${cfg.name}: state not saved: ${String(err).slice(0, 200)}`);
    }
    const replies = await api.batch(calls);
    this.keepPodsCurrent(calls, replies);
    // Unreachable API server: nothing above was recorded, so report the node and lease again next time.
    if (replies.some((r) => r.status === 503)) {
      this.listedAt = -Infinity;
      this.put("lastNodeStatus", { at: 0, fingerprint: "" });
      this.put("lastLease", 0);
    }
    // Never awaits a reader: slow followers are closed instead (log-followers.ts).
    this.followers.feed((f, sinceAt) => podLogs(out.state, f.uid, f.container, { timestamps: true, sinceAt, now }), now);
    // What metrics-server would scrape from this kubelet: the HPA reads it.
    const used = usage(cfg, out.state, now).pods.map((p) => ({
      namespace: p.namespace, name: p.name,
      cpuMillis: p.containers.reduce((a, c) => a + c.cpuMillis, 0), memoryBytes: p.containers.reduce((a, c) => a + c.memoryBytes, 0),
    }));
    return {
      nextWakeAt: out.nextWakeAt, pods: pods.length, usage: used,
      faults: out.faults.length, faultsTotal: (out.state.faults?.total ?? 0) + this.saveFaults,
      followers: this.followers.size, followersClosedSlow: this.followers.slowClosed,
      deferred: out.deferred,
    };
  }

  /**
   * The kubelet's event correlator: aggregator and spam filter in memory (a restarted kubelet starts
   * them afresh, as upstream), counts and names in the node's storage so repeats keep counting.
   */
  /**
   * The kubelet's own writes, applied to the pods it holds, as its watch would deliver them: the
   * server's copy after a status write, and a deleted pod gone.
   */
  private keepPodsCurrent(calls: ApiCall[], replies: ApiReply[]): void {
    if (!this.lastPods) return;
    const byUid = new Map<string, Pod | null>();
    calls.forEach((c, i) => {
      const r = replies[i];
      if (!r) return;
      if (c.method === "PUT" && c.path.endsWith("/status") && c.path.includes("/pods/")) {
        const uid = (c.body as Pod).metadata.uid;
        if (r.status === 200 && r.body?.metadata?.uid === uid) byUid.set(uid!, r.body as Pod);
        else if (r.status === 404) byUid.set(uid!, null);
      } else if (c.method === "DELETE" && (r.status === 200 || r.status === 404)) {
        const uid = (c.body as { preconditions?: { uid?: string } }).preconditions?.uid;
        if (uid) byUid.set(uid, null);
      }
    });
    if (byUid.size === 0) return;
    this.lastPods = this.lastPods.flatMap((p) => {
      const next = byUid.get(p.metadata.uid!);
      return next === undefined ? [p] : next === null ? [] : [next];
    });
  }

  private correlator(): EventCorrelator {
    if (this.events) return this.events;
    return (this.events = nodeCorrelator(sqlCorrelatorStore(this.sql, () => this.syncAt)));
  }

  /** The API calls sent, by verb and resource (for measuring and for the architecture view). */
  apiCallStats(reset = false): ReturnType<CallStats["snapshot"]> {
    const snap = this.stats.snapshot();
    if (reset) this.stats.reset();
    return snap;
  }

  /** Container logs, as the kubelet serves them to `kubectl logs` (follow keeps the stream open). */
  async logs(q: LogQuery): Promise<{ text: string } | { error: string } | { stream: ReadableStream<Uint8Array> }> {
    const state = this.store.load();
    if (!state) return { error: `pod "${q.pod}" is not on this node` };
    const res = podLogs(state, q.uid, q.container, { previous: q.previous, tailLines: q.tailLines, timestamps: true, sinceSeconds: q.sinceSeconds, now: q.now });
    if ("error" in res) return res;
    if (!q.follow || q.previous) return { text: q.timestamps ? res.text : stripTimestamps(res.text) };
    return { stream: this.followers.open({ uid: q.uid, container: q.container, timestamps: q.timestamps, user: q.user ?? "" }, res.text, q.now) };
  }

  /** kube-proxy on this node: programs rules from Services and EndpointSlices, routes one request. */
  async proxy(req: Omit<RouteRequest, "from"> & { from: { kind: RouteRequest["from"]["kind"]; ip: string } }): Promise<RouteResult> {
    const cfg = this.config();
    if (!cfg) return { ok: false, error: "no such node" };
    const rules = await this.proxyRules();
    const affinity = this.get<AffinityTable>("affinity") ?? newAffinityTable();
    // iptables' statistic module picks at random; so does this.
    const { result, affinity: next } = route(rules, { ...req, from: { ...req.from, nodeName: cfg.name } }, affinity, Math.random);
    this.put("affinity", next);
    return result;
  }

  async proxyRules(): Promise<ProxyRules> {
    const [svcs, slices] = await this.client().batch([
      { method: "GET", path: "/api/v1/services" },
      { method: "GET", path: "/apis/discovery.k8s.io/v1/endpointslices" },
    ]);
    return buildRules(svcs.body?.items ?? [], slices.body?.items ?? [], this.config()!.name);
  }

  async metrics(now: number): Promise<ReturnType<typeof usage> | undefined> {
    const cfg = this.config();
    const state = this.store.load();
    return cfg && state ? usage(cfg, state, now) : undefined;
  }

  /** The node's machine is gone: forget everything. */
  async destroy(): Promise<void> {
    this.followers.closeAll();
    await this.ctx.storage.deleteAll();
    this.store.forget();
  }
}

/** The node status without heartbeat times: a change here is worth a write. */
function fingerprint(node: { status?: { conditions?: { lastHeartbeatTime?: string }[] } }): string {
  const copy = structuredClone(node);
  for (const c of copy.status?.conditions ?? []) delete c.lastHeartbeatTime;
  return JSON.stringify(copy.status ?? {});
}

function stripTimestamps(text: string): string {
  return text.split("\n").map((l) => (l ? l.slice(l.indexOf(" ") + 1) : l)).join("\n");
}
