// Two rounds side by side, e.g. LeastAllocated against MostAllocated with the same workload, or
// before and after a node failure: the settings they ran with (what differs is marked), their key
// numbers with the difference, their Pending curves on one chart and their final placements.
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { LineChart } from "./charts";
import { useOutcomes } from "./data";
import { RoundMap } from "./map";
import { fmtCount, fmtX, secondsSince } from "./outcome-charts";
import { S } from "./strings";
import { type KeyNumbers, type Outcomes, type Round, fmtDuration, keyNumbers, pct, settingsOf, strategyOf } from "./types";

const COLORS = ["#2458d3", "#d64545"];
type T = ReturnType<typeof useT>;

interface Metric {
  key: keyof KeyNumbers;
  label: string;
  show: (v: number | null, o: Outcomes) => string;
  delta: (d: number) => string;
  /** Which way is better, if either is. */
  better?: "lower" | "higher";
}

const signed = (n: number, s: string) => (n > 0 ? `+${s}` : n < 0 ? `−${s.replace(/^-/, "")}` : s);

function metrics(t: T): Metric[] {
  const int = (d: number) => signed(d, String(Math.abs(d)));
  return [
    { key: "nodesUsed", label: t("nodesUsed"), show: (v, o) => `${v} / ${o.cluster.nodesTotal}`, delta: int },
    { key: "fragmentation", label: t("fragmentationCpu"), show: (v) => (v === null ? "—" : pct(v)), delta: (d) => signed(d, `${Math.abs(Math.round(d * 100))} ${t("pp")}`), better: "lower" },
    { key: "medianToRunning", label: t("medianTtr"), show: (v) => fmtDuration(v), delta: (d) => signed(d, fmtDuration(Math.abs(d))), better: "lower" },
    { key: "pendingPeak", label: t("pendingPeak"), show: (v) => String(v ?? "—"), delta: int, better: "lower" },
    { key: "podsRunning", label: t("podsRunningEnd"), show: (v) => String(v ?? "—"), delta: int, better: "higher" },
    { key: "evictions", label: t("evictions"), show: (v) => String(v ?? "—"), delta: int, better: "lower" },
    { key: "preemptions", label: t("preemptions"), show: (v) => String(v ?? "—"), delta: int, better: "lower" },
  ];
}

function settingRows(r: Round, t: T): Record<string, string> {
  const s = settingsOf(r);
  const types = [...new Set((s.machines ?? []).map((m) => m.instanceType))].join(", ");
  const duration = r.endedAt === null ? t("running") : fmtDuration((r.endedAt - r.startedAt) / 1000);
  return {
    strategy: strategyOf(r),
    nodes: `${s.machines?.length ?? "?"}${types ? ` (${types})` : ""}`,
    stopped: (s.machines ?? []).filter((m) => m.state !== "running").map((m) => `${m.name} ${m.state}`).join(", ") || "—",
    cordoned: s.cordoned?.length ? s.cordoned.join(", ") : "—",
    scheduler: s.scheduler?.stopped ? t("stopped") : t("runningShort"),
    controllers: s.controllersStopped ? t("stopped") : t("runningShort"),
    quota: s.quota && Object.keys(s.quota).length ? Object.entries(s.quota).map(([k, v]) => `${k}=${v}`).join(", ") : "—",
    speed: s.speed !== undefined ? `${s.speed}×` : "—",
    duration,
  };
}

const SETTING_LABELS: Record<string, string> = {
  strategy: "strategy", nodes: "nodes", stopped: "machinesDown", cordoned: "cordonedLabel", scheduler: "scheduler", controllers: "controllers", quota: "quotaLabel", speed: "speedLabel", duration: "duration",
};

export function Compare({ a, b }: { a: Round; b: Round }) {
  const t = useT(S);
  const { api, live } = useClassroom();
  const la = useOutcomes(api, live, a.n, a.running);
  const lb = useOutcomes(api, live, b.n, b.running);
  const oa = la.data;
  const ob = lb.data;
  const sa = settingRows(a, t);
  const sb = settingRows(b, t);
  const ka = oa && keyNumbers(oa);
  const kb = ob && keyNumbers(ob);
  const name = (r: Round) => `#${r.n} ${r.title}`;
  return (
    <section class="panel rd-compare" data-testid="compare" data-rounds={`${a.n},${b.n}`}>
      <h2>{t("compareTitle", { a: a.n, b: b.n })}</h2>
      <p class="muted">{t("compareHint")}</p>
      {(la.error || lb.error) && <div class="error-box" role="alert">{la.error ?? lb.error}</div>}
      <div class="rd-scroll">
        <table class="rd-cmp">
          <thead>
            <tr><th /><th><span class="rd-swatch" style={{ background: COLORS[0], borderColor: COLORS[0] }} />{name(a)}</th><th><span class="rd-swatch" style={{ background: COLORS[1], borderColor: COLORS[1] }} />{name(b)}</th><th>{t("difference")}</th></tr>
          </thead>
          <tbody>
            <tr class="rd-cmp-section"><th colSpan={4}>{t("settings")}</th></tr>
            {Object.keys(SETTING_LABELS).map((k) => {
              const differs = sa[k] !== sb[k];
              return (
                <tr key={k} class={differs ? "diff" : ""} data-testid={`compare-setting-${k}`} data-differs={String(differs)}>
                  <th scope="row">{t(SETTING_LABELS[k])}</th><td>{sa[k]}</td><td>{sb[k]}</td><td>{differs ? <span class="rd-delta changed">≠</span> : <span class="muted">=</span>}</td>
                </tr>
              );
            })}
            <tr class="rd-cmp-section"><th colSpan={4}>{t("results")}</th></tr>
            {metrics(t).map((m) => {
              const va = ka?.[m.key] ?? null;
              const vb = kb?.[m.key] ?? null;
              const d = va !== null && vb !== null ? vb - va : null;
              const tone = d === null || Math.abs(d) < 1e-9 ? "same" : !m.better ? "changed" : (d < 0) === (m.better === "lower") ? "better" : "worse";
              return (
                <tr key={m.key} class={tone !== "same" ? "diff" : ""} data-testid={`compare-metric-${m.key}`} data-a={va ?? ""} data-b={vb ?? ""}>
                  <th scope="row">{m.label}</th>
                  <td>{oa ? m.show(va, oa) : "…"}</td>
                  <td>{ob ? m.show(vb, ob) : "…"}</td>
                  <td>{d === null ? "" : tone === "same" ? <span class="muted">=</span> : <span class={`rd-delta ${tone}`}>{m.delta(d)}</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {oa && ob && (
        <>
          <LineChart title={t("chartPendingCompare")} testid="compare-chart-pending" step yFormat={fmtCount} xFormat={fmtX}
            lines={[{ label: name(a), color: COLORS[0], xs: secondsSince(oa), ys: oa.cluster.series.pending }, { label: name(b), color: COLORS[1], xs: secondsSince(ob), ys: ob.cluster.series.pending, dashed: true }]} />
          <h3>{t("finalPlacement")}</h3>
          <div class="rd-cmp-maps">
            <div data-testid="compare-a"><h4>{name(a)} · {strategyOf(a)}</h4><RoundMap map={oa.cluster.placement} prefix="compare-a" compact /></div>
            <div data-testid="compare-b"><h4>{name(b)} · {strategyOf(b)}</h4><RoundMap map={ob.cluster.placement} prefix="compare-b" compact /></div>
          </div>
        </>
      )}
    </section>
  );
}
