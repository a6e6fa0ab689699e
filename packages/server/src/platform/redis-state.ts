import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * The connection for state shared between nodes (presence, rate budgets, sign-in throttling), beside the bus's
 * two. Commands fail at once while Redis is unreachable (no offline queue): each user has a fallback or retries
 * at its next heartbeat, and none waits on a dead connection.
 */
export async function openSharedState(url: string, prefix: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: `${prefix}state` });
  redis.on('error', (err: unknown) => log.warn({ err, connection: 'state' }, 'redis connection error'));
  try {
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      redis.once('error', reject);
    });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return redis;
}

/** How often, at most, one user of the shared state says that it is running on its fallback. */
const WARN_EVERY_MS = 10_000;

/** Logs that Redis is unreachable and a fallback serves, at most every 10 s (not once per request). */
export class FallbackWarning {
  private warnedAt = -Infinity;

  constructor(
    private readonly log: Logger,
    private readonly message: string,
    private readonly context: Record<string, unknown> = {},
  ) {}

  warn(err: unknown): void {
    const now = Date.now();
    if (now - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = now;
    this.log.warn({ err, ...this.context }, this.message);
  }
}
