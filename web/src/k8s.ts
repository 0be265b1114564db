// Reading API objects the way kubectl does: a pod's STATUS column, resource requests, quantities,
// and whose object it is (the server-set created-by annotation).
// The server's pure helpers, bundled as they are: one definition of a pod's status and requests.
import { parseQuantity } from "../../src/control-plane/api-server/quantity";
import { podCells } from "../../src/control-plane/api-server/tables/pod-cells";
import type { Pod } from "../../src/control-plane/api-server/objects/core";
import { podRequests as schedulerPodRequests } from "../../src/control-plane/scheduler/resources";
import type { LiveObject } from "./live";
import { eventTrusted } from "../../src/classroom/event-trust";

export const CREATED_BY = "kubeclass.dev/created-by";
const STUDENT_PREFIX = "kubeclass:student:";

/** The student an object belongs to ("instructor" for the instructor's, undefined for the system's). */
export function ownerOf(o: LiveObject): string | undefined {
  const by: string | undefined = o.metadata.annotations?.[CREATED_BY];
  if (by?.startsWith(STUDENT_PREFIX)) return by.slice(STUDENT_PREFIX.length);
  if (by === "kubeclass:instructor") return "instructor";
  const ns = o.metadata.namespace ?? "";
  return ns.startsWith("student-") ? ns.slice("student-".length) : undefined;
}

/** kubectl get pods' STATUS column: the API server's own printPod, so page and kubectl agree. */
export function podStatus(p: LiveObject): string {
  return podCells(p as Pod, Date.now())[2] as string;
}

/** A colour family for a status, shared by the map, lists and legends. */
export function statusClass(status: string): "ok" | "wait" | "bad" | "done" | "gone" {
  if (status === "Running") return "ok";
  if (status === "Completed" || status === "Succeeded") return "done";
  if (status === "Terminating") return "gone";
  if (/BackOff|Err|Error|OOM|Failed|Invalid|Evicted|ExitCode|Signal|NotReady/.test(status)) return "bad";
  return "wait";
}

export function readyCount(p: LiveObject): string {
  return podCells(p as Pod, Date.now())[1] as string;
}

export function restarts(p: LiveObject): number {
  return (p.status?.containerStatuses ?? []).reduce((a: number, c: { restartCount?: number }) => a + (c.restartCount ?? 0), 0);
}

/** A Kubernetes quantity as a number ("500m" → 0.5, "1Gi" → 1073741824); NaN if malformed. */
export function quantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  return parseQuantity(q)?.value ?? NaN;
}

/** What the scheduler counts for a pod (its own resourcehelper.PodRequests), in millicores and bytes. */
export function podRequests(p: LiveObject): { cpuMillis: number; memoryBytes: number } {
  const r = schedulerPodRequests(p.spec);
  return { cpuMillis: r.cpu, memoryBytes: r.memory };
}

export function nodeAllocatable(n: LiveObject): { cpuMillis: number; memoryBytes: number } {
  const a = n.status?.allocatable ?? {};
  return { cpuMillis: quantity(a.cpu) * 1000, memoryBytes: quantity(a.memory) };
}

export function nodeReady(n: LiveObject): boolean {
  return (n.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");
}

export function formatCpu(millis: number): string {
  return millis >= 1000 && millis % 100 === 0 ? `${millis / 1000}` : `${Math.round(millis)}m`;
}

export function formatBytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(b % 2 ** 30 === 0 ? 0 : 1)}Gi`;
  if (b >= 2 ** 20) return `${Math.round(b / 2 ** 20)}Mi`;
  if (b >= 2 ** 10) return `${Math.round(b / 2 ** 10)}Ki`;
  return `${b}`;
}

/** "3m", "45s", "2h" since an RFC 3339 time, measured on the simulated clock. */
export function age(ts: string | undefined, now: number): string {
  if (!ts) return "";
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Why a pod waits for a node: the scheduler's message on its PodScheduled condition. */
export function pendingReason(p: LiveObject): string | undefined {
  const c = (p.status?.conditions ?? []).find((x: { type: string }) => x.type === "PodScheduled");
  return c?.status === "False" ? c.message ?? c.reason : undefined;
}

/** Events about an object (core/v1 involvedObject or events.k8s.io regarding). */
export function eventsFor(events: Iterable<LiveObject>, o: { kind: string; namespace?: string; name: string; uid?: string }): LiveObject[] {
  const out: LiveObject[] = [];
  for (const e of events) {
    const ref = e.involvedObject ?? e.regarding ?? {};
    if (!eventTrusted(e)) continue; // a student cannot write into a classmate's pod history
    if (ref.kind === o.kind && ref.name === o.name && (ref.namespace ?? "") === (o.namespace ?? "") && (!o.uid || !ref.uid || ref.uid === o.uid)) out.push(e);
  }
  return out.sort((a, b) => eventTime(a) - eventTime(b));
}

export function eventTime(e: LiveObject): number {
  return Date.parse(e.lastTimestamp ?? e.eventTime ?? e.deprecatedLastTimestamp ?? e.metadata.creationTimestamp ?? "") || 0;
}
