import type { HearthClient, SystemContent } from '@hearth/client';

type T = (key: string, options?: Record<string, unknown>) => string;

/**
 * A system line of the history (a join, a removal, a rename) as one readable sentence, for the message list and
 * the conversation list's preview. The person who made the change is the message's sender.
 */
export function systemText(client: HearthClient, senderId: string, content: SystemContent, t: T): string {
  const meId = client.users.me?.id;
  const name = (id: string) => client.users.cached(id)?.displayName ?? '…';
  const actor = senderId === meId ? t('conversation.you') : name(senderId);
  // The user as the object of the sentence ("Ana added you") reads, and in Spanish and Arabic is built, unlike the
  // subject: a sentence of its own when it is only them, the object form in a list.
  const onlyMe = content.userIds.length === 1 && content.userIds[0] === meId;
  const names = new Intl.ListFormat(undefined, { type: 'conjunction' }).format(content.userIds.map((id) => (id === meId ? t('conversation.system.youObject') : name(id))));
  switch (content.event) {
    case 'member.joined':
      return t('conversation.system.memberJoined', { actor });
    case 'member.added':
      return onlyMe ? t('conversation.system.addedYou', { actor }) : t('conversation.system.memberAdded', { actor, names });
    case 'member.left':
      return t('conversation.system.memberLeft', { actor });
    case 'member.removed':
      return onlyMe ? t('conversation.system.removedYou', { actor }) : t('conversation.system.memberRemoved', { actor, names });
    case 'conversation.renamed':
      return t('conversation.system.renamed', { actor, title: content.title ?? '' });
    case 'topic.changed':
      return content.topic ? t('conversation.system.topicChanged', { actor, topic: content.topic }) : t('conversation.system.topicCleared', { actor });
  }
}
