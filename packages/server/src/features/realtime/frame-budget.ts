import { TokenBucket } from '../../platform/rate-limit.js';

/**
 * What to do with one incoming frame: `ok` handle it; `notice` drop it and tell the client once that it is over
 * its budget; `drop` drop it silently; `close` the connection keeps going far over its budget: close it.
 */
export type FrameVerdict = 'ok' | 'notice' | 'drop' | 'close';

/** Every started 4 KiB of a frame costs one more token: the work of parsing grows with the size. */
const BYTES_PER_TOKEN = 4096;

/**
 * The work one connection may make the server do, charged for every frame before anything else looks at it:
 * malformed, unauthenticated, unknown and valid frames alike. Within budget a frame is handled. Over it, frames are
 * dropped unread (the first one answered with RATE_LIMITED), and debt builds up; once the debt reaches a whole
 * burst the connection is closed. The debt is paid off at the same rate as the budget refills, so a client that
 * only overshoots briefly loses a few frames, never its connection.
 */
export class FrameBudget {
  private readonly bucket: TokenBucket;
  private noticed = false;

  constructor(
    perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.bucket = new TokenBucket(perSecond, burst, now);
  }

  charge(bytes: number, now: number): FrameVerdict {
    const cost = 1 + Math.floor(bytes / BYTES_PER_TOKEN);
    this.bucket.refill(now);
    const within = this.bucket.tokens >= cost;
    this.bucket.tokens -= cost;
    if (within) {
      this.noticed = false;
      return 'ok';
    }
    if (this.bucket.tokens < -this.burst) return 'close';
    if (this.noticed) return 'drop';
    this.noticed = true;
    return 'notice';
  }

  /** How long until a frame of ordinary size would be handled again. */
  retryAfterMs(): number {
    return Math.max(1, this.bucket.waitMs(1));
  }
}
