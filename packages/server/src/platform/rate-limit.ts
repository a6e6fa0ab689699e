import type { Clock } from './clock.js';
import { HearthError } from './errors.js';

/**
 * One token bucket: `ratePerSecond` sustained, `burst` at once. Times are milliseconds from whatever monotonic
 * source the owner uses. `tokens` may be driven below zero by an owner that lets debt build up.
 */
export class TokenBucket {
  tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Adds what the time since the last refill earned, up to `burst`. */
  refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }

  /** Milliseconds until `cost` tokens are there. */
  waitMs(cost: number): number {
    return Math.ceil(((cost - this.tokens) / this.ratePerSecond) * 1000);
  }

  /** Whether the bucket would be full by `now`: such a bucket is the same as a new one. */
  isFullBy(now: number): boolean {
    return now - this.updatedAt > (this.burst / this.ratePerSecond) * 1000;
  }
}

/**
 * A rate budget by key, as the edges use it: `take` charges `cost` or throws RATE_LIMITED with `retryAfterMs`.
 * `RateLimiter` (in memory) serves one node; `RedisRateLimiter` (`platform/redis-rate-limit.ts`) shares the budget
 * between nodes. Callers always `await` the answer, whichever it is.
 */
export interface RateBudget {
  take(key: string, cost?: number): void | Promise<void>;
}

/**
 * Token buckets by key: `ratePerSecond` sustained, `burst` at once. In memory, for one node (and as the Redis
 * limiter's insurance while Redis cannot be reached).
 */
export class RateLimiter implements RateBudget {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly clock: Clock,
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes `cost` tokens or throws RATE_LIMITED with the wait in `retryAfterMs`. */
  take(key: string, cost = 1): void {
    const bucket = this.bucketOf(key, this.clock.now());
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return;
    }
    throw new HearthError('RATE_LIMITED', { retryAfterMs: bucket.waitMs(cost) });
  }

  private bucketOf(key: string, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      // Forget buckets that have refilled completely: they are the same as no bucket.
      if (this.buckets.size > 100_000) for (const [k, b] of this.buckets) if (b.isFullBy(now)) this.buckets.delete(k);
      bucket = new TokenBucket(this.ratePerSecond, this.burst, now);
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.refill(now);
    return bucket;
  }
}
