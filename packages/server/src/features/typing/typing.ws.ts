import type { FrameRouter } from '../../platform/frames.js';
import type { TypingService } from './typing.service.js';

export function registerTypingFrames(frames: FrameRouter, typing: TypingService): void {
  frames.on('typing', ({ actor, connectionId }, f) => typing.set(actor, connectionId, f.conversationId, f.active));
}
