// Cell formatting shared by the table printers: durations, timestamps, label selectors,
// container lists and resource quantities, matching what kube-apiserver 1.32 prints.

import type { PodSpec } from "../objects/core";
import type { KubeObject } from "../types";
import type { TableColumnDefinition } from "./types";

export const NONE = "<none>";
export const UNKNOWN = "<unknown>";
export const UNSET = "<unset>";

/** A column definition; format "name" marks the object-name column, priority 1 the -o wide ones. */
export function col(name: string, type: string, description: string, priority = 0, format = ""): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/**
 * apimachinery duration.HumanDuration: about 2-3 significant figures ("45s", "3m20s", "2d3h").
 * Go truncates toward zero when converting durations to whole units; so do we.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** apimachinery duration.ShortHumanDuration: one unit only ("5s", "3m", "2d"). */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the epoch for an RFC 3339 (micro)time, or undefined for a missing, invalid or
 * zero time (metav1.Time.IsZero), which the printers show as "<unknown>".
 * Parsed by hand because Date.parse is lenient in some places and strict in others (microseconds).
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!);
  if (frac) ms += Math.floor(Number(`0.${frac}`) * 1000);
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  if (+y! === 1 && +mo! === 1 && +d! === 1 && +h! === 0 && +mi! === 0 && +s! === 0 && !Number(frac ?? 0)) return undefined; // Go zero time
  return Number.isNaN(ms) ? undefined : ms;
}

/** printers.translateTimestampSince: age of a timestamp, "<unknown>" when unset. */
export function since(value: unknown, now: number): string {
  const t = parseTime(value);
  return t === undefined ? UNKNOWN : humanDuration(now - t);
}

/** The AGE cell every printer ends with. */
export function age(obj: KubeObject, now: number): string {
  return since(obj.metadata?.creationTimestamp, now);
}

/** An object's status, empty when no controller has written one yet. */
export function statusOf<S>(obj: { status?: S }): Partial<S> {
  return obj.status ?? {};
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? "";
}

/** int64 cells: the real printers emit JSON numbers, 0 for unset counters. */
export function int(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : 0;
}

export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A list field, or none when it is absent or (in a malformed stored object) not a list. */
export function arr<T>(value: readonly T[] | null | undefined): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function count(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === "object") return Object.keys(value).length;
  return 0;
}

/** Go sorts strings by bytes; for the ASCII keys Kubernetes allows this is code-unit order. */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const s = labelSetString(labels);
  return s === "" ? NONE : s;
}

/** labels.Set.String: sorted "k=v" pairs joined with ",". */
export function labelSetString(labels: unknown): string {
  if (!labels || typeof labels !== "object") return "";
  return Object.keys(labels as Record<string, string>)
    .sort(byteCompare)
    .map((k) => `${k}=${(labels as Record<string, string>)[k]}`)
    .join(",");
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key; matchLabels as k=v,
 * In/NotIn as "k in (a,b)" with sorted values, Exists as "k", DoesNotExist as "!k".
 * Returns undefined for a selector that fails to convert (unknown operator).
 */
export function labelSelectorString(selector: unknown): string | undefined {
  if (!selector || typeof selector !== "object") return "";
  const sel = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  // A stored selector admission would refuse now (restored from an old snapshot) converts to
  // nothing, like one with an unknown operator: the cell says so, the rest of the table prints.
  const labels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  if (typeof labels !== "object" || Array.isArray(labels) || !Array.isArray(exprs)) return undefined;
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(labels)) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of exprs as { key: string; operator: string; values?: unknown }[]) {
    if (!e || typeof e !== "object" || typeof e.key !== "string" || !Array.isArray(e.values ?? [])) return undefined;
    const values = [...((e.values ?? []) as string[])].map(String).sort(byteCompare).join(",");
    switch (e.operator) {
      case "In":
        reqs.push({ key: e.key, text: `${e.key} in (${values})` });
        break;
      case "NotIn":
        reqs.push({ key: e.key, text: `${e.key} notin (${values})` });
        break;
      case "Exists":
        reqs.push({ key: e.key, text: e.key });
        break;
      case "DoesNotExist":
        reqs.push({ key: e.key, text: `!${e.key}` });
        break;
      default:
        return undefined;
    }
  }
  // Go's sort.Sort is not stable; for distinct keys (the normal case) the order is the same.
  reqs.sort((a, b) => byteCompare(a.key, b.key));
  return reqs.map((r) => r.text).join(",");
}

/** metav1.FormatLabelSelector: like labelSelectorString but "<none>" when empty and "<error>" when invalid. */
export function formatLabelSelector(selector: unknown): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return "<error>";
  return s === "" ? NONE : s;
}

/** layoutContainerCells: container names and images, each joined with ",". */
export function containerCells(podSpec: PodSpec | undefined): [string, string] {
  const containers = arr(podSpec?.containers);
  return [containers.map((c) => str(c?.name)).join(","), containers.map((c) => str(c?.image)).join(",")];
}

/** net.JoinHostPort: IPv6 hosts get brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

// ---- resource.Quantity canonical form (Quantity.String) ----

const DEC_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DEC_BY_EXP = new Map(Object.entries(DEC_SUFFIX).map(([k, v]) => [v, k]));
const BIN_BY_EXP = new Map(Object.entries(BIN_SUFFIX).map(([k, v]) => [v, k]));
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;

/**
 * The canonical string of a resource quantity, as resource.Quantity.String() prints it: the suffix
 * family (decimal SI, binary SI, exponent) is kept, the mantissa loses trailing zeros and the exponent
 * is a multiple of 3 (or of 10 bits): "1000m" → "1", "2000" → "2k", "1024Mi" → "1Gi", "0.5" → "500m".
 * Numbers in JSON are quantities too. Unparseable input comes back unchanged; missing input as "<nil>",
 * which is what Go prints for a nil *Quantity.
 */
export function quantityString(value: unknown): string {
  if (value === undefined || value === null) return "<nil>";
  const text = typeof value === "number" ? String(value) : String(value).trim();
  const m = QUANTITY.exec(text);
  if (!m) return text;
  const [, sign, whole = "", frac = "", suffix = ""] = m;
  if (whole === "" && frac === "") return text;
  let mantissa = BigInt((whole || "0") + frac);
  let exp = -frac.length; // value = mantissa * 10^exp
  let format: "dec" | "bin" | "exp";
  if (suffix in DEC_SUFFIX) {
    format = "dec";
    exp += DEC_SUFFIX[suffix]!;
  } else if (suffix in BIN_SUFFIX) {
    format = "bin";
    mantissa *= 1n << BigInt(BIN_SUFFIX[suffix]!);
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    format = "exp";
    exp += Number(suffix.slice(1));
  } else {
    return text;
  }
  // Quantities keep at most nano precision, rounding up.
  if (exp < -9) {
    const div = 10n ** BigInt(-9 - exp);
    mantissa = (mantissa + div - 1n) / div;
    exp = -9;
  }
  if (mantissa === 0n) return "0";
  const neg = sign === "-";
  if (format === "bin") {
    // Binary only for whole numbers of at least 1024; otherwise printed in decimal SI.
    const whole10 = exp >= 0 ? mantissa * 10n ** BigInt(exp) : undefined;
    const exact = exp >= 0 || mantissa % 10n ** BigInt(-exp) === 0n;
    const intValue = whole10 ?? (exact ? mantissa / 10n ** BigInt(-exp) : 0n);
    if (exact && intValue >= 1024n) {
      let n = intValue;
      let bits = 0;
      while (n % 1024n === 0n && bits < 60) {
        n /= 1024n;
        bits += 10;
      }
      return `${neg ? "-" : ""}${n}${BIN_BY_EXP.get(bits) ?? ""}`;
    }
    format = "dec";
  }
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp++;
  }
  const r = ((exp % 3) + 3) % 3; // lower the exponent to a multiple of 3
  mantissa *= 10n ** BigInt(r);
  exp -= r;
  const prefix = `${neg ? "-" : ""}${mantissa}`;
  if (format === "exp") return exp === 0 ? prefix : `${prefix}e${exp}`;
  const s = DEC_BY_EXP.get(exp);
  return s === undefined ? `${prefix}e${exp}` : `${prefix}${s}`;
}
