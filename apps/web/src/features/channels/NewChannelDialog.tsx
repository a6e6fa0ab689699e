import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction } from '../../app/errors.js';
import { navigate } from '../../app/router.js';
import { Dialog, DialogActions } from '../../ui/Dialog.js';
import { autofocus } from '../sidebar/UserPicker.js';
import '../sidebar/dialogs.css';

/** New channel: public on the server, anyone may find and join it. */
export function NewChannelDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [title, setTitle] = useState('');
  const [topic, setTopic] = useState('');
  const { busy, error, run } = useAction();
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!title.trim()) return;
    void run(async () => {
      const channel = await client.conversations.createChannel({ title: title.trim(), topic: topic.trim() });
      onClose();
      navigate({ name: 'conversation', id: channel.id });
    });
  }
  return (
    <Dialog title={t('channels.create.title')} onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <p className="dialog-hint muted">{t('channels.create.hint')}</p>
        <div className="field">
          <label htmlFor="channel-title">{t('channels.create.name')}</label>
          <input
            id="channel-title"
            ref={autofocus}
            required
            maxLength={100}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            placeholder={t('channels.create.namePlaceholder')}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor="channel-topic">
            {t('channels.create.topic')} <span className="muted">{t('channels.optional')}</span>
          </label>
          <textarea id="channel-topic" rows={2} maxLength={500} value={topic} onChange={(e) => setTopic(e.target.value)} />
        </div>
        <DialogActions error={error} onCancel={onClose}>
          <button type="submit" className="btn btn-primary" disabled={busy || !title.trim()}>
            {t('channels.create.submit')}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
