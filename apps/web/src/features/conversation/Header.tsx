import type { Conversation } from '@hearth/client';
import { useTranslation } from 'react-i18next';
import { useClientState } from '../../app/store.js';
import { useUser } from '../../app/people.js';
import { navigate } from '../../app/router.js';
import { formatRelative } from '../../i18n/index.js';
import { Avatar } from '../../ui/Avatar.js';
import { statusLine } from '../profile/context.js';
import { ProfileAvatar, ProfileName } from '../profile/ProfileButton.js';
import { IconFiles } from '../media/icons.js';
import { IconBack, IconUsers } from './icons.js';

export function ConversationHeader({
  conversation,
  title,
  typers,
  panel,
  onTogglePanel,
}: {
  conversation: Conversation;
  title: string;
  typers: string[];
  panel: 'members' | 'files' | null;
  onTogglePanel: (which: 'members' | 'files') => void;
}) {
  const { t } = useTranslation();
  const direct = conversation.kind === 'direct';
  // While disconnected, presence is stale: say nothing rather than something wrong.
  const presence = useClientState((c) => (conversation.peerId && c.connectionState === 'online' ? c.state.presence.get(conversation.peerId) : undefined));
  const peer = useUser(conversation.peerId);

  let subtitle: string;
  if (direct) {
    if (typers.length > 0) subtitle = t('conversation.typingShort');
    else if (presence?.state === 'online') subtitle = t('conversation.online');
    else if (presence?.state === 'away') subtitle = t('conversation.away');
    else if (presence?.lastSeenAt) subtitle = t('conversation.lastSeen', { when: formatRelative(presence.lastSeenAt) });
    else subtitle = peer ? `@${peer.username}` : '';
    // Their status first ("🌴 On vacation · Last seen …"): it is what someone about to write to them needs.
    subtitle = [statusLine(peer), subtitle].filter(Boolean).join(' · ');
  } else {
    const members = t('conversation.memberCount', { count: conversation.memberCount });
    subtitle = conversation.topic ? `${members} · ${conversation.topic}` : members;
  }

  return (
    <header className="conv-header">
      <button type="button" className="icon-btn conv-back" aria-label={t('conversation.backToList')} onClick={() => navigate({ name: 'home' })}>
        <IconBack size={20} />
      </button>
      {direct && conversation.peerId ? (
        <ProfileAvatar userId={conversation.peerId} name={title} size={38} presence={presence?.state ?? 'offline'} />
      ) : (
        <Avatar id={conversation.id} name={title} size={38} />
      )}
      <div className="conv-heading">
        <h2 className="conv-title" id="conv-title">
          {!direct && <span className="conv-kind" aria-hidden="true">{conversation.kind === 'channel' ? '#' : ''}</span>}
          {direct && conversation.peerId ? (
            <ProfileName userId={conversation.peerId} name={title} />
          ) : (
            title
          )}
        </h2>
        <p className={`conv-subtitle${direct && typers.length > 0 ? ' conv-typing' : ''}`} title={subtitle}>
          {subtitle}
        </p>
      </div>
      <button
        type="button"
        className={`icon-btn conv-files-btn${panel === 'files' ? ' active' : ''}`}
        aria-label={t('media.filesPanel')}
        aria-expanded={panel === 'files'}
        aria-controls="files-panel"
        onClick={() => onTogglePanel('files')}
      >
        <IconFiles size={20} />
      </button>
      <button
        type="button"
        className={`icon-btn conv-members-btn${panel === 'members' ? ' active' : ''}`}
        aria-label={direct ? t('conversation.details') : t('conversation.memberCount', { count: conversation.memberCount })}
        aria-expanded={panel === 'members'}
        aria-controls="members-panel"
        onClick={() => onTogglePanel('members')}
      >
        <IconUsers size={20} />
        {!direct && <span className="conv-members-count" aria-hidden="true">{conversation.memberCount}</span>}
      </button>
    </header>
  );
}
