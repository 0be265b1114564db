// Fairness between students: each has a token bucket (real time), so one student's loop cannot
// starve the class; past it, 429 with Retry-After, as kube-apiserver's flow control answers.
// The same limiter counts failed authentications per client address.
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export const STUDENT_RATE: RateLimit = { perSecond: 10, burst: 40 };
/**
 * Keys remembered at most. Keys come from outside (names, client addresses), so the map must not
 * grow with them; the least recently used bucket is forgotten first, and it is the one most
 * likely to have refilled anyway (forgetting a full bucket loses nothing).
 */
export const MAX_KEYS = 10_000;

interface Bucket { tokens: number; at: number }

export type Taken = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit = STUDENT_RATE, private readonly maxKeys = MAX_KEYS) {}

  /** Buckets held now (never more than maxKeys). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for `who`; returns the seconds to wait when there is none. */
  take(who: string, nowMs: number): Taken {
    const b = this.refill(who, nowMs);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return this.refusal(b);
  }

  /** Whether `who` could take a token now, without taking it (and without remembering a stranger). */
  check(who: string, nowMs: number): Taken {
    if (!this.buckets.has(who)) return { ok: true };
    const b = this.refill(who, nowMs);
    return b.tokens >= 1 ? { ok: true } : this.refusal(b);
  }

  private refusal(b: Bucket): Taken {
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.perSecond)) };
  }

  private refill(who: string, nowMs: number): Bucket {
    const b = this.buckets.get(who) ?? { tokens: this.limit.burst, at: nowMs };
    b.tokens = Math.min(this.limit.burst, b.tokens + (Math.max(0, nowMs - b.at) / 1000) * this.limit.perSecond);
    b.at = nowMs;
    // Re-inserted so the map's order is least recently used first.
    this.buckets.delete(who);
    this.buckets.set(who, b);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return b;
  }
}
