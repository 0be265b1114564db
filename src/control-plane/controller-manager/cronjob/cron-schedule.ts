// Next-run computation for CronJob schedules, with robfig/cron/v3's semantics (what the CronJob
// controller uses): 5 fields, names, ranges, steps, the @descriptors and @every; day-of-month and
// day-of-week are ORed unless either starts with "*" or "?"; times are wall-clock times in the
// schedule's zone. Validation (and its error texts) lives in api-server/validation/batch.ts.

export interface CronSchedule {
  /** The first activation strictly after `afterMs` (ms since epoch), or null within ~5 years none. */
  next(afterMs: number): number | null;
}

interface Field { min: number; max: number; names?: Record<string, number> }
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Field[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTHS }, { min: 0, max: 6, names: DOW }];
const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
};
const MINUTE = 60_000;
const DAY_MIN = 1440;

/** One field as the set of values it allows, and whether it was a plain star (for the dom/dow rule). */
function parseField(text: string, f: Field): { allowed: boolean[]; star: boolean } {
  const allowed = new Array<boolean>(f.max + 1).fill(false);
  let star = false;
  const num = (s: string) => (f.names?.[s.toLowerCase()] ?? parseInt(s, 10));
  for (const expr of text.split(",").filter(Boolean)) {
    const [range, stepText] = expr.split("/");
    const step = stepText === undefined ? 1 : parseInt(stepText, 10);
    let lo: number, hi: number;
    if (range === "*" || range === "?") {
      lo = f.min; hi = f.max;
      if (step === 1) star = true; // "*/n" is no longer "any" for the dom/dow rule
    } else {
      const [a, b] = range.split("-");
      lo = num(a);
      hi = b !== undefined ? num(b) : stepText !== undefined ? f.max : lo;
    }
    if (!(step > 0) || Number.isNaN(lo) || Number.isNaN(hi)) throw new Error(`invalid cron field: ${expr}`);
    for (let v = lo; v <= hi && v <= f.max; v += step) if (v >= f.min) allowed[v] = true;
  }
  return { allowed, star };
}

/** Go's time.ParseDuration for the units robfig accepts, in ms. */
function parseDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: MINUTE, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s))) { total += parseFloat(m[1]) * units[m[2]]; end = re.lastIndex; }
  if (end !== s.length || s.length === 0) throw new Error(`invalid duration ${s}`);
  return total;
}

interface Local { year: number; month: number; day: number; dow: number; hour: number; minute: number }

function localFields(timeZone: string | undefined): (t: number) => Local {
  if (!timeZone || timeZone === "UTC" || timeZone === "Etc/UTC") {
    return (t) => {
      const d = new Date(t);
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), dow: d.getUTCDay(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
    };
  }
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", weekday: "short" });
  return (t) => {
    const p: Record<string, string> = {};
    for (const part of fmt.formatToParts(new Date(t))) p[part.type] = part.value;
    return { year: +p.year, month: +p.month, day: +p.day, dow: DOW[p.weekday.toLowerCase()] ?? 0, hour: +p.hour % 24, minute: +p.minute };
  };
}

/** Parses a schedule (optionally "TZ=zone ..." or "CRON_TZ=zone ...") in `timeZone` (default UTC). */
export function parseSchedule(spec: string, timeZone?: string): CronSchedule {
  let s = spec.trim();
  let zone = timeZone;
  const tz = /^(?:CRON_)?TZ=(\S+)\s+/.exec(s);
  if (tz) { zone = tz[1]; s = s.slice(tz[0].length); }
  if (s.startsWith("@every ")) {
    // robfig's ConstantDelaySchedule: at least a second, whole seconds, from the current second.
    const d = Math.max(1000, Math.floor(parseDuration(s.slice(7).trim()) / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + d };
  }
  s = DESCRIPTORS[s] ?? s;
  const parts = s.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: [${parts.join(" ")}]`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i]));
  const fields = localFields(zone);
  const dayMatches = (l: Local) => {
    const a = dom.allowed[l.day], b = dow.allowed[l.dow];
    return dom.star || dow.star ? a && b : a || b;
  };
  return {
    next(after) {
      let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
      const limit = t + 5 * 366 * DAY_MIN * MINUTE;
      // Skip whole months, days and hours that cannot match, then minutes (as robfig's Next does).
      while (t < limit) {
        const l = fields(t);
        const into = l.hour * 60 + l.minute;
        if (!month.allowed[l.month]) {
          const days = new Date(Date.UTC(l.year, l.month, 0)).getUTCDate();
          t += ((days - l.day) * DAY_MIN + DAY_MIN - into) * MINUTE;
        } else if (!dayMatches(l)) t += (DAY_MIN - into) * MINUTE;
        else if (!hour.allowed[l.hour]) t += (60 - l.minute) * MINUTE;
        else if (!minute.allowed[l.minute]) t += MINUTE;
        else return t;
      }
      return null;
    },
  };
}

/** The scheduled time formatted RFC 3339 in the schedule's zone, as Go's time.Format(time.RFC3339). */
export function formatInZone(t: number, timeZone?: string): string {
  if (!timeZone || timeZone === "UTC" || timeZone === "Etc/UTC") return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
  const l = localFields(timeZone)(t);
  const asUTC = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, new Date(t).getUTCSeconds());
  const off = Math.round((asUTC - Math.floor(t / 1000) * 1000) / MINUTE);
  const pad = (n: number) => String(n).padStart(2, "0");
  const zone = off === 0 ? "Z" : `${off < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(new Date(t).getUTCSeconds())}${zone}`;
}
