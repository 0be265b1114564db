// Records what a round needs while it runs: every committed change to pods, nodes and Events (from
// etcd's watch, stamped with the simulated time) and every refused student request, so outcomes
// and replay survive etcd's compaction. Costs nothing when no round is running. Also what the
// classroom object offers of rounds: start, end, list, outcomes (JSON, CSV) and replay.
import type { KubeObject } from "../../control-plane/api-server/types";
import type { Etcd } from "../../control-plane/etcd/store";
import type { WatchEvent } from "../../control-plane/etcd/watch";
import type { Sql } from "../../control-plane/etcd/sql";
import { outcomesToCsv } from "./export";
import type { Outcomes } from "./outcomes";
import { mapAt, type ClusterMap } from "./replay";
import { RoundStore } from "./store";
import { RoundError, type ChangeEntry, type ClusterState, type RecordedSettings, type Round, type SubmissionEntry } from "./types";
import { CREATED_BY } from "../../control-plane/api-server/registry/created-by";

const RECORDED = ["/registry/pods/", "/registry/nodes/", "/registry/events/"];

/** What a round reads of the classroom. */
export interface RoundDeps {
  /** Simulated time. */
  now(): number;
  /** The settings in force, recorded with a round when it starts. */
  settings(): RecordedSettings;
  /** The pods and nodes now, which a round's replay starts from. */
  state(): ClusterState;
  /** The students now (a round's outcomes list every one, even those who did nothing). */
  students(): string[];
  /** A round started or ended: pages show it. */
  changed(): void;
}

export class RoundRecorder {
  readonly store: RoundStore;
  /** Cached: the watch callback runs on every commit and must not query when idle. */
  private running: boolean;
  private readonly now: () => number;

  constructor(sql: Sql, private readonly etcd: Etcd, private readonly d: RoundDeps) {
    this.now = () => d.now();
    this.store = new RoundStore(sql);
    this.running = this.store.current() !== undefined;
    this.subscribe();
  }

  private subscribe(): void {
    const w = this.etcd.watch("/registry/", this.etcd.revision, (events) => this.onEvents(events));
    w.onClose = () => this.subscribe(); // an etcd restore ends watches; the round goes on recording
  }

  private onEvents(events: WatchEvent[]): void {
    if (!this.running) return;
    const at = this.now();
    const entries: (ChangeEntry | SubmissionEntry)[] = [];
    for (const e of events) {
      const recorded = RECORDED.some((p) => e.kv.key.startsWith(p));
      const created = e.type === "PUT" && e.kv.createRevision === e.kv.modRevision && !e.kv.key.startsWith("/registry/events/");
      if (!recorded && !created) continue;
      const object = JSON.parse(e.kv.value) as KubeObject;
      if (recorded) entries.push({ at, rev: e.kv.modRevision, type: e.type, key: e.kv.key, object });
      // What a person submitted: objects they created themselves (not their controllers' pods), in
      // any encoding kubectl used, as the server recorded the creator.
      const by = object.metadata?.annotations?.[CREATED_BY];
      if (created && by?.startsWith("kubeclass:") && !object.metadata.ownerReferences?.some((o) => o.controller))
        entries.push({ kind: "submission", at, user: by, object: `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}` });
    }
    if (entries.length) this.store.append(entries);
  }

  /**
   * A student's request, once answered: refused ones (invalid, forbidden, over quota, rate-limited,
   * locked) are kept. Failed reads are not refusals (kubectl apply's existence check is a 404 GET),
   * except the rate limit.
   */
  async request(user: string, method: string, res: Response): Promise<void> {
    if (!this.running) return;
    if (res.status < 400) return;
    if ((method === "GET" || method === "HEAD") && res.status !== 429) return;
    let reason = "";
    let message = "";
    try {
      const body = (await res.clone().json()) as { reason?: string; message?: string };
      reason = body.reason ?? "";
      message = body.message ?? "";
    } catch {
      // not a Status: keep the code alone
    }
    this.store.append([{ kind: "refusal", at: this.now(), user, code: res.status, reason, message }]);
  }

  /** Starts a round, the settings in force and the cluster's pods and nodes recorded with it. */
  start(title: unknown, goal?: unknown): Round {
    const round = this.store.start({ title, goal, settings: this.d.settings(), state: this.d.state(), at: this.now(), rev: this.etcd.revision });
    this.running = true;
    this.d.changed();
    return round;
  }

  /** Ends the running round; its outcomes are kept. */
  end(): Round {
    const round = this.store.end({ at: this.now(), rev: this.etcd.revision, students: this.d.students() });
    this.running = false;
    this.d.changed();
    return round;
  }

  /** A round's outcomes; a running round's are computed up to now. */
  outcomes(n: number): Outcomes {
    if (!this.store.get(n)) throw new RoundError(404, `round ${n} not found`);
    const outcomes = this.store.outcomes(n, { now: this.now(), students: this.d.students() });
    if (!outcomes) throw new RoundError(404, `the outcomes of round ${n} are no longer kept`);
    return outcomes;
  }

  /** The outcomes for a spreadsheet: one row per student. */
  outcomesCsv(n: number): string {
    return outcomesToCsv(this.outcomes(n));
  }

  /** The cluster map of a round at a moment (simulated ms, clamped to the round), rebuilt from its log. */
  replay(n: number, at: number | undefined): { round: Round; map: ClusterMap & { at: number } } {
    const round = this.store.get(n);
    const start = round && this.store.startState(n);
    if (!round || !start) throw new RoundError(404, round ? `the log of round ${n} is no longer kept` : `round ${n} not found`);
    const end = round.endedAt ?? this.now();
    const t = Math.min(Math.max(at ?? end, round.startedAt), end);
    return { round, map: mapAt(start, this.store.log(n), t) };
  }
}
