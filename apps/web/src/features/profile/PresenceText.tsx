import { useTranslation } from 'react-i18next';
import { shallowEqual, useClientState } from '../../app/store.js';
import { formatRelative } from '../../i18n/index.js';

/** Online, away, last seen …, offline (the user themself is online while connected). */
export function PresenceText({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const presence = useClientState((c) => (c.users.me?.id === userId && c.connectionState === 'online' ? { state: 'online' as const, lastSeenAt: null } : c.state.presence.get(userId)), shallowEqual);
  if (presence?.state === 'online') return <span className="member-presence online">{t('members.online')}</span>;
  if (presence?.state === 'away') return <span className="member-presence">{t('members.away')}</span>;
  if (presence?.lastSeenAt) return <span className="member-presence">{t('members.lastSeen', { when: formatRelative(presence.lastSeenAt) })}</span>;
  return <span className="member-presence">{t('members.offline')}</span>;
}
