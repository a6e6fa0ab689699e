import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, useClientState } from '../../app/client.js';
import { conversationTitle } from '../../app/people.js';

/** One conversation: its messages and the composer. */
export function ConversationView({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const conversation = useClientState((c) => c.conversations.get(conversationId));
  const window = useClientState((c) => c.messages.window(conversationId));
  const [text, setText] = useState('');
  useEffect(() => {
    if (conversation && !window) void client.messages.loadLatest(conversationId);
  }, [client, conversationId, conversation, window]);
  if (!conversation) return <div className="muted">{t('common.loading')}</div>;
  function send(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    void client.messages.send(conversationId, text).catch(() => undefined);
    setText('');
  }
  return (
    <section aria-label={conversationTitle(client, conversation)}>
      <h2>{conversationTitle(client, conversation)}</h2>
      <ol>
        {window?.messages.map((m) => (
          <li key={m.id}>{m.content?.type === 'text' ? m.content.text : ''}</li>
        ))}
      </ol>
      <form onSubmit={send}>
        <input aria-label={t('conversation.composer')} value={text} onChange={(e) => setText(e.target.value)} />
      </form>
    </section>
  );
}
