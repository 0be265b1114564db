// The charts of one round: requested cpu and memory per node over time (one line per node, as a
// share of what the node can give, so nodes of different sizes compare), the Pending pods over time,
// and the students side by side (median time to Running, pods Running).
import { useT } from "../../i18n";
import { personColor } from "../map-util";
import { BarChart, LineChart, PALETTE } from "./charts";
import { S } from "./strings";
import { type Outcomes, fmtDuration } from "./types";

export const secondsSince = (o: Outcomes) => o.cluster.series.at.map((a) => (a - o.round.startedAt) / 1000);
export const fmtPct = (v: number) => `${Math.round(v)}%`;
export const fmtCount = (v: number) => String(Math.round(v * 10) / 10);
export const fmtX = (v: number) => fmtDuration(v);

export function OutcomeCharts({ o, marker }: { o: Outcomes; marker?: number }) {
  const t = useT(S);
  const xs = secondsSince(o);
  const share = (vals: (number | null)[], total: number) => vals.map((v) => (v === null ? null : total > 0 ? (v / total) * 100 : 0));
  const nodes = o.cluster.series.nodes;
  const cpu = nodes.map((n, i) => ({ label: n.name, color: PALETTE[i % PALETTE.length], xs, ys: share(n.cpuMillis, n.allocatable.cpuMillis) }));
  const mem = nodes.map((n, i) => ({ label: n.name, color: PALETTE[i % PALETTE.length], xs, ys: share(n.memoryBytes, n.allocatable.memoryBytes) }));
  return (
    <div class="rd-charts">
      <LineChart title={t("chartCpu")} lines={cpu} yMax={100} yFormat={fmtPct} xFormat={fmtX} marker={marker} testid="chart-cpu" />
      <LineChart title={t("chartMemory")} lines={mem} yMax={100} yFormat={fmtPct} xFormat={fmtX} marker={marker} testid="chart-memory" />
      <LineChart title={t("chartPending")} lines={[{ label: t("pending"), color: "#c47f00", xs, ys: o.cluster.series.pending }]} step
        yFormat={fmtCount} xFormat={fmtX} marker={marker} testid="chart-pending" />
    </div>
  );
}

export function StudentBars({ o }: { o: Outcomes }) {
  const t = useT(S);
  if (o.students.length === 0) return null;
  const name = (s: string) => (s === "instructor" ? t("instructor") : s);
  return (
    <div class="rd-charts" data-testid="students-side-by-side">
      <BarChart title={t("chartTtr")} testid="chart-ttr"
        bars={o.students.map((s) => ({ label: name(s.student), value: s.timeToRunning.medianSeconds, color: personColor(s.student), text: fmtDuration(s.timeToRunning.medianSeconds) }))} />
      <BarChart title={t("chartRunning")} testid="chart-running"
        bars={o.students.map((s) => ({ label: name(s.student), value: s.pods.running, color: personColor(s.student), text: `${s.pods.running}${s.pods.pending ? ` (+${s.pods.pending} ${t("pendingShort")})` : ""}` }))} />
    </div>
  );
}
