import { describe, expect, test } from 'vitest';
import { BACKENDS } from '../../server/test/support/backends.js';
import type { HearthClientOptions } from '../src/index.js';
import { newDevice, newUser, useTestServer } from './support.js';

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

describe.each(BACKENDS)('catching up (%s)', (backend) => {
  const t = useTestServer(backend, { rateLimits: { signUpsPerHour: 100_000 } });

  /** A user with a second device whose catch-up calls are counted (and can be made to fail). */
  async function userWithCountedDevice() {
    const user = t.track(await newUser(t.url));
    const counted = countingSyncFetch();
    const device = t.track(await newDevice(t.url, user.username, user.password, { fetch: counted.fetch }));
    counted.control.calls = 0;
    return { user, device, control: counted.control };
  }

  test('catch-ups requested while one runs share one more run after it', async () => {
    const { device, control } = await userWithCountedDevice();
    await Promise.all([device.sync(), device.sync(), device.sync()]);
    expect(control.calls).toBe(2);
  });
});
