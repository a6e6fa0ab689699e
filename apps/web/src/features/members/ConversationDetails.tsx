import type { Conversation } from '@hearth/client';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';

/** The topic of a group or channel; its admins may rename it and change the topic. */
export function ConversationDetails({ conversation, onError }: { conversation: Conversation; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(conversation.title ?? '');
  const [topic, setTopic] = useState(conversation.topic);
  const admin = conversation.me.role === 'owner' || conversation.me.role === 'admin';
  function save(e: FormEvent) {
    e.preventDefault();
    const changes: { title?: string; topic?: string } = {};
    if (title.trim() && title.trim() !== conversation.title) changes.title = title.trim();
    if (topic.trim() !== conversation.topic) changes.topic = topic.trim();
    if (Object.keys(changes).length) client.conversations.update(conversation.id, changes).catch(onError);
    setEditing(false);
  }
  if (editing) {
    return (
      <form className="members-details" onSubmit={save}>
        <div className="field">
          <label htmlFor="conv-title-input">{t('members.name')}</label>
          <input id="conv-title-input" value={title} maxLength={100} required onChange={(e) => setTitle(e.target.value)} autoFocus />
        </div>
        <div className="field">
          <label htmlFor="conv-topic-input">{t('members.topic')}</label>
          <textarea id="conv-topic-input" value={topic} maxLength={500} rows={3} onChange={(e) => setTopic(e.target.value)} />
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setEditing(false)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary">
            {t('common.save')}
          </button>
        </div>
      </form>
    );
  }
  return (
    <div className="members-details">
      <p className="members-topic">{conversation.topic || <span className="muted">{t('members.noTopic')}</span>}</p>
      {admin && (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            setTitle(conversation.title ?? '');
            setTopic(conversation.topic);
            setEditing(true);
          }}
        >
          {t('members.editDetails')}
        </button>
      )}
    </div>
  );
}
