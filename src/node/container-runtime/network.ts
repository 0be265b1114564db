// How a running container answers the kubelet's probes and other requests, from its behaviour at a
// time offset. Failure texts are the ones the kubelet's probers report.

import type { Behaviour } from "./behaviour";
import type { WorkMeter } from "./budgets";
import { interpretScript, scriptOfArgv } from "./shell";

export interface Answer {
  ok: boolean;
  /** Probe output / failure message as the kubelet prints it in Unhealthy events. */
  output: string;
  /** HTTP status when one was received. */
  status?: number;
}

const HEALTH = ["/healthz", "/health", "/livez", "/readyz", "/ready"];

function listening(b: Behaviour, port: number, tMs: number) {
  return b.listeners.find((l) => l.port === port && l.fromMs <= tMs);
}

/** The HTTP status a path returns, or undefined when nothing HTTP listens there. */
export function httpStatus(b: Behaviour, port: number, path: string, tMs: number): number | undefined {
  const l = listening(b, port, tMs);
  if (!l || l.protocol !== "http") return undefined;
  const p = path.split("?")[0] || "/";
  const h = b.http;
  const failing = h.failFromMs !== null && tMs >= h.failFromMs && (h.failPaths === "*" || h.failPaths.includes(p));
  if (failing) return 500;
  if (HEALTH.includes(p)) return tMs >= h.healthyFromMs ? 200 : 503;
  if (h.okPaths === "*" || h.okPaths.includes(p)) return 200;
  return 404;
}

/** httpGet probe: 200-399 is success (redirects are not followed in the simulation). */
export function httpProbe(b: Behaviour, host: string, scheme: string, port: number, path: string, tMs: number, timeoutMs: number): Answer {
  const url = `${scheme.toLowerCase()}://${host}:${port}${path.startsWith("/") ? path : `/${path}`}`;
  const l = listening(b, port, tMs);
  if (!l) return { ok: false, output: `Get "${url}": dial tcp ${host}:${port}: connect: connection refused` };
  if (l.protocol !== "http") {
    // A non-HTTP server (redis, postgres) accepts the connection and answers garbage or nothing.
    return { ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
  }
  if (scheme.toUpperCase() === "HTTPS") return { ok: false, output: `Get "${url}": http: server gave HTTP response to HTTPS client` };
  void timeoutMs;
  const status = httpStatus(b, port, path, tMs)!;
  if (status >= 200 && status < 400) return { ok: true, output: "", status };
  return { ok: false, output: `HTTP probe failed with statuscode: ${status}`, status };
}

export function tcpProbe(b: Behaviour, host: string, port: number, tMs: number): Answer {
  if (listening(b, port, tMs)) return { ok: true, output: "" };
  return { ok: false, output: `dial tcp ${host}:${port}: connect: connection refused` };
}

export function grpcProbe(b: Behaviour, host: string, port: number, tMs: number, timeoutMs: number): Answer {
  const l = listening(b, port, tMs);
  const secs = `${timeoutMs / 1000}s`;
  if (!l) return { ok: false, output: `timeout: failed to connect service "${host}:${port}" within ${secs}` };
  if (l.protocol !== "grpc") return { ok: false, output: `timeout: health rpc did not complete within ${secs}` };
  return { ok: true, output: "" };
}

/** exec probe: run the command against the container's filesystem and ports at this offset. */
export function execProbe(b: Behaviour, command: string[], tMs: number, timeoutMs: number, ctx: { hostname: string; env: Record<string, string>; meter?: WorkMeter }): Answer {
  const script = scriptOfArgv(command) ?? command.map((w) => (/[\s;&|]/.test(w) ? JSON.stringify(w) : w)).join(" ");
  const first = script.trim().split(/\s+/)[0]?.split("/").pop() ?? "";
  // Client tools that talk to the server in the same container.
  const tcpUp = (port: number) => !!listening(b, port, tMs);
  switch (first) {
    case "redis-cli":
      return tcpUp(6379) ? { ok: true, output: "PONG" } : { ok: false, output: "Could not connect to Redis at 127.0.0.1:6379: Connection refused" };
    case "pg_isready":
      return tcpUp(5432) ? { ok: true, output: "/var/run/postgresql:5432 - accepting connections" } : { ok: false, output: "/var/run/postgresql:5432 - no response" };
    case "mysqladmin":
      return tcpUp(3306) ? { ok: true, output: "mysqld is alive" } : { ok: false, output: "mysqladmin: connect to server at 'localhost' failed\nerror: 'Can't connect to local MySQL server through socket '/var/run/mysqld/mysqld.sock' (2)'" };
    case "curl":
    case "wget": {
      const m = /https?:\/\/(?:localhost|127\.0\.0\.1)(?::(\d+))?(\/\S*)?/.exec(script);
      if (m) {
        const port = Number(m[1] ?? 80);
        const st = httpStatus(b, port, m[2] ?? "/", tMs);
        if (st === undefined) return { ok: false, output: first === "curl" ? `curl: (7) Failed to connect to localhost port ${port} after 0 ms: Couldn't connect to server` : `wget: can't connect to remote host (127.0.0.1): Connection refused` };
        if (st >= 400) return { ok: !/-f|--fail|wget/.test(script) ? true : false, output: first === "wget" ? `wget: server returned error: HTTP/1.1 ${st}` : `curl: (22) The requested URL returned error: ${st}` };
        return { ok: true, output: "" };
      }
    }
  }
  // Everything else: run it as a script over the container's files as they are now.
  const files = b.files.filter((f) => f.fromMs <= tMs && (f.untilMs === null || f.untilMs > tMs)).map((f) => ({ ...f, fromMs: 0, untilMs: null }));
  const tl = interpretScript(script, { env: ctx.env, hostname: ctx.hostname, flavor: "busybox", files, meter: ctx.meter });
  if (tl.exitAtMs === null || tl.exitAtMs > timeoutMs) return { ok: false, output: `command ${JSON.stringify(command.join(" "))} timed out` };
  const output = tl.logs.map((l) => l.text).join("\n");
  return { ok: tl.exitCode === 0, output };
}
