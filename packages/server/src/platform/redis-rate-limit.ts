import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from './clock.js';
import { HearthError } from './errors.js';
import type { Logger } from './logger.js';
import { RateLimiter, type RateBudget } from './rate-limit.js';
import { FallbackWarning } from './redis-state.js';

export interface RedisRateLimiterOptions {
  redis: Redis;
  /** Key prefix in Redis (the installation's prefix, then the budget's name). */
  keyPrefix: string;
  ratePerSecond: number;
  burst: number;
  clock: Clock;
  log: Logger;
}

/**
 * A rate budget shared by every node through Redis (rate-limiter-flexible): `burst` points per window of
 * `burst / ratePerSecond` seconds, the same sustained rate and burst as the in-memory token bucket, counted in
 * fixed windows (at a window's edge a caller can get up to two bursts back to back).
 *
 * While Redis cannot answer, each node falls back to its own in-memory bucket (the budget is then per node again:
 * never open, never a crash), and says so in the log at most every 10 s.
 */
export class RedisRateLimiter implements RateBudget {
  private readonly shared: RateLimiterRedis;
  private readonly insurance: RateLimiter;
  private readonly fallback: FallbackWarning;

  constructor(options: RedisRateLimiterOptions) {
    const { redis, keyPrefix, ratePerSecond, burst, clock, log } = options;
    this.fallback = new FallbackWarning(log, 'redis unreachable: rate limits are per node until it is back', { limiter: keyPrefix });
    this.shared = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix,
      points: burst,
      duration: Math.max(1, Math.ceil(burst / ratePerSecond)),
    });
    this.insurance = new RateLimiter(clock, ratePerSecond, burst);
  }

  async take(key: string, cost = 1): Promise<void> {
    try {
      await this.shared.consume(key, cost);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new HearthError('RATE_LIMITED', { retryAfterMs: Math.max(1, err.msBeforeNext) });
      this.fallback.warn(err);
      this.insurance.take(key, cost);
    }
  }
}
