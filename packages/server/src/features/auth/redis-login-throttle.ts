import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from '../../platform/logger.js';
import { FallbackWarning } from '../../platform/redis-state.js';
import { ADDRESS_ALLOWANCE_FACTOR, FORGET_AFTER_MS, LoginThrottle, lockMsAfter, signInLocked, type SignInThrottle } from './login-throttle.js';

export interface RedisLoginThrottleOptions {
  redis: Redis;
  /** The installation's key prefix. */
  prefix: string;
  /** Failures allowed per username before the lockout (an address gets four times as many). */
  allowed: number;
  /** Used while Redis cannot be reached: the counts are per node meanwhile. */
  insurance: LoginThrottle;
  log: Logger;
}

const FORGET_AFTER_S = FORGET_AFTER_MS / 1000;

/**
 * The sign-in throttle shared by every node, with the rules of `LoginThrottle`: after `allowed` failures of one
 * username (four times as many from one address) each further failure locks that key for a doubling time; a
 * success clears the username's count; an unknown username counts like a known one. Counts are
 * rate-limiter-flexible counters that Redis forgets an hour after the last failure; a lock is a blocked key of a
 * second limiter, so that checking one costs a read, not a count.
 *
 * While Redis cannot answer, the in-memory throttle serves (logged at most every 10 s): never open, never a crash.
 */
export class RedisLoginThrottle implements SignInThrottle {
  private readonly failures: RateLimiterRedis;
  private readonly locks: RateLimiterRedis;
  private readonly fallback: FallbackWarning;

  constructor(private readonly options: RedisLoginThrottleOptions) {
    const { redis, prefix, log } = options;
    this.fallback = new FallbackWarning(log, 'redis unreachable: sign-in throttling is per node until it is back');
    // Counters only: far more points than anyone fails, so that `consume` never refuses.
    this.failures = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}signin-failures`, points: 1e9, duration: FORGET_AFTER_S });
    this.locks = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}signin-locks`, points: 1, duration: 1 });
  }

  async check(username: string, ip: string): Promise<void> {
    let wait: number;
    try {
      const [u, a] = await Promise.all([this.locks.get(`u:${username}`), this.locks.get(`ip:${ip}`)]);
      wait = Math.max(lockedFor(u), lockedFor(a));
    } catch (err) {
      this.fallback.warn(err);
      return this.options.insurance.check(username, ip);
    }
    if (wait > 0) throw signInLocked(wait);
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    try {
      await Promise.all([this.bump(`u:${username}`, this.options.allowed), this.bump(`ip:${ip}`, this.options.allowed * ADDRESS_ALLOWANCE_FACTOR)]);
    } catch (err) {
      this.fallback.warn(err);
      this.options.insurance.recordFailure(username, ip);
    }
  }

  async recordSuccess(username: string): Promise<void> {
    this.options.insurance.recordSuccess(username);
    try {
      await this.failures.delete(`u:${username}`);
    } catch (err) {
      this.fallback.warn(err);
    }
  }

  private async bump(key: string, allowed: number): Promise<void> {
    const res = await this.failures.consume(key);
    const count = res.consumedPoints;
    // Counted from the first failure, the window would forget a persistent guesser every hour: restart it.
    if (count > 1) await this.failures.set(key, count, FORGET_AFTER_S);
    const lockMs = lockMsAfter(count, allowed);
    if (lockMs > 0) await this.locks.block(key, lockMs / 1000);
  }
}

function lockedFor(res: { msBeforeNext: number; consumedPoints: number } | null): number {
  // A blocked key holds more points than the limiter allows (1); an expired or absent one is not locked.
  return res && res.consumedPoints > 1 ? Math.max(0, res.msBeforeNext) : 0;
}
