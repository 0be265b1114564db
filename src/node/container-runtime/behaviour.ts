// What a container does, decided from its image and command line: when it exits and with what code,
// which ports answer, what it logs, which files it creates, how it reacts to its stop signal, and how
// much cpu and memory it uses. The result is plain data, computed once when the container starts and
// kept in the kubelet state; everything later (probes, logs, usage) reads it with a time offset.
//
// Conventions (documented for classroom authors):
// - Shell scripts (`sh -c "..."`) are run symbolically: sleep, echo, date, touch/rm/cat, exit, true/false,
//   `while true; do ...; done`, `for i in ...`, `until ...` (taken to succeed after one pass), trap TERM.
// - Images without a command run their real default program (nginx serves :80 and so on); busybox,
//   alpine, ubuntu, python and node with no command exit 0 at once (no TTY), so a bare
//   `kubectl run --image=busybox` ends up in CrashLoopBackOff as in a real cluster.
// - Memory hogs: `stress --vm N --vm-bytes 250M` (polinux/stress, docs example), `stress-ng --vm-bytes`,
//   vish/stress `-mem-total 950Mi`, and on any image the env vars below. Passing limits.memory is an
//   OOMKill (exit 137, reason OOMKilled).
// - Env var knobs, any image: KUBECLASS_MEMORY=300Mi (ramps to it over 5 s), KUBECLASS_CPU=500m,
//   KUBECLASS_EXIT_AFTER=<s> with KUBECLASS_EXIT_CODE=<n>, KUBECLASS_STARTUP_SECONDS=<s> (ports open
//   late), KUBECLASS_READY_AFTER=<s> (health paths answer 503 before), KUBECLASS_FAIL_AFTER=<s> (health
//   paths answer 500 from then on).
// - HTTP: every simulated web server answers 200 on "/" and on the health paths /healthz, /health,
//   /livez, /readyz, /ready; nginx and httpd answer 404 elsewhere; echo-style servers answer 200 on
//   every path. agnhost `liveness` answers /healthz 200 for 10 s then 500 (the docs example).
// - Unknown programs keep running idle (nothing listens).

import type { ImageFamily } from "./images";
import { FAMILY_PROGRAMS, parseSize, vishStress } from "./programs";
import { DEFAULT_MEMORY_LIMIT_BYTES, type WorkMeter } from "./budgets";
import { interpretScript, LONG_RUNNING, scriptOfArgv, type Timeline } from "./shell";

export { parseSize };

const Mi = 1024 * 1024;

export type Protocol = "http" | "tcp" | "grpc";

/** How access lines are written for HTTP requests this server answers (see logs.ts). */
export type AccessLogStyle = "nginx" | "httpd" | "python" | "http-echo" | "none";

export interface Behaviour {
  program: string;
  logs: Timeline["logs"];
  periodic: Timeline["periodic"];
  files: Timeline["files"];
  /** Exit by itself at this offset (ms after start), or null. */
  exitAtMs: number | null;
  exitCode: number;
  /** Set when the exit is an OOM kill. */
  oomAtMs: number | null;
  listeners: { port: number; protocol: Protocol; fromMs: number }[];
  http: {
    /** "*" = every path 200; otherwise these paths 200 and the rest 404. */
    okPaths: string[] | "*";
    /** Health paths answer 503 before this offset. */
    healthyFromMs: number;
    /** Health paths answer 500 from this offset (null: never). */
    failFromMs: number | null;
    failPaths: string[] | "*";
    bodyBytes: number;
    accessLog: AccessLogStyle;
  };
  /** Reaction to the stop signal: exit after afterMs (null: ignores it, killed at grace end). */
  stop: { signal: "SIGTERM" | "SIGQUIT" | "SIGINT" | "SIGWINCH"; afterMs: number | null; exitCode: number; logs: string[] };
  memory: { baseBytes: number; peakBytes: number; rampFromMs: number; rampMs: number };
  cpu: { millis: number; busyUntilMs: number | null };
  /** When the container cannot start at all (StartError / RunContainerError). */
  startError?: string;
}

export interface ContainerInput {
  family: ImageFamily;
  /** Repository (docker.io/library/ubuntu): decides busybox or GNU error texts. */
  repo?: string;
  /** Image version for banners (the tag, e.g. 1.27.3). */
  tag: string;
  entrypoint: string[];
  imageCmd: string[];
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  stdin: boolean;
  hostname: string;
  namespace: string;
  memoryLimitBytes: number | null;
  cpuLimitMillis: number | null;
  /** The node's memory: what a container without a limit can grow to before the OOM killer. */
  nodeMemoryBytes?: number;
  /** The kubelet sync's cpu meter (budgets.ts): a script's steps are charged to it. */
  meter?: WorkMeter;
}

/** The argv a container runs: Kubernetes command/args over the image's ENTRYPOINT/CMD, $(VAR) expanded. */
export function containerArgv(inp: ContainerInput): string[] {
  const expand = (s: string) => s.replace(/\$\((\w+)\)/g, (m, v: string) => (v in inp.env ? inp.env[v] : m)).replace(/\$\$\(/g, "$(");
  const argv = inp.command ? [...inp.command, ...(inp.args ?? [])] : [...inp.entrypoint, ...(inp.args ?? inp.imageCmd)];
  return argv.map(expand);
}

const HEALTH_PATHS = ["/healthz", "/health", "/livez", "/readyz", "/ready"];
const WRAPPERS = new Set(["docker-entrypoint.sh", "entrypoint.sh", "tini", "--", "dumb-init", "env"]);

function base(): Behaviour {
  return {
    program: "idle",
    logs: [],
    periodic: [],
    files: [],
    exitAtMs: null,
    exitCode: 0,
    oomAtMs: null,
    listeners: [],
    http: { okPaths: ["/", "/index.html"], healthyFromMs: 0, failFromMs: null, failPaths: HEALTH_PATHS, bodyBytes: 615, accessLog: "none" },
    stop: { signal: "SIGTERM", afterMs: 50, exitCode: 143, logs: [] },
    memory: { baseBytes: 1 * Mi, peakBytes: 1 * Mi, rampFromMs: 0, rampMs: 0 },
    cpu: { millis: 0, busyUntilMs: null },
  };
}

/** Build the behaviour of a container. */
export function behaviourOf(inp: ContainerInput): Behaviour {
  const argv = containerArgv(inp);
  const b = program(inp, argv, 0);
  applyEnvKnobs(b, inp.env);
  applyLimits(b, inp);
  return b;
}

function program(inp: ContainerInput, argv0: string[], depth: number): Behaviour {
  let argv = argv0;
  while (argv.length > 0 && WRAPPERS.has(argv[0].split("/").pop()!)) argv = argv.slice(1);
  const name = argv[0]?.split("/").pop() ?? "";
  const args = argv.slice(1);
  const b = base();
  b.program = name || "none";

  if (argv.length === 0) {
    b.startError = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: no command specified: unknown`;
    return b;
  }

  const script = scriptOfArgv(argv);
  const shells = ["sh", "bash", "ash", "dash", "zsh"];
  if (script !== undefined || (!shells.includes(name) && !LONG_RUNNING.has(name) && SIMPLE_COMMANDS.has(name))) {
    const src = script ?? argv.map((w) => (/[\s;&|]/.test(w) ? JSON.stringify(w) : w)).join(" ");
    const flavor = /ubuntu|debian/.test(inp.repo ?? "") ? "gnu" : "busybox";
    const shellBase = 0.4 * Mi;
    const limit = inp.memoryLimitBytes ?? inp.nodeMemoryBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
    const tl = interpretScript(src, { env: { ...inp.env, __NAMESPACE: inp.namespace }, hostname: inp.hostname, flavor, memoryLimitBytes: Math.max(0, limit - shellBase), meter: inp.meter });
    b.program = "script";
    b.logs = tl.logs;
    b.periodic = tl.periodic;
    b.files = tl.files;
    b.exitAtMs = tl.exitAtMs;
    b.exitCode = tl.exitCode;
    b.cpu.millis = tl.busy ? 1000 : 0;
    b.memory = { baseBytes: shellBase, peakBytes: shellBase + tl.memoryPeakBytes, rampFromMs: tl.oomAtMs ?? 0, rampMs: 0 };
    // Values past the memory limit: the cgroup OOM killer ends the script then (as stress --vm-bytes).
    if (tl.oomAtMs !== null) b.oomAtMs = tl.oomAtMs;
    // PID 1 shells get no default signal handlers: SIGTERM is ignored unless the script traps it.
    b.stop = { signal: "SIGTERM", afterMs: tl.trapsTerm ? 20 : null, exitCode: tl.trapsTerm ? 0 : 137, logs: [] };
    if (tl.exec && depth < 3) {
      const next = program(inp, tl.exec.argv, depth + 1);
      return shift(b, next, tl.exec.atMs);
    }
    return b;
  }

  if (shells.includes(name)) {
    if (args.length > 0 && !args[0].startsWith("-")) {
      b.logs.push({ atMs: 0, text: `${name}: can't open '${args[0]}': No such file or directory` });
      b.exitAtMs = 0;
      b.exitCode = name === "bash" ? 127 : 2;
      return b;
    }
    // An interactive shell without stdin reads EOF and exits 0; with stdin (kubectl run -i) it waits.
    b.exitAtMs = inp.stdin ? null : 0;
    b.memory = { baseBytes: 0.5 * Mi, peakBytes: 0.5 * Mi, rampFromMs: 0, rampMs: 0 };
    b.stop.afterMs = inp.stdin ? 10 : null;
    b.stop.exitCode = 0;
    return b;
  }

  // vish/stress's ENTRYPOINT is /stress too; its flags differ from polinux stress.
  const familyProgram = inp.family === "vish-stress" && name === "stress" ? vishStress : FAMILY_PROGRAMS[name];
  if (familyProgram) {
    familyProgram(b, inp, args);
    return b;
  }
  // Unknown program: runs, listens nowhere, uses little (documented convention).
  b.memory = { baseBytes: 2 * Mi, peakBytes: 2 * Mi, rampFromMs: 0, rampMs: 0 };
  return b;
}

/** Commands run as a one-line script when they are the container's argv[0] (sleep 3600, echo hi...). */
const SIMPLE_COMMANDS = new Set(["sleep", "yes", "echo", "printf", "date", "hostname", "env", "printenv", "true", "false", "cat", "ls", "tail", "touch", "exit", "test", "rm", "mkdir", "wget", "nslookup", "ping", "whoami", "id", "uname", "pwd", "df", "ps", "top", "nc", "dig"]);

/** A script that execs a program at offset: the program's timeline shifted after the script's. */
function shift(script: Behaviour, prog: Behaviour, at: number): Behaviour {
  const sh = (x: number | null) => (x === null ? null : x + at);
  return {
    ...prog,
    logs: [...script.logs, ...prog.logs.map((l) => ({ ...l, atMs: l.atMs + at }))],
    periodic: [...script.periodic, ...prog.periodic.map((p) => ({ ...p, fromMs: p.fromMs + at }))],
    files: [...script.files, ...prog.files.map((f) => ({ ...f, fromMs: f.fromMs + at, untilMs: sh(f.untilMs) }))],
    exitAtMs: sh(prog.exitAtMs),
    listeners: prog.listeners.map((l) => ({ ...l, fromMs: l.fromMs + at })),
    http: { ...prog.http, healthyFromMs: prog.http.healthyFromMs + at, failFromMs: sh(prog.http.failFromMs) },
    memory: { ...prog.memory, rampFromMs: prog.memory.rampFromMs + at },
    cpu: { ...prog.cpu, busyUntilMs: sh(prog.cpu.busyUntilMs) },
  };
}

function applyEnvKnobs(b: Behaviour, env: Record<string, string>): void {
  const num = (k: string) => (env[k] !== undefined && env[k] !== "" && Number.isFinite(Number(env[k])) ? Number(env[k]) : undefined);
  const mem = env.KUBECLASS_MEMORY ? parseSize(env.KUBECLASS_MEMORY.replace(/i$/, "")) : 0;
  if (mem > 0) b.memory = { baseBytes: b.memory.baseBytes, peakBytes: Math.max(b.memory.baseBytes, mem), rampFromMs: 0, rampMs: 5000 };
  if (env.KUBECLASS_CPU) {
    const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(env.KUBECLASS_CPU.trim());
    if (m) b.cpu.millis = m[2] ? Number(m[1]) : Number(m[1]) * 1000;
  }
  const exitAfter = num("KUBECLASS_EXIT_AFTER");
  if (exitAfter !== undefined) {
    b.exitAtMs = exitAfter * 1000;
    b.exitCode = num("KUBECLASS_EXIT_CODE") ?? 0;
  }
  const startup = num("KUBECLASS_STARTUP_SECONDS");
  if (startup !== undefined) for (const l of b.listeners) l.fromMs = Math.max(l.fromMs, startup * 1000);
  const ready = num("KUBECLASS_READY_AFTER");
  if (ready !== undefined) b.http.healthyFromMs = ready * 1000;
  const fail = num("KUBECLASS_FAIL_AFTER");
  if (fail !== undefined) { b.http.failFromMs = fail * 1000; b.http.failPaths = HEALTH_PATHS; }
}

/** Memory past limits.memory is an OOM kill at the moment the ramp crosses it; cpu is throttled to the limit. */
function applyLimits(b: Behaviour, inp: ContainerInput): void {
  if (inp.cpuLimitMillis !== null) b.cpu.millis = Math.min(b.cpu.millis, inp.cpuLimitMillis);
  const limit = inp.memoryLimitBytes;
  if (limit === null || b.memory.peakBytes <= limit) return;
  const { baseBytes, peakBytes, rampFromMs, rampMs } = b.memory;
  const frac = peakBytes === baseBytes ? 0 : Math.max(0, (limit - baseBytes) / (peakBytes - baseBytes));
  const at = baseBytes >= limit ? rampFromMs : rampFromMs + Math.round(rampMs * frac);
  if (b.exitAtMs === null || at < b.exitAtMs) {
    b.oomAtMs = at;
    b.exitAtMs = at;
    b.exitCode = 137;
  }
}

/** Memory in use at an offset after start. */
export function memoryAt(b: Behaviour, tMs: number): number {
  const { baseBytes, peakBytes, rampFromMs, rampMs } = b.memory;
  if (tMs <= rampFromMs) return baseBytes;
  if (rampMs <= 0 || tMs >= rampFromMs + rampMs) return peakBytes;
  return baseBytes + ((peakBytes - baseBytes) * (tMs - rampFromMs)) / rampMs;
}

/** Cpu in use (millicores) at an offset after start: a start-up burst, then the steady rate. */
export function cpuAt(b: Behaviour, tMs: number): number {
  if (b.cpu.busyUntilMs !== null && tMs < b.cpu.busyUntilMs) return Math.max(b.cpu.millis, 250);
  if (tMs < 2000 && b.cpu.millis < 50) return b.cpu.millis + 5; // process start
  return b.cpu.millis;
}

/** Offsets where something observable changes (ports open, files appear, health flips), sorted. */
export function breakpoints(b: Behaviour): number[] {
  const s = new Set<number>();
  for (const l of b.listeners) s.add(l.fromMs);
  for (const f of b.files) { s.add(f.fromMs); if (f.untilMs !== null) s.add(f.untilMs); }
  s.add(b.http.healthyFromMs);
  if (b.http.failFromMs !== null) s.add(b.http.failFromMs);
  return [...s].filter((x) => x > 0).sort((a, c) => a - c);
}
