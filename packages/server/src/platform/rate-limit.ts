import type { Clock } from './clock.js';
import { HearthError } from './errors.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets by key: `ratePerSecond` sustained, `burst` at once. In memory, per node: a user spread over
 * several nodes gets up to one budget per node, which bounds abuse without shared state on the hot path.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes `cost` tokens or throws RATE_LIMITED with the wait in `retryAfterMs`. */
  take(key: string, cost = 1): void {
    const now = this.clock.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return;
    }
    const retryAfterMs = Math.ceil(((cost - bucket.tokens) / this.ratePerSecond) * 1000);
    throw new HearthError('RATE_LIMITED', { retryAfterMs });
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size > 100_000) this.sweep(now);
      bucket = { tokens: this.burst, updatedAt: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Forgets buckets that have refilled completely: they are the same as no bucket. */
  private sweep(now: number): void {
    const fullAfterMs = (this.burst / this.ratePerSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.updatedAt > fullAfterMs) this.buckets.delete(key);
  }
}
