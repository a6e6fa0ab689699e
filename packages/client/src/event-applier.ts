/*
 * Event application: server events into `ClientState`, then to listeners, with the effects an applied event has
 * on the rest of the client.
 *
 * Owns no state; it owns the order of these steps.
 * Invariants:
 * - An event is announced (emitted under its type, then `change`) only after it has been applied, and only if it
 *   changed something: duplicates, stale events and events of conversations not held are not.
 * - A conversation event applies only as its conversation's next position (see `ClientState.applyConversationEvent`);
 *   anything else is reported `out-of-order`, changes nothing, and is for the sync engine to hold.
 * - A catch-up's answer is applied whole before any of its replayed events is announced; they are then announced
 *   in order, exactly as if they had arrived live (listeners cannot tell the difference).
 * - Effects of an applied `message.created`: the user's own settles its outgoing message; someone else's ends their
 *   typing indicator and queues a delivered receipt.
 */
import type { ConversationEvent, ServerEvent, SyncResponse } from '@hearth/protocol';
import type { Announce } from './client-events.js';
import type { OutboxSender } from './outbox-sender.js';
import type { ReceiptsCoordinator } from './receipts.js';
import type { ClientState } from './state.js';
import type { TypingIndicators } from './typing.js';

/**
 * What applying a live event did: `applied` (and announced), `unchanged` (nothing to announce), `out-of-order`
 * (not applied: positions are missing before it, or its conversation is not held; a catch-up must come first).
 * @example if (applier.applyLive(event) === 'out-of-order') holdAndSync(event);
 */
export type LiveOutcome = 'applied' | 'unchanged' | 'out-of-order';

/**
 * The parts of the client an applied event has effects on.
 * @example const effects: EventEffects = { sender, receipts, typing };
 */
export interface EventEffects {
  sender: OutboxSender;
  receipts: ReceiptsCoordinator;
  typing: TypingIndicators;
}

/**
 * Applies server events, live or replayed by a catch-up, and announces them; `HearthClient` owns one. Never throws.
 * @example applier.applyLive(event);
 */
export class EventApplier {
  constructor(
    private readonly state: ClientState,
    private readonly effects: EventEffects,
    private readonly announce: Announce,
  ) {}

  /** Applies one live event in order, and announces it if it changed something. */
  applyLive(event: ServerEvent): LiveOutcome {
    if ('pts' in event) {
      const outcome = this.state.applyConversationEvent(event);
      if (outcome === 'gap' || outcome === 'unknown-conversation') return 'out-of-order';
      if (outcome === 'duplicate') return 'unchanged';
      this.announceApplied(event);
      return 'applied';
    }
    if (!this.state.applyOtherEvent(event, Date.now())) return 'unchanged';
    if (event.type === 'typing') this.effects.typing.refresh(event.conversationId);
    this.announce(event.type, event);
    this.announce('change', undefined);
    return 'applied';
  }

  /**
   * Applies a catch-up's answer, then announces the events it replayed. Returns the conversations whose loaded
   * messages were dropped (too much was missed): they need reloading.
   */
  applyCatchUp(response: SyncResponse): string[] {
    for (const id of response.removed) this.state.removeConversation(id);
    const refetched: string[] = [];
    const replayed: ConversationEvent[] = [];
    for (const entry of response.conversations) {
      const hadWindow = this.state.windows.has(entry.conversation.id);
      const outcome = this.state.applySync(entry);
      if (outcome.refetched && hadWindow) refetched.push(entry.conversation.id);
      replayed.push(...outcome.applied);
      this.effects.receipts.deliveredUpTo(entry.conversation);
    }
    for (const receipt of response.receipts) this.state.applyReceipt(receipt);
    for (const p of response.presence) this.state.presence.set(p.userId, p);
    for (const u of response.users) this.state.users.set(u.id, u);
    this.state.cursor = response.cursor;
    this.effects.receipts.reapplyDueReads();
    for (const event of replayed) this.announceApplied(event);
    return refetched;
  }

  /** After a conversation event was applied: its effects, then listeners. */
  private announceApplied(event: ConversationEvent): void {
    if (event.type === 'message.created') {
      const message = event.message;
      if (message.senderId === this.state.me?.id) {
        this.effects.sender.settleEcho(message);
      } else {
        this.effects.typing.refresh(message.conversationId);
        this.effects.receipts.delivered(message);
      }
    }
    this.announce(event.type, event);
    this.announce('change', undefined);
  }
}
