/*
 * Outbox sending: puts the outbox's messages on the wire and settles them.
 *
 * Owns the timer of the next retry; the messages themselves live in the `Outbox`.
 * Invariants:
 * - Only `pending` messages are transmitted, and transmitting marks them `sending` first, so a message is on this
 *   connection at most once at a time (a `retry` of a message still on the wire is the exception, and harmless).
 * - Every send of a message carries its clientId: the server stores it once, so a re-send after a lost
 *   acknowledgement returns the first copy instead of making a second.
 * - A message settles once, by its acknowledgement or by the echo of its `message.created`, whichever comes first:
 *   `Outbox.complete` answers false for the other. The acknowledgement carries the message only when the sender
 *   cannot rebuild it (`SendAck`); otherwise the stored message is what was sent, placed where the ack says.
 * - A transient failure puts the message back to `pending`: DISCONNECTED waits for the flush after the next
 *   catch-up, the others for the wait the server asked for or exponential backoff. Any other failure is final
 *   (`failed`, its promise rejects) until `retry`.
 */
import { SendAck, toUserContent, type ClientFrame, type Message } from '@hearth/protocol';
import type { Announce } from './client-events.js';
import { HearthError } from './errors.js';
import type { Outbox, OutgoingMessage } from './outbox.js';
import type { Socket } from './socket.js';

/**
 * The frame that sends an outgoing message: `message.forward` for a forward, else `message.send`. Never throws.
 * @example socket.request(sendFrame(item))
 */
export function sendFrame(item: OutgoingMessage): ClientFrame {
  if (item.forwardFrom) {
    return { type: 'message.forward', conversationId: item.conversationId, clientId: item.clientId, from: item.forwardFrom };
  }
  return {
    type: 'message.send',
    conversationId: item.conversationId,
    clientId: item.clientId,
    content: toUserContent(item.content!),
    ...(item.replyToId ? { replyToId: item.replyToId } : {}),
  };
}

/**
 * The stored message an acknowledgement stands for: the one it carries, else the one sent (a plain send, which the
 * server stores as it came) placed where the ack says. Never throws.
 * @example const message = storedMessage(item, { id, seq: 13, createdAt }, myUserId);
 */
export function storedMessage(item: OutgoingMessage, ack: SendAck, senderId: string): Message {
  if (ack.message) return ack.message;
  return {
    id: ack.id,
    conversationId: item.conversationId,
    seq: ack.seq,
    senderId,
    clientId: item.clientId,
    createdAt: ack.createdAt,
    content: item.content,
    replyTo: null,
    forwarded: null,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    linkPreview: null,
  };
}

/**
 * How long to wait before re-sending after a transient failure: what the server asked for (`retryAfterMs`), else
 * 2^attempts seconds up to 30; undefined for DISCONNECTED, which waits for the next connection. Never throws.
 * @example retryDelay(new HearthError('TIMEOUT', 'slow'), 3) // 8000
 */
export function retryDelay(error: HearthError, attempts: number): number | undefined {
  if (error.code === 'DISCONNECTED') return undefined;
  return typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : 1000 * Math.min(30, 2 ** attempts);
}

/**
 * Sends the outbox's messages and settles them on acknowledgement or echo; `HearthClient` owns one.
 * @example const stored = await sender.enqueue(item);
 */
export class OutboxSender {
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  /** Never throws. */
  constructor(
    private readonly outbox: Outbox,
    private readonly socket: Socket,
    private readonly announce: Announce,
    private readonly changed: () => void,
    /** The signed-in user: the sender of everything in the outbox. */
    private readonly myId: () => string,
  ) {}

  /**
   * Queues a message and starts sending it if connected.
   * @throws HearthError (as a rejection) as `Outbox.wait`; never synchronously
   */
  enqueue(item: OutgoingMessage): Promise<Message> {
    const done = this.outbox.add(item);
    this.announce('outbox', { item });
    this.changed();
    if (this.socket.isReady) void this.transmit(item);
    return done;
  }

  /**
   * Puts a failed message back in line.
   * @throws HearthError (as a rejection) MESSAGE_NOT_FOUND for an unknown clientId, else as `Outbox.wait`
   */
  requeue(clientId: string): Promise<Message> {
    const item = this.outbox.get(clientId);
    if (!item) return Promise.reject(new HearthError('MESSAGE_NOT_FOUND', 'No such outgoing message.'));
    const done = this.outbox.wait(clientId);
    this.outbox.setState(clientId, 'pending');
    this.announce('outbox', { item });
    this.flush();
    return done;
  }

  /** Sends every pending message, if connected. Never throws. */
  flush(): void {
    clearTimeout(this.retryTimer);
    if (!this.socket.isReady) return;
    for (const item of this.outbox.due()) void this.transmit(item);
  }

  /**
   * The user's own `message.created` was applied (seen before its acknowledgement, or sent from another device):
   * the matching outgoing message has left the outbox. Never throws.
   */
  settleEcho(message: Message): void {
    const item = this.outbox.get(message.clientId);
    if (item && item.conversationId === message.conversationId && this.outbox.complete(message.clientId, message)) {
      this.announce('outbox', { item, message });
    }
  }

  /** Stops the retry timer. Never throws. */
  close(): void {
    clearTimeout(this.retryTimer);
  }

  private async transmit(item: OutgoingMessage): Promise<void> {
    if (item.state !== 'pending') return;
    this.outbox.setState(item.clientId, 'sending');
    this.announce('outbox', { item });
    try {
      const message = storedMessage(item, SendAck.parse(await this.socket.request(sendFrame(item))), this.myId());
      if (this.outbox.complete(item.clientId, message)) this.announce('outbox', { item, message });
    } catch (err) {
      const e = err instanceof HearthError ? err : new HearthError('PROTOCOL_ERROR', String(err));
      if (!this.outbox.get(item.clientId)) return;
      this.fail(item, e);
    }
    this.changed();
  }

  private fail(item: OutgoingMessage, e: HearthError): void {
    if (!e.isTransient) {
      this.outbox.setState(item.clientId, 'failed', e);
    } else {
      this.outbox.setState(item.clientId, 'pending', e);
      const wait = retryDelay(e, item.attempts);
      if (wait !== undefined) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.flush(), wait);
      }
    }
    this.announce('outbox', { item });
  }
}
