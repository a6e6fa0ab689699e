import type { Gateway } from '../realtime/gateway.js';
import type { MessagesService } from './messages.service.js';

export function registerMessagesFrames(gateway: Gateway, messages: MessagesService): void {
  gateway.on('message.send', ({ actor }, f) =>
    messages.send(actor, f.conversationId, { clientId: f.clientId, content: f.content, ...(f.replyToId ? { replyToId: f.replyToId } : {}) }),
  );
  gateway.on('message.forward', ({ actor }, f) => messages.forward(actor, f.conversationId, { clientId: f.clientId, from: f.from }));
  gateway.on('message.edit', ({ actor }, f) => messages.edit(actor, f.conversationId, f.messageId, f.content));
  gateway.on('message.delete', ({ actor }, f) => messages.delete(actor, f.conversationId, f.messageId));
}
