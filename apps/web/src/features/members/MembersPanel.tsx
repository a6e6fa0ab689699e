import type { Conversation } from '@hearth/client';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { navigate } from '../../app/router.js';
import { equalItems } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';
import { ConfirmDialog } from '../conversation/dialogs.js';
import { IconClose, IconLogOut } from '../conversation/icons.js';
import { AddMembers } from './AddMembers.js';
import { ConversationDetails } from './ConversationDetails.js';
import { MemberRow } from './MemberRow.js';
import './members.css';

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 } as const;

/** The conversation's details: topic, members with presence and roles, and what the viewer may change. */
export function MembersPanel({ conversation, onClose, onError }: { conversation: Conversation; onClose: () => void; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  // Copies with the names to sort by: the SDK updates members in place, and names arrive after the list.
  const members = useClientState((c) => c.conversations.cachedMembers(conversation.id)?.map((m) => ({ ...m, name: c.users.cached(m.userId)?.displayName ?? '' })), equalItems);
  const [leaving, setLeaving] = useState(false);
  useEffect(() => {
    void client.conversations.members(conversation.id).catch(() => undefined);
  }, [client, conversation.id]);
  const sorted = useMemo(() => [...(members ?? [])].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name)), [members]);
  const memberIds = useMemo(() => new Set((members ?? []).map((m) => m.userId)), [members]);
  const direct = conversation.kind === 'direct';
  const canAdd = !direct && (conversation.kind === 'channel' || conversation.me.role === 'owner' || conversation.me.role === 'admin');
  return (
    <aside
      className="members-panel"
      id="members-panel"
      aria-labelledby="members-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement && e.target.value)) onClose();
      }}
    >
      <header className="members-header">
        <h2 id="members-title">{direct ? t('members.detailsTitle') : t('members.title')}</h2>
        <button type="button" className="icon-btn" aria-label={t('members.close')} onClick={onClose}>
          <IconClose size={18} />
        </button>
      </header>
      <div className="members-scroll">
        {!direct && <ConversationDetails conversation={conversation} onError={onError} />}
        {canAdd && <AddMembers conversation={conversation} memberIds={memberIds} onError={onError} />}
        <h3 className="members-label">{t('members.count', { count: members?.length ?? conversation.memberCount })}</h3>
        {!members && <p className="muted">{t('common.loading')}</p>}
        <ul className="members-list">
          {sorted.map((m) => (
            <MemberRow key={m.userId} member={m} conversation={conversation} onError={onError} />
          ))}
        </ul>
        {!direct && (
          <button type="button" className="btn btn-danger members-leave" onClick={() => setLeaving(true)}>
            <IconLogOut size={16} />
            {t('members.leave')}
          </button>
        )}
      </div>
      {leaving && (
        <ConfirmDialog
          title={t('members.leaveTitle', { title: conversation.title ?? '' })}
          body={conversation.me.role === 'owner' ? t('members.leaveBodyOwner') : t('members.leaveBody')}
          confirm={t('members.leave')}
          danger
          onConfirm={() =>
            void client.conversations.leave(conversation.id).then(() => navigate({ name: 'home' }), onError)
          }
          onClose={() => setLeaving(false)}
        />
      )}
    </aside>
  );
}
