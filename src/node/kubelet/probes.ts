// Startup, liveness and readiness probes (pkg/kubelet/prober): a worker per probe ticking every
// periodSeconds on a grid anchored at pod admission, skipping ticks before initialDelaySeconds,
// counting consecutive successes/failures against the thresholds.
//
// To let an idle cluster sleep, a probe whose result is settled (success reached its threshold) does
// not tick again until the container's behaviour next changes (a file removed, a health path that
// starts failing). Failing probes tick every period, as the real kubelet does (and records events).

import { breakpoints, type Behaviour } from "../container-runtime/behaviour";
import type { WorkMeter } from "../container-runtime/budgets";
import { execProbe, grpcProbe, httpProbe, tcpProbe, type Answer } from "../container-runtime/network";
import { PROBE_DEFAULTS } from "./config";
import type { ContainerRecord, ProbeKind, ProbeState } from "./state";
import type { Container, ContainerPort, Handler, Probe } from "../../control-plane/api-server/objects/core";

export interface ProbeSpec {
  kind: ProbeKind;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
  terminationGracePeriodSeconds?: number;
  handler: Handler;
}

export const PROBE_KINDS: ProbeKind[] = ["startup", "liveness", "readiness"];
const FIELD: Record<ProbeKind, "startupProbe" | "livenessProbe" | "readinessProbe"> = { startup: "startupProbe", liveness: "livenessProbe", readiness: "readinessProbe" };
export const PROBE_LABEL: Record<ProbeKind, string> = { startup: "Startup", liveness: "Liveness", readiness: "Readiness" };

export function probeSpec(container: Partial<Container> | undefined, kind: ProbeKind): ProbeSpec | undefined {
  const p: Probe | undefined = container?.[FIELD[kind]];
  if (!p || typeof p !== "object") return undefined;
  const n = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);
  return {
    kind,
    initialDelayMs: n(p.initialDelaySeconds, 0) * 1000,
    periodMs: Math.max(1, n(p.periodSeconds, PROBE_DEFAULTS.periodSeconds)) * 1000,
    timeoutMs: Math.max(1, n(p.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds)) * 1000,
    // Liveness and startup must use successThreshold 1 (validation enforces it).
    successThreshold: kind === "readiness" ? Math.max(1, n(p.successThreshold, PROBE_DEFAULTS.successThreshold)) : 1,
    failureThreshold: Math.max(1, n(p.failureThreshold, PROBE_DEFAULTS.failureThreshold)),
    terminationGracePeriodSeconds: typeof p.terminationGracePeriodSeconds === "number" ? p.terminationGracePeriodSeconds : undefined,
    handler: p,
  };
}

/** First grid tick at or after `t`: ticks are anchor + k*period. */
export function tickAtOrAfter(anchor: number, periodMs: number, t: number): number {
  if (t <= anchor) return anchor;
  return anchor + Math.ceil((t - anchor) / periodMs) * periodMs;
}

/** Fresh probe workers for a new run. Readiness starts as failure, liveness as success, startup unknown. */
export function initProbes(c: ContainerRecord, container: Partial<Container>, anchor: number, startedAt: number): void {
  c.probes = {};
  for (const kind of PROBE_KINDS) {
    const spec = probeSpec(container, kind);
    if (!spec) continue;
    c.probes[kind] = {
      nextAt: tickAtOrAfter(anchor, spec.periodMs, startedAt + spec.initialDelayMs),
      successes: 0,
      failures: 0,
      result: kind === "readiness" ? "failure" : kind === "liveness" ? "success" : "unknown",
      onHold: false,
    };
  }
}

export interface ProbeTarget {
  behaviour: Behaviour;
  startedAt: number;
  podIP: string;
  ports: ContainerPort[];
  env: Record<string, string>;
  hostname: string;
}

function resolvePort(port: unknown, ports: ContainerPort[]): number {
  if (typeof port === "number") return port;
  if (typeof port === "string") {
    if (/^\d+$/.test(port)) return Number(port);
    const named = ports.find((p) => p?.name === port);
    if (named) return Number(named.containerPort);
  }
  return 0;
}

/** Run one probe against the container at absolute time t. */
export function evaluateProbe(spec: ProbeSpec, target: ProbeTarget, t: number, meter?: WorkMeter): Answer {
  const h = spec.handler;
  const rel = t - target.startedAt;
  const b = target.behaviour;
  if (h.exec) return execProbe(b, Array.isArray(h.exec.command) ? h.exec.command : [], rel, spec.timeoutMs, { hostname: target.hostname, env: target.env, meter });
  if (h.httpGet) {
    const port = resolvePort(h.httpGet.port, target.ports);
    return httpProbe(b, h.httpGet.host || target.podIP, h.httpGet.scheme || "HTTP", port, h.httpGet.path || "/", rel, spec.timeoutMs);
  }
  if (h.tcpSocket) return tcpProbe(b, h.tcpSocket.host || target.podIP, resolvePort(h.tcpSocket.port, target.ports), rel);
  if (h.grpc) return grpcProbe(b, target.podIP, Number(h.grpc.port), rel, spec.timeoutMs);
  return { ok: true, output: "" };
}

/** The HTTP path and port a probe requests (for access-log lines), if it is an httpGet probe. */
export function httpTarget(spec: ProbeSpec, ports: ContainerPort[]): { port: number; path: string } | undefined {
  const g = spec.handler.httpGet;
  if (!g) return undefined;
  return { port: resolvePort(g.port, ports), path: g.path || "/" };
}

export type ProbeOutcome = { event?: { message: string }; transition?: "ready" | "unready" | "started" | "kill" };

/** Apply one probe result to the worker's counters (prober/worker.go doProbe). */
export function applyResult(st: ProbeState, spec: ProbeSpec, ans: Answer): ProbeOutcome {
  const out: ProbeOutcome = {};
  if (ans.ok) {
    st.successes++;
    st.failures = 0;
    if (st.result !== "success" && st.successes >= spec.successThreshold) {
      st.result = "success";
      out.transition = spec.kind === "readiness" ? "ready" : spec.kind === "startup" ? "started" : undefined;
    }
  } else {
    st.failures++;
    st.successes = 0;
    out.event = { message: `${PROBE_LABEL[spec.kind]} probe failed: ${ans.output.replace(/\n$/, "")}` };
    if (st.failures >= spec.failureThreshold && (st.result !== "failure" || spec.kind !== "readiness")) {
      st.result = "failure";
      if (spec.kind === "readiness") out.transition = "unready";
      else {
        out.transition = "kill";
        st.onHold = true;
      }
    }
  }
  return out;
}

/** When the probe must tick next after running at t. */
export function scheduleNext(st: ProbeState, spec: ProbeSpec, anchor: number, target: ProbeTarget, t: number): void {
  if (st.onHold || (spec.kind === "startup" && st.result === "success")) {
    st.nextAt = null; // startup probes stop once they succeed; held probes wait for a new container
    return;
  }
  const next = tickAtOrAfter(anchor, spec.periodMs, t + spec.periodMs);
  const settled = st.result === "success" && st.failures === 0 && st.successes >= spec.successThreshold;
  if (!settled) {
    st.nextAt = next;
    return;
  }
  // Nothing can change before the behaviour's next breakpoint.
  const rel = t - target.startedAt;
  const bp = breakpoints(target.behaviour).find((x) => x > rel);
  st.nextAt = bp === undefined ? null : tickAtOrAfter(anchor, spec.periodMs, Math.max(next, target.startedAt + bp));
}
