import type { HearthClient, SystemContent } from '@hearth/client';
import i18next from 'i18next';
import { beforeAll, describe, expect, test } from 'vitest';
import { systemText } from '../../src/features/conversation/systemLine.js';
import en from '../../src/i18n/locales/en/conversation.json' with { type: 'json' };

const ME = '0193a000-0000-7000-8000-00000000000a';
const ANA = '0193a000-0000-7000-8000-00000000000b';
const BEN = '0193a000-0000-7000-8000-00000000000c';
const NAMES: Record<string, string> = { [ANA]: 'Ana', [BEN]: 'Ben' };

/** Just what systemText reads of the client: who is signed in and the names it knows. */
const client = { users: { me: { id: ME }, cached: (id: string) => (NAMES[id] ? { displayName: NAMES[id] } : undefined) } } as unknown as HearthClient;
const t = (key: string, options?: Record<string, unknown>) => i18next.t(key, options);

function line(senderId: string, event: SystemContent['event'], userIds: string[]): string {
  return systemText(client, senderId, { type: 'system', event, userIds, title: null, topic: null }, t);
}

beforeAll(async () => {
  await i18next.init({ lng: 'en', resources: { en: { translation: en } }, interpolation: { escapeValue: false } });
});

describe('system lines', () => {
  test('the user as the one acted on reads "you", in a sentence of its own or in a list', () => {
    expect(line(ANA, 'member.removed', [ME])).toBe('Ana removed you');
    expect(line(ANA, 'member.added', [ME])).toBe('Ana added you');
    expect(line(ANA, 'member.added', [BEN, ME])).toBe('Ana added Ben and you');
  });

  test('the user as the one acting reads "You"', () => {
    expect(line(ME, 'member.removed', [BEN])).toBe('You removed Ben');
    expect(line(ME, 'member.joined', [ME])).toBe('You joined');
  });
});
