// Fairness between students: each has a token bucket (real time), so one student's loop cannot
// starve the class; past it, 429 with Retry-After, as kube-apiserver's flow control answers.
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export const STUDENT_RATE: RateLimit = { perSecond: 10, burst: 40 };

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limit: RateLimit = STUDENT_RATE) {}

  /** Takes a token for `who`; returns the seconds to wait when there is none. */
  take(who: string, nowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const b = this.buckets.get(who) ?? { tokens: this.limit.burst, at: nowMs };
    b.tokens = Math.min(this.limit.burst, b.tokens + ((nowMs - b.at) / 1000) * this.limit.perSecond);
    b.at = nowMs;
    this.buckets.set(who, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.perSecond)) };
  }
}
