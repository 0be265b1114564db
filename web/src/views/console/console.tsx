// The instructor console: the machines (nodes.tsx), the control plane's components (stop
// the scheduler or the controller-manager and watch what stops happening), the scheduler's
// scoring strategy, time, then students and the danger zone (students.tsx). Every control
// shows its result or the API's refusal beside it; what it shows comes from live.settings, so
// another instructor tab's changes appear here as they happen.
import type { SchedulerProfile } from "../../../../src/control-plane/scheduler";
import { json } from "../../api";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { useObservable } from "../../observable";
import { Result, useActions } from "./action";
import { NodesPanel } from "./nodes";
import { S } from "./strings";
import { DangerZone, StudentControls } from "./students";
import "./console.css";

const SPEEDS = [0.5, 1, 2, 5, 10, 20];
type Strategy = SchedulerProfile["scoringStrategy"]["type"];
const STRATEGIES: string[] = ["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"] satisfies Strategy[];
/** The shape kube-scheduler's docs use for bin packing: an empty node scores 0, a full one 10. */
const BIN_PACKING = [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }];

export function InstructorConsole() {
  const t = useT(S);
  const { me } = useClassroom();
  if (me.role !== "instructor") return null;
  return (
    <section class="console" data-testid="console">
      <h2>{t("title")}</h2>
      <NodesPanel />
      <div class="grid2">
        <ComponentsPanel />
        <TimePanel />
      </div>
      <StudentControls />
      <DangerZone />
    </section>
  );
}

function ComponentsPanel() {
  const t = useT(S);
  const { api, live } = useClassroom();
  const settings = useObservable(live.settings);
  const a = useActions();
  if (!settings) return null;

  /** Changes only the strategy: the rest of the profile (weights, disabled plugins) is kept as it is. */
  async function setScoring(type: Strategy): Promise<string> {
    const { profile } = await json(api.kc.scheduler.$get({ param: api.id }));
    const old = profile.scoringStrategy;
    // Unset fields stay unset (JSON drops undefined): the server keeps its defaults for them.
    const scoringStrategy: Partial<SchedulerProfile["scoringStrategy"]> = { type, resources: old.resources };
    if (type === "RequestedToCapacityRatio") scoringStrategy.shape = old.type === type && old.shape?.length ? old.shape : BIN_PACKING;
    await json(api.kc.scheduler.profile.$put({ param: api.id, json: { ...profile, scoringStrategy } as Partial<SchedulerProfile> }));
    return t("scoringNow", { type });
  }

  const toggles = [
    { id: "scheduler-toggle", name: "scheduler", stopped: settings.scheduler.stopped, hint: "schedulerHint", set: (running: boolean) => json(api.kc.scheduler.running.$put({ param: api.id, json: { running } })) },
    { id: "controllers-toggle", name: "controllers", stopped: settings.controllersStopped, hint: "controllersHint", set: (running: boolean) => json(api.kc.controllers.running.$put({ param: api.id, json: { running } })) },
  ];
  return (
    <div class="panel" data-testid="console-components">
      <h3>{t("components")}</h3>
      {toggles.map((c) => (
        <div class="component-row" key={c.id}>
          <div class="row">
            <code class="component-name">{t(c.name)}</code>
            <span class={`badge ${c.stopped ? "bad" : "ok"}`} data-testid={`${c.id}-state`}>{c.stopped ? t("off") : t("on")}</span>
            <button type="button" class={c.stopped ? "primary" : "danger"} aria-pressed={c.stopped} disabled={a.anyBusy} data-testid={c.id}
              onClick={() => a.run(c.id, () => c.set(c.stopped).then(() => ""))}>
              {a.busy(c.id) ? "…" : c.stopped ? t("startIt") : t("stopIt")}
            </button>
          </div>
          <p class="muted small">{t(c.hint)}</p>
          <Result r={a.message(c.id)} />
        </div>
      ))}
      <label>
        <span>{t("scoring")}</span>
        <select value={settings.scheduler.scoring} disabled={a.anyBusy} data-testid="scoring"
          onChange={(e) => void a.run("scoring", () => setScoring((e.target as HTMLSelectElement).value as Strategy))}>
          {STRATEGIES.map((s) => <option key={s} value={s}>{s}</option>)}
          {!STRATEGIES.includes(settings.scheduler.scoring) && <option value={settings.scheduler.scoring}>{settings.scheduler.scoring}</option>}
        </select>
      </label>
      <p class="muted small">{t(`hint-${settings.scheduler.scoring}`)}</p>
      <Result r={a.message("scoring")} />
      {settings.storage && <StorageLine {...settings.storage} />}
    </div>
  );
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0)} MiB`;

/** etcd's space against the classroom's quota: amber from 80 %, when writes will soon be refused ("database space exceeded"). */
function StorageLine({ usedBytes, quotaBytes, warning }: { usedBytes: number; quotaBytes: number; warning: boolean }) {
  const pct = Math.min(100, Math.round((usedBytes / quotaBytes) * 100));
  return (
    <div class="row" data-testid="storage" title="etcd: mvcc database space (quota-backend-bytes)">
      <code class="component-name">etcd</code>
      <span class={`badge ${warning ? "wait" : "ok"}`} data-testid="storage-state">{warning ? "⚠ " : ""}{mib(usedBytes)} / {mib(quotaBytes)} ({pct} %)</span>
    </div>
  );
}

function TimePanel() {
  const t = useT(S);
  const { api, live } = useClassroom();
  const settings = useObservable(live.settings);
  const a = useActions();
  if (!settings) return null;
  const { speed, paused } = settings.clock;
  const skips = [10, 60, 300];
  return (
    <div class="panel" data-testid="console-time">
      <h3>{t("time")}</h3>
      <div class="row">
        <label class="inline"><span>{t("speed")}</span>
          <select value={String(speed)} disabled={a.anyBusy} data-testid="speed"
            onChange={(e) => {
              const v = Number((e.target as HTMLSelectElement).value);
              void a.run("speed", () => json(api.kc.clock.$put({ param: api.id, json: { speed: v } })).then(() => t("speedNow", { speed: v })));
            }}>
            {SPEEDS.map((s) => <option key={s} value={String(s)}>{s}×</option>)}
            {!SPEEDS.includes(speed) && <option value={String(speed)}>{speed}×</option>}
          </select>
        </label>
        <button type="button" class={paused ? "primary" : ""} aria-pressed={paused} disabled={a.anyBusy} data-testid="pause"
          onClick={() => a.run("pause", () => json(api.kc.clock.$put({ param: api.id, json: { paused: !paused } })).then(() => ""))}>
          {a.busy("pause") ? "…" : paused ? t("resume") : t("pause")}
        </button>
        {paused && <span class="badge wait" data-testid="paused-badge">{t("paused")}</span>}
      </div>
      <div class="row skip-row">
        <span>{t("skip")}:</span>
        {skips.map((s) => (
          <button type="button" key={s} disabled={a.anyBusy} data-testid={`skip-${s}`}
            onClick={() => a.run(`skip-${s}`, () => json(api.kc.clock.advance.$post({ param: api.id, json: { seconds: s } })).then((r) => t("skippedTo", { time: r.now.slice(11, 19) })))}>
            {a.busy(`skip-${s}`) ? "…" : `+${s < 60 ? `${s} s` : `${s / 60} min`}`}
          </button>
        ))}
      </div>
      <p class="muted small">{t("timeHint")}</p>
      <Result r={["speed", "pause", ...skips.map((s) => `skip-${s}`)].map((k) => a.message(k)).find(Boolean)} />
    </div>
  );
}
