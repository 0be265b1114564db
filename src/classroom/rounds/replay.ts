// Replaying a round: the pods and nodes at the start plus the change log, applied in order up to a
// moment, give the cluster as it was then. Pure; objects in results are shared with the inputs (read
// them, do not change them).
import { eventTrusted } from "../event-trust";
import { STUDENT_PREFIX } from "../../control-plane/api-server/classroom-authorizer";
import { CREATED_BY } from "../../control-plane/api-server/registry/created-by";
import type { KubeObject } from "../../control-plane/api-server/types";
import { podRequests, q } from "../../control-plane/scheduler/resources";
import { isRequest, type ClusterState, type LogEntry } from "./types";

export interface Amount { cpuMillis: number; memoryBytes: number }
export interface MapPod { namespace: string; name: string; phase: string; student?: string }
export interface MapNode { name: string; allocatable: Amount; requested: Amount; pods: MapPod[] }
export interface PendingPod { namespace: string; name: string; student?: string; reason?: string }
/** What the web client draws: each node with its pods, and the pods still waiting for one. */
export interface ClusterMap { nodes: MapNode[]; pending: PendingPod[] }
export interface StateAt { at: number; pods: KubeObject[]; nodes: KubeObject[] }

export const PODS_PREFIX = "/registry/pods/";
export const NODES_PREFIX = "/registry/nodes/";
export const EVENTS_PREFIX = "/registry/events/";
const STUDENT_NS = "student-";
export const INSTRUCTOR = "instructor";

/** The student an object belongs to: its creator if a student, else the owner of its student-<name> namespace. */
export function studentOf(o: KubeObject): string | undefined {
  const by = o.metadata.annotations?.[CREATED_BY];
  if (typeof by === "string" && by.startsWith(STUDENT_PREFIX)) return by.slice(STUDENT_PREFIX.length);
  return studentOfNamespace(o.metadata.namespace);
}

export function studentOfNamespace(ns: string | undefined): string | undefined {
  return ns && ns.startsWith(STUDENT_NS) && ns.length > STUDENT_NS.length ? ns.slice(STUDENT_NS.length) : undefined;
}

/** Whose row an object counts in: a student's, or the instructor's for everything else. */
export function ownerOf(o: KubeObject): string {
  return studentOf(o) ?? INSTRUCTOR;
}

/** The same for the user of a refused request. */
export function ownerOfUser(user: string): string {
  return user.startsWith(STUDENT_PREFIX) ? user.slice(STUDENT_PREFIX.length) : INSTRUCTOR;
}

export function podKeyOf(p: KubeObject): string {
  return `${PODS_PREFIX}${p.metadata.namespace ?? ""}/${p.metadata.name ?? ""}`;
}

/** A pod's identity across changes: its uid (a re-created pod of the same name is another pod). */
export function podId(p: KubeObject, key = podKeyOf(p)): string {
  return p.metadata.uid ?? key;
}

export const isTerminal = (p: KubeObject) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
/** Waiting for a node: not bound yet and not finished (what the scheduler still has to place). */
export const isUnscheduled = (p: KubeObject) => !p.spec?.nodeName && !isTerminal(p);

export function requestsOf(p: KubeObject): Amount {
  const r = podRequests(p.spec);
  return { cpuMillis: r.cpu, memoryBytes: r.memory };
}

export function allocatableOf(n: KubeObject): Amount {
  const a = n.status?.allocatable ?? {};
  return { cpuMillis: q(a.cpu)?.millis ?? 0, memoryBytes: q(a.memory)?.value ?? 0 };
}

/** The Event's subject and text, whether stored core/v1 style (involvedObject, message) or events.k8s.io style. */
export function eventFacts(ev: KubeObject): { reason: string; message: string; uid?: string; namespace?: string; name?: string; kind?: string } {
  const io = ev.involvedObject ?? ev.regarding ?? {};
  return { reason: String(ev.reason ?? ""), message: String(ev.message ?? ev.note ?? ""), uid: io.uid, namespace: io.namespace, name: io.name, kind: io.kind };
}

/** The cluster, moved forward one change at a time, with per-node requests kept up to date as it goes. */
export class ClusterReplay {
  readonly pods = new Map<string, KubeObject>(); // by registry key
  readonly nodes = new Map<string, KubeObject>(); // by node name
  /** Requests of the non-terminal pods bound to each node name (a node may be gone while its pods linger). */
  readonly requested = new Map<string, Amount>();
  unscheduled = 0;
  private readonly share = new Map<string, { node: string; cpu: number; mem: number }>(); // pod key → what it adds
  private readonly lastFailure = new Map<string, string>(); // pod id → last FailedScheduling message

  constructor(start: ClusterState) {
    for (const n of start.nodes) if (n.metadata.name) this.nodes.set(n.metadata.name, n);
    for (const p of start.pods) this.setPod(podKeyOf(p), p);
  }

  apply(e: LogEntry): void {
    if (isRequest(e)) return;
    if (e.key.startsWith(PODS_PREFIX)) this.setPod(e.key, e.type === "PUT" ? e.object : undefined);
    else if (e.key.startsWith(NODES_PREFIX)) {
      const name = e.key.slice(NODES_PREFIX.length);
      if (e.type === "PUT") this.nodes.set(name, e.object);
      else this.nodes.delete(name);
    } else if (e.type === "PUT" && e.key.startsWith(EVENTS_PREFIX) && e.object.reason === "FailedScheduling" && eventTrusted(e.object)) {
      const f = eventFacts(e.object);
      this.lastFailure.set(f.uid ?? `${PODS_PREFIX}${f.namespace ?? ""}/${f.name ?? ""}`, f.message);
    }
  }

  /** The last FailedScheduling message about a pod, if any. */
  failureOf(p: KubeObject, key = podKeyOf(p)): string | undefined {
    return this.lastFailure.get(podId(p, key)) ?? this.lastFailure.get(key);
  }

  state(at: number): StateAt {
    const byKey = (a: [string, KubeObject], b: [string, KubeObject]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    return { at, pods: [...this.pods].sort(byKey).map((x) => x[1]), nodes: [...this.nodes].sort(byKey).map((x) => x[1]) };
  }

  map(): ClusterMap {
    const nodes = new Map<string, MapNode>();
    for (const name of [...this.nodes.keys()].sort()) {
      const used = this.requested.get(name);
      nodes.set(name, { name, allocatable: allocatableOf(this.nodes.get(name)!), requested: used ? { ...used } : { cpuMillis: 0, memoryBytes: 0 }, pods: [] });
    }
    const pending: PendingPod[] = [];
    for (const key of [...this.pods.keys()].sort()) {
      const p = this.pods.get(key)!;
      const student = studentOf(p);
      const base = { namespace: p.metadata.namespace ?? "", name: p.metadata.name ?? "" };
      const node = p.spec?.nodeName ? nodes.get(p.spec.nodeName) : undefined;
      if (node) node.pods.push(withStudent({ ...base, phase: p.status?.phase ?? "Pending" }, student));
      else if (isUnscheduled(p)) {
        const pp: PendingPod = withStudent(base, student);
        const reason = this.failureOf(p, key);
        if (reason !== undefined) pp.reason = reason;
        pending.push(pp);
      }
    }
    return { nodes: [...nodes.values()], pending };
  }

  private setPod(key: string, pod: KubeObject | undefined): void {
    const prev = this.pods.get(key);
    if (prev && isUnscheduled(prev)) this.unscheduled--;
    const old = this.share.get(key);
    if (old) {
      const u = this.requested.get(old.node)!;
      u.cpuMillis -= old.cpu;
      u.memoryBytes -= old.mem;
      this.share.delete(key);
    }
    if (!pod) {
      this.pods.delete(key);
      return;
    }
    this.pods.set(key, pod);
    if (isUnscheduled(pod)) this.unscheduled++;
    const node = pod.spec?.nodeName;
    if (node && !isTerminal(pod)) {
      const r = requestsOf(pod);
      let u = this.requested.get(node);
      if (!u) this.requested.set(node, (u = { cpuMillis: 0, memoryBytes: 0 }));
      u.cpuMillis += r.cpuMillis;
      u.memoryBytes += r.memoryBytes;
      this.share.set(key, { node, cpu: r.cpuMillis, mem: r.memoryBytes });
    }
  }
}

function withStudent<T extends object>(o: T, student: string | undefined): T & { student?: string } {
  return student === undefined ? o : { ...o, student };
}

/** Applies the entries at or before atMs in log order; skips later ones rather than stopping, in case entries arrive slightly out of time order. */
function replayTo(start: ClusterState, log: readonly LogEntry[], atMs: number): ClusterReplay {
  const r = new ClusterReplay(start);
  for (const e of log) if (e.at <= atMs) r.apply(e);
  return r;
}

/** The pods and nodes as they were at simulated time atMs, each list in key order. */
export function stateAt(start: ClusterState, log: readonly LogEntry[], atMs: number): StateAt {
  return replayTo(start, log, atMs).state(atMs);
}

/** The placement map at simulated time atMs. */
export function mapAt(start: ClusterState, log: readonly LogEntry[], atMs: number): ClusterMap & { at: number } {
  return { at: atMs, ...replayTo(start, log, atMs).map() };
}
