import type { PresenceState } from '@hearth/client';
import { useTranslation } from 'react-i18next';
import { avatarHue, initials } from '../app/people.js';
import './ui.css';

/** A round avatar with initials, and optionally a presence dot. Decorative: the name is always shown beside it. */
export function Avatar({ id, name, size = 36, presence }: { id: string; name: string; size?: number; presence?: PresenceState | undefined }) {
  const { t } = useTranslation();
  return (
    <span className="avatar" style={{ width: size, height: size, fontSize: size * 0.4, ['--hue' as string]: avatarHue(id) }} aria-hidden={presence ? undefined : true}>
      <span aria-hidden="true">{initials(name)}</span>
      {presence && <span className={`presence-dot presence-${presence}`} role="img" aria-label={t(`ui.presence.${presence}`)} />}
    </span>
  );
}
