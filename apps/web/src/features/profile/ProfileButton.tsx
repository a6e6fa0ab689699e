import type { PresenceState } from '@hearth/client';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../ui/Avatar.js';
import { useOpenProfile } from './context.js';
import './profile.css';

/** A person's name that opens their profile card (plain text where no card can open). */
export function ProfileName({ userId, name, className, tabIndex }: { userId: string; name: string; className?: string; tabIndex?: number }) {
  const open = useOpenProfile();
  if (!open) return <span className={className}>{name}</span>;
  return (
    <button type="button" className={`profile-btn${className ? ` ${className}` : ''}`} aria-haspopup="dialog" tabIndex={tabIndex} onClick={() => open(userId)}>
      {name}
    </button>
  );
}

/**
 * A person's avatar that opens their profile card, for the mouse: it always sits beside their name, which is the
 * keyboard's way in, so it stays out of the tab order.
 */
export function ProfileAvatar({ userId, name, size, presence }: { userId: string; name: string; size: number; presence?: PresenceState }) {
  const { t } = useTranslation();
  const open = useOpenProfile();
  const avatar = <Avatar id={userId} name={name} size={size} presence={presence} />;
  if (!open) return avatar;
  return (
    <button type="button" className="profile-btn profile-avatar" aria-label={t('profile.open', { name })} aria-haspopup="dialog" tabIndex={-1} onClick={() => open(userId)}>
      {avatar}
    </button>
  );
}
