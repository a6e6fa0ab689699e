import type { Message, WrittenContent } from '@hearth/protocol';
import { HearthError } from './errors.js';

/**
 * `pending`: waiting to be sent or re-sent (also while offline). `sending`: on the wire, no answer yet.
 * `failed`: refused for good (an error that is not transient, kept in `error`); `retry` puts it back in line.
 * @example const label: Record<OutgoingState, string> = { pending: 'Queued', sending: 'Sending', failed: 'Not sent' };
 */
export type OutgoingState = 'pending' | 'sending' | 'failed';

/**
 * A message the user sent that the server has not acknowledged yet. It is plain data, so an `OutboxStorage` can
 * keep it as JSON.
 * @example const mine = client.messages.pending(conversationId).filter((m: OutgoingMessage) => m.state === 'failed');
 */
export interface OutgoingMessage {
  /** Kept for life: every (re)send carries it, so the server stores the message once. */
  clientId: string;
  conversationId: string;
  /** The content; null for a forward, which copies `forwardFrom` instead. */
  content: WrittenContent | null;
  /** For a forward, the message it copies; otherwise null. */
  forwardFrom: { conversationId: string; messageId: string } | null;
  /** The message it replies to, in the same conversation; null when it is not a reply. */
  replyToId: string | null;
  /** Local time it was queued, for display ordering. */
  queuedAt: number;
  state: OutgoingState;
  /** How many times it was put on the wire. */
  attempts: number;
  /** The last error: why it failed, or the transient one it is waiting out. Not restored from storage. */
  error: HearthError | null;
}

/**
 * Where an outbox survives a reload (for example localStorage in a browser).
 * @example
 * const storage: OutboxStorage = {
 *   load: () => JSON.parse(localStorage.getItem('hearth.outbox') ?? '[]'),
 *   save: (items) => localStorage.setItem('hearth.outbox', JSON.stringify(items)),
 * };
 */
export interface OutboxStorage {
  /** Called once per `connect()`. Whatever it throws or rejects with makes `connect()` reject with it. */
  load(): OutgoingMessage[] | Promise<OutgoingMessage[]>;
  /**
   * Called with the whole outbox after every change. A rejection is ignored, but it must not throw synchronously:
   * that error would escape from the SDK call that changed the outbox.
   */
  save(items: OutgoingMessage[]): void | Promise<void>;
}

interface Waiter {
  resolve(message: Message): void;
  reject(err: HearthError): void;
}

/**
 * Unacknowledged messages, in the order they were queued. Each keeps its clientId for life, so re-sending after
 * a lost connection can never create a second copy: the server answers a repeat with the first message.
 * The client drives it (states, sends); applications read it through `client.messages.pending()`.
 * @example const outbox = new Outbox(storage); await outbox.restore();
 */
export class Outbox {
  private readonly items = new Map<string, OutgoingMessage>();
  private readonly waiters = new Map<string, Waiter[]>();

  /**
   * Without `storage` the outbox lives in memory only. Never throws.
   * @example new Outbox() // nothing survives a reload
   */
  constructor(private readonly storage?: OutboxStorage) {}

  /**
   * Loads what the storage kept: failed messages stay failed, everything else becomes pending again (a send that
   * was on the wire may have been stored; its clientId makes the re-send harmless). Errors are not restored.
   * @example await outbox.restore();
   * @throws whatever `storage.load()` throws or rejects with.
   */
  async restore(): Promise<void> {
    if (!this.storage) return;
    for (const item of await this.storage.load()) {
      this.items.set(item.clientId, { ...item, state: item.state === 'failed' ? 'failed' : 'pending', error: null });
    }
  }

  /**
   * Queues a message (replacing one with the same clientId) and saves the outbox. Returns the promise of
   * {@link Outbox.wait}.
   * @example const stored = await outbox.add(item);
   * @throws HearthError (as a rejection) when the message fails for good or is removed; see {@link Outbox.wait}.
   */
  add(item: OutgoingMessage): Promise<Message> {
    this.items.set(item.clientId, item);
    this.persist();
    return this.wait(item.clientId);
  }

  /**
   * Resolves when the message is acknowledged, rejects when it fails for good or is removed. If it is marked failed
   * without an error, the promise never settles.
   * @example outbox.wait(clientId).then((m) => console.log('stored as', m.seq));
   * @throws HearthError (as a rejection) with the error that failed the message: a server code such as
   * CONVERSATION_NOT_FOUND, MESSAGE_TOO_LARGE or VALIDATION_FAILED, or PROTOCOL_ERROR; CANCELLED when it is removed.
   */
  wait(clientId: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(clientId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(clientId, list);
    });
  }

  /**
   * The unacknowledged message with this clientId (the live object, not a copy), if any. Never throws.
   * @example const item = outbox.get(message.clientId);
   */
  get(clientId: string): OutgoingMessage | undefined {
    return this.items.get(clientId);
  }

  /**
   * Everything not yet acknowledged, oldest first; optionally of one conversation. Never throws.
   * @example const failed = outbox.list(conversationId).filter((i) => i.state === 'failed');
   */
  list(conversationId?: string): OutgoingMessage[] {
    const all = [...this.items.values()];
    return conversationId ? all.filter((i) => i.conversationId === conversationId) : all;
  }

  /**
   * Items to (re)send now (state `pending`), oldest first. Never throws.
   * @example for (const item of outbox.due()) void transmit(item);
   */
  due(): OutgoingMessage[] {
    return [...this.items.values()].filter((i) => i.state === 'pending');
  }

  /**
   * Moves a message to `state`, recording `error`, and saves. `sending` counts an attempt; `failed` with an error
   * rejects its waiters with it. Unknown clientIds are ignored. Never throws.
   * @example outbox.setState(item.clientId, 'failed', err);
   */
  setState(clientId: string, state: OutgoingState, error: HearthError | null = null): void {
    const item = this.items.get(clientId);
    if (!item) return;
    item.state = state;
    item.error = error;
    if (state === 'sending') item.attempts++;
    this.persist();
    if (state === 'failed' && error) for (const w of this.waiters.get(clientId) ?? []) w.reject(error);
    if (state === 'failed') this.waiters.delete(clientId);
  }

  /**
   * The server acknowledged the message: it leaves the outbox and its waiters resolve with `message`. Returns
   * whether it was there. Never throws.
   * @example if (outbox.complete(message.clientId, message)) announce(message);
   */
  complete(clientId: string, message: Message): boolean {
    const had = this.items.delete(clientId);
    for (const w of this.waiters.get(clientId) ?? []) w.resolve(message);
    this.waiters.delete(clientId);
    if (had) this.persist();
    return had;
  }

  /**
   * Takes a message out without sending it; its waiters reject with CANCELLED. Returns whether it was there.
   * Never throws.
   * @example outbox.remove(clientId);
   */
  remove(clientId: string): boolean {
    const had = this.items.delete(clientId);
    // Whoever waits for the acknowledgement learns it will not come from here.
    for (const w of this.waiters.get(clientId) ?? []) w.reject(new HearthError('CANCELLED', 'The message was discarded before it was sent.'));
    this.waiters.delete(clientId);
    if (had) this.persist();
    return had;
  }

  private persist(): void {
    if (!this.storage) return;
    // Storage is best effort (a full quota, a private window): its failure must not fail the send itself.
    try {
      void Promise.resolve(this.storage.save([...this.items.values()])).catch(() => undefined);
    } catch {
      // Same as above, for a storage that throws synchronously.
    }
  }
}
