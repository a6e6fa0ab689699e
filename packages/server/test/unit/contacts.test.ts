import type { Member, ServerEvent } from '@hearth/protocol';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import type { BusMessage } from '../../src/platform/bus.js';
import type { Connection } from '../../src/features/realtime/connection.js';
import { Contacts } from '../../src/features/realtime/contacts.js';

const C1 = 'c1';
const C2 = 'c2';

/** A socket as Contacts sees it: its user and its contact counts. */
function socket(userId: string): Connection {
  return { userId, contacts: new Map<string, number>() } as unknown as Connection;
}

function member(userId: string): Member {
  return { userId, role: 'member', joinedAt: 1, deliveredSeq: 0, readSeq: null };
}

const joined = (conversationId: string, userId: string): ServerEvent => ({ type: 'member.joined', conversationId, pts: 1, member: member(userId), addedBy: null });
const left = (conversationId: string, userId: string): ServerEvent => ({ type: 'member.left', conversationId, pts: 1, userId, removedBy: null });
const presenceOf = (userId: string): BusMessage => {
  const event: ServerEvent = { type: 'presence', userId, state: 'online', lastSeenAt: 1 };
  return { topic: 'presence', event, raw: JSON.stringify(event), hints: {} };
};

/** Contacts over an in-memory member table; `gate` holds member reads until released. */
function setup(table: Record<string, string[]>) {
  const written: Array<[string, string]> = [];
  let release: () => void = () => undefined;
  let gated = false;
  const contacts = new Contacts({
    log: pino({ level: 'silent' }),
    loadMembers: async (ids) => {
      if (gated) await new Promise<void>((resolve) => (release = resolve));
      return new Map(ids.map((id) => [id, [...(table[id] ?? [])]]));
    },
    presenceOf: (ids) => Promise.resolve(ids.map((userId) => ({ userId, state: 'online' as const, lastSeenAt: 1 }))),
    write: (conn, raw) => written.push([conn.userId, (JSON.parse(raw) as { type: string; userId: string }).userId]),
  });
  return {
    contacts,
    written,
    gate: () => (gated = true),
    open: () => {
      gated = false;
      release();
    },
  };
}

describe('contacts', () => {
  test('a socket counts the people its conversations share, and sees only their presence', async () => {
    const { contacts, written } = setup({ [C1]: ['ana', 'ben'], [C2]: ['ana', 'ben', 'cai'] });
    const ana = socket('ana');
    await contacts.attach(ana, [C1, C2], false);
    expect(Object.fromEntries(ana.contacts)).toEqual({ ben: 2, cai: 1 });
    contacts.deliver(presenceOf('cai'));
    contacts.deliver(presenceOf('dan'));
    expect(written).toEqual([['ana', 'cai']]);
  });

  test('leaving a conversation subtracts its members at once, keeping people still shared elsewhere', async () => {
    const { contacts, written } = setup({ [C1]: ['ana', 'ben'], [C2]: ['ana', 'ben', 'cai'] });
    const ana = socket('ana');
    await contacts.attach(ana, [C1, C2], false);
    contacts.onMembership(left(C2, 'ana'));
    contacts.detach(ana, C2);
    expect(Object.fromEntries(ana.contacts)).toEqual({ ben: 1 });
    contacts.deliver(presenceOf('cai'));
    expect(written).toEqual([]);
  });

  test('membership changes reach every local socket of the conversation once, whoever they are', async () => {
    const { contacts } = setup({ [C1]: ['ana', 'ben'] });
    const ana = socket('ana');
    const ben = socket('ben');
    await contacts.attach(ana, [C1], false);
    await contacts.attach(ben, [C1], false);
    contacts.onMembership(joined(C1, 'cai'));
    contacts.onMembership(joined(C1, 'cai'));
    expect(ana.contacts.get('cai')).toBe(1);
    expect(ben.contacts.get('cai')).toBe(1);
    contacts.onMembership(left(C1, 'cai'));
    expect(ana.contacts.has('cai')).toBe(false);
    expect(ben.contacts.has('cai')).toBe(false);
  });

  test('changes that arrive while the members are being read are applied on top of what was read', async () => {
    const { contacts, gate, open } = setup({ [C1]: ['ana', 'ben', 'cai'] });
    const ana = socket('ana');
    gate();
    const attached = contacts.attach(ana, [C1], true);
    contacts.onMembership(left(C1, 'cai'));
    contacts.onMembership(joined(C1, 'dan'));
    open();
    await attached;
    expect(Object.fromEntries(ana.contacts)).toEqual({ ben: 1, dan: 1 });
  });

  test('a new contact’s current presence is sent once, and a closed socket is forgotten', async () => {
    const { contacts, written } = setup({ [C1]: ['ana'] });
    const ana = socket('ana');
    await contacts.attach(ana, [C1], true);
    contacts.onMembership(joined(C1, 'ben'));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([['ana', 'ben']]);
    contacts.detachAll(ana, [C1]);
    contacts.deliver(presenceOf('ben'));
    expect(written).toHaveLength(1);
    expect(ana.contacts.size).toBe(0);
  });
});
