// One round's outcomes: per student (what they submitted, how it ended, how long pods took to run,
// why scheduling failed, what the server refused), the cluster as a whole (nodes used, fragmentation,
// disruptions), and the charts. Also its exports: JSON, CSV and a printable summary.
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { formatBytes } from "../../k8s";
import { cores, personColor, useTick } from "../map-util";
import { OutcomeCharts, StudentBars } from "./outcome-charts";
import { ExportBar, PrintHeader } from "./print";
import { type Loaded, simNow } from "./data";
import { S } from "./strings";
import { type Outcomes, type Round, type StudentOutcome, fmtDuration, pct, settingsOf, strategyOf } from "./types";

type T = ReturnType<typeof useT>;

const apiErrors = (s: StudentOutcome) => s.refusals.invalid + s.refusals.forbidden + s.refusals.other;

function StudentTable({ o, t }: { o: Outcomes; t: T }) {
  return (
    <div class="rd-scroll">
      <table class="rd-students" data-testid="outcomes-students">
        <thead>
          <tr>
            <th>{t("student")}</th>
            <th class="rd-n" title={t("submittedTip")}>{t("colSubmitted")}</th>
            <th class="rd-n">{t("colRunning")}</th>
            <th class="rd-n">{t("colPending")}</th>
            <th class="rd-n">{t("colFailed")}</th>
            <th class="rd-n" title={t("ttrTip")}>{t("colTtrMedian")}</th>
            <th class="rd-n">{t("colTtrMax")}</th>
            <th>{t("colFailures")}</th>
            <th class="rd-n">{t("colRestarts")}</th>
            <th class="rd-n" title={t("apiErrorsTip")}>{t("colApiErrors")}</th>
            <th class="rd-n">{t("colRateLimited")}</th>
            <th class="rd-n">{t("colQuota")}</th>
          </tr>
        </thead>
        <tbody>
          {o.students.map((s) => (
            <tr key={s.student} data-testid={`outcome-student-${s.student}`}>
              <th scope="row"><span class="rd-person" style={{ background: personColor(s.student) }} />{s.student === "instructor" ? t("instructor") : s.student}</th>
              <td class="rd-n" title={t("submittedSplit", { pods: s.podsCreated, direct: s.podsDirect, ctrl: s.podsFromControllers })}>{s.objectsSubmitted}</td>
              <td class="rd-n ok-num">{s.pods.running}</td>
              <td class={`rd-n ${s.pods.pending ? "wait-num" : ""}`}>{s.pods.pending}</td>
              <td class={`rd-n ${s.pods.failed ? "bad-num" : ""}`}>{s.pods.failed}</td>
              <td class="rd-n" data-testid={`ttr-${s.student}`}>{fmtDuration(s.timeToRunning.medianSeconds)}</td>
              <td class="rd-n">{fmtDuration(s.timeToRunning.maxSeconds)}</td>
              <td class="rd-reasons">
                <strong class={s.schedulingFailures.total ? "wait-num" : ""}>{s.schedulingFailures.total}</strong>
                {s.schedulingFailures.reasons.length > 0 && (
                  <ul>{s.schedulingFailures.reasons.slice(0, 3).map((r) => <li key={r.reason}><span class="muted">×{r.count}</span> {r.reason}</li>)}</ul>
                )}
              </td>
              <td class={`rd-n ${s.restarts ? "bad-num" : ""}`}>{s.restarts}</td>
              <td class={`rd-n ${apiErrors(s) ? "bad-num" : ""}`} title={t("apiErrorsSplit", { ...s.refusals })}>{apiErrors(s)}</td>
              <td class={`rd-n ${s.refusals.rateLimited ? "bad-num" : ""}`}>{s.refusals.rateLimited}</td>
              <td class={`rd-n ${s.refusals.quota ? "bad-num" : ""}`}>{s.refusals.quota}</td>
            </tr>
          ))}
          {o.students.length === 0 && <tr><td colSpan={12} class="muted">{t("noStudents")}</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

/** One sentence that says what the fragmentation number means for this round. */
export function fragmentationSentence(o: Outcomes, t: T): string {
  const f = o.cluster.fragmentation;
  const typical = { cpu: cores(f.typicalPod.cpuMillis), mem: formatBytes(f.typicalPod.memoryBytes) };
  if (f.free.cpuMillis <= 0 && f.free.memoryBytes <= 0) return t("fragFull");
  if (f.nodes.length === 0) return t("fragNone", typical);
  return t("fragSome", {
    cpuPct: pct(f.unusableFraction.cpu), memPct: pct(f.unusableFraction.memory),
    unusable: cores(f.unusable.cpuMillis), free: cores(f.free.cpuMillis), nodes: f.nodes.join(", "), ...typical,
  });
}

function ClusterSummary({ o, t }: { o: Outcomes; t: T }) {
  const c = o.cluster;
  const f = c.fragmentation;
  const disruptions = [...c.evictions.items.map((d) => ({ ...d, kind: t("eviction") })), ...c.preemptions.items.map((d) => ({ ...d, kind: t("preemption") }))].sort((a, b) => a.at - b.at);
  return (
    <div class="rd-summary" data-testid="cluster-summary">
      <div class="rd-stats">
        <div class="rd-stat" data-testid="stat-nodes-used"><span class="rd-big">{c.nodesUsed} / {c.nodesTotal}</span><span>{t("nodesUsed")}</span></div>
        <div class="rd-stat"><span class="rd-big">{c.pods.created}</span><span>{t("podsCreated")}</span></div>
        <div class="rd-stat ok"><span class="rd-big">{c.pods.running}</span><span>{t("podsRunningEnd")}</span></div>
        <div class={`rd-stat ${c.pods.pending ? "wait" : ""}`}><span class="rd-big">{c.pods.pending}</span><span>{t("podsPendingEnd")}</span></div>
        <div class={`rd-stat ${f.unusableFraction.cpu > 0 ? "wait" : ""}`} data-testid="stat-fragmentation"><span class="rd-big">{pct(f.unusableFraction.cpu)}</span><span>{t("fragmentationCpu")}</span></div>
        <div class={`rd-stat ${c.evictions.count ? "bad" : ""}`} data-testid="stat-evictions"><span class="rd-big">{c.evictions.count}</span><span>{t("evictions")}</span></div>
        <div class={`rd-stat ${c.preemptions.count ? "bad" : ""}`} data-testid="stat-preemptions"><span class="rd-big">{c.preemptions.count}</span><span>{t("preemptions")}</span></div>
      </div>
      <p class="rd-frag" data-testid="fragmentation">
        <strong>{t("fragmentation")}:</strong> {fragmentationSentence(o, t)} <span class="muted">{t("fragWhat")}</span>
      </p>
      {disruptions.length > 0 && (
        <details class="rd-disruptions" data-testid="disruptions">
          <summary>{t("disruptionsList", { n: disruptions.length })}</summary>
          <ul>
            {disruptions.slice(0, 50).map((d) => (
              <li key={`${d.kind}/${d.namespace}/${d.name}`}>
                <span class="muted">{fmtDuration((d.at - o.round.startedAt) / 1000)}</span> · {d.kind} · <code>{d.namespace}/{d.name}</code>{d.node ? ` · ${d.node}` : ""} · {d.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** The settings the round ran with, in one line. */
export function SettingsLine({ round }: { round: Round }) {
  const t = useT(S);
  const s = settingsOf(round);
  const parts = [
    `${t("strategy")}: ${strategyOf(round)}`,
    t("nodesN", { n: s.machines?.length ?? "?" }),
    s.speed !== undefined ? `${t("speed")} ${s.speed}×` : "",
    s.cordoned?.length ? `${t("cordoned")}: ${s.cordoned.join(", ")}` : "",
    s.scheduler?.stopped ? t("schedulerStopped") : "",
    s.controllersStopped ? t("controllersStopped") : "",
    s.quota && Object.keys(s.quota).length ? `${t("quota")}: ${Object.entries(s.quota).map(([k, v]) => `${k}=${v}`).join(", ")}` : "",
  ].filter(Boolean);
  return <p class="rd-settings muted" data-testid="round-settings">{parts.join(" · ")}</p>;
}

export function OutcomesView({ round, loaded, marker }: { round: Round; loaded: Loaded; marker?: number }) {
  const t = useT(S);
  const { live } = useClassroom();
  const o = loaded.data;
  useTick(round.running ? 1000 : 3_600_000);
  const duration = ((round.endedAt ?? simNow(live)) - round.startedAt) / 1000;
  return (
    <section class="panel rd-outcomes" data-testid="outcomes" data-round={round.n} data-running={String(round.running)}>
      <PrintHeader />
      <div class="rd-head">
        <div>
          <h2>{t("outcomesOf", { n: round.n, title: round.title })} <span class={`badge ${round.running ? "ok" : "done"}`}>{round.running ? t("running") : t("ended")}</span></h2>
          {round.goal && <p class="rd-goal"><span class="muted">{t("goalLabel")}:</span> {round.goal}</p>}
          <SettingsLine round={round} />
          <p class="muted">{t("duration")}: <strong>{fmtDuration(duration)}</strong>{round.running ? ` · ${t("soFar")}` : ""}</p>
        </div>
        {o && <ExportBar round={round} outcomes={o} />}
      </div>
      {loaded.error && <div class="error-box" role="alert">{loaded.error}</div>}
      {!o && !loaded.error && <p class="muted">{t("loading")}</p>}
      {o?.round.truncated && <p class="rd-warn">{t("truncated")}</p>}
      {o && (
        <>
          <h3>{t("perStudent")}</h3>
          <StudentTable o={o} t={t} />
          <StudentBars o={o} />
          <h3>{t("cluster")}</h3>
          <ClusterSummary o={o} t={t} />
          <OutcomeCharts o={o} marker={marker} />
        </>
      )}
    </section>
  );
}
