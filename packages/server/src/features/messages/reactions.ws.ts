import type { FrameRouter } from '../../platform/frames.js';
import type { ReactionsService } from './reactions.service.js';

export function registerReactionsFrames(frames: FrameRouter, reactions: ReactionsService): void {
  frames.on('reaction.add', ({ actor }, f) => reactions.add(actor, f.conversationId, f.messageId, f.emoji));
  frames.on('reaction.remove', ({ actor }, f) => reactions.remove(actor, f.conversationId, f.messageId, f.emoji));
}
