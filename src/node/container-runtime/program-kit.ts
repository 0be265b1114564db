// What the programs of programs.ts and demo-programs.ts are built from: sizes and flags as the
// tools parse them, a listener, and the shapes of a plain HTTP server and of a process that runs.
import type { AccessLogStyle, Behaviour, ContainerInput, Protocol } from "./behaviour";

export const Mi = 1024 * 1024;

/** Parse a stress-style size: 250M, 1G, 100Mi, 512k (binary multiples, as stress does). */
export function parseSize(s: string | undefined): number {
  if (!s) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(i?)b?$/i.exec(s.trim());
  if (!m) return 0;
  const pow = { "": 0, b: 0, k: 1, m: 2, g: 3, t: 4 }[m[2].toLowerCase()] ?? 0;
  return Math.round(Number(m[1]) * 1024 ** pow);
}

export function flag(argv: string[], names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    for (const n of names) {
      if (argv[i] === n) return argv[i + 1];
      if (argv[i].startsWith(`${n}=`)) return argv[i].slice(n.length + 1);
    }
  }
  return undefined;
}

export const server = (b: Behaviour, port: number, protocol: Protocol, fromMs: number) => b.listeners.push({ port, protocol, fromMs });

export type FamilyProgram = (b: Behaviour, inp: ContainerInput, args: string[]) => void;

// envFrom sources are opaque here (__ENVFROM set by the kubelet): assume they provide what is needed.
export const hasEnv = (inp: ContainerInput, ...names: string[]) => inp.env.__ENVFROM !== undefined || names.some((n) => (inp.env[n] ?? "") !== "");

export const httpServer = (program: string, port: number, okPaths: string[] | "*", logs: string[], mem: number, accessLog: AccessLogStyle = "none"): FamilyProgram => (b) => {
  b.program = program;
  b.logs = logs.map((text) => ({ atMs: 30, text }));
  server(b, port, "http", 30);
  b.http.okPaths = okPaths;
  b.http.accessLog = accessLog;
  b.memory = { baseBytes: mem * Mi, peakBytes: mem * Mi, rampFromMs: 0, rampMs: 0 };
  b.cpu.millis = 1;
  b.stop = { signal: "SIGTERM", afterMs: 30, exitCode: 0, logs: [] };
};

export const always = (program: string, mem: number, cpu: number, listen: [number, Protocol][] = [], logs: string[] = []): FamilyProgram => (b) => {
  b.program = program;
  for (const [p, proto] of listen) server(b, p, proto, 100);
  b.http.okPaths = "*";
  b.logs = logs.map((text) => ({ atMs: 50, text }));
  b.memory = { baseBytes: mem * Mi, peakBytes: mem * Mi, rampFromMs: 0, rampMs: 0 };
  b.cpu.millis = cpu;
  b.stop = { signal: "SIGTERM", afterMs: 50, exitCode: 0, logs: [] };
};
