import { afterEach, describe, expect, test, vi } from 'vitest';
import { BACKENDS } from '../../server/test/support/backends.js';
import type { HearthClientOptions } from '../src/index.js';
import { newDevice, newUser, nextEvent, pair, until, useTestServer } from './support.js';

/** The SDK's pause between a failed catch-up and the next (RETRY_MS in sync-engine.ts). */
const RETRY_MS = 2000;

/**
 * A fetch that counts the client's catch-up calls (with when each started) and, while `failing`, fails them as a
 * lost network would.
 */
function countingSyncFetch() {
  const control = { failing: false, calls: 0, startedAt: [] as number[] };
  const fetch: NonNullable<HearthClientOptions['fetch']> = async (url, init) => {
    if (url.endsWith('/api/sync')) {
      control.calls++;
      control.startedAt.push(performance.now());
      if (control.failing) {
        // A real network failure takes a moment (not a timer: a test may fake those); failing at once would
        // starve the event loop of a looping client.
        await new Promise((resolve) => setImmediate(resolve));
        throw new TypeError('network down');
      }
    }
    return globalThis.fetch(url, init);
  };
  return { control, fetch };
}

describe.each(BACKENDS)('catching up (%s)', (backend) => {
  const t = useTestServer(backend, { rateLimits: { signUpsPerHour: 100_000 } });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Another device of `user` whose catch-up calls are counted (and can be made to fail). */
  async function countedDevice(user: { username: string; password: string }) {
    const counted = countingSyncFetch();
    const device = t.track(await newDevice(t.url, user.username, user.password, { fetch: counted.fetch }));
    counted.control.calls = 0;
    counted.control.startedAt = [];
    return { device, control: counted.control };
  }

  test('catch-ups requested while one runs share one more run after it', async () => {
    const { device, control } = await countedDevice(t.track(await newUser(t.url)));
    await Promise.all([device.sync(), device.sync(), device.sync()]);
    expect(control.calls).toBe(2);
  });

  test('a catch-up that fails while an event waits for it is retried after a pause, not at once in a loop', async () => {
    const { ana, ben, id } = await pair(t);
    // Said once, so that the device follows the conversation from the start (a first message would introduce it).
    await ana.client.messages.send(id, 'hello');
    const { device, control } = await countedDevice(ben);
    control.failing = true;
    // The next event of a conversation the device does not hold waits for a catch-up.
    device.state.removeConversation(id);
    const failed = nextEvent(device, 'error');
    const sent = await ana.client.messages.send(id, 'while the catch-up fails');
    await failed;
    control.failing = false;
    // The retry comes, and brings the message: no sooner than the pause (a loop would call again within
    // milliseconds), and only once.
    await until(device, () => device.conversations.get(id)?.lastMessage?.id === sent.id);
    expect(control.calls).toBe(2);
    expect(control.startedAt[1]! - control.startedAt[0]!).toBeGreaterThanOrEqual(RETRY_MS - 50);
  });

  test('a failed catch-up is not retried once the client is disconnected', async () => {
    const { device, control } = await countedDevice(t.track(await newUser(t.url)));
    device.disconnect();
    control.failing = true;
    // Disconnected, the client talks to nobody but this fetch: its timers can be the test's.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await device.sync();
    expect(control.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * RETRY_MS);
    expect(control.calls).toBe(1);
  });

  test('a read marked while offline still shows after reconnecting, before the server has confirmed it', async () => {
    const { ana, ben, id } = await pair(t);
    const sent = await ana.client.messages.send(id, 'read me offline');
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === sent.id);
    ben.client.disconnect();
    ben.client.messages.markRead(id);
    await ben.client.connect();
    expect(ben.client.conversations.get(id)?.me).toMatchObject({ unreadCount: 0, readSeq: sent.seq });
  });

  test('messages that a catch-up after a gap brings are reported delivered', async () => {
    const { ana, ben, id } = await pair(t);
    await ana.client.conversations.members(id);
    // The next event of a conversation the client does not hold makes it catch up (as a gap would).
    ben.client.state.removeConversation(id);
    const sent = await ana.client.messages.send(id, 'did this arrive?');
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === sent.id);
    await until(ana.client, () => ana.client.messages.status(sent) === 'delivered');
  });
});
