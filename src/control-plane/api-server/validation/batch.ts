// batch/v1 validation (pkg/apis/batch/validation/validation.go, v1.32): Job, Job status, CronJob,
// and a cron parser that reproduces robfig/cron/v3 ParseStandard's error texts (what CronJob
// validation prints).
import type { StatusCause } from "../types";
import {
  child, goQuote, IMMUTABLE, invalid, isDNS1123Label, isObj, labelSelectorString, nonNegative, notSupported, required,
  str, validateLabelSelector, type Obj,
} from "./helpers";
import { validatePodTemplateSpec } from "./pod";
import { deepEqual, templateMismatch } from "./workloads";

/** validateJobSpec: the checks shared by Jobs and CronJob job templates. */
function validateJobSpecCommon(spec: Obj, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const f of ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"]) {
    out.push(...nonNegative(spec[f], child(field, f)));
  }
  const mode = spec.completionMode;
  if (mode != null) {
    if (mode !== "NonIndexed" && mode !== "Indexed") out.push(notSupported(child(field, "completionMode"), str(mode), ["NonIndexed", "Indexed"]));
    if (mode === "Indexed") {
      if (spec.completions == null) out.push(required(child(field, "completions"), "when completion mode is Indexed"));
      if (typeof spec.parallelism === "number" && spec.parallelism > 100000) {
        out.push(invalid(child(field, "parallelism"), spec.parallelism, "must be less than or equal to 100000 when completion mode is Indexed"));
      }
    }
  }
  const rp = str(spec.template?.spec?.restartPolicy);
  if (rp !== "OnFailure" && rp !== "Never") {
    out.push(notSupported(child(field, "template", "spec", "restartPolicy"), rp, ["OnFailure", "Never"]));
  } else if (rp === "OnFailure" && spec.podFailurePolicy != null) {
    out.push(invalid(child(field, "template", "spec", "restartPolicy"), rp, `only "Never" is supported when podFailurePolicy is specified`));
  }
  out.push(...validatePodTemplateSpec(spec.template, child(field, "template")));
  return out;
}

export function validateJob(obj: Obj): StatusCause[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const out: StatusCause[] = [];
  const name = str(obj.metadata?.name);
  if (spec.completionMode === "Indexed" && typeof spec.completions === "number" && spec.completions > 0) {
    // Indexed pods get hostname <job>-<index>, which must stay a DNS label.
    const host = `${name}-${spec.completions - 1}`;
    if (isDNS1123Label(host).length) out.push(invalid("metadata.name", name, `will not able to create pod with invalid DNS label: ${host}`));
  }
  out.push(...validateJobSpecCommon(spec, "spec"));
  // The strategy generates the selector unless manualSelector is set; until the store has a uid to
  // generate it from, a missing selector is not the user's error.
  if (!isObj(spec.selector)) {
    if (spec.manualSelector === true) out.push(required("spec.selector"));
  } else {
    out.push(...validateLabelSelector(spec.selector, "spec.selector"));
    out.push(...templateMismatch(spec, "spec"));
  }
  return out;
}

export function validateJobUpdate(obj: Obj, old: Obj): StatusCause[] {
  const n: Obj = isObj(obj.spec) ? obj.spec : {}, o: Obj = isObj(old.spec) ? old.spec : {};
  const out: StatusCause[] = [];
  if (!deepEqual(n.completions, o.completions)) {
    // ElasticIndexedJob (on in 1.32): Indexed Jobs may change completions together with parallelism.
    if (n.completionMode !== "Indexed") out.push(invalid("spec.completions", n.completions ?? null, IMMUTABLE));
    else if (n.completions != null && n.completions !== n.parallelism) {
      out.push(invalid("spec.completions", n.completions, "can only be modified in tandem with spec.parallelism"));
    }
  }
  if (!deepEqual(n.selector, o.selector)) out.push(invalid("spec.selector", { raw: labelSelectorString(n.selector) }, IMMUTABLE));
  // Go prints the whole core.PodTemplateSpec with %#v; a short stand-in keeps the message readable.
  if (!deepEqual(n.template, o.template)) out.push(invalid("spec.template", { raw: "core.PodTemplateSpec{...}" }, IMMUTABLE));
  for (const f of ["completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"]) {
    if (!deepEqual(n[f], o[f])) out.push(invalid(child("spec", f), typeof n[f] === "string" ? n[f] : { raw: n[f] == null ? "null" : JSON.stringify(n[f]) }, IMMUTABLE));
  }
  // A spec update keeps the stored status, so only a status write can change it.
  if (!deepEqual(obj.status, old.status)) out.push(...validateJobStatusUpdate(obj, old));
  return out;
}

// --- Job status --------------------------------------------------------------------------------

/** strconv.Atoi: an optional sign and decimal digits, within int64. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > 0x7fffffffffffffffn || n < -0x8000000000000000n ? undefined : Number(n);
}

class IndexesError extends Error {}

/** parseIndexInterval: "x" or "x-y", both below completions, x < y. */
function parseIndexInterval(interval: string, completions: number): [number, number] {
  const limits = interval.split("-");
  if (limits.length > 2) throw new IndexesError(`the fragment ${goQuote(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`);
  const x = atoi(limits[0]);
  if (x === undefined) throw new IndexesError(`cannot convert string to integer for index: ${goQuote(limits[0])}`);
  if (x >= completions) throw new IndexesError(`too large index: ${goQuote(limits[0])}`);
  if (limits.length === 1) return [x, x];
  const y = atoi(limits[1]);
  if (y === undefined) throw new IndexesError(`cannot convert string to integer for index: ${goQuote(limits[1])}`);
  if (y >= completions) throw new IndexesError(`too large index: ${goQuote(limits[1])}`);
  if (x >= y) throw new IndexesError(`non-increasing order, previous: ${x}, current: ${y}`);
  return [x, y];
}

/** validateIndexesFormat: the error text, or undefined when the indexes are well formed. */
export function indexesFormatError(indexes: string, completions: number): string | undefined {
  if (indexes === "") return undefined;
  let last: number | undefined;
  try {
    for (const interval of indexes.split(",")) {
      const [x, y] = parseIndexInterval(interval, completions);
      if (last !== undefined && last >= x) throw new IndexesError(`non-increasing order, previous: ${last}, current: ${x}`);
      last = y;
    }
  } catch (e) {
    if (e instanceof IndexesError) return e.message;
    throw e;
  }
  return undefined;
}

/**
 * ValidateJobStatusUpdate's counters and indexes. As the v1.32 strategy (getStatusValidationOptions
 * with JobManagedBy, JobSuccessPolicy and JobBackoffLimitPerIndex on), an index field is checked
 * only when it changes: a status past a scaled-down completions stays writable until the
 * controller rewrites it.
 */
function validateJobStatusUpdate(obj: Obj, old: Obj): StatusCause[] {
  const st: Obj = isObj(obj.status) ? obj.status : {}, ost: Obj = isObj(old.status) ? old.status : {};
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const out: StatusCause[] = [];
  for (const f of ["active", "succeeded", "failed", "ready", "terminating"]) out.push(...nonNegative(st[f], child("status", f)));
  const completed = str(st.completedIndexes);
  const failed = typeof st.failedIndexes === "string" ? st.failedIndexes : undefined;
  const completedChanged = completed !== str(ost.completedIndexes);
  const failedChanged = failed !== (typeof ost.failedIndexes === "string" ? ost.failedIndexes : undefined);
  const completions = typeof spec.completions === "number" ? spec.completions : undefined;
  if (completedChanged && completions !== undefined) {
    const err = indexesFormatError(completed, completions);
    if (err) out.push(invalid("status.completedIndexes", completed, `error parsing completedIndexes: ${err}`));
  }
  if (failedChanged && completions !== undefined && spec.backoffLimitPerIndex != null && failed !== undefined) {
    const err = indexesFormatError(failed, completions);
    if (err) out.push(invalid("status.failedIndexes", failed, `error parsing failedIndexes: ${err}`));
  }
  if (completedChanged && completed !== "" && spec.completionMode !== "Indexed") {
    out.push(invalid("status.completedIndexes", completed, "cannot set non-empty completedIndexes when non-indexed completion mode"));
  }
  if (failedChanged && spec.backoffLimitPerIndex == null && failed !== undefined) {
    out.push(invalid("status.failedIndexes", failed, "cannot set non-null failedIndexes when backoffLimitPerIndex is null"));
  }
  return out;
}

// --- CronJob -----------------------------------------------------------------------------------

interface Bounds { min: number; max: number; names?: Record<string, number> }
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTHS }, { min: 0, max: 6, names: DOW }];
const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

class CronError extends Error {}

/** strconv.Atoi + robfig's non-negative check. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = parseInt(expr, 10);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : mustParseInt(expr);
}

function checkRange(expr: string, r: Bounds): void {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  let start: number, end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") { start = r.min; end = r.max; }
  else {
    start = parseIntOrName(lowAndHigh[0], r.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], r.names);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    if (lowAndHigh.length === 1) end = r.max; // "N/step" means "N-max/step"
  } else if (rangeAndStep.length > 2) throw new CronError(`too many slashes: ${expr}`);
  if (start < r.min) throw new CronError(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new CronError(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
}

/** Returns robfig/cron's error text for a standard (5-field) spec, or undefined when it parses. */
export function cronError(spec: string): string | undefined {
  try {
    if (spec.length === 0) throw new CronError("empty spec string");
    let s = spec;
    if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
      const i = s.indexOf(" ");
      const zone = s.slice(s.indexOf("=") + 1, i < 0 ? undefined : i);
      if (!validTimeZone(zone)) throw new CronError(`provided bad location ${zone}: unknown time zone ${zone}`);
      s = i < 0 ? "" : s.slice(i).trim();
    }
    if (s.startsWith("@")) {
      if (DESCRIPTORS.has(s)) return undefined;
      if (s.startsWith("@every ")) {
        if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s.slice(7))) throw new CronError(`failed to parse duration ${s}: time: invalid duration ${JSON.stringify(s.slice(7))}`);
        return undefined;
      }
      throw new CronError(`unrecognized descriptor: ${s}`);
    }
    const fields = s.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
    fields.forEach((f, i) => f.split(",").filter(Boolean).forEach((expr) => checkRange(expr, FIELDS[i])));
    return undefined;
  } catch (e) {
    if (e instanceof CronError) return e.message;
    throw e;
  }
}

function validTimeZone(tz: string): boolean {
  if (tz === "UTC" || tz === "Local") return true;
  try { new Intl.DateTimeFormat("en-US", { timeZone: tz }); return true; } catch { return false; }
}

function validateTimeZoneField(tz: unknown, field: string): StatusCause[] {
  if (tz == null) return [];
  const s = str(tz);
  if (!s) return [invalid(field, s, "timeZone must be nil or non-empty string")];
  for (const part of s.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) {
      return [invalid(field, s, `unknown time zone ${s}`)];
    }
  }
  return validTimeZone(s) ? [] : [invalid(field, s, `unknown time zone ${s}`)];
}

export function validateCronJob(obj: Obj, old?: Obj): StatusCause[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const oldSpec: Obj | undefined = old && isObj(old.spec) ? old.spec : undefined;
  const out: StatusCause[] = [];
  const schedule = str(spec.schedule);
  if (!schedule) out.push(required("spec.schedule"));
  else {
    const err = cronError(schedule);
    if (err) out.push(invalid("spec.schedule", schedule, err));
    const allowTZ = !!oldSpec && str(oldSpec.schedule).includes("TZ");
    if (allowTZ && schedule.includes("TZ") && spec.timeZone != null) {
      out.push(invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
    } else if (!allowTZ && schedule.includes("TZ")) {
      out.push(invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    }
  }
  out.push(...nonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  if (!oldSpec || oldSpec.timeZone !== spec.timeZone) out.push(...validateTimeZoneField(spec.timeZone, "spec.timeZone"));
  const cp = str(spec.concurrencyPolicy);
  if (!cp) out.push(required("spec.concurrencyPolicy"));
  else if (!["Allow", "Forbid", "Replace"].includes(cp)) out.push(notSupported("spec.concurrencyPolicy", cp, ["Allow", "Forbid", "Replace"]));
  const jt: Obj = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
  const jspec: Obj = isObj(jt.spec) ? jt.spec : {};
  out.push(...validateJobSpecCommon(jspec, "spec.jobTemplate.spec"));
  if (jspec.selector != null) {
    out.push(invalid("spec.jobTemplate.spec.selector", { raw: labelSelectorString(jspec.selector) }, "`selector` will be auto-generated"));
  }
  if (jspec.manualSelector === true) out.push(notSupported("spec.jobTemplate.spec.manualSelector", true, ["nil", "false"]));
  out.push(...nonNegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
  out.push(...nonNegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
  // Create only: Job names get an 11-character suffix and must stay within 63 characters.
  const name = str(obj.metadata?.name);
  if (!old && name.length > 52) out.push(invalid("metadata.name", name, "must be no more than 52 characters"));
  return out;
}
