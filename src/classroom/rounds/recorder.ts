// Records what a round needs while it runs: every committed change to pods, nodes and Events (from
// etcd's watch, stamped with the simulated time) and every refused student request, so outcomes
// and replay survive etcd's compaction. Costs nothing when no round is running.
import type { KubeObject } from "../../control-plane/api-server/types";
import type { Etcd } from "../../control-plane/etcd/store";
import type { WatchEvent } from "../../control-plane/etcd/watch";
import type { Sql } from "../../control-plane/etcd/sql";
import type { Outcomes } from "./outcomes";
import { mapAt, type ClusterMap } from "./replay";
import { RoundStore } from "./store";
import { RoundError, type ChangeEntry, type Round, type SubmissionEntry } from "./types";
import { CREATED_BY } from "../../control-plane/api-server/registry/created-by";

const RECORDED = ["/registry/pods/", "/registry/nodes/", "/registry/events/"];

export class RoundRecorder {
  readonly store: RoundStore;
  /** Cached: the watch callback runs on every commit and must not query when idle. */
  private running: boolean;

  constructor(sql: Sql, private readonly etcd: Etcd, private readonly now: () => number) {
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

  start(input: { title: unknown; goal?: unknown; settings: Round["settings"]; state: { pods: KubeObject[]; nodes: KubeObject[] } }): Round {
    const round = this.store.start({ ...input, at: this.now(), rev: this.etcd.revision });
    this.running = true;
    return round;
  }

  end(students: string[]): Round {
    const round = this.store.end({ at: this.now(), rev: this.etcd.revision, students });
    this.running = false;
    return round;
  }

  /** A round's outcomes; a running round's are computed up to now. */
  outcomes(n: number, now: number, students: string[]): { round: Round; outcomes: Outcomes } {
    const round = this.store.get(n);
    if (!round) throw new RoundError(404, `round ${n} not found`);
    const outcomes = this.store.outcomes(n, { now, students });
    if (!outcomes) throw new RoundError(404, `the outcomes of round ${n} are no longer kept`);
    return { round, outcomes };
  }

  /** The cluster map of a round at a moment (simulated ms, clamped to the round), rebuilt from its log. */
  replay(n: number, at: number | undefined, now: number): { round: Round; map: ClusterMap & { at: number } } {
    const round = this.store.get(n);
    const start = round && this.store.startState(n);
    if (!round || !start) throw new RoundError(404, round ? `the log of round ${n} is no longer kept` : `round ${n} not found`);
    const end = round.endedAt ?? now;
    const t = Math.min(Math.max(at ?? end, round.startedAt), end);
    return { round, map: mapAt(start, this.store.log(n), t) };
  }
}
