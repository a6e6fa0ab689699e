import type { Message, OutgoingMessage } from '@hearth/client';

/** Consecutive messages of one author within this long share one header. */
export const GROUP_GAP_MS = 5 * 60_000;

export type Row =
  | { kind: 'start'; key: string }
  | { kind: 'older'; key: string }
  | { kind: 'newer'; key: string }
  | { kind: 'day'; key: string; at: number }
  | { kind: 'unread'; key: string }
  | { kind: 'message'; key: string; message: Message; head: boolean }
  | { kind: 'pending'; key: string; item: OutgoingMessage; head: boolean };

/** A stable key for a message across its life: the same while pending in the outbox and once stored. */
export function messageKey(senderId: string, clientId: string): string {
  return `m:${senderId}:${clientId}`;
}

function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/**
 * The list's rows: messages grouped by author and day, with day separators, the "new messages" divider before
 * the first message from someone else after `readSeqAtOpen`, loaders at the ends, and the outbox's unsent
 * messages at the end (when the list reaches the latest).
 */
export function buildRows(input: {
  messages: readonly Message[];
  pending: readonly OutgoingMessage[];
  meId: string | undefined;
  readSeqAtOpen: number | null;
  hasOlder: boolean;
  hasNewer: boolean;
}): Row[] {
  const rows: Row[] = [];
  rows.push(input.hasOlder ? { kind: 'older', key: 'older' } : { kind: 'start', key: 'start' });
  let prev: { senderId: string; at: number; day: string } | undefined;
  // The divider goes before the first unread message only when the loaded history reaches back to it; otherwise
  // it would mark the oldest loaded message instead ("jump to first unread" loads the right place).
  const first = input.messages[0];
  const reachesRead = input.readSeqAtOpen !== null && (!input.hasOlder || (first !== undefined && first.seq <= input.readSeqAtOpen));
  let unreadPlaced = !reachesRead;
  const seen = new Set<string>();
  for (const m of input.messages) {
    const day = dayOf(m.createdAt);
    let breakGroup = false;
    if (!prev || prev.day !== day) {
      rows.push({ kind: 'day', key: `day:${day}`, at: m.createdAt });
      breakGroup = true;
    }
    if (!unreadPlaced && m.seq > input.readSeqAtOpen! && m.senderId !== input.meId) {
      rows.push({ kind: 'unread', key: 'unread' });
      unreadPlaced = true;
      breakGroup = true;
    }
    const head = breakGroup || !prev || prev.senderId !== m.senderId || m.createdAt - prev.at > GROUP_GAP_MS || m.forwarded !== null;
    const key = messageKey(m.senderId, m.clientId);
    seen.add(key);
    rows.push({ kind: 'message', key, message: m, head });
    prev = { senderId: m.senderId, at: m.createdAt, day };
  }
  if (input.hasNewer) {
    rows.push({ kind: 'newer', key: 'newer' });
    return rows;
  }
  for (const item of input.pending) {
    if (!input.meId) break;
    const key = messageKey(input.meId, item.clientId);
    if (seen.has(key)) continue;
    const day = dayOf(item.queuedAt);
    let breakGroup = false;
    if (!prev || prev.day !== day) {
      rows.push({ kind: 'day', key: `day:${day}`, at: item.queuedAt });
      breakGroup = true;
    }
    const head = breakGroup || !prev || prev.senderId !== input.meId || item.queuedAt - prev.at > GROUP_GAP_MS || item.forwardFrom !== null;
    rows.push({ kind: 'pending', key, item, head });
    prev = { senderId: input.meId, at: item.queuedAt, day };
  }
  return rows;
}

/** Names in a sentence: "Ana", "Ana and Ben", "Ana and 2 others" (texts come from the caller). */
export function summariseNames<T>(names: readonly string[], format: { one: (a: string) => T; two: (a: string, b: string) => T; many: (a: string, others: number) => T }): T | null {
  if (names.length === 0) return null;
  if (names.length === 1) return format.one(names[0]!);
  if (names.length === 2) return format.two(names[0]!, names[1]!);
  return format.many(names[0]!, names.length - 1);
}
