import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Redis used by the multi-node tests: each test server gets a channel prefix of its own on it. */
export const REDIS_URL = process.env.HEARTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REQUIRE_SERVICES = process.env.HEARTH_REQUIRE_SERVICES === '1';

async function redisReachable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Whether the Redis tests run: when Redis is reachable. With HEARTH_REQUIRE_SERVICES=1 (CI) an unreachable Redis
 * fails the run instead of skipping them, as for PostgreSQL (backends.ts).
 */
export const REDIS_AVAILABLE = await redisReachable();
if (!REDIS_AVAILABLE && REQUIRE_SERVICES) throw new Error(`HEARTH_REQUIRE_SERVICES=1 but Redis is not reachable at ${REDIS_URL}`);

/** A channel prefix no other test server uses: servers sharing it form one installation. */
export function uniqueRedisPrefix(): string {
  return `hearth-test:${Date.now().toString(36)}:${randomBytes(4).toString('hex')}:`;
}

/** A plain Redis client, for tests that act on Redis itself (cutting subscribers off). */
export function redisClient(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/**
 * Cuts off, as Redis does a subscriber that falls behind, the subscriber connections of the servers using this
 * prefix (and only those: other tests, and anything else on this Redis, keep theirs). Returns how many.
 */
export async function killSubscribers(redis: Redis, prefix: string): Promise<number> {
  const list = String(await redis.client('LIST'));
  const ids = list
    .split('\n')
    .filter((line) => line.includes(` name=${prefix}subscriber `))
    .map((line) => /\bid=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
  let killed = 0;
  for (const id of ids) killed += Number(await redis.client('KILL', 'TYPE', 'pubsub', 'ID', id));
  return killed;
}
