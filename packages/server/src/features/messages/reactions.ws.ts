import type { Gateway } from '../realtime/gateway.js';
import type { ReactionsService } from './reactions.service.js';

export function registerReactionsFrames(gateway: Gateway, reactions: ReactionsService): void {
  gateway.on('reaction.add', ({ actor }, f) => reactions.add(actor, f.conversationId, f.messageId, f.emoji));
  gateway.on('reaction.remove', ({ actor }, f) => reactions.remove(actor, f.conversationId, f.messageId, f.emoji));
}
