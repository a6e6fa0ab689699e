import { describe, expect, test } from 'vitest';
import { isTypingRenewDue, nextTypingExpiry } from '../src/typing.js';

describe('typing indicators', () => {
  test('"typing" is sent at the first keystroke, then again only after a third of the time to live', () => {
    expect(isTypingRenewDue(undefined, 1_000, 6_000)).toBe(true);
    expect(isTypingRenewDue(1_000, 2_999, 6_000)).toBe(false);
    expect(isTypingRenewDue(1_000, 3_000, 6_000)).toBe(true);
  });

  test('the next expiry to wait for is the earliest among the typers', () => {
    expect(nextTypingExpiry(new Map([['u1', 1_500], ['u2', 900], ['u3', 1_200]]))).toBe(900);
  });

  test('with nobody typing there is no expiry to wait for', () => {
    expect(nextTypingExpiry(undefined)).toBeUndefined();
    expect(nextTypingExpiry(new Map())).toBeUndefined();
  });
});
