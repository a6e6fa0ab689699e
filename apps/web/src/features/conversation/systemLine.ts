import type { HearthClient, SystemContent } from '@hearth/client';

type T = (key: string, options?: Record<string, unknown>) => string;

/**
 * A system line of the history (a join, a removal, a rename) as one readable sentence, for the message list and
 * the conversation list's preview. The person who made the change is the message's sender.
 */
export function systemText(client: HearthClient, senderId: string, content: SystemContent, t: T): string {
  const name = (id: string) => (id === client.users.me?.id ? t('conversation.you') : (client.users.cached(id)?.displayName ?? '…'));
  const actor = name(senderId);
  const names = new Intl.ListFormat(undefined, { type: 'conjunction' }).format(content.userIds.map(name));
  switch (content.event) {
    case 'member.joined':
      return t('conversation.system.memberJoined', { actor });
    case 'member.added':
      return t('conversation.system.memberAdded', { actor, names });
    case 'member.left':
      return t('conversation.system.memberLeft', { actor });
    case 'member.removed':
      return t('conversation.system.memberRemoved', { actor, names });
    case 'conversation.renamed':
      return t('conversation.system.renamed', { actor, title: content.title ?? '' });
    case 'topic.changed':
      return content.topic ? t('conversation.system.topicChanged', { actor, topic: content.topic }) : t('conversation.system.topicCleared', { actor });
  }
}
