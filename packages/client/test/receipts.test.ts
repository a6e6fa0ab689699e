import { describe, expect, test } from 'vitest';
import { mergeReceipt, receiptFrame } from '../src/receipts.js';

const CONV = '01936b2a-7c1e-7b3a-9f00-000000000001';

describe('coalescing receipts', () => {
  test('each pointer keeps the highest value queued', () => {
    let due = mergeReceipt(undefined, { deliveredSeq: 4 });
    due = mergeReceipt(due, { deliveredSeq: 7 });
    due = mergeReceipt(due, { deliveredSeq: 5, readSeq: 3 });
    expect(due).toEqual({ deliveredSeq: 7, readSeq: 3 });
  });

  test('merging does not change what was due before', () => {
    const before = { deliveredSeq: 2, readSeq: 1 };
    mergeReceipt(before, { deliveredSeq: 9, readSeq: 9 });
    expect(before).toEqual({ deliveredSeq: 2, readSeq: 1 });
  });

  test('one frame carries delivery and read together', () => {
    expect(receiptFrame(CONV, { deliveredSeq: 8, readSeq: 6 }, 5)).toEqual({ type: 'receipt', conversationId: CONV, deliveredSeq: 8, readSeq: 6 });
  });

  test('a delivery the server already knows is left out of the frame', () => {
    expect(receiptFrame(CONV, { deliveredSeq: 5, readSeq: 6 }, 5)).toEqual({ type: 'receipt', conversationId: CONV, readSeq: 6 });
    expect(receiptFrame(CONV, { deliveredSeq: 5, readSeq: 0 }, 7)).toBeUndefined();
  });

  test('for a conversation not held only the read is sent', () => {
    expect(receiptFrame(CONV, { deliveredSeq: 5, readSeq: 3 }, Infinity)).toEqual({ type: 'receipt', conversationId: CONV, readSeq: 3 });
  });
});
