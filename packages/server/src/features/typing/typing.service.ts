import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { topics, type Bus } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import type { DB } from '../../platform/db/schema.js';
import { requireMember } from '../conversations/access.js';

interface Typing {
  userId: string;
  conversationId: string;
  expiresAt: number;
  broadcastAt: number;
}

/**
 * Typing indicators: never stored, published only to the conversation's connected members (the sockets
 * subscribed to it), expiring by themselves. A device renews while typing; a renewal within a third of the
 * time to live is absorbed here instead of being re-broadcast.
 */
export class TypingService {
  /** By connection, then conversation: what each device is typing in. */
  private readonly active = new Map<string, Map<string, Typing>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), ttlMs);
    this.sweeper.unref();
  }

  async set(actor: Actor, connectionId: string, conversationId: string, active: boolean): Promise<void> {
    await requireMember(this.db, conversationId, actor.userId);
    const now = this.clock.now();
    let mine = this.active.get(connectionId);
    const current = mine?.get(conversationId);
    if (!active) {
      if (!current || current.expiresAt <= now) return void mine?.delete(conversationId);
      mine!.delete(conversationId);
      return this.publish(actor.userId, conversationId, false);
    }
    if (!mine) this.active.set(connectionId, (mine = new Map<string, Typing>()));
    const renewal = current && current.expiresAt > now && now - current.broadcastAt < this.ttlMs / 3;
    mine.set(conversationId, { userId: actor.userId, conversationId, expiresAt: now + this.ttlMs, broadcastAt: renewal ? current.broadcastAt : now });
    if (!renewal) this.publish(actor.userId, conversationId, true);
  }

  /** A closed socket stops typing everywhere it was. */
  connectionClosed(connectionId: string): void {
    const mine = this.active.get(connectionId);
    if (!mine) return;
    this.active.delete(connectionId);
    const now = this.clock.now();
    for (const t of mine.values()) if (t.expiresAt > now) this.publish(t.userId, t.conversationId, false);
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private publish(userId: string, conversationId: string, active: boolean): void {
    this.bus.publish(topics.conversation(conversationId), { type: 'typing', conversationId, userId, active, expiresInMs: active ? this.ttlMs : 0 });
  }

  /** Forgets expired entries; clients expire them on their own, so nothing is sent. */
  private sweep(): void {
    const now = this.clock.now();
    for (const [connectionId, mine] of this.active) {
      for (const [conversationId, t] of mine) if (t.expiresAt <= now) mine.delete(conversationId);
      if (mine.size === 0) this.active.delete(connectionId);
    }
  }
}
