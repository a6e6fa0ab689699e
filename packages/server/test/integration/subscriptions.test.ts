import { pino } from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import type { Connection } from '../../src/features/realtime/connection.js';
import { Subscriptions } from '../../src/features/realtime/subscriptions.js';
import { RedisBus } from '../../src/platform/redis-bus.js';
import { REDIS_AVAILABLE, REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';

/** The part of a socket the subscriptions touch: its topics, and a close that must not happen here. */
function socket(): Connection {
  return { topics: new Set<string>(), ready: true, close: () => expect.unreachable('no socket is closed') } as unknown as Connection;
}

describe.skipIf(!REDIS_AVAILABLE)('subscriptions on a lossy bus', () => {
  const bus = new RedisBus({ url: REDIS_URL, prefix: uniqueRedisPrefix(), log: pino({ level: 'silent' }) });
  afterAll(() => bus.close());

  test('conversations subscribed together have their positions read together, a batch at a time', async () => {
    await bus.connected();
    const asked: string[][] = [];
    const subscriptions = new Subscriptions({
      bus,
      log: pino({ level: 'silent' }),
      fanOut: () => undefined,
      catchUp: {
        positionsOf: (ids) => {
          asked.push([...ids]);
          return Promise.resolve(new Map(ids.map((id) => [id, Number(id.slice(1))])));
        },
        eventsAfter: () => Promise.resolve([]),
      },
    });
    // A connect storm: 1,200 conversations' topics go live at once.
    const ids = Array.from({ length: 1200 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => subscriptions.add(socket(), `c:${id}`)));
    expect(asked.map((batch) => batch.length)).toEqual([500, 500, 200]);
    expect(new Set(asked.flat())).toEqual(new Set(ids));
    // One more later is a query of its own.
    await subscriptions.add(socket(), 'c:c5000');
    expect(asked.at(-1)).toEqual(['c5000']);
  });
});
