import type { Message } from '@hearth/client';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { equalItems } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';
import { conversationTitle } from '../../app/people.js';
import { Avatar } from '../../ui/Avatar.js';
import { Dialog } from '../../ui/Dialog.js';
import { plainText } from '../markdown/render.js';

export function ConfirmDialog({
  title,
  body,
  confirm,
  danger,
  onConfirm,
  onClose,
}: {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog title={title} onClose={onClose}>
      <p className="dialog-text">{body}</p>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} autoFocus>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className={`btn ${danger ? 'btn-danger-solid' : 'btn-primary'}`}
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}

/** Chooses where to forward a message. */
export function ForwardDialog({ message, onForwarded, onClose }: { message: Message; onForwarded: (title: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [query, setQuery] = useState('');
  const conversations = useClientState((c) => c.conversations.list().map((x) => ({ id: x.id, kind: x.kind, peerId: x.peerId, title: conversationTitle(c, x) })), equalItems);
  const filtered = useMemo(() => {
    const q = query.trim().toLowerCase();
    return conversations.filter(({ title }) => !q || title.toLowerCase().includes(q));
  }, [conversations, query]);
  const excerpt = message.content?.type === 'text' ? plainText(message.content.text) : '';
  return (
    <Dialog title={t('conversation.forwardTitle')} onClose={onClose}>
      <blockquote className="forward-preview">{excerpt}</blockquote>
      <input
        className="forward-search"
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        placeholder={t('conversation.forwardSearch')}
        aria-label={t('conversation.forwardSearch')}
        autoFocus
      />
      <ul className="forward-list">
        {filtered.length === 0 && <li className="muted forward-empty">{t('conversation.forwardNone')}</li>}
        {filtered.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="forward-item"
              onClick={() => {
                client.messages.forward(c.id, { conversationId: message.conversationId, messageId: message.id }).catch(() => undefined);
                onForwarded(c.title);
                onClose();
              }}
            >
              <Avatar id={c.peerId ?? c.id} name={c.title} size={32} />
              <span className="forward-title">{c.title}</span>
              <span className="muted forward-kind">{t(`conversation.kind.${c.kind}`)}</span>
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
