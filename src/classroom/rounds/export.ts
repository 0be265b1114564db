// Outcomes as CSV for a spreadsheet: one row per student, RFC 4180 quoting, CRLF line ends.
import type { Outcomes } from "./outcomes";

export const CSV_COLUMNS = [
  "student", "objects_submitted", "pods_created", "pods_direct", "pods_from_controllers",
  "running", "pending", "failed", "succeeded",
  "pods_started", "time_to_running_median_s", "time_to_running_max_s",
  "scheduling_failures", "scheduling_failure_reasons", "restarts",
  "invalid_requests", "rate_limited", "quota_refusals", "forbidden", "other_refusals",
] as const;

export function outcomesToCsv(o: Outcomes): string {
  const rows: (string | number | null)[][] = [[...CSV_COLUMNS]];
  for (const s of o.students) {
    rows.push([
      s.student, s.objectsSubmitted, s.podsCreated, s.podsDirect, s.podsFromControllers,
      s.pods.running, s.pods.pending, s.pods.failed, s.pods.succeeded,
      s.timeToRunning.pods, s.timeToRunning.medianSeconds, s.timeToRunning.maxSeconds,
      s.schedulingFailures.total, s.schedulingFailures.reasons.map((r) => `${r.reason} (×${r.count})`).join("; "), s.restarts,
      s.refusals.invalid, s.refusals.rateLimited, s.refusals.quota, s.refusals.forbidden, s.refusals.other,
    ]);
  }
  return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

function cell(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return String(v);
  // A text starting like a formula would run as one in a spreadsheet: make it plain text.
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
