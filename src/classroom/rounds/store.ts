// Rounds in the classroom's SQLite: one row per round, its change log in round_log, and its larger
// JSON (the start state, the outcomes) in round_blobs, cut in parts because a Durable Object's SQLite
// refuses any value over 2 MB. Everything is bounded: entries and bytes per round, and only the newest
// rounds keep their log; older ones keep just their outcomes.
import type { KubeObject } from "../../control-plane/api-server/types";
import { type Sql, migrate } from "../../control-plane/etcd/sql";
import { type Outcomes, computeOutcomes } from "./outcomes";
import { type ClusterState, type LogEntry, type Round, RoundError } from "./types";

export const MAX_LOG_ENTRIES = 100_000;
export const MAX_LOG_CHARS = 64 * 1024 * 1024; // JSON characters per round
/** An entry larger than this is not kept (and ends the log, like any other overflow). */
export const MAX_ENTRY_CHARS = 512 * 1024;
/** The newest rounds that keep their log and start state. */
export const MAX_KEPT_ROUNDS = 20;
export const TITLE_MAX = 100;
export const GOAL_MAX = 500;
const SETTINGS_MAX_CHARS = 64 * 1024;
const MESSAGE_MAX = 4096;
/** Blob part size in characters: at most 3 UTF-8 bytes each, well under the 2 MB value limit. */
const PART_CHARS = 512 * 1024;

const MIGRATIONS = [
  {
    version: 1,
    statements: [
      `CREATE TABLE rounds (
        n INTEGER PRIMARY KEY, title TEXT NOT NULL, goal TEXT,
        started_at INTEGER NOT NULL, ended_at INTEGER, start_rev INTEGER NOT NULL, end_rev INTEGER,
        settings TEXT NOT NULL, truncated INTEGER NOT NULL DEFAULT 0,
        log_count INTEGER NOT NULL DEFAULT 0, log_chars INTEGER NOT NULL DEFAULT 0, log_pruned INTEGER NOT NULL DEFAULT 0
      )`,
      "CREATE TABLE round_log (round INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, rev INTEGER, entry TEXT NOT NULL, PRIMARY KEY (round, seq))",
      "CREATE TABLE round_blobs (round INTEGER NOT NULL, name TEXT NOT NULL, part INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (round, name, part))",
    ],
  },
];

interface RoundRow {
  n: number; title: string; goal: string | null; started_at: number; ended_at: number | null; start_rev: number; end_rev: number | null;
  settings: string; truncated: number; log_count: number; log_chars: number; log_pruned: number;
}

export interface StartRound {
  title: unknown;
  goal?: unknown;
  at: number;
  rev: number;
  settings: Round["settings"];
  state: ClusterState;
}

export interface RoundLimits { maxLogEntries: number; maxLogChars: number; maxKeptRounds: number }

export class RoundStore {
  private readonly limits: RoundLimits;

  /** limits: smaller bounds for tests. */
  constructor(private readonly sql: Sql, limits: Partial<RoundLimits> = {}) {
    this.limits = { maxLogEntries: MAX_LOG_ENTRIES, maxLogChars: MAX_LOG_CHARS, maxKeptRounds: MAX_KEPT_ROUNDS, ...limits };
    migrate(sql, "rounds", MIGRATIONS);
  }

  start(o: StartRound): Round {
    const title = typeof o.title === "string" ? o.title.trim() : undefined;
    if (title === undefined || title.length === 0 || title.length > TITLE_MAX)
      throw new RoundError(400, `title must be a non-empty string of at most ${TITLE_MAX} characters`);
    let goal: string | null = null;
    if (o.goal !== undefined && o.goal !== null) {
      if (typeof o.goal !== "string" || o.goal.trim().length > GOAL_MAX) throw new RoundError(400, `goal must be a string of at most ${GOAL_MAX} characters`);
      goal = o.goal.trim() || null;
    }
    if (!Number.isFinite(o.at) || !Number.isFinite(o.rev)) throw new RoundError(400, "at and rev must be numbers");
    let settings: string;
    try {
      settings = JSON.stringify(o.settings ?? null);
    } catch {
      throw new RoundError(400, "settings must be JSON");
    }
    if (settings.length > SETTINGS_MAX_CHARS) throw new RoundError(400, `settings must be at most ${SETTINGS_MAX_CHARS} characters of JSON`);
    const state = JSON.stringify({ pods: o.state.pods.map(slim), nodes: o.state.nodes.map(slim) });

    return this.sql.transaction(() => {
      const running = this.runningRow();
      if (running) throw new RoundError(409, `round ${running.n} ("${running.title}") is still running: end it before starting another`);
      const n = (this.sql.one<{ n: number | null }>("SELECT MAX(n) AS n FROM rounds")?.n ?? 0) + 1;
      this.sql.run("INSERT INTO rounds (n, title, goal, started_at, start_rev, settings) VALUES (?, ?, ?, ?, ?, ?)", n, title, goal, o.at, o.rev, settings);
      this.putBlob(n, "start", state);
      this.prune(n);
      return this.get(n)!;
    });
  }

  /** Ends the running round and keeps its outcomes, so they outlive its log. */
  end(o: { at: number; rev: number; students?: string[] }): Round {
    const row = this.runningRow();
    if (!row) throw new RoundError(409, "no round is running");
    if (!Number.isFinite(o.at) || !Number.isFinite(o.rev)) throw new RoundError(400, "at and rev must be numbers");
    const endedAt = Math.max(o.at, row.started_at);
    this.sql.run("UPDATE rounds SET ended_at = ?, end_rev = ? WHERE n = ?", endedAt, o.rev, row.n);
    this.saveOutcomes(row.n, o.students);
    return this.get(row.n)!;
  }

  current(): Round | undefined {
    const row = this.runningRow();
    return row ? toRound(row) : undefined;
  }

  list(): Round[] {
    return this.sql.all<RoundRow>("SELECT n, title, goal, started_at, ended_at, start_rev, end_rev, settings, truncated, log_count, log_chars, log_pruned FROM rounds ORDER BY n").map(toRound);
  }

  get(n: number): Round | undefined {
    const row = this.sql.one<RoundRow>("SELECT n, title, goal, started_at, ended_at, start_rev, end_rev, settings, truncated, log_count, log_chars, log_pruned FROM rounds WHERE n = ?", n);
    return row ? toRound(row) : undefined;
  }

  /**
   * Adds entries to the running round's log (nothing without one). Once the round's bound is reached
   * it is marked truncated and keeps nothing more, so what is kept is always a prefix that replays.
   * Returns how many entries were kept.
   */
  append(entries: readonly LogEntry[]): number {
    if (entries.length === 0) return 0;
    return this.sql.transaction(() => {
      const row = this.runningRow();
      if (!row || row.truncated) return 0;
      let { log_count: count, log_chars: chars } = row;
      let truncated = 0;
      for (const e of entries) {
        const text = JSON.stringify(slimEntry(e));
        if (count >= this.limits.maxLogEntries || chars + text.length > this.limits.maxLogChars || text.length > MAX_ENTRY_CHARS) {
          truncated = 1;
          break;
        }
        this.sql.run("INSERT INTO round_log (round, seq, at, rev, entry) VALUES (?, ?, ?, ?, ?)", row.n, count, e.at, e.kind === "refusal" || e.kind === "submission" ? null : e.rev, text);
        count++;
        chars += text.length;
      }
      this.sql.run("UPDATE rounds SET log_count = ?, log_chars = ?, truncated = ? WHERE n = ?", count, chars, truncated, row.n);
      return count - row.log_count;
    });
  }

  /** A round's log in order; empty once pruned (see Round.logPruned). */
  log(n: number): LogEntry[] {
    this.must(n);
    return this.sql.all<{ entry: string }>("SELECT entry FROM round_log WHERE round = ? ORDER BY seq", n).map((r) => JSON.parse(r.entry) as LogEntry);
  }

  /** The pods and nodes live when the round started; undefined once pruned. */
  startState(n: number): ClusterState | undefined {
    this.must(n);
    const text = this.getBlob(n, "start");
    return text === undefined ? undefined : (JSON.parse(text) as ClusterState);
  }

  /**
   * A round's outcomes: kept ones for an ended round, computed up to `now` for the running one.
   * Undefined only for an old round whose outcomes could not be computed before its log was pruned.
   */
  outcomes(n: number, opts: { now?: number; students?: string[] } = {}): Outcomes | undefined {
    const round = this.must(n);
    if (!round.running) {
      const kept = this.getBlob(n, "outcomes");
      if (kept !== undefined) return JSON.parse(kept) as Outcomes;
      return this.saveOutcomes(n, opts.students);
    }
    const start = this.startState(n);
    return start && computeOutcomes(round, start, this.log(n), opts);
  }

  private saveOutcomes(n: number, students?: string[]): Outcomes | undefined {
    const round = this.must(n);
    const start = this.startState(n);
    if (!start) return undefined;
    let out: Outcomes;
    try {
      out = computeOutcomes(round, start, this.log(n), { students });
    } catch (e) {
      // Ending a round must not fail on a bug in the summary; outcomes() tries again later.
      console.error(`rounds: outcomes of round ${n} failed:`, e);
      return undefined;
    }
    this.sql.transaction(() => this.putBlob(n, "outcomes", JSON.stringify(out)));
    return out;
  }

  /** Drops log and start state of rounds older than the newest maxKeptRounds, keeping their outcomes. */
  private prune(newest: number): void {
    const old = this.sql.all<{ n: number }>("SELECT n FROM rounds WHERE n <= ? AND log_pruned = 0 AND ended_at IS NOT NULL", newest - this.limits.maxKeptRounds);
    for (const { n } of old) {
      if (this.getBlob(n, "outcomes") === undefined) this.saveOutcomes(n);
      this.sql.run("DELETE FROM round_log WHERE round = ?", n);
      this.sql.run("DELETE FROM round_blobs WHERE round = ? AND name = 'start'", n);
      this.sql.run("UPDATE rounds SET log_pruned = 1, log_count = 0, log_chars = 0 WHERE n = ?", n);
    }
  }

  private runningRow(): RoundRow | undefined {
    return this.sql.one<RoundRow>("SELECT n, title, goal, started_at, ended_at, start_rev, end_rev, settings, truncated, log_count, log_chars, log_pruned FROM rounds WHERE ended_at IS NULL");
  }

  private must(n: number): Round {
    const r = Number.isInteger(n) ? this.get(n) : undefined;
    if (!r) throw new RoundError(404, `round ${n} not found`);
    return r;
  }

  private putBlob(n: number, name: string, text: string): void {
    this.sql.run("DELETE FROM round_blobs WHERE round = ? AND name = ?", n, name);
    let i = 0;
    let part = 0;
    do {
      let stop = Math.min(i + PART_CHARS, text.length);
      // Never split a surrogate pair: each part must be valid UTF-16 to survive the round trip.
      if (stop < text.length && isHighSurrogate(text.charCodeAt(stop - 1))) stop--;
      this.sql.run("INSERT INTO round_blobs (round, name, part, data) VALUES (?, ?, ?, ?)", n, name, part++, text.slice(i, stop));
      i = stop;
    } while (i < text.length);
  }

  private getBlob(n: number, name: string): string | undefined {
    const parts = this.sql.all<{ data: string }>("SELECT data FROM round_blobs WHERE round = ? AND name = ? ORDER BY part", n, name);
    return parts.length ? parts.map((p) => p.data).join("") : undefined;
  }
}


function toRound(r: RoundRow): Round {
  return {
    n: r.n, title: r.title, goal: r.goal, startedAt: r.started_at, endedAt: r.ended_at, startRev: r.start_rev, endRev: r.end_rev,
    settings: JSON.parse(r.settings), running: r.ended_at === null, logEntries: r.log_count, truncated: r.truncated === 1, logPruned: r.log_pruned === 1,
  };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

/** managedFields are most of a stored object and say nothing a round needs. */
function slim(o: KubeObject): KubeObject {
  if (!o.metadata?.managedFields) return o;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata };
}

function slimEntry(e: LogEntry): LogEntry {
  if (e.kind === "refusal") return e.message.length > MESSAGE_MAX ? { ...e, message: e.message.slice(0, MESSAGE_MAX) } : e;
  if (e.kind === "submission") return e;
  return { ...e, object: slim(e.object) };
}
