import type { Me, User } from '@hearth/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { startScenario, until, type Scenario } from '../support/scenario.js';

describe.each(BACKENDS)('profile time zone (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend);
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  test('a time zone set with PATCH /api/me is stored in its canonical spelling and shown to others; "" clears it', async () => {
    const [ana, ben] = await s.people(2);
    expect(ana!.me.timeZone).toBeUndefined();
    await s.sharedDirect(ana!, ben!);
    const benWs = await s.connect(ben!);

    const me = await s.ok<Me>(ana!, 'updateMe', { body: { timeZone: 'america/sao_paulo' } });
    expect(me.timeZone).toBe('America/Sao_Paulo');
    const heard = await until(benWs, (f) => f.type === 'user.updated' && f.user.id === ana!.id);
    expect(heard.user.timeZone).toBe('America/Sao_Paulo');
    expect((await s.ok<User>(ben!, 'getUser', { params: { userId: ana!.id } })).timeZone).toBe('America/Sao_Paulo');
    expect((await s.ok<Me>(ana!, 'getMe')).timeZone).toBe('America/Sao_Paulo');

    const cleared = await s.ok<Me>(ana!, 'updateMe', { body: { timeZone: '' } });
    expect('timeZone' in cleared).toBe(false);
    expect('timeZone' in (await s.ok<User>(ben!, 'getUser', { params: { userId: ana!.id } }))).toBe(false);
  });

  test('an unknown time zone is refused with VALIDATION_FAILED and changes nothing', async () => {
    const ana = await s.person('ana');
    await s.ok<Me>(ana, 'updateMe', { body: { timeZone: 'Europe/Madrid', statusText: 'before' } });
    for (const zone of ['Mars/Olympus_Mons', 'UTC+25', 'x'.repeat(65)]) {
      expect(await s.fails(ana, 'updateMe', 'VALIDATION_FAILED', { body: { timeZone: zone, statusText: 'after' } })).toBe(400);
    }
    expect(await s.ok<Me>(ana, 'getMe')).toMatchObject({ timeZone: 'Europe/Madrid', statusText: 'before' });
  });
});
