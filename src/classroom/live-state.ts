// The classroom settings and component activity that pages show (instructor console, architecture
// view), read off the parts of a classroom object; no state of its own beyond a request counter.
import type { FlowStats } from "../control-plane/api-server/flow-control";
import type { Registry } from "../control-plane/api-server/registry/store";
import { findResource } from "../control-plane/api-server/resources";
import type { KubeObject } from "../control-plane/api-server/types";
import type { Etcd } from "../control-plane/etcd/store";
import type { ControlLoop } from "./control-loop";
import type { NodeFleet } from "./fleet/fleet";
import type { LiveSettings, LiveStats, StorageState } from "./live-protocol";
import type { StudentQuota } from "./students";
import type { Round } from "./rounds/types";

/** API requests over the last few seconds of real time, for "requests per second". */
export class RequestMeter {
  total = 0;
  private readonly window: number[] = [];
  constructor(private readonly spanMs = 10_000) {}

  hit(now: number): void {
    this.total++;
    this.window.push(now);
    this.trim(now);
  }

  perSecond(now: number): number {
    this.trim(now);
    return Math.round((this.window.length / (this.spanMs / 1000)) * 10) / 10;
  }

  private trim(now: number): void {
    while (this.window.length > 0 && this.window[0] <= now - this.spanMs) this.window.shift();
  }
}

export interface ClassroomParts {
  name: string;
  cloud: boolean;
  locked: boolean;
  quota: StudentQuota;
  loop: ControlLoop;
  fleet: NodeFleet;
  etcd: Etcd;
  reg: Registry;
  meter: RequestMeter;
  dbBytes: number;
  round?: Round;
  /** The admission of load's counts (shed requests, whether the object is behind). */
  flow?: FlowStats;
}

export function liveSettings(p: ClassroomParts): LiveSettings {
  return {
    name: p.name,
    cloud: p.cloud,
    locked: p.locked,
    clock: p.loop.clockState(),
    scheduler: { stopped: p.loop.scheduler.stopped, scoring: p.loop.profile().scoringStrategy.type },
    controllersStopped: p.loop.controllers.stopped,
    machines: p.fleet.list().map((n) => ({ name: n.name, state: n.state, instanceType: n.config.instanceType, zone: n.config.zone })),
    quota: p.quota,
    round: p.round ? { n: p.round.n, title: p.round.title, goal: p.round.goal, startedAt: p.round.startedAt } : null,
    storage: storageState(p.etcd),
  };
}

/** etcd's space as pages show it (the instructor is warned before writes are refused). */
export function storageState(etcd: Etcd): StorageState {
  const u = etcd.usage();
  return { usedBytes: u.usedBytes, quotaBytes: u.quotaBytes, warning: u.warning };
}

const r = (plural: string, group = "") => findResource(group, "v1", plural)!;

export function liveStats(p: ClassroomParts): LiveStats {
  const now = Date.now();
  const q = p.loop.scheduler.queueStats();
  const records = p.loop.records({}).slice(0, 5); // newest first
  const leases = new Map<string, string | undefined>();
  for (const l of p.reg.list(r("leases", "coordination.k8s.io"), "kube-node-lease").items as KubeObject[]) leases.set(l.metadata.name!, l.spec?.renewTime);
  const podsPerNode = new Map<string, number>();
  for (const pod of p.reg.list(r("pods"), undefined).items as KubeObject[]) {
    const n = pod.spec?.nodeName;
    if (n) podsPerNode.set(n, (podsPerNode.get(n) ?? 0) + 1);
  }
  const services = p.reg.list(r("services"), undefined).items as KubeObject[];
  let endpoints = 0;
  for (const s of p.reg.list(r("endpointslices", "discovery.k8s.io"), undefined).items as KubeObject[]) endpoints += ((s as { endpoints?: unknown[] }).endpoints ?? []).length;
  // kube-proxy's iptables mode: per service port a KUBE-SVC chain and its rules, per endpoint a KUBE-SEP chain.
  const ports = services.reduce((a, s) => a + ((s.spec?.ports as unknown[]) ?? []).length, 0);
  return {
    at: p.loop.now(),
    apiServer: { requestsPerSecond: p.meter.perSecond(now), requests: p.meter.total, watches: p.etcd.watcherCount(), shed: p.flow?.shed.total ?? 0, behind: p.flow?.behind ?? false },
    pace: paceStats(p),
    etcd: { revision: p.etcd.revision, keys: p.etcd.count("/registry/"), historyRows: p.etcd.historySize(), dbBytes: p.dbBytes, compacted: p.etcd.compactedRevision },
    scheduler: {
      stopped: p.loop.scheduler.stopped, scoring: p.loop.profile().scoringStrategy.type,
      active: q.active, backoff: q.backoff, unschedulable: q.unschedulable,
      cycles: p.loop.scheduler.stats.cycles, bound: p.loop.scheduler.stats.bound, failed: p.loop.scheduler.stats.unschedulable,
      last: records.map((rec) => ({ pod: `${rec.pod.namespace}/${rec.pod.name}`, node: rec.chosen, message: rec.message, at: rec.at })),
    },
    controllers: { stopped: p.loop.controllers.stopped, reconciles: Object.fromEntries(p.loop.controllers.reconciles) },
    cloud: { enabled: p.cloud, loadBalancers: services.filter((s) => s.spec?.type === "LoadBalancer" && (s.status?.loadBalancer?.ingress ?? []).length > 0).length },
    kubelets: p.fleet.list().map((n) => ({ node: n.name, state: n.state, lastHeartbeat: leases.get(n.name), pods: podsPerNode.get(n.name) ?? 0 })),
    proxy: { services: services.length, endpoints, rulesPerNode: ports * 2 + endpoints * 2 },
    faults: faultStats(p),
  };
}

function paceStats(p: ClassroomParts): LiveStats["pace"] {
  const c = p.loop.clockState();
  return { slices: c.slices, longestSliceMs: c.longestSliceMs, heldBackMs: c.heldBackMs };
}

/** The control plane's contained faults plus each kubelet's, newest five described. */
function faultStats(p: ClassroomParts): LiveStats["faults"] {
  const f = p.loop.faults();
  const byComponent = { ...f.byComponent };
  let total = f.total;
  for (const [node, n] of p.loop.kubeletFaults) {
    if (n === 0) continue;
    byComponent[`kubelet/${node}`] = n;
    total += n;
  }
  const recent = f.recent.slice(-5).map((x) => ({ component: x.component, key: x.key, message: x.message, at: x.at }));
  return { total, byComponent, recent };
}

/** The settings in force, recorded with a round: what the class compares rounds by. */
export function roundSettings(p: ClassroomParts) {
  const live = liveSettings(p);
  const cordoned = (p.reg.list(r("nodes"), undefined).items as KubeObject[]).filter((n) => n.spec?.unschedulable).map((n) => n.metadata.name!); // a stored Node always has a name
  return { scheduler: { profile: p.loop.profile(), stopped: live.scheduler.stopped }, controllersStopped: live.controllersStopped, speed: live.clock.speed, cloud: live.cloud, machines: live.machines, cordoned, quota: live.quota, locked: live.locked };
}

export function studentNames(reg: Registry): string[] {
  return (reg.list(r("namespaces"), undefined).items as KubeObject[]).map((n) => n.metadata.name!).filter((n) => n.startsWith("student-")).map((n) => n.slice("student-".length));
}
