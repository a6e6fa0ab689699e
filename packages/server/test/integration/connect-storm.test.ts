import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { group, MANY_SIGNUPS, users } from '../support/fixtures.js';
import { RawSocket } from '../support/raw.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PEOPLE = 40;
const SOCKETS_EACH = 25;
const TOTAL = (PEOPLE * SOCKETS_EACH).toLocaleString('en');

describe.each(BACKENDS)('many sockets connecting at once (%s)', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend, MANY_SIGNUPS);
  });
  afterAll(async () => t?.close());

  test(`no frame reaches any of ${TOTAL} sockets before its ready, though everyone's presence changes meanwhile`, async () => {
    const people = await users(t, PEOPLE);
    // Everyone shares one group: each person's first socket to be set up turns them online for all the others.
    await group(t, people[0], people.slice(1));
    const sockets = await Promise.all(people.flatMap((p) => Array.from({ length: SOCKETS_EACH }, async () => [p, await RawSocket.open(t.wsUrl)] as const)));
    const readies = sockets.map(([p, ws]) => ws.request({ type: 'auth', token: p.token }, 30_000));
    for (const ready of await Promise.all(readies)) expect(ready.type).toBe('ready');
    const firsts = sockets.map(([, ws]) => ws.frames[0]?.type);
    expect(firsts.filter((type) => type !== 'ready')).toEqual([]);
    for (const [, ws] of sockets) ws.close();
    await Promise.all(sockets.map(([, ws]) => ws.closed));
  }, 120_000);
});

