/*
 * Receipts: the delivered and read pointers this device owes the server, and when they go out.
 *
 * Owns the pointers due, by conversation, and the timer that coalesces delivered receipts.
 * Invariants:
 * - Pointers due only move forward: queuing takes the maximum, so coalescing never sends less than was queued.
 * - One `receipt` frame per conversation and flush, delivery and read together. Reads go out at once; deliveries
 *   wait up to DELIVERED_FLUSH_MS, so that a burst of messages costs one frame.
 * - Nothing due is lost offline: a flush without a connection keeps it all, and the client flushes again after
 *   the catch-up that follows the next connect (a read marked offline reaches the user's other devices then).
 *   Until it is sent, such a read stays applied locally, also over a catch-up's snapshot.
 * - A delivery the server already knows (the conversation's `me.deliveredSeq`, or implied by the read) is not
 *   sent; `me.deliveredSeq` moves forward once the frame is sent.
 * - Idempotent on the server: repeating a frame, or sending a pointer below the stored one, changes nothing.
 */
import type { ClientFrame, Conversation, Message } from '@hearth/protocol';
import type { Socket } from './socket.js';
import type { ClientState } from './state.js';

const DELIVERED_FLUSH_MS = 100;

/** The pointers due for one conversation; 0 means none. */
export interface ReceiptPointers {
  deliveredSeq: number;
  readSeq: number;
}

type ReceiptFrame = Extract<ClientFrame, { type: 'receipt' }>;

/**
 * Coalesces a new receipt into what is already due for a conversation: each pointer keeps its maximum. Returns a
 * new value (the input is not changed). Never throws.
 * @example mergeReceipt({ deliveredSeq: 7, readSeq: 0 }, { readSeq: 5 }) // { deliveredSeq: 7, readSeq: 5 }
 */
export function mergeReceipt(due: ReceiptPointers | undefined, pointers: Partial<ReceiptPointers>): ReceiptPointers {
  return {
    deliveredSeq: Math.max(due?.deliveredSeq ?? 0, pointers.deliveredSeq ?? 0),
    readSeq: Math.max(due?.readSeq ?? 0, pointers.readSeq ?? 0),
  };
}

/**
 * The frame that sends what is due, leaving out a delivery at or below `knownDeliveredSeq` (what the server
 * already has; Infinity when the conversation is not held); undefined when nothing is left to send. Never throws.
 * @example receiptFrame(id, { deliveredSeq: 9, readSeq: 0 }, 9) // undefined: the server knows it
 */
export function receiptFrame(conversationId: string, due: ReceiptPointers, knownDeliveredSeq: number): ReceiptFrame | undefined {
  const deliveredSeq = due.deliveredSeq > knownDeliveredSeq ? due.deliveredSeq : 0;
  if (deliveredSeq === 0 && due.readSeq === 0) return undefined;
  return {
    type: 'receipt',
    conversationId,
    ...(deliveredSeq > 0 ? { deliveredSeq } : {}),
    ...(due.readSeq > 0 ? { readSeq: due.readSeq } : {}),
  };
}

/** Moves the local read pointer (and delivery with it); reading up to the last message clears the unread counts. */
function applyRead(c: Conversation, seq: number, sharesReadReceipts: boolean): void {
  c.me.readSeq = seq;
  // The server takes a read as delivery only from those who share read receipts; for the others the delivered
  // receipt still has to go out (in the same frame), or the sender would never see the message delivered.
  if (sharesReadReceipts) c.me.deliveredSeq = Math.max(c.me.deliveredSeq, seq);
  if (seq >= (c.lastMessage?.seq ?? 0)) {
    c.me.unreadCount = 0;
    c.me.unreadMentionCount = 0;
  }
}

/**
 * Queues and sends this device's receipts; `HearthClient` owns one. Never throws.
 * @example receipts.markRead(conversationId, 42);
 */
export class ReceiptsCoordinator {
  private readonly due = new Map<string, ReceiptPointers>();
  private deliveredTimer: ReturnType<typeof setTimeout> | undefined;

  /** `autoDelivered` false: delivery is never reported (only reads are). */
  constructor(
    private readonly state: ClientState,
    private readonly socket: Socket,
    private readonly autoDelivered: boolean,
    private readonly changed: () => void,
  ) {}

  /** Someone else's message was applied: it reached this device. */
  delivered(message: Message): void {
    if (this.autoDelivered) this.queueDelivered(message.conversationId, message.seq);
  }

  /**
   * A catch-up's snapshot of a conversation: its last message reached this device, if from someone else. (A
   * catch-up after a reconnect flushes at once; one after a gap leaves it to the coalescing timer.)
   */
  deliveredUpTo(conversation: Conversation): void {
    const last = conversation.lastMessage;
    if (!this.autoDelivered || !last || last.senderId === this.state.me?.id || conversation.me.removal) return;
    if (last.seq > conversation.me.deliveredSeq) this.queueDelivered(conversation.id, last.seq);
  }

  /**
   * Marks read locally and sends the receipt (coalesced with delivery) now, or after the next catch-up when
   * offline. Does nothing for an unknown conversation, a read-only one (the user was removed), or a `seq` at or below
   * the read pointer.
   */
  markRead(conversationId: string, seq: number): void {
    const c = this.state.conversations.get(conversationId);
    if (!c || c.me.removal || seq <= c.me.readSeq) return;
    applyRead(c, seq, this.sharesReadReceipts);
    this.changed();
    this.queue(conversationId, { readSeq: seq });
    this.flush();
  }

  /**
   * After a catch-up: its snapshots carry the server's read pointers, which do not know the reads still due here
   * (marked offline); those stay applied locally until they are sent.
   */
  reapplyDueReads(): void {
    for (const [conversationId, due] of this.due) {
      const c = this.state.conversations.get(conversationId);
      if (c && due.readSeq > c.me.readSeq) applyRead(c, due.readSeq, this.sharesReadReceipts);
    }
  }

  /** Sends what is due, one frame per conversation; without a connection everything waits. */
  flush(): void {
    clearTimeout(this.deliveredTimer);
    this.deliveredTimer = undefined;
    if (!this.socket.isReady) return;
    for (const [conversationId, due] of this.due) {
      const c = this.state.conversations.get(conversationId);
      // Removed meanwhile (the system line of a removal is delivered just before it): the server would refuse it.
      if (c?.me.removal) {
        this.due.delete(conversationId);
        continue;
      }
      const frame = receiptFrame(conversationId, due, c?.me.deliveredSeq ?? Infinity);
      if (frame && !this.socket.send(frame)) return;
      if (c && frame?.deliveredSeq !== undefined) c.me.deliveredSeq = frame.deliveredSeq;
      this.due.delete(conversationId);
    }
  }

  private get sharesReadReceipts(): boolean {
    return this.state.me?.readReceipts !== false;
  }

  /** Stops the coalescing timer; what is due stays due. */
  close(): void {
    clearTimeout(this.deliveredTimer);
    this.deliveredTimer = undefined;
  }

  private queue(conversationId: string, pointers: Partial<ReceiptPointers>): void {
    this.due.set(conversationId, mergeReceipt(this.due.get(conversationId), pointers));
  }

  private queueDelivered(conversationId: string, seq: number): void {
    this.queue(conversationId, { deliveredSeq: seq });
    this.deliveredTimer ??= setTimeout(() => this.flush(), DELIVERED_FLUSH_MS);
  }
}
