// The programs of the images the Kubernetes docs use for demos and exercises: agnhost, http-echo,
// stress and vish/stress (HPA, OOM), perl computing pi (Jobs), curl.
import { sleepMs } from "./shell";
import { Mi, parseSize, flag, server, type FamilyProgram } from "./program-kit";

export const agnhost: FamilyProgram = (b, inp, args) => {
  b.program = "agnhost";
  const sub = args[0];
  const port = (def: number) => Number(flag(args, ["--http-port", "--port"]) ?? def);
  const started = (p: number) => `I{{klogtime}}       1 log.go:245] Started HTTP server on port ${p}`;
  b.memory = { baseBytes: 9 * Mi, peakBytes: 9 * Mi, rampFromMs: 0, rampMs: 0 };
  b.cpu.millis = 1;
  b.stop = { signal: "SIGTERM", afterMs: 20, exitCode: 2, logs: [] };
  switch (sub) {
    case "netexec": {
      const p = port(8080);
      b.logs = [{ atMs: 50, text: started(p) }, { atMs: 50, text: `I{{klogtime}}       1 log.go:245] Started UDP server on port  ${Number(flag(args, ["--udp-port"]) ?? 8081)}` }];
      server(b, p, "http", 50);
      b.http.okPaths = "*";
      return;
    }
    case "serve-hostname":
      server(b, port(9376), "http", 30);
      b.http.okPaths = "*";
      b.logs = [{ atMs: 30, text: `I{{klogtime}}       1 serve_hostname.go:86] Serving on port ${port(9376)}.` }];
      return;
    case "liveness":
      // The docs' HTTP liveness example: /healthz is 200 for the first 10 s, then 500.
      server(b, 8080, "http", 20);
      b.http.okPaths = "*";
      b.http.failFromMs = 10_000;
      b.http.failPaths = ["/healthz"];
      b.logs = [{ atMs: 20, text: "Started HTTP server on port 8080" }];
      return;
    case "test-webserver":
      server(b, port(80), "http", 20);
      b.http.okPaths = "*";
      return;
    case "pause":
      b.logs = [{ atMs: 10, text: "Paused" }];
      b.stop.exitCode = 0;
      return;
    default:
      b.logs = [{ atMs: 10, text: "Usage:" }, { atMs: 10, text: "  app [command]" }];
      b.exitAtMs = 20;
      b.exitCode = sub ? 1 : 0;
  }
};

export const httpEcho: FamilyProgram = (b, inp, args) => {
  b.program = "http-echo";
  const text = flag(args.flatMap((a) => (a.startsWith("--") ? [a.slice(1)] : [a])), ["-text"]);
  if (text === undefined) {
    b.logs = [{ atMs: 10, text: "{{gotime}} [ERR] Error parsing flags: missing -text option" }];
    b.exitAtMs = 20;
    b.exitCode = 127;
    return;
  }
  const listen = flag(args.flatMap((a) => (a.startsWith("--") ? [a.slice(1)] : [a])), ["-listen"]) ?? ":5678";
  const p = Number(listen.split(":").pop()) || 5678;
  server(b, p, "http", 20);
  b.http.okPaths = "*";
  b.http.bodyBytes = text.length + 1;
  b.http.accessLog = "http-echo";
  b.logs = [{ atMs: 20, text: `{{gotime}} [INFO] server is listening on ${listen}` }];
  b.memory = { baseBytes: 3 * Mi, peakBytes: 3 * Mi, rampFromMs: 0, rampMs: 0 };
  b.cpu.millis = 1;
  b.stop = { signal: "SIGTERM", afterMs: 20, exitCode: 2, logs: ["{{gotime}} [INFO] shutting down gracefully..."] };
};

/** stress (polinux/stress, stress-ng): --vm N --vm-bytes SIZE --cpu N --timeout Ns. */
export const stress: FamilyProgram = (b, _inp, args) => {
  b.program = "stress";
  const vm = Number(flag(args, ["--vm", "-m"]) ?? 0);
  const bytes = parseSize(flag(args, ["--vm-bytes"]) ?? (vm ? "256M" : "0"));
  const cpus = Number(flag(args, ["--cpu", "-c"]) ?? 0);
  const hang = flag(args, ["--vm-hang"]);
  const timeout = flag(args, ["--timeout", "-t"]);
  b.logs = [{ atMs: 0, text: `stress: info: [1] dispatching hogs: ${cpus} cpu, 0 io, ${vm} vm, 0 hdd` }];
  b.memory = { baseBytes: 0.8 * Mi, peakBytes: 0.8 * Mi + vm * bytes, rampFromMs: 0, rampMs: vm ? 400 : 0 };
  // A vm worker that re-dirties its memory spins a core; with --vm-hang it mostly sleeps.
  b.cpu.millis = cpus * 1000 + (vm ? (hang !== undefined ? 20 : 1000) * vm : 0);
  if (timeout) {
    const ms = sleepMs([timeout]);
    if (ms !== null) {
      b.exitAtMs = ms;
      b.logs.push({ atMs: ms, text: `stress: info: [1] successful run completed in ${Math.round(ms / 1000)}s` });
    }
  }
  b.stop = { signal: "SIGTERM", afterMs: 10, exitCode: 143, logs: [] };
};

/** vish/stress (docs CPU example): -cpus N, -mem-total SIZE, -mem-alloc-size, -mem-alloc-sleep. */
export const vishStress: FamilyProgram = (b, _inp, args) => {
  b.program = "stress";
  const cpus = Number(flag(args, ["-cpus", "--cpus"]) ?? 0);
  const total = parseSize(flag(args, ["-mem-total", "--mem-total"]));
  const chunk = parseSize(flag(args, ["-mem-alloc-size", "--mem-alloc-size"])) || 4 * Mi;
  const sleep = sleepMs([flag(args, ["-mem-alloc-sleep", "--mem-alloc-sleep"]) ?? "1s"]) ?? 1000;
  b.logs = [{ atMs: 10, text: `I{{klogtime}}       1 main.go:26] Allocating "${total}" memory, in "${chunk}" chunks, with a ${sleep / 1000}s sleep between allocations` }, { atMs: 10, text: `I{{klogtime}}       1 main.go:39] Spawning a thread to consume CPU` }];
  b.memory = { baseBytes: 1 * Mi, peakBytes: 1 * Mi + total, rampFromMs: 0, rampMs: total ? Math.ceil(total / chunk) * sleep : 0 };
  b.cpu.millis = cpus * 1000;
  b.stop = { signal: "SIGTERM", afterMs: 10, exitCode: 2, logs: [] };
};

/** π to n decimal places with Machin's formula in integers (the docs' Job prints bpi(2000)). */
export function piDigits(places: number): string {
  const scale = 10n ** BigInt(places + 10);
  const arctanInv = (x: bigint) => {
    let sum = 0n;
    let term = scale / x;
    const x2 = x * x;
    for (let k = 1n; term !== 0n; k += 2n) {
      sum += ((k - 1n) / 2n) % 2n === 0n ? term / k : -(term / k);
      term /= x2;
    }
    return sum;
  };
  const pi = (16n * arctanInv(5n) - 4n * arctanInv(239n)) / 10n ** 10n;
  const text = pi.toString();
  return `${text[0]}.${text.slice(1, places + 1)}`;
}

/** perl: `-e`/`-wle` one-liners; bpi(N) computes N digits of π, taking cpu seconds as it does for real. */
export const perl: FamilyProgram = (b, _inp, args) => {
  b.program = "perl";
  const code = args.join(" ");
  const bpi = /bpi\((\d+)\)/.exec(code);
  if (bpi) {
    const places = Math.min(Number(bpi[1]), 5000);
    const ms = 2000 + places * 3; // bignum is slow: a few seconds for 2000 digits
    b.logs = [{ atMs: ms - 10, text: piDigits(places) }];
    b.cpu = { millis: 1000, busyUntilMs: ms };
    b.exitAtMs = ms;
    b.exitCode = 0;
    return;
  }
  const print = /print\s+"([^"]*)"/.exec(code) ?? /print\s+'([^']*)'/.exec(code);
  if (print) b.logs = [{ atMs: 20, text: print[1].replace(/\\n$/, "") }];
  if (args.length > 0 && !(args.length === 1 && args[0] === "-de0")) {
    b.exitAtMs = 60;
    b.exitCode = 0;
  }
};

export const curl: FamilyProgram = (b, _inp, args) => {
  b.program = "curl";
  const url = args.find((a) => /^https?:\/\//.test(a) || /^[\w.-]+(:\d+)?(\/|$)/.test(a));
  b.exitAtMs = 150;
  if (!url) {
    b.logs = [{ atMs: 10, text: "curl: try 'curl --help' or 'curl --manual' for more information" }];
    b.exitCode = 2;
  }
};
