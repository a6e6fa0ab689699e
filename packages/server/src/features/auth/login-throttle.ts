import type { Clock } from '../../platform/clock.js';
import { HearthError } from '../../platform/errors.js';

interface Failures {
  count: number;
  lockedUntil: number;
  lastAt: number;
}

/** How long a key's failures are remembered after its last one. */
export const FORGET_AFTER_MS = 60 * 60 * 1000;
const MAX_LOCK_MS = 15 * 60 * 1000;

/**
 * Sign-in throttling as the auth service uses it. `LoginThrottle` keeps the counts in this process (one node);
 * `RedisLoginThrottle` (`redis-login-throttle.ts`) shares them between nodes with the same rules.
 */
export interface SignInThrottle {
  /** Throws RATE_LIMITED while the username or the address is locked. */
  check(username: string, ip: string): void | Promise<void>;
  recordFailure(username: string, ip: string): void | Promise<void>;
  recordSuccess(username: string): void | Promise<void>;
}

/** The lock after the `count`-th failure of a key allowed `allowed` of them: 0 before, then 1 s doubling up to 15 min. */
export function lockMsAfter(count: number, allowed: number): number {
  return count >= allowed ? Math.min(MAX_LOCK_MS, 1000 * 2 ** (count - allowed)) : 0;
}

/** An address gets more room than a username: several people may sign in from behind one NAT. */
export const ADDRESS_ALLOWANCE_FACTOR = 4;

/** Thrown by both throttles: the same answer for a known and an unknown username. */
export function signInLocked(retryAfterMs: number): HearthError {
  return new HearthError('RATE_LIMITED', { retryAfterMs }, 'Too many failed sign-ins; wait and try again.');
}

/**
 * Brute-force protection for sign-in: after `allowed` failures for one username or from one address, each
 * further failure locks that key for a doubling time (1 s, 2 s, 4 s … up to 15 min). A success clears the
 * username's count. Unknown usernames count exactly like known ones, so the lockout reveals nothing.
 */
export class LoginThrottle implements SignInThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly clock: Clock,
    private readonly allowed: number,
  ) {}

  /** Throws RATE_LIMITED while the username or the address is locked. */
  check(username: string, ip: string): void {
    const now = this.clock.now();
    const wait = Math.max(this.lockedFor(`u:${username}`, now), this.lockedFor(`ip:${ip}`, now));
    if (wait > 0) throw signInLocked(wait);
  }

  recordFailure(username: string, ip: string): void {
    const now = this.clock.now();
    this.bump(`u:${username}`, now, this.allowed);
    this.bump(`ip:${ip}`, now, this.allowed * ADDRESS_ALLOWANCE_FACTOR);
  }

  recordSuccess(username: string): void {
    this.failures.delete(`u:${username}`);
  }

  private lockedFor(key: string, now: number): number {
    const f = this.failures.get(key);
    return f ? Math.max(0, f.lockedUntil - now) : 0;
  }

  private bump(key: string, now: number, allowed: number): void {
    let f = this.failures.get(key);
    if (!f || now - f.lastAt > FORGET_AFTER_MS) {
      if (this.failures.size > 100_000) this.sweep(now);
      f = { count: 0, lockedUntil: 0, lastAt: now };
      this.failures.set(key, f);
    }
    f.count++;
    f.lastAt = now;
    if (f.count >= allowed) f.lockedUntil = now + lockMsAfter(f.count, allowed);
  }

  private sweep(now: number): void {
    for (const [key, f] of this.failures) if (now - f.lastAt > FORGET_AFTER_MS && f.lockedUntil < now) this.failures.delete(key);
  }
}
