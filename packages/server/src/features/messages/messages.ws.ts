import type { FrameRouter } from '../../platform/frames.js';
import type { MessagesService } from './messages.service.js';

export function registerMessagesFrames(frames: FrameRouter, messages: MessagesService): void {
  frames.on('message.send', ({ actor }, f) =>
    messages.sendAck(actor, f.conversationId, { clientId: f.clientId, content: f.content, ...(f.replyToId ? { replyToId: f.replyToId } : {}) }),
  );
  frames.on('message.forward', ({ actor }, f) => messages.forwardAck(actor, f.conversationId, { clientId: f.clientId, from: f.from }));
  frames.on('message.edit', ({ actor }, f) => messages.edit(actor, f.conversationId, f.messageId, f.content));
  frames.on('message.delete', ({ actor }, f) => messages.delete(actor, f.conversationId, f.messageId));
}
