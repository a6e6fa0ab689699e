import type { Content, Message } from '@hearth/protocol';
import type { HearthError } from './errors.js';

/**
 * `pending`: waiting to be sent or re-sent (also while offline). `sending`: on the wire, no answer yet.
 * `failed`: the server refused it for good (or it was given up); `retry` puts it back in line.
 */
export type OutgoingState = 'pending' | 'sending' | 'failed';

/** A message the user sent that the server has not acknowledged yet. */
export interface OutgoingMessage {
  clientId: string;
  conversationId: string;
  /** The content, or for a forward the message it copies. */
  content: Content | null;
  forwardFrom: { conversationId: string; messageId: string } | null;
  replyToId: string | null;
  /** Local time it was queued, for display ordering. */
  queuedAt: number;
  state: OutgoingState;
  attempts: number;
  error: HearthError | null;
}

/** Where an outbox survives a reload (for example localStorage in a browser). */
export interface OutboxStorage {
  load(): OutgoingMessage[] | Promise<OutgoingMessage[]>;
  save(items: OutgoingMessage[]): void | Promise<void>;
}

interface Waiter {
  resolve(message: Message): void;
  reject(err: HearthError): void;
}

/**
 * Unacknowledged messages, in the order they were queued. Each keeps its clientId for life, so re-sending after
 * a lost connection can never create a second copy: the server answers a repeat with the first message.
 */
export class Outbox {
  private readonly items = new Map<string, OutgoingMessage>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(private readonly storage?: OutboxStorage) {}

  async restore(): Promise<void> {
    if (!this.storage) return;
    for (const item of await this.storage.load()) {
      this.items.set(item.clientId, { ...item, state: item.state === 'failed' ? 'failed' : 'pending', error: null });
    }
  }

  add(item: OutgoingMessage): Promise<Message> {
    this.items.set(item.clientId, item);
    this.persist();
    return this.wait(item.clientId);
  }

  /** Resolves when the message is acknowledged, rejects when it fails for good. */
  wait(clientId: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(clientId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(clientId, list);
    });
  }

  get(clientId: string): OutgoingMessage | undefined {
    return this.items.get(clientId);
  }

  /** Everything not yet acknowledged, oldest first; optionally of one conversation. */
  list(conversationId?: string): OutgoingMessage[] {
    const all = [...this.items.values()];
    return conversationId ? all.filter((i) => i.conversationId === conversationId) : all;
  }

  /** Items to (re)send now, oldest first. */
  due(): OutgoingMessage[] {
    return [...this.items.values()].filter((i) => i.state === 'pending');
  }

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

  /** The server acknowledged the message: it leaves the outbox. Returns whether it was there. */
  complete(clientId: string, message: Message): boolean {
    const had = this.items.delete(clientId);
    for (const w of this.waiters.get(clientId) ?? []) w.resolve(message);
    this.waiters.delete(clientId);
    if (had) this.persist();
    return had;
  }

  /** Takes a message out without sending it. */
  remove(clientId: string): boolean {
    const had = this.items.delete(clientId);
    this.waiters.delete(clientId);
    if (had) this.persist();
    return had;
  }

  private persist(): void {
    if (!this.storage) return;
    void Promise.resolve(this.storage.save([...this.items.values()])).catch(() => undefined);
  }
}
