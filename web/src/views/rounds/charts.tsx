// Charts drawn as inline SVG (no chart library): lines over a round's time, and horizontal bars per
// student. Each chart is drawn at its box's real pixel width (measured), so its text stays readable
// from a projector down to a phone instead of shrinking with a scaled viewBox.
import type { ComponentChildren, RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** Distinct colours for nodes or rounds, in order. */
export const PALETTE = ["#2458d3", "#d64545", "#1f9d55", "#c47f00", "#7047c2", "#0f7b8a", "#db2777", "#65a30d", "#475569", "#ea580c"];

function useWidth(fallback = 600): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [w, setW] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setW(Math.max(200, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

/** A "nice" top for an axis: 1, 2 or 5 times a power of ten, at least max. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

export interface Line {
  label: string;
  color: string;
  /** x of each point (seconds since the round started). */
  xs: number[];
  /** y of each point; null leaves a gap (e.g. a node that did not exist then). */
  ys: (number | null)[];
  dashed?: boolean;
}

interface LineChartProps {
  title: string;
  lines: Line[];
  yMax?: number;
  yFormat: (v: number) => string;
  xFormat: (v: number) => string;
  /** Draw as steps (counts that jump) rather than slopes. */
  step?: boolean;
  /** A vertical marker (e.g. the replay's moment), in x units. */
  marker?: number;
  height?: number;
  testid?: string;
  note?: ComponentChildren;
}

const PAD = { l: 52, r: 14, t: 12, b: 30 };

export function LineChart({ title, lines, yMax, yFormat, xFormat, step, marker, height = 220, testid, note }: LineChartProps) {
  const [ref, width] = useWidth();
  const xMax = Math.max(1, ...lines.flatMap((l) => l.xs));
  const top = yMax ?? niceMax(Math.max(0, ...lines.flatMap((l) => l.ys.filter((y): y is number => y !== null))));
  const iw = width - PAD.l - PAD.r;
  const ih = height - PAD.t - PAD.b;
  const X = (x: number) => PAD.l + (x / xMax) * iw;
  const Y = (y: number) => PAD.t + ih - (Math.min(y, top) / top) * ih;
  const path = (l: Line) => {
    let d = "";
    let pen = false;
    l.ys.forEach((y, i) => {
      if (y === null) {
        pen = false;
        return;
      }
      const x = X(l.xs[i]);
      if (!pen) d += `M${x.toFixed(1)},${Y(y).toFixed(1)}`;
      else if (step) d += `H${x.toFixed(1)}V${Y(y).toFixed(1)}`;
      else d += `L${x.toFixed(1)},${Y(y).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  // Counts (step charts) get whole-number ticks only: "0.5 Pods Pending" means nothing.
  const yTicks = [0, top / 2, top].filter((v) => !step || Number.isInteger(v));
  const xTicks = [0, xMax / 4, xMax / 2, (3 * xMax) / 4, xMax].filter((_, i) => width >= 420 || i % 2 === 0);
  return (
    <figure class="rd-chart" data-testid={testid}>
      <figcaption>{title}</figcaption>
      <div ref={ref} class="rd-chart-box">
        <svg width={width} height={height} role="img" aria-label={title}>
          {yTicks.map((v) => (
            <g key={`y${v}`}>
              <line x1={PAD.l} x2={width - PAD.r} y1={Y(v)} y2={Y(v)} class="rd-grid" />
              <text x={PAD.l - 6} y={Y(v) + 4} text-anchor="end" class="rd-axis">{yFormat(v)}</text>
            </g>
          ))}
          {xTicks.map((v, i) => (
            <text key={`x${i}`} x={X(v)} y={height - 8} text-anchor={i === 0 ? "start" : v === xMax ? "end" : "middle"} class="rd-axis">{xFormat(v)}</text>
          ))}
          {lines.map((l) => (
            <path key={l.label} d={path(l)} fill="none" stroke={l.color} stroke-width={3} stroke-linejoin="round" stroke-dasharray={l.dashed ? "7 5" : undefined}>
              <title>{l.label}</title>
            </path>
          ))}
          {marker !== undefined && marker >= 0 && marker <= xMax && (
            <line x1={X(marker)} x2={X(marker)} y1={PAD.t} y2={PAD.t + ih} class="rd-marker" data-testid={testid ? `${testid}-marker` : undefined} />
          )}
        </svg>
      </div>
      {lines.length > 1 && (
        <ul class="rd-legend">
          {lines.map((l) => (
            <li key={l.label}><span class={`rd-swatch ${l.dashed ? "dashed" : ""}`} style={{ borderColor: l.color, background: l.dashed ? "transparent" : l.color }} />{l.label}</li>
          ))}
        </ul>
      )}
      {note && <p class="rd-chart-note muted">{note}</p>}
    </figure>
  );
}

export interface Bar { label: string; value: number | null; color: string; text: string }

/** Horizontal bars, one per row (readable on a phone however many students there are). */
export function BarChart({ title, bars, testid, max }: { title: string; bars: Bar[]; testid?: string; max?: number }) {
  const [ref, width] = useWidth(400);
  const row = 30;
  const labelW = Math.min(140, Math.round(width * 0.32));
  const textW = Math.min(130, Math.round(width * 0.3)); // room for "4 (+1 Pending)" after the longest bar
  const height = Math.max(1, bars.length) * row + 8;
  const top = max ?? niceMax(Math.max(0, ...bars.map((b) => b.value ?? 0)));
  const iw = Math.max(10, width - labelW - textW - 8);
  return (
    <figure class="rd-chart" data-testid={testid}>
      <figcaption>{title}</figcaption>
      <div ref={ref} class="rd-chart-box">
        <svg width={width} height={height} role="img" aria-label={title}>
          {bars.map((b, i) => {
            const y = 4 + i * row;
            const w = b.value === null ? 0 : Math.max(b.value > 0 ? 3 : 0, (b.value / top) * iw);
            return (
              <g key={b.label}>
                <text x={labelW - 8} y={y + row / 2 + 5} text-anchor="end" class="rd-bar-label">{b.label}</text>
                <rect x={labelW} y={y + 4} width={w} height={row - 8} rx={4} fill={b.color} />
                <text x={labelW + w + 6} y={y + row / 2 + 5} class="rd-bar-text">{b.text}</text>
              </g>
            );
          })}
        </svg>
      </div>
    </figure>
  );
}
