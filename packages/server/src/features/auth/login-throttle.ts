import type { Clock } from '../../platform/clock.js';
import { HearthError } from '../../platform/errors.js';

interface Failures {
  count: number;
  lockedUntil: number;
  lastAt: number;
}

const FORGET_AFTER_MS = 60 * 60 * 1000;
const MAX_LOCK_MS = 15 * 60 * 1000;

/**
 * Brute-force protection for sign-in: after `allowed` failures for one username or from one address, each
 * further failure locks that key for a doubling time (1 s, 2 s, 4 s … up to 15 min). A success clears the
 * username's count. Unknown usernames count exactly like known ones, so the lockout reveals nothing.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly clock: Clock,
    private readonly allowed: number,
  ) {}

  /** Throws RATE_LIMITED while the username or the address is locked. */
  check(username: string, ip: string): void {
    const now = this.clock.now();
    const wait = Math.max(this.lockedFor(`u:${username}`, now), this.lockedFor(`ip:${ip}`, now));
    if (wait > 0) throw new HearthError('RATE_LIMITED', { retryAfterMs: wait }, 'Too many failed sign-ins; wait and try again.');
  }

  recordFailure(username: string, ip: string): void {
    const now = this.clock.now();
    // An address gets more room than a username: several people may sign in from behind one NAT.
    this.bump(`u:${username}`, now, this.allowed);
    this.bump(`ip:${ip}`, now, this.allowed * 4);
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
    if (f.count >= allowed) f.lockedUntil = now + Math.min(MAX_LOCK_MS, 1000 * 2 ** (f.count - allowed));
  }

  private sweep(now: number): void {
    for (const [key, f] of this.failures) if (now - f.lastAt > FORGET_AFTER_MS && f.lockedUntil < now) this.failures.delete(key);
  }
}
