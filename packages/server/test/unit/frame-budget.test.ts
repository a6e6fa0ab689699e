import { describe, expect, test } from 'vitest';
import { FrameBudget, type FrameVerdict } from '../../src/features/realtime/frame-budget.js';

/** Charges `n` small frames at time `at`; the verdicts in order. */
function charge(budget: FrameBudget, n: number, at: number, bytes = 100): FrameVerdict[] {
  return Array.from({ length: n }, () => budget.charge(bytes, at));
}

describe('frame budget', () => {
  test('a burst is handled; the next frame is dropped with one notice, the following ones silently', () => {
    const budget = new FrameBudget(10, 5, 0);
    expect(charge(budget, 5, 0)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(charge(budget, 3, 0)).toEqual(['notice', 'drop', 'drop']);
  });

  test('a connection that runs a whole burst over its budget is closed', () => {
    const budget = new FrameBudget(10, 5, 0);
    charge(budget, 5, 0);
    expect(charge(budget, 6, 0)).toEqual(['notice', 'drop', 'drop', 'drop', 'drop', 'close']);
  });

  test('debt is paid off at the refill rate before frames are handled again, and a new overshoot gets a new notice', () => {
    const budget = new FrameBudget(10, 5, 0);
    charge(budget, 5, 0);
    charge(budget, 3, 0);
    // 300 ms earn 3 tokens: the debt of 3 is paid, nothing is left for a frame.
    expect(budget.charge(100, 300)).toBe('drop');
    expect(budget.retryAfterMs()).toBeGreaterThan(0);
    // A second later the bucket holds frames again.
    expect(charge(budget, 2, 1500)).toEqual(['ok', 'ok']);
    expect(charge(budget, 10, 1500)).toContain('notice');
  });

  test('a steady client within the rate is never limited', () => {
    const budget = new FrameBudget(10, 5, 0);
    for (let ms = 0; ms < 60_000; ms += 100) expect(budget.charge(200, ms)).toBe('ok');
  });

  test('a large frame costs one more token for every 4 KiB', () => {
    const budget = new FrameBudget(10, 5, 0);
    expect(budget.charge(4096 * 4, 0)).toBe('ok');
    expect(budget.charge(100, 0)).toBe('notice');
  });
});
