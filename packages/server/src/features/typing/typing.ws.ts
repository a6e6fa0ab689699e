import type { Gateway } from '../realtime/gateway.js';
import type { TypingService } from './typing.service.js';

export function registerTypingFrames(gateway: Gateway, typing: TypingService): void {
  gateway.on('typing', ({ actor, connectionId }, f) => typing.set(actor, connectionId, f.conversationId, f.active));
}
