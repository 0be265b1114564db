// Timestamps the registry writes: metav1.Time's RFC 3339 form (whole seconds), and deadlines from
// durations a client chose.

export const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * now.Add(time.Second * time.Duration(seconds)) as rest.BeforeDelete computes a deletionTimestamp:
 * the multiplication wraps in int64 nanoseconds, so any grace period (a student may send
 * 9999999999999) lands within ±292 years of now instead of past what a Date can hold.
 */
export function afterSeconds(now: Date, seconds: number): Date {
  const s = Number.isFinite(seconds) ? Math.trunc(seconds) : Math.sign(seconds) * Number.MAX_SAFE_INTEGER;
  const ns = BigInt.asIntN(64, BigInt(s) * 1_000_000_000n);
  return new Date(now.getTime() + Number(ns / 1_000_000n));
}
