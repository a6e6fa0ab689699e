import type { Conversation, Member } from '@hearth/client';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { displayName, useUser } from '../../app/people.js';
import { useClientState } from '../../app/store.js';
import { ConfirmDialog } from '../conversation/dialogs.js';
import { statusLine } from '../profile/context.js';
import { PresenceText } from '../profile/PresenceText.js';
import { ProfileAvatar, ProfileName } from '../profile/ProfileButton.js';

/** A member: name (opening their profile card), status, presence and role, and what the viewer may do to them (promote, demote, remove). */
export function MemberRow({ member, conversation, onError }: { member: Member; conversation: Conversation; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const user = useUser(member.userId);
  const me = useClientState((c) => c.users.me?.id);
  const presence = useClientState((c) => (c.users.me?.id === member.userId && c.connectionState === 'online' ? 'online' : c.state.presence.get(member.userId)?.state));
  const [confirm, setConfirm] = useState(false);
  const myRole = conversation.me.role;
  const isMe = member.userId === me;
  const direct = conversation.kind === 'direct';
  const canRemove = !direct && !isMe && member.role !== 'owner' && (myRole === 'owner' || (myRole === 'admin' && member.role === 'member'));
  const canPromote = !direct && !isMe && myRole === 'owner' && member.role !== 'owner';
  const name = displayName(user);
  const status = statusLine(user);
  return (
    <li className="member">
      <ProfileAvatar userId={member.userId} name={name} size={34} presence={presence ?? 'offline'} />
      <div className="member-text">
        <span className="member-name-row">
          <ProfileName userId={member.userId} name={name} className="member-name" />
          {isMe && <span className="member-you muted">{t('members.you')}</span>}
        </span>
        {status && (
          <span className="member-status" dir="auto">
            {status}
          </span>
        )}
        <span className="member-sub">
          {user && <span className="muted">@{user.username}</span>}
          <PresenceText userId={member.userId} />
        </span>
      </div>
      {!direct && member.role !== 'member' && <span className={`role-badge role-${member.role}`}>{t(`members.roles.${member.role}`)}</span>}
      {(canPromote || canRemove) && (
        <div className="member-actions">
          {canPromote && (
            <button
              type="button"
              className="btn btn-small"
              aria-label={member.role === 'admin' ? t('members.demoteLabel', { name }) : t('members.promoteLabel', { name })}
              onClick={() => void client.conversations.setRole(conversation.id, member.userId, member.role === 'admin' ? 'member' : 'admin').catch(onError)}
            >
              {member.role === 'admin' ? t('members.demote') : t('members.promote')}
            </button>
          )}
          {canRemove && (
            <button type="button" className="btn btn-small btn-danger" aria-label={t('members.removeLabel', { name })} onClick={() => setConfirm(true)}>
              {t('members.remove')}
            </button>
          )}
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title={t('members.removeTitle', { name })}
          body={t('members.removeBody', { name })}
          confirm={t('members.remove')}
          danger
          onConfirm={() => void client.conversations.removeMember(conversation.id, member.userId).catch(onError)}
          onClose={() => setConfirm(false)}
        />
      )}
    </li>
  );
}
