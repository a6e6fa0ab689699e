import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, useClientEvent } from '../../app/client.js';
import { plainText } from '../markdown/render.js';
import { writtenLine } from '../media/format.js';

/**
 * Messages from others while the list is away from the latest (counted for the "N new messages" button, until
 * it is back), and every message from others announced to screen readers.
 */
export function useNewMessages(conversationId: string, meId: string | undefined, away: boolean): { count: number; announcement: string; clear: () => void } {
  const { t } = useTranslation();
  const client = useClient();
  const [count, setCount] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const [wasAway, setWasAway] = useState(away);
  if (away !== wasAway) {
    setWasAway(away);
    if (!away) setCount(0);
  }
  useClientEvent('message.created', ({ message }) => {
    if (message.conversationId !== conversationId || message.senderId === meId) return;
    if (away) setCount((n) => n + 1);
    const name = client.users.cached(message.senderId)?.displayName ?? '';
    const text = writtenLine(message.content, t, plainText).slice(0, 240);
    setAnnouncement(t('conversation.announce', { name, text }));
  });
  const clear = useCallback(() => setCount(0), []);
  return { count, announcement, clear };
}
