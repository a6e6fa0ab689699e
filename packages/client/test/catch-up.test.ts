import { describe, expect, test } from 'vitest';
import { BACKENDS } from '../../server/test/support/backends.js';
import type { HearthClientOptions } from '../src/index.js';
import { newDevice, newUser, nextEvent, pair, until, useTestServer } from './support.js';

/** A fetch that counts the client's catch-up calls and, while `failing`, fails them as a lost network would. */
function countingSyncFetch() {
  const control = { failing: false, calls: 0 };
  const fetch: NonNullable<HearthClientOptions['fetch']> = async (url, init) => {
    if (url.endsWith('/api/sync')) {
      control.calls++;
      if (control.failing) {
        // A real network failure takes a moment; failing at once would starve the event loop of a looping client.
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new TypeError('network down');
      }
    }
    return globalThis.fetch(url, init);
  };
  return { control, fetch };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(BACKENDS)('catching up (%s)', (backend) => {
  const t = useTestServer(backend, { rateLimits: { signUpsPerHour: 100_000 } });

  /** Another device of `user` whose catch-up calls are counted (and can be made to fail). */
  async function countedDevice(user: { username: string; password: string }) {
    const counted = countingSyncFetch();
    const device = t.track(await newDevice(t.url, user.username, user.password, { fetch: counted.fetch }));
    counted.control.calls = 0;
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
    await sleep(300);
    const calls = control.calls;
    // Before asserting: a client caught in a loop must be able to leave it.
    control.failing = false;
    expect(calls).toBe(1);
    await until(device, () => device.conversations.get(id)?.lastMessage?.id === sent.id);
  });

  test('a failed catch-up is not retried once the client is disconnected', async () => {
    const { device, control } = await countedDevice(t.track(await newUser(t.url)));
    device.disconnect();
    control.failing = true;
    await device.sync();
    await sleep(2_500);
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
