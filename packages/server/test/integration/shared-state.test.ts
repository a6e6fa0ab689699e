import type { PresenceState } from '@hearth/protocol';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import { LoginThrottle } from '../../src/features/auth/login-throttle.js';
import { RedisLoginThrottle } from '../../src/features/auth/redis-login-throttle.js';
import type { PresenceAnnouncer } from '../../src/features/presence/presence.service.js';
import { RedisPresence } from '../../src/features/presence/redis-presence.js';
import { systemClock } from '../../src/platform/clock.js';
import { HearthError } from '../../src/platform/errors.js';
import { RedisRateLimiter } from '../../src/platform/redis-rate-limit.js';
import { openSharedState } from '../../src/platform/redis-state.js';
import { REDIS_AVAILABLE, REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';

function recordingLogger(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

const quiet = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refusal(work: () => unknown): Promise<HearthError | undefined> {
  try {
    await work();
    return undefined;
  } catch (err) {
    if (err instanceof HearthError) return err;
    throw err;
  }
}

/** Polls until `check` passes (or fails with its last error after `ms`). */
async function eventually(check: () => void, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(20);
    }
  }
}

describe.skipIf(!REDIS_AVAILABLE)('state shared between nodes through Redis', () => {
  const connections: Redis[] = [];
  afterAll(() => connections.forEach((c) => c.disconnect()));
  async function node(): Promise<Redis> {
    const redis = await openSharedState(REDIS_URL, 'hearth-test:', quiet);
    connections.push(redis);
    return redis;
  }

  describe('rate budgets', () => {
    test('two nodes draw on one budget per key and refuse with RATE_LIMITED and retryAfterMs', async () => {
      const keyPrefix = `${uniqueRedisPrefix()}rate:send`;
      const options = { keyPrefix, ratePerSecond: 1, burst: 4, clock: systemClock, log: quiet };
      const [a, b] = [new RedisRateLimiter({ redis: await node(), ...options }), new RedisRateLimiter({ redis: await node(), ...options })];
      await a.take('u1');
      await b.take('u1');
      await a.take('u1', 2);
      const refused = await refusal(() => b.take('u1'));
      expect(refused?.code).toBe('RATE_LIMITED');
      expect(refused?.details.retryAfterMs).toBeGreaterThan(0);
      expect(refused?.details.retryAfterMs).toBeLessThanOrEqual(4000);
      await a.take('u2');
    });

    test('with Redis unreachable each node falls back to its own bucket and says so in the log, without failing open', async () => {
      const redis = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
      redis.on('error', () => undefined);
      connections.push(redis);
      const { log, lines } = recordingLogger();
      const limiter = new RedisRateLimiter({ redis, keyPrefix: `${uniqueRedisPrefix()}rate:light`, ratePerSecond: 1, burst: 2, clock: systemClock, log });
      await limiter.take('u1');
      await limiter.take('u1');
      expect((await refusal(() => limiter.take('u1')))?.code).toBe('RATE_LIMITED');
      expect(lines.filter((l) => String(l.msg).includes('rate limits are per node'))).toHaveLength(1);
    });
  });

  describe('sign-in throttle', () => {
    async function throttles(allowed: number) {
      const prefix = uniqueRedisPrefix();
      const make = async () =>
        new RedisLoginThrottle({ redis: await node(), prefix, allowed, insurance: new LoginThrottle(systemClock, allowed), log: quiet });
      return [await make(), await make()] as const;
    }

    test('failures on two nodes add up: the username locks on both, for a second, then for two', async () => {
      const [a, b] = await throttles(2);
      await a.recordFailure('alice', '10.0.0.1');
      await a.check('alice', '10.0.0.2');
      await b.recordFailure('alice', '10.0.0.2');
      const first = await refusal(() => a.check('alice', '10.0.0.3'));
      expect(first?.code).toBe('RATE_LIMITED');
      expect(first?.details.retryAfterMs).toBeGreaterThan(500);
      expect(first?.details.retryAfterMs).toBeLessThanOrEqual(1000);
      await b.recordFailure('alice', '10.0.0.4');
      const second = await refusal(() => b.check('alice', '10.0.0.5'));
      expect(second?.details.retryAfterMs).toBeGreaterThan(1000);
      expect(second?.details.retryAfterMs).toBeLessThanOrEqual(2000);
      await a.check('bob', '10.0.0.6');
    });

    test('a success clears the username count on every node; the address keeps its own, larger allowance', async () => {
      const [a, b] = await throttles(2);
      await a.recordFailure('carol', '10.1.0.1');
      await b.recordSuccess('carol');
      await a.recordFailure('carol', '10.1.0.1');
      await a.check('carol', '10.1.0.1');
      for (let i = 0; i < 7; i++) await b.recordFailure(`nobody-${i}`, '10.1.0.9');
      await a.check('dave', '10.1.0.9');
      await b.recordFailure('nobody-7', '10.1.0.9');
      expect((await refusal(() => a.check('dave', '10.1.0.9')))?.code).toBe('RATE_LIMITED');
    });
  });

  describe('presence', () => {
    interface Announced {
      node: string;
      userId: string;
      state: PresenceState;
    }
    const announced: Announced[] = [];
    const announcer = (node: string): PresenceAnnouncer => ({
      changed: (userId, state) => void announced.push({ node, userId, state }),
      wentOffline: (userId) => Promise.resolve(void announced.push({ node, userId, state: 'offline' })),
    });
    const registries: RedisPresence[] = [];
    afterAll(async () => Promise.all(registries.map((r) => r.close().catch(() => undefined))));

    async function cluster(count: number, timing = { offlineGraceMs: 300, heartbeatMs: 100 }) {
      const prefix = uniqueRedisPrefix();
      const nodes = [];
      for (let i = 0; i < count; i++) {
        const redis = await node();
        const registry = new RedisPresence({ redis, prefix, nodeId: `n${i}`, clock: systemClock, log: quiet, ...timing }, announcer(`${prefix}n${i}`));
        registries.push(registry);
        nodes.push({ redis, registry, name: `${prefix}n${i}` });
      }
      const of = (userId: string) => announced.filter((a) => a.userId === userId && a.node.startsWith(prefix)).map((a) => a.state);
      return { nodes, of };
    }

    test('a user on two nodes is announced once per change: online, away only when every device is idle, offline after the grace', async () => {
      const { nodes, of } = await cluster(2);
      const [a, b] = [nodes[0]!.registry, nodes[1]!.registry];
      a.connect('u1', 'c1');
      b.connect('u1', 'c2');
      await eventually(() => expect(of('u1')).toEqual(['online']));
      a.setIdle('u1', 'c1', true);
      await sleep(100);
      expect(of('u1')).toEqual(['online']);
      b.setIdle('u1', 'c2', true);
      await eventually(() => expect(of('u1')).toEqual(['online', 'away']));
      expect(await a.statesOf(['u1', 'nobody'])).toEqual(['away', 'offline']);
      a.disconnect('u1', 'c1');
      b.disconnect('u1', 'c2');
      await sleep(150);
      expect(await b.statesOf(['u1'])).toEqual(['away']);
      await eventually(() => expect(of('u1')).toEqual(['online', 'away', 'offline']));
      await sleep(400);
      expect(of('u1')).toEqual(['online', 'away', 'offline']);
      expect(await a.statesOf(['u1'])).toEqual(['offline']);
    });

    test('a reconnection on another node within the grace announces nothing', async () => {
      const { nodes, of } = await cluster(2);
      nodes[0]!.registry.connect('u2', 'c1');
      await eventually(() => expect(of('u2')).toEqual(['online']));
      nodes[0]!.registry.disconnect('u2', 'c1');
      nodes[1]!.registry.connect('u2', 'c2');
      await sleep(700);
      expect(of('u2')).toEqual(['online']);
    });

    test('the users of a node that stops renewing (killed) go offline, announced by one survivor, and come back when they reconnect', async () => {
      const { nodes, of } = await cluster(3);
      nodes[0]!.registry.connect('u3', 'c1');
      nodes[1]!.registry.connect('u4', 'c2');
      await eventually(() => expect([of('u3'), of('u4')]).toEqual([['online'], ['online']]));
      // As kill -9 leaves it: no goodbye, no more heartbeats.
      nodes[0]!.redis.disconnect();
      const cut = Date.now();
      await eventually(() => expect(of('u3')).toEqual(['online', 'offline']));
      expect(Date.now() - cut).toBeLessThan(300 + 3 * 100 + 2 * 100 + 500);
      expect(announced.filter((a) => a.userId === 'u3' && a.state === 'offline')).toHaveLength(1);
      expect(of('u4')).toEqual(['online']);
      nodes[2]!.registry.connect('u3', 'c3');
      await eventually(() => expect(of('u3')).toEqual(['online', 'offline', 'online']));
      expect(await nodes[1]!.registry.statesOf(['u3', 'u4'])).toEqual(['online', 'online']);
    });

    test('a node whose devices vanished from Redis (restarted empty) writes them again at its next heartbeat', async () => {
      const { nodes, of } = await cluster(1);
      const { registry, redis } = nodes[0]!;
      registry.connect('u5', 'c1');
      await eventually(() => expect(of('u5')).toEqual(['online']));
      const prefix = nodes[0]!.name.slice(0, -2);
      const keys = await redis.keys(`${prefix}presence:*`);
      await redis.del(...keys);
      expect(await registry.statesOf(['u5'])).toEqual(['offline']);
      await eventually(() => expect(of('u5')).toEqual(['online', 'online']));
      expect(await registry.statesOf(['u5'])).toEqual(['online']);
    });
  });
});
