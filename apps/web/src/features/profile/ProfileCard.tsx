import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { displayName, useUser } from '../../app/people.js';
import { navigate } from '../../app/router.js';
import { useClientState } from '../../app/store.js';
import { Avatar } from '../../ui/Avatar.js';
import { Dialog } from '../../ui/Dialog.js';
import { statusLine } from './context.js';
import { PresenceText } from './PresenceText.js';

/** The time now, moved on every half minute while shown. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** "17:42 (Asia/Tokyo)" in the reader's language: the person's local time where they set a zone. */
function LocalTime({ timeZone }: { timeZone: string }) {
  const { i18n } = useTranslation();
  const now = useNow();
  const time = new Intl.DateTimeFormat(i18n.language, { hour: 'numeric', minute: '2-digit', timeZone }).format(now);
  return (
    <>
      {time} <span className="muted">({timeZone.replace(/_/g, ' ')})</span>
    </>
  );
}

/** A person's card: name, username, status, local time, presence, and a button to write to them. */
export function ProfileCard({ userId, onClose }: { userId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const user = useUser(userId);
  const isMe = useClientState((c) => c.users.me?.id === userId);
  const presence = useClientState((c) => (isMe && c.connectionState === 'online' ? 'online' : (c.state.presence.get(userId)?.state ?? 'offline')));
  const [error, setError] = useState(false);
  const name = displayName(user);
  const status = statusLine(user);

  function message() {
    client.conversations.openDirect(userId).then(
      (dm) => {
        onClose();
        navigate({ name: 'conversation', id: dm.id });
      },
      () => setError(true),
    );
  }
  return (
    <Dialog title={name} onClose={onClose}>
      <div className="profile-card">
        <Avatar id={userId} name={name} size={64} presence={presence} />
        <dl className="profile-facts">
          <dt>{t('profile.username')}</dt>
          <dd>{user ? `@${user.username}` : '…'}</dd>
          {status && (
            <>
              <dt>{t('profile.status')}</dt>
              <dd dir="auto">{status}</dd>
            </>
          )}
          <dt>{t('profile.localTime')}</dt>
          <dd>{user?.timeZone ? <LocalTime timeZone={user.timeZone} /> : <span className="muted">{t('profile.noTimeZone')}</span>}</dd>
          <dt>{t('profile.presence')}</dt>
          <dd>
            <PresenceText userId={userId} />
          </dd>
        </dl>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {t('common.errors.default')}
        </p>
      )}
      {!isMe && (
        <div className="dialog-buttons">
          <button type="button" className="btn btn-primary" onClick={message}>
            {t('profile.message')}
          </button>
        </div>
      )}
    </Dialog>
  );
}
