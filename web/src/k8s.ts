// Reading API objects the way kubectl does: a pod's STATUS column, resource requests, quantities,
// and whose object it is (the server-set created-by annotation).
import type { LiveObject } from "./live";

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

/** kubectl get pods' STATUS column. */
export function podStatus(p: LiveObject): string {
  if (p.metadata.deletionTimestamp) return "Terminating";
  const st = p.status ?? {};
  if (st.reason) return st.reason;
  let reason: string = st.phase ?? "Pending";
  for (const c of st.initContainerStatuses ?? []) {
    if (c.state?.terminated && c.state.terminated.exitCode === 0) continue;
    if (c.state?.terminated) return `Init:${c.state.terminated.reason ?? "Error"}`;
    if (c.state?.waiting?.reason && c.state.waiting.reason !== "PodInitializing") return `Init:${c.state.waiting.reason}`;
    return "Init:0/1";
  }
  let running = false;
  for (const c of [...(st.containerStatuses ?? [])].reverse()) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
    else if (c.ready && c.state?.running) running = true;
  }
  if (reason === "Completed" && running) reason = st.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True") ? "Running" : "NotReady";
  return reason;
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
  const cs = p.status?.containerStatuses ?? [];
  const total = (p.spec?.containers ?? []).length;
  return `${cs.filter((c: { ready?: boolean }) => c.ready).length}/${total}`;
}

export function restarts(p: LiveObject): number {
  return (p.status?.containerStatuses ?? []).reduce((a: number, c: { restartCount?: number }) => a + (c.restartCount ?? 0), 0);
}

const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity as a number ("500m" → 0.5, "1Gi" → 1073741824); NaN if malformed. */
export function quantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]) * (m[2] ? 10 ** Number(m[2]) : 1);
  if (m[3] in BIN) return n * BIN[m[3]];
  if (m[3] in DEC) return n * DEC[m[3]];
  return NaN;
}

/** What the scheduler counts for a pod: the larger of its containers' sum and any init container. */
export function podRequests(p: LiveObject): { cpuMillis: number; memoryBytes: number } {
  const sum = (cs: { resources?: { requests?: Record<string, string> } }[] = []) => cs.reduce(
    (a, c) => ({ cpuMillis: a.cpuMillis + quantity(c.resources?.requests?.cpu) * 1000, memoryBytes: a.memoryBytes + quantity(c.resources?.requests?.memory) }),
    { cpuMillis: 0, memoryBytes: 0 },
  );
  const main = sum(p.spec?.containers);
  for (const ic of p.spec?.initContainers ?? []) {
    const one = sum([ic]);
    main.cpuMillis = Math.max(main.cpuMillis, one.cpuMillis);
    main.memoryBytes = Math.max(main.memoryBytes, one.memoryBytes);
  }
  return main;
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
    if (ref.kind === o.kind && ref.name === o.name && (ref.namespace ?? "") === (o.namespace ?? "") && (!o.uid || !ref.uid || ref.uid === o.uid)) out.push(e);
  }
  return out.sort((a, b) => eventTime(a) - eventTime(b));
}

export function eventTime(e: LiveObject): number {
  return Date.parse(e.lastTimestamp ?? e.eventTime ?? e.deprecatedLastTimestamp ?? e.metadata.creationTimestamp ?? "") || 0;
}
