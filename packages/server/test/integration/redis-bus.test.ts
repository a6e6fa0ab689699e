import type { ServerEvent } from '@hearth/protocol';
import { pino } from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import type { BusMessage } from '../../src/platform/bus.js';
import { RedisBus } from '../../src/platform/redis-bus.js';
import { killSubscribers, REDIS_AVAILABLE, REDIS_URL, redisClient, uniqueRedisPrefix } from '../support/redis.js';

/** A logger that keeps what it writes, to see what the bus reports. */
function recordingLogger(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

const typing = (userId: string): ServerEvent => ({ type: 'typing', conversationId: 'c1', userId, active: true, expiresInMs: 1000 });

describe.skipIf(!REDIS_AVAILABLE)('the Redis bus', () => {
  const buses: RedisBus[] = [];
  const redis = redisClient();
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    redis.disconnect();
  });

  async function open(prefix = uniqueRedisPrefix()): Promise<RedisBus> {
    const bus = new RedisBus({ url: REDIS_URL, prefix, log: recordingLogger().log });
    buses.push(bus);
    await bus.connected();
    return bus;
  }

  function inbox(): { handler: (m: BusMessage) => void; got: BusMessage[]; next: () => Promise<BusMessage> } {
    const got: BusMessage[] = [];
    let waiting: ((m: BusMessage) => void) | undefined;
    return {
      got,
      handler: (m) => {
        got.push(m);
        waiting?.(m);
      },
      next: () => new Promise((resolve) => (waiting = resolve)),
    };
  }

  const subscribers = async (channel: string) => Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);

  test('a topic is one Redis subscription per node, however many handlers, until its last handler leaves', async () => {
    const prefix = uniqueRedisPrefix();
    const bus = await open(prefix);
    const [one, two] = [inbox(), inbox()];
    const stopOne = await bus.subscribe('c:x', one.handler);
    const stopTwo = await bus.subscribe('c:x', two.handler);
    expect(await subscribers(`${prefix}c:x`)).toBe(1);
    const arrived = two.next();
    bus.publish('c:x', typing('u1'), { receiptSharersOnly: true });
    const message = await arrived;
    expect(one.got).toHaveLength(1);
    expect(message).toMatchObject({ topic: 'c:x', event: typing('u1'), hints: { receiptSharersOnly: true } });
    expect(message.raw).toBe(JSON.stringify(typing('u1')));
    stopOne();
    expect(await subscribers(`${prefix}c:x`)).toBe(1);
    stopTwo();
    await expect.poll(() => subscribers(`${prefix}c:x`)).toBe(0);
  });

  test('servers with different prefixes never see each other’s events', async () => {
    const [mine, theirs] = [await open(), await open()];
    const [seenByMine, seenByTheirs] = [inbox(), inbox()];
    await mine.subscribe('presence', seenByMine.handler);
    await theirs.subscribe('presence', seenByTheirs.handler);
    const marker = seenByTheirs.next();
    mine.publish('presence', typing('not-for-them'));
    theirs.publish('presence', typing('marker'));
    await marker;
    expect(seenByTheirs.got.map((m) => (m.event as { userId: string }).userId)).toEqual(['marker']);
  });

  test('a publish that fails is logged, not thrown', async () => {
    const { log, lines } = recordingLogger();
    const bus = new RedisBus({ url: REDIS_URL, prefix: uniqueRedisPrefix(), log });
    await bus.connected();
    await bus.close();
    expect(() => bus.publish('c:x', typing('u1'))).not.toThrow();
    await expect.poll(() => lines.some((l) => l.msg === 'could not publish an event')).toBe(true);
  });

  test('after Redis cuts the subscriber off, every topic is subscribed again and the gap is reported before new events', async () => {
    const prefix = uniqueRedisPrefix();
    const bus = await open(prefix);
    const box = inbox();
    await bus.subscribe('u:ana', box.handler);
    const order: string[] = [];
    const gap = new Promise<string[]>((resolve) => bus.onGap((list) => (order.push('gap'), resolve(list))));
    expect(await killSubscribers(redis, prefix)).toBe(1);
    expect(await gap).toEqual(['u:ana']);
    const arrived = box.next();
    bus.publish('u:ana', typing('after'));
    await arrived;
    order.push('event');
    expect(order).toEqual(['gap', 'event']);
    expect(await subscribers(`${prefix}u:ana`)).toBe(1);
  });
});
