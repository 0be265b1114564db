// A tiny shell: enough of sh to turn the scripts people put in pod specs (sleep, echo, loops, touch/rm,
// exit, `stress`) into a timeline. It does not execute anything; it computes what the script would do
// and when, so the kubelet can move through it with simulated time. It runs inside the kubelet's
// sync, so it runs under the budgets of budgets.ts: values are kept as a bounded prefix plus a
// counted size (memory past the limit is an OOM kill), steps are counted, output is capped.

import { capLine, copyMs, DEFAULT_MEMORY_LIMIT_BYTES, FILES_MAX, keepNewest, LINE_MAX_BYTES, LOOP_BODY_STEPS, RUN_LOG_BYTES, SCRIPT_STEPS_PER_START, VALUE_KEEP_BYTES, WORD_BYTES_PER_STEP, type WorkMeter } from "./budgets";
import { Parser, tokenize, type Ast } from "./shell-parse";

/** What a script does, relative to its start (ms). Plain data: it is persisted in the kubelet state. */
export interface Timeline {
  /** One-off output lines. Text may contain {{date}}/{{iso}} tokens rendered at log time. */
  logs: { atMs: number; text: string }[];
  /** Lines repeated forever from fromMs every periodMs (a `while true` loop); {{n}} is the iteration. */
  periodic: { fromMs: number; periodMs: number; lines: { offsetMs: number; text: string }[] }[];
  /** Files that exist in the container's filesystem for [fromMs, untilMs). */
  files: { path: string; fromMs: number; untilMs: number | null; content: string }[];
  /** When the script ends and how; null when it never ends by itself. */
  exitAtMs: number | null;
  exitCode: number;
  /** A program that takes over (exec nginx, stress...), started at atMs with these argv. */
  exec?: { atMs: number; argv: string[] };
  /** A busy loop without sleep: burns a whole core. */
  busy: boolean;
  /** `trap ... TERM`: the script handles SIGTERM and exits promptly. */
  trapsTerm: boolean;
  /** The script's values grew past its memory limit at this offset: an OOM kill (exit 137). */
  oomAtMs: number | null;
  /** The most memory the script's values reached (bytes, counted, not materialized). */
  memoryPeakBytes: number;
  /** The step budget ran out: the script is taken to run on, busy, with nothing more computed. */
  stepsExhausted: boolean;
}

export interface ShellContext {
  env: Record<string, string>;
  hostname: string;
  /** busybox messages ("can't open") or GNU coreutils ones ("cannot access"). */
  flavor: "busybox" | "gnu";
  /** Files already present (an exec probe runs against the container's current filesystem). */
  files?: Timeline["files"];
  /** What the script's values may reach before the OOM killer ends it (default: DEFAULT_MEMORY_LIMIT_BYTES). */
  memoryLimitBytes?: number;
  /** The kubelet sync's meter: the steps this script took are added to it. */
  meter?: WorkMeter;
}

/** Duration of `sleep` arguments in ms (sleep 5, 1.5, 2m, infinity); null = forever. */
export function sleepMs(args: string[]): number | null {
  let total = 0;
  for (const a of args) {
    if (a === "infinity" || a === "inf") return null;
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(a);
    if (!m) continue;
    const mult = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]] ?? 1;
    total += Number(m[1]) * mult * 1000;
  }
  return total;
}

const STOP_ON_EXIT = Symbol("exit");

interface Budget { steps: number; exhausted: boolean }

/** Run a script symbolically. */
export function interpretScript(script: string, ctx: ShellContext): Timeline {
  const ast = new Parser(tokenize(script)).parseSeq();
  const tl: Timeline = { logs: [], periodic: [], files: [...(ctx.files ?? [])], exitAtMs: null, exitCode: 0, busy: false, trapsTerm: false, oomAtMs: null, memoryPeakBytes: 0, stepsExhausted: false };
  // vars hold at most VALUE_KEEP_BYTES of a value; sizes count the whole of what the script assigned.
  const st = { t: 0, status: 0, vars: { ...ctx.env } as Record<string, string>, sizes: {} as Record<string, number>, mem: 0, logBytes: 0, inLoopPass: false };
  const memoryLimit = ctx.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;

  /** A word expanded: its text (at most LINE_MAX_BYTES materialized) and its full size. */
  const expandSized = (w: string): { text: string; size: number } => {
    let inserted = 0;
    let uncounted = 0;
    const text = w
      .replace(/\$\((?:date)[^)]*\)/g, "{{date}}")
      .replace(/\$\(hostname\)|`hostname`/g, ctx.hostname)
      .replace(/\$\(cat ([^)]+)\)/g, (_, p: string) => fileContent(p.trim()) ?? "")
      .replace(/\$\{?(\w+)\}?/g, (_, v: string) => {
        const val = v === "HOSTNAME" ? ctx.hostname : st.vars[v] ?? "";
        const size = st.sizes[v] ?? val.length;
        // Past the line cap nothing more is materialized; the size is still counted.
        if (inserted + val.length > LINE_MAX_BYTES) { uncounted += size; return ""; }
        inserted += val.length;
        uncounted += size - val.length;
        return val;
      });
    return { text: text.length > LINE_MAX_BYTES ? text.slice(0, LINE_MAX_BYTES) : text, size: text.length + uncounted };
  };
  const expand = (w: string): string => expandSized(w).text;

  /** Assign a variable; returns STOP_ON_EXIT when the memory it takes gets the script OOM-killed. */
  const assign = (name: string, value: { text: string; size: number }): typeof STOP_ON_EXIT | void => {
    st.vars[name] = value.text.length > VALUE_KEEP_BYTES ? value.text.slice(0, VALUE_KEEP_BYTES) : value.text;
    st.mem += value.size - (st.sizes[name] ?? 0);
    st.sizes[name] = value.size;
    st.t += copyMs(value.size);
    tl.memoryPeakBytes = Math.max(tl.memoryPeakBytes, st.mem);
    if (st.mem > memoryLimit) {
      tl.oomAtMs = tl.exitAtMs = st.t;
      tl.exitCode = st.status = 137;
      return STOP_ON_EXIT;
    }
  };

  const fileContent = (path: string): string | undefined => {
    if (path === "/var/run/secrets/kubernetes.io/serviceaccount/namespace") return ctx.env.__NAMESPACE ?? "default";
    const f = [...tl.files].reverse().find((x) => x.path === path && x.fromMs <= st.t && (x.untilMs === null || x.untilMs > st.t));
    return f?.content;
  };
  const setFile = (path: string, content: string, append: boolean) => {
    const prev = fileContent(path);
    removeFile(path);
    const text = append && prev ? `${prev}\n${content}` : content;
    tl.files.push({ path, fromMs: st.t, untilMs: null, content: text.length > VALUE_KEEP_BYTES ? text.slice(0, VALUE_KEEP_BYTES) : text });
    // Bounded: the oldest records of removed files go first, then the oldest of all.
    while (tl.files.length > FILES_MAX) {
      const i = tl.files.findIndex((f) => f.untilMs !== null);
      tl.files.splice(i >= 0 ? i : 0, 1);
    }
  };
  const removeFile = (path: string) => {
    for (const f of tl.files) if (f.path === path && f.untilMs === null) f.untilMs = st.t;
  };
  const out = (text: string, redirect?: string) => {
    if (redirect && !/^\/(dev\/(stdout|stderr)|proc\/1\/fd\/[12])$/.test(redirect)) {
      if (redirect !== "/dev/null") setFile(redirect, text, false);
      return;
    }
    const line = capLine(text);
    tl.logs.push({ atMs: st.t, text: line });
    st.logBytes += line.length + 1;
    // Rotation: keep the newest RUN_LOG_BYTES (amortized; not inside a loop pass being measured).
    if (!st.inLoopPass && st.logBytes > 2 * RUN_LOG_BYTES) st.logBytes = keepNewest(tl.logs, RUN_LOG_BYTES);
  };

  // Executes one simple command; returns STOP_ON_EXIT when the script ends (exit, exec, forever).
  const runCmd = (words0: string[], redirect?: string): typeof STOP_ON_EXIT | void => {
    const sized = words0.map(expandSized);
    let words = sized.map((w) => w.text);
    while (words[0] === "exec" || words[0] === "command" || words[0] === "nohup") { words = words.slice(1); sized.shift(); }
    if (words.length === 0) return;
    // A=value (and export/local/readonly A=value): the value's size is what the shell holds.
    const declare = ["export", "local", "readonly"].includes(words[0]) ? 1 : 0;
    const assigns = words.slice(declare).map((w, i) => ({ m: /^(\w+)=/.exec(w), s: sized[i + declare] }));
    if (assigns.length > 0 && assigns.every((a) => a.m)) {
      st.status = 0;
      for (const { m, s } of assigns) {
        const skip = m![0].length;
        if (assign(m![1], { text: s.text.slice(skip), size: s.size - skip }) === STOP_ON_EXIT) return STOP_ON_EXIT;
      }
      return;
    }
    const name = words[0].split("/").pop()!;
    const args = words.slice(1);
    st.status = 0;
    switch (name) {
      case "sleep": {
        const ms = sleepMs(args);
        if (ms === null) return STOP_ON_EXIT; // sleeps forever
        st.t += ms;
        return;
      }
      case "echo": {
        const noNewline = args[0] === "-n" || args[0] === "-e";
        out((noNewline ? args.slice(1) : args).join(" "), redirect);
        return;
      }
      case "printf":
        out((args[0] ?? "").replace(/\\n$/, "").replace(/%s/g, () => args[1] ?? "").replace(/\\n/g, "\n"), redirect);
        return;
      case "date": out("{{date}}", redirect); return;
      case "hostname": out(ctx.hostname, redirect); return;
      case "env": case "printenv":
        if (args.length) { const v = st.vars[args[0]]; if (v === undefined) st.status = 1; else out(v, redirect); }
        else for (const [k, v] of Object.entries(st.vars)) if (!k.startsWith("__")) out(`${k}=${v}`, redirect);
        return;
      case "touch": for (const p of args) if (fileContent(p) === undefined) setFile(p, "", false); return;
      case "mkdir": case "cd": case "export": case "set": case "wait": case ":": case "true": case "chmod": case "cp": case "mv": return;
      case "trap": if (args.some((a) => /TERM|15|EXIT/.test(a))) tl.trapsTerm = true; return;
      case "rm": for (const p of args) if (!p.startsWith("-")) removeFile(p); return;
      case "yes": {
        // Prints its line forever as fast as it can: a busy core. The log keeps it once a second (a
        // real one writes gigabytes, rotated away at once); to /dev/null nothing is kept.
        tl.busy = true;
        if (redirect !== "/dev/null") tl.periodic.push({ fromMs: st.t, periodMs: 1000, lines: [{ offsetMs: 0, text: capLine(args.join(" ") || "y") }] });
        return STOP_ON_EXIT;
      }
      case "cat": {
        // Reading an endless device (the classic cpu burner `cat /dev/urandom > /dev/null`) never ends.
        if (args.some((p) => /^\/dev\/(u?random|zero)$/.test(p))) { tl.busy = true; return STOP_ON_EXIT; }
        for (const p of args) {
          if (p.startsWith("-")) continue;
          const c = fileContent(p);
          if (c === undefined) {
            out(ctx.flavor === "busybox" ? `cat: can't open '${p}': No such file or directory` : `cat: ${p}: No such file or directory`);
            st.status = 1;
          } else if (c) out(c, redirect);
        }
        return;
      }
      case "test": case "[": {
        const flag = args[0];
        const p = args[1];
        if ((flag === "-f" || flag === "-e") && p) st.status = fileContent(p) === undefined ? 1 : 0;
        return;
      }
      case "exit": tl.exitAtMs = st.t; tl.exitCode = Number(args[0] ?? st.status) || 0; st.status = tl.exitCode; return STOP_ON_EXIT;
      case "false": st.status = 1; return;
      case "tail": if (args.includes("-f")) return STOP_ON_EXIT; return;
      case "ls": {
        const p = args.find((a) => !a.startsWith("-"));
        if (p && p.startsWith("/tmp/") && fileContent(p) === undefined) {
          out(ctx.flavor === "busybox" ? `ls: ${p}: No such file or directory` : `ls: cannot access '${p}': No such file or directory`);
          st.status = ctx.flavor === "busybox" ? 1 : 2;
        }
        return;
      }
      default:
        // A long-running program (stress, a server, python...) takes over from here.
        if (LONG_RUNNING.has(name)) { tl.exec = { atMs: st.t, argv: words }; return STOP_ON_EXIT; }
        // Anything else (wget, nslookup, apk, ...) is taken to succeed quickly and quietly.
        st.t += 10;
        return;
    }
  };

  // Returns STOP_ON_EXIT when the script ended inside.
  const run = (node: Ast, budget: Budget): typeof STOP_ON_EXIT | void => {
    if (--budget.steps < 0) { budget.exhausted = true; return STOP_ON_EXIT; }
    switch (node.kind) {
      case "cmd":
        // A long word costs in proportion: expanding it is a few passes over its bytes.
        budget.steps -= Math.floor(node.words.reduce((a, w) => a + w.length, 0) / WORD_BYTES_PER_STEP);
        return runCmd(node.words, node.redirect === undefined ? undefined : expand(node.redirect));
      case "seq":
        for (const { op, node: n } of node.items) {
          if (op === "&&" && st.status !== 0) continue;
          if (op === "||" && st.status === 0) continue;
          if (run(n, budget) === STOP_ON_EXIT) return STOP_ON_EXIT;
        }
        return;
      case "for": {
        const values = node.values.flatMap((v) => {
          const seq = /^\$\(seq (\d+)(?: (\d+))?\)$/.exec(v);
          if (!seq) return [v];
          const [a, b] = seq[2] ? [Number(seq[1]), Number(seq[2])] : [1, Number(seq[1])];
          return Array.from({ length: Math.max(0, Math.min(b - a + 1, 1000)) }, (_, k) => String(a + k));
        });
        for (const v of values) {
          st.vars[node.variable] = v;
          if (run(node.body, budget) === STOP_ON_EXIT) return STOP_ON_EXIT;
        }
        return;
      }
      case "while": {
        const condWords = node.cond.kind === "seq" && node.cond.items.length === 1 && node.cond.items[0].node.kind === "cmd" ? node.cond.items[0].node.words : [];
        const forever = !node.until && (condWords[0] === "true" || condWords[0] === ":" || (condWords[0] === "[" && condWords[1] === "1"));
        if (forever) return loopForever(node.body, budget);
        // Other conditions (until nslookup svc; until wget ...): taken to hold after one pass.
        if (node.until) {
          run(node.cond, budget);
          return;
        }
        return;
      }
    }
  };

  // An endless loop: run the body once symbolically to learn one iteration's output and length.
  // A body that grows memory is not periodic: its passes run on (each charged to the script's
  // budget) until the OOM killer or the step budget ends them.
  const loopForever = (body: Ast, budget: Budget): typeof STOP_ON_EXIT => {
    for (;;) {
      const start = st.t;
      const firstLog = tl.logs.length;
      const memBefore = st.mem;
      const pass: Budget = { steps: Math.min(LOOP_BODY_STEPS, Math.max(budget.steps, 0)), exhausted: false };
      const before = pass.steps;
      st.inLoopPass = true;
      run(body, pass);
      st.inLoopPass = false;
      budget.steps -= before - pass.steps;
      if (tl.exitAtMs !== null) return STOP_ON_EXIT; // the body exits (or is OOM-killed) on this pass
      if (budget.steps <= 0) { budget.exhausted = true; return STOP_ON_EXIT; }
      if (st.mem > memBefore) continue;
      const period = st.t - start;
      const lines = tl.logs.splice(firstLog).map((l) => ({ offsetMs: l.atMs - start, text: l.text }));
      keepNewest(lines, RUN_LOG_BYTES);
      if (period <= 0) tl.busy = true;
      if (lines.length > 0) tl.periodic.push({ fromMs: start, periodMs: Math.max(period, 1000), lines });
      tl.exitAtMs = null;
      return STOP_ON_EXIT;
    }
  };

  const budget: Budget = { steps: SCRIPT_STEPS_PER_START, exhausted: false };
  const r = run(ast, budget);
  // Tokenizing and parsing cost the script's length; the statements what they used of the budget.
  if (ctx.meter) ctx.meter.used += Math.ceil(script.length / WORD_BYTES_PER_STEP) + SCRIPT_STEPS_PER_START - Math.max(budget.steps, 0);
  if (budget.exhausted && tl.exitAtMs === null) {
    // Still running at its cpu limit as far as anyone can tell: busy, no exit, nothing more logged.
    tl.busy = true;
    tl.stepsExhausted = true;
  } else if (r !== STOP_ON_EXIT && tl.exitAtMs === null) {
    tl.exitAtMs = st.t;
    tl.exitCode = st.status;
  }
  keepNewest(tl.logs, RUN_LOG_BYTES);
  return tl;
}

/** Programs that keep running (or that behaviour.ts models itself) when a script execs them. */
export const LONG_RUNNING = new Set([
  "nginx", "httpd", "httpd-foreground", "apache2-foreground", "redis-server", "postgres", "mysqld", "memcached",
  "stress", "stress-ng", "python", "python3", "node", "agnhost", "http-echo", "pause", "etcd", "coredns", "kube-proxy",
  "docker-entrypoint.sh",
]);

/** Parse a command as a single argv (for exec probes: argv[0] sh -c "..." or a plain command). */
export function scriptOfArgv(argv: string[]): string | undefined {
  const name = argv[0]?.split("/").pop();
  if ((name === "sh" || name === "bash" || name === "ash") && argv[1] === "-c") return argv[2] ?? "";
  return undefined;
}
