// Budgets for simulated work: every script a container runs is interpreted inside the kubelet's sync,
// so a script must never be able to make that sync throw, run long or persist a large state. The
// numbers are what one container may cost the node object; exceeding one ends or caps THAT container
// the way a real one would be ended or capped (see the README's "Budgets" notes):
// - memory: a shell variable (or a file in the container) grows past the container's memory limit,
//   or past the node's memory when it has none → the run is OOMKilled (exit 137), as the kernel's
//   cgroup OOM killer would do it. Sizes are tracked as numbers; only a bounded prefix of a value
//   is ever materialized, so doubling a string 40 times costs 40 additions, not 8 TiB.
// - steps: statements and loop iterations per start. Past it the script is taken to keep running,
//   busy on its cpu (a cpu-bound loop in real life runs on at its cpu limit); nothing more of it
//   is computed. Wall time cannot be measured inside a Worker (the clock stands still during
//   synchronous code), so steps are the deterministic cpu budget.
// - output: a line is cut at containerd's max line size (16 KiB; containerd splits longer lines
//   into partial ones); a run keeps the newest RUN_LOG_BYTES of its own lines, like the kubelet's
//   container log rotation (containerLogMaxSize 10 Mi × containerLogMaxFiles 5) keeps the newest
//   files, smaller here because the node keeps its whole state in one storage row.
// - cpu per sync: one kubelet sync spends at most NODE_SYNC_WORK units across all of its pods (a
//   pod-lifecycle step costs LIFECYCLE_STEP_WORK, a script statement 1, a KiB of script words 1).
//   Past it the pods not yet advanced wait for the next sync, which starts with them: a node short
//   of cpu runs its pod workers late, it does not stop. Checked between steps, so one sync
//   overshoots by at most one script's SCRIPT_STEPS_PER_START (plus its words). While a node is
//   behind, its probes drop the ticks they missed (PROBE_CATCHUP_MS), so its backlog stays bounded.
// Upstream semantics: kubernetes pkg/kubelet/logs/container_log_manager.go (rotation keeps the
// newest), containerd pkg/cri/.../logging (max_container_log_line_size = 16384).

/** Statements and loop iterations a script may run per container start. */
export const SCRIPT_STEPS_PER_START = 5000;
/** Work units one kubelet sync may spend across all its pods (≈ 100 ms of interpretation). */
export const NODE_SYNC_WORK = 100_000;
/** What one pod-lifecycle step (a probe tick, an exit, a pull) costs, in work units. */
export const LIFECYCLE_STEP_WORK = 10;
/** Bytes of script words that cost one step to expand (each word goes through a few regex passes). */
export const WORD_BYTES_PER_STEP = 1024;

/** On a node that ran out of cpu, probe ticks older than this are dropped, not replayed. */
export const PROBE_CATCHUP_MS = 10_000;

/** Work spent so far in one kubelet sync (shared by every script and step of that sync). */
export interface WorkMeter { used: number }

/** Statements one pass of a `while true` body may run (its output is repeated each period). */
export const LOOP_BODY_STEPS = 200;
/** Bytes of a shell value (variable, file content, expanded word) actually kept; the rest is counted. */
export const VALUE_KEEP_BYTES = 4096;
/** containerd's default max_container_log_line_size: longer lines are cut here. */
export const LINE_MAX_BYTES = 16 * 1024;
/** The newest bytes of a run's own output lines kept in the node's state (rotation). */
export const RUN_LOG_BYTES = 64 * 1024;
/** The kubelet's containerLogMaxSize: a container's log file is rotated when it reaches this. */
export const CONTAINER_LOG_MAX_BYTES = 10 * 1024 * 1024;
/** Bytes a `kubectl logs` read renders at most for one container (the newest ones). */
export const LOG_READ_MAX_BYTES = 1024 * 1024;
/** Files a script's container filesystem keeps records of (the oldest removed ones go first). */
export const FILES_MAX = 64;
/** Memory a container may reach when it has no limit and the node's size is not known. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;
/** How fast a shell copies a value (simulated ms per MiB): growing a big string takes time. */
export const COPY_MS_PER_MIB = 1;
/** The kubelet's per-pod faults kept in state (the newest). */
export const FAULTS_KEPT = 20;
/**
 * One pod's kubelet record is kept in one storage row (2 MB at most in a Durable Object's SQLite):
 * past this its retained output is trimmed, that pod's only, so a chatty or wide pod never costs a
 * classmate's pod on the same node its logs. The API's containers-per-pod limit keeps the rest
 * of a record (its containers' structure) well under it.
 */
export const POD_STATE_MAX_BYTES = 128 * 1024;

const MiB = 1024 * 1024;

/** Cut a line at LINE_MAX_BYTES (UTF-16 units stand in for bytes: the bound is what matters). */
export function capLine(text: string): string {
  return text.length > LINE_MAX_BYTES ? text.slice(0, LINE_MAX_BYTES) : text;
}

/** Simulated ms to copy `bytes`. */
export function copyMs(bytes: number): number {
  return Math.floor((bytes / MiB) * COPY_MS_PER_MIB);
}

/** Keep the newest lines of `lines` within `maxBytes` (in place); returns the bytes kept. */
export function keepNewest<T extends { text: string }>(lines: T[], maxBytes: number): number {
  let bytes = 0;
  let i = lines.length;
  while (i > 0 && bytes + lines[i - 1].text.length + 1 <= maxBytes) bytes += lines[--i].text.length + 1;
  if (i > 0) lines.splice(0, i);
  return bytes;
}
