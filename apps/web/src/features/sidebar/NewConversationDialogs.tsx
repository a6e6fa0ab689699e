import type { User } from '@hearth/client';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction } from '../../app/errors.js';
import { navigate } from '../../app/router.js';
import { Dialog, DialogActions } from '../../ui/Dialog.js';
import { PickedList } from './PickedList.js';
import { autofocus, UserPicker } from './UserPicker.js';
import './dialogs.css';

/** New direct message: pick a person from the directory; opens the conversation with them (existing or new). */
export function NewDirectDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const { busy, error, run } = useAction();
  function pick(user: User) {
    return run(async () => {
      const conversation = await client.conversations.openDirect(user.id);
      onClose();
      navigate({ name: 'conversation', id: conversation.id });
    });
  }
  return (
    <Dialog title={t('sidebar.direct.title')} onClose={onClose}>
      <p className="dialog-hint muted">{t('sidebar.direct.hint')}</p>
      <UserPicker label={t('sidebar.direct.search')} onPick={(u) => void pick(u)} busy={busy} />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}

/** New group: a title, an optional topic and the people to add. */
export function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [title, setTitle] = useState('');
  const [topic, setTopic] = useState('');
  const [members, setMembers] = useState<User[]>([]);
  const { busy, error, run } = useAction();
  const selected = new Set(members.map((m) => m.id));

  function toggle(user: User) {
    setMembers((list) => (list.some((m) => m.id === user.id) ? list.filter((m) => m.id !== user.id) : [...list, user]));
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!title.trim()) return;
    void run(async () => {
      const conversation = await client.conversations.createGroup({ title: title.trim(), topic: topic.trim(), memberIds: members.map((m) => m.id) });
      onClose();
      navigate({ name: 'conversation', id: conversation.id });
    });
  }
  return (
    <Dialog title={t('sidebar.group.title')} onClose={onClose} wide>
      <form onSubmit={submit} className="dialog-form">
        <div className="field">
          <label htmlFor="group-title">{t('sidebar.group.name')}</label>
          <input id="group-title" ref={autofocus} required maxLength={100} value={title} onChange={(e) => setTitle(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="group-topic">
            {t('sidebar.group.topic')} <span className="muted">{t('sidebar.optional')}</span>
          </label>
          <input id="group-topic" maxLength={500} value={topic} onChange={(e) => setTopic(e.target.value)} autoComplete="off" />
        </div>
        <fieldset className="member-field">
          <legend>{t('sidebar.group.members')}</legend>
          <PickedList
            items={members.map((m) => ({ key: m.id, name: m.displayName, avatarId: m.id }))}
            label={t('sidebar.group.picked', { count: members.length })}
            removeLabel={(name) => t('sidebar.group.remove', { name })}
            onRemove={(id) => setMembers((list) => list.filter((m) => m.id !== id))}
          />
          <UserPicker label={t('sidebar.group.search')} onPick={toggle} selected={selected} />
        </fieldset>
        <DialogActions error={error} onCancel={onClose}>
          <button type="submit" className="btn btn-primary" disabled={busy || !title.trim()}>
            {t('sidebar.group.create')}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
