import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { group, text, users } from '../support/fixtures.js';
import { runCli } from '../support/process.js';
import { RawSocket } from '../support/raw.js';
import { killSubscribers, REDIS_AVAILABLE, REDIS_URL, redisClient } from '../support/redis.js';
import { GENEROUS_LIMITS, requestOk } from '../support/scenario.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * One node on the Redis bus whose subscriber connection Redis cuts off: what was published meanwhile is brought
 * back from the database (conversations) or checked again (sessions), on each database.
 */
describe.skipIf(!REDIS_AVAILABLE).each(BACKENDS)('a gap in the Redis bus (%s)', (backend) => {
  let t: TestServer;
  const redis = redisClient();
  beforeAll(async () => {
    // Heartbeats (which also close ended sessions) far beyond any test: only the gap's check can close a socket.
    t = await startTestServer(backend, { ...GENEROUS_LIMITS, redisUrl: REDIS_URL, heartbeatMs: 600_000 });
  });
  afterAll(async () => {
    redis.disconnect();
    await t?.close();
  });
  const kill = () => killSubscribers(redis, t.server.config.redisPrefix);

  test('messages sent while the subscriber is cut off reach every socket once, in order', async () => {
    const [ana, ben] = await users(t, 2);
    const conversationId = await group(t, ana, [ben]);
    const anaWs = await RawSocket.connect(t.wsUrl, ana.token);
    const benWs = await RawSocket.connect(t.wsUrl, ben.token);
    const gap = new Promise<void>((resolve) => t.server.services.bus.onGap(() => resolve()));
    const sends: Array<Promise<unknown>> = [];
    const sendOne = (i: number) => sends.push(requestOk(anaWs, { type: 'message.send', conversationId, clientId: `gap-${i}`, content: text(`g${i}`) }));
    for (let i = 0; i < 100; i++) {
      if (i === 30) expect(await kill()).toBe(1);
      sendOne(i);
    }
    // Some are published while the subscriber is away, some while the catch-up reads, some after.
    await gap;
    for (let i = 100; i < 150; i++) sendOne(i);
    await Promise.all(sends);
    const last = await requestOk(anaWs, { type: 'message.send', conversationId, clientId: 'gap-last', content: text('last') });
    await benWs.next((f) => f.type === 'message.created' && f.message.id === last.id, 10_000, true);
    const got = benWs.frames.filter((f) => f.type === 'message.created' && f.conversationId === conversationId).map((f) => f.message.content.text as string);
    expect(got).toEqual([...Array.from({ length: 150 }, (_, i) => `g${i}`), 'last']);
    anaWs.close();
    benWs.close();
  });

  test('after a gap every ready socket is told events.missed once, to catch up what no stream replays', async () => {
    const [ana, ben] = await users(t, 2);
    await group(t, ana, [ben]);
    const anaWs = await RawSocket.connect(t.wsUrl, ana.token);
    const benWs = await RawSocket.connect(t.wsUrl, ben.token);
    expect(await kill()).toBe(1);
    await anaWs.next((f) => f.type === 'events.missed', 10_000);
    await benWs.next((f) => f.type === 'events.missed', 10_000);
    // One per gap: a ping answered after it shows nothing more was queued behind it.
    await requestOk(anaWs, { type: 'ping' });
    expect(anaWs.ofType('events.missed')).toHaveLength(1);
    anaWs.close();
    benWs.close();
  });

  test('a session ended in the database during a gap is closed as revoked once the bus is back', async () => {
    const [ana] = await users(t, 1);
    const ws = await RawSocket.connect(t.wsUrl, ana.token);
    const store = backend === 'postgres' ? ['--database-url', t.databaseUrl!] : [];
    const reset = await runCli(['user', 'reset-password', '--username', ana.me.username, '--password', 'a new password 1', '--data-dir', t.dataDir, ...store]);
    expect(reset.status, reset.stderr).toBe(0);
    expect(await kill()).toBe(1);
    expect((await ws.closed).code).toBe(4003);
    expect(ws.ofType('session.revoked')).toHaveLength(1);
  });

  test('a password reset from the command line signs the user out on the running node at once, through Redis', async () => {
    const [ana] = await users(t, 1);
    const ws = await RawSocket.connect(t.wsUrl, ana.token);
    const store = backend === 'postgres' ? ['--database-url', t.databaseUrl!] : [];
    const reset = await runCli(['user', 'reset-password', '--username', ana.me.username, '--password', 'a new password 2', '--data-dir', t.dataDir, '--redis-url', REDIS_URL, ...store], {
      env: { HEARTH_REDIS_PREFIX: t.server.config.redisPrefix },
    });
    expect(reset.status, reset.stderr).toBe(0);
    // No gap and no heartbeat within the test (600 s): only the command's own event can close the socket.
    expect((await ws.closed).code).toBe(4003);
    expect(ws.ofType('session.revoked')).toHaveLength(1);
  });
});
