// Container logs, rendered on demand from a container run's behaviour: one-off lines, endless loops
// and access lines for periodic probe requests are computed for the asked window instead of being
// stored, so a `while true; echo; sleep 1` container costs nothing between reads. Lines that come
// from outside (requests, stop-signal messages) are kept in a bounded ring on the run.

import type { Behaviour } from "./behaviour";
import { capLine, CONTAINER_LOG_MAX_BYTES, LOG_READ_MAX_BYTES } from "./budgets";
import { httpStatus } from "./network";

/** How many lines a read renders at most (the newest of the current log file: see rotatedAt). */
export const MAX_LOG_LINES = 5000;
export const MAX_EXTRA_LINES = 500;

/** Periodic HTTP requests a run received (probes), for access-log lines. Absolute ms. */
export interface RequestSeries {
  port: number;
  path: string;
  fromAt: number;
  periodMs: number;
  untilAt: number | null;
  from: string;
  userAgent: string;
}

export interface LogRun {
  startedAt: number;
  /** Set when the run ended; lines after it never appear. */
  finishedAt: number | null;
  behaviour: Behaviour;
  /** Lines from outside the behaviour (stop messages, requests), absolute times, bounded. */
  extra: { at: number; text: string }[];
  requests: RequestSeries[];
  podIP: string;
}

interface Line { at: number; text: string }

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");

/** RFC 3339 with nanoseconds and a fixed width, as containerd writes CRI log timestamps. */
export function rfc3339Nano(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds()).padStart(3, "0")}000000Z`;
}

function render(text: string, at: number, n: number, podIP: string): string {
  if (!text.includes("{{")) return text;
  const d = new Date(at);
  const Y = d.getUTCFullYear();
  const M = p2(d.getUTCMonth() + 1);
  const D = p2(d.getUTCDate());
  const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const ms3 = String(d.getUTCMilliseconds()).padStart(3, "0");
  const us6 = `${ms3}${String((at * 7) % 1000).padStart(3, "0")}`;
  const day = DAYS[d.getUTCDay()];
  const mon = MONTHS[d.getUTCMonth()];
  return text
    .replace(/\{\{date\}\}/g, `${day} ${mon} ${p2(d.getUTCDate()).replace(/^0/, " ")} ${hms} UTC ${Y}`)
    .replace(/\{\{iso\}\}/g, `${Y}-${M}-${D}T${hms}.${us6}Z`)
    .replace(/\{\{nginxtime\}\}|\{\{gotime\}\}/g, `${Y}/${M}/${D} ${hms}`)
    .replace(/\{\{httpdtime\}\}/g, `${day} ${mon} ${D} ${hms}.${us6} ${Y}`)
    .replace(/\{\{redistime\}\}/g, `${D} ${mon} ${Y} ${hms}.${ms3}`)
    .replace(/\{\{pgtime\}\}/g, `${Y}-${M}-${D} ${hms}.${ms3}`)
    .replace(/\{\{mysqltime\}\}/g, `${Y}-${M}-${D} ${hms}`)
    .replace(/\{\{klogtime\}\}/g, `${M}${D} ${hms}.${us6}`)
    .replace(/\{\{clf\}\}/g, `${D}/${mon}/${Y}:${hms} +0000`)
    .replace(/\{\{n\}\}/g, String(n))
    .replace(/\{\{podip\}\}/g, podIP);
}

/** One access-log line for an HTTP request, in the server's own format. */
export function accessLine(b: Behaviour, at: number, from: string, path: string, status: number, userAgent: string, podIP: string): string | undefined {
  const bytes = status === 200 ? b.http.bodyBytes : status === 404 ? 153 : 0;
  switch (b.http.accessLog) {
    case "nginx": return render(`${from} - - [{{clf}}] "GET ${path} HTTP/1.1" ${status} ${bytes} "-" "${userAgent}" "-"`, at, 0, podIP);
    case "httpd": return render(`${from} - - [{{clf}}] "GET ${path} HTTP/1.1" ${status} ${status === 200 ? 45 : 196}`, at, 0, podIP);
    case "python": return render(`${from} - - [{{clf}}] "GET ${path} HTTP/1.1" ${status} -`, at, 0, podIP).replace(/:(\d\d:\d\d:\d\d) \+0000\]/, " $1]");
    case "http-echo": return render(`{{gotime}} ${podIP}:${b.listeners[0]?.port ?? 5678} ${from}:${40000 + (at % 20000)} "GET ${path} HTTP/1.1" ${status} ${bytes} "${userAgent}" 21.4µs`, at, 0, podIP);
    default: return undefined;
  }
}

/**
 * All lines of a run in [sinceAt, untilAt], oldest first, at most `limit` lines and `maxBytes` bytes
 * (the newest ones: what remains after rotation).
 */
export function runLines(run: LogRun, sinceAt: number, untilAt: number, limit = MAX_LOG_LINES, maxBytes = LOG_READ_MAX_BYTES): Line[] {
  const end = Math.min(untilAt, run.finishedAt ?? untilAt);
  // `kubectl logs` reads the current log file only: what was written before the last rotation is gone from it.
  const start = Math.max(sinceAt, run.startedAt, rotatedAt(run, end));
  if (end < start) return [];
  const b = run.behaviour;
  const out: Line[] = [];
  const push = (at: number, text: string, n = 0) => {
    if (at < start || at > end) return;
    for (const part of render(text, at, n, run.podIP).split("\n")) out.push({ at, text: part });
  };
  for (const l of b.logs) push(run.startedAt + l.atMs, l.text);
  // Loops: only the iterations that can be among the newest `limit` lines are rendered.
  for (const p of b.periodic) {
    const first = run.startedAt + p.fromMs;
    const lastIter = Math.floor((end - first) / p.periodMs);
    if (lastIter < 0) continue;
    const perIter = Math.max(1, p.lines.length);
    const iterBytes = Math.max(1, p.lines.reduce((a, l) => a + l.text.length + 1, 0));
    const iters = Math.min(Math.ceil(limit / perIter), Math.ceil(maxBytes / iterBytes));
    const firstIter = Math.max(0, Math.floor((start - first) / p.periodMs), lastIter - iters);
    for (let k = firstIter; k <= lastIter; k++) for (const l of p.lines) push(first + k * p.periodMs + l.offsetMs, l.text, k + 1);
  }
  for (const r of run.requests) {
    if (b.http.accessLog === "none") break;
    const rEnd = Math.min(end, r.untilAt ?? end);
    const last = Math.floor((rEnd - r.fromAt) / r.periodMs);
    if (last < 0) continue;
    const firstK = Math.max(0, Math.ceil((start - r.fromAt) / r.periodMs), last - limit);
    for (let k = firstK; k <= last; k++) {
      const at = r.fromAt + k * r.periodMs;
      const status = httpStatus(b, r.port, r.path, at - run.startedAt);
      if (status === undefined) continue;
      const line = accessLine(b, at, r.from, r.path, status, r.userAgent, run.podIP);
      if (line) push(at, line);
    }
  }
  for (const e of run.extra) push(e.at, e.text);
  out.sort((a, c) => a.at - c.at);
  let from = Math.max(0, out.length - limit);
  let bytes = 0;
  for (let i = out.length - 1; i >= from; i--) {
    bytes += out[i].text.length + 1;
    if (bytes > maxBytes) { from = i + 1; break; }
  }
  return from > 0 ? out.slice(from) : out;
}

/**
 * Bytes a run has written by `t` (as containerd's CRI log lines, approximately: templates are
 * counted at their unrendered length, loop iterations whole). Cheap: O(sources + kept lines).
 */
export function bytesWritten(run: LogRun, t: number): number {
  if (t < run.startedAt) return 0;
  const b = run.behaviour;
  let bytes = 0;
  for (const l of b.logs) if (run.startedAt + l.atMs <= t) bytes += l.text.length + 1;
  for (const p of b.periodic) {
    const first = run.startedAt + p.fromMs;
    if (t >= first) bytes += (Math.floor((t - first) / p.periodMs) + 1) * p.lines.reduce((a, l) => a + l.text.length + 1, 0);
  }
  for (const r of run.requests) {
    const until = Math.min(t, r.untilAt ?? t);
    if (until >= r.fromAt && b.http.accessLog !== "none") bytes += (Math.floor((until - r.fromAt) / r.periodMs) + 1) * (r.path.length + 120);
  }
  for (const e of run.extra) if (e.at <= t) bytes += e.text.length + 1;
  return bytes;
}

/**
 * When the kubelet last rotated the run's log file by `t` (containerLogMaxSize, 10 MiB): the
 * current file holds what was written after it. -Infinity when the log never reached the size.
 */
export function rotatedAt(run: LogRun, t: number, maxBytes = CONTAINER_LOG_MAX_BYTES): number {
  const total = bytesWritten(run, t);
  if (total < maxBytes) return -Infinity;
  const boundary = Math.floor(total / maxBytes) * maxBytes;
  // bytesWritten is monotonic in time: find the first ms at which it reached the boundary.
  let lo = run.startedAt;
  let hi = t;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (bytesWritten(run, mid) >= boundary) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1; // lines written at the rotation instant went to the rotated file
}

/** Text for `kubectl logs`: --tail, --since and --timestamps applied. */
export function formatLogs(lines: Line[], opts: { tailLines?: number; timestamps?: boolean }): string {
  let ls = lines;
  if (opts.tailLines !== undefined && opts.tailLines >= 0) ls = opts.tailLines === 0 ? [] : ls.slice(-opts.tailLines);
  if (ls.length === 0) return "";
  return ls.map((l) => (opts.timestamps ? `${rfc3339Nano(l.at)} ${l.text}` : l.text)).join("\n") + "\n";
}

/** Append an outside line to a run's ring (keeps the newest MAX_EXTRA_LINES). */
export function appendExtra(run: LogRun, at: number, text: string): void {
  run.extra.push({ at, text: capLine(text) });
  if (run.extra.length > MAX_EXTRA_LINES) run.extra.splice(0, run.extra.length - MAX_EXTRA_LINES);
}
