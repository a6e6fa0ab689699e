import type { Conversation, Member, User } from '@hearth/client';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { equalItems } from '../../app/snapshots.js';
import { shallowEqual, useClientState } from '../../app/store.js';
import { displayName, useUser } from '../../app/people.js';
import { navigate } from '../../app/router.js';
import { formatRelative } from '../../i18n/index.js';
import { Avatar } from '../../ui/Avatar.js';
import { ConfirmDialog } from '../conversation/dialogs.js';
import { IconClose, IconLogOut, IconPlus } from '../conversation/icons.js';
import './members.css';

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 } as const;

function PresenceText({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const presence = useClientState((c) => (c.users.me?.id === userId && c.connectionState === 'online' ? { state: 'online' as const, lastSeenAt: null } : c.state.presence.get(userId)), shallowEqual);
  if (presence?.state === 'online') return <span className="member-presence online">{t('members.online')}</span>;
  if (presence?.state === 'away') return <span className="member-presence">{t('members.away')}</span>;
  if (presence?.lastSeenAt) return <span className="member-presence">{t('members.lastSeen', { when: formatRelative(presence.lastSeenAt) })}</span>;
  return <span className="member-presence">{t('members.offline')}</span>;
}

function MemberRow({ member, conversation, onError }: { member: Member; conversation: Conversation; onError: (e: unknown) => void }) {
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
  return (
    <li className="member">
      <Avatar id={member.userId} name={name} size={34} presence={presence ?? 'offline'} />
      <div className="member-text">
        <span className="member-name-row">
          <span className="member-name">{name}</span>
          {isMe && <span className="member-you muted">{t('members.you')}</span>}
        </span>
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

function AddMembers({ conversation, memberIds, onError }: { conversation: Conversation; memberIds: Set<string>; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<User[]>([]);
  const [added, setAdded] = useState<string | null>(null);
  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults([]);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      client.users.search(q, 10).then((users) => !cancelled && setResults(users), () => undefined);
    }, 200);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, query]);
  const candidates = results.filter((u) => !memberIds.has(u.id));
  return (
    <div className="members-add">
      <label className="members-label" htmlFor="members-add-search">
        {t('members.add')}
      </label>
      <input id="members-add-search" className="members-input" type="search" value={query} placeholder={t('members.searchPlaceholder')} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
      {query.trim() && (
        <ul className="members-results" aria-label={t('members.results')}>
          {candidates.length === 0 && <li className="muted members-empty">{t('members.noResults')}</li>}
          {candidates.map((u) => (
            <li key={u.id} className="member">
              <Avatar id={u.id} name={u.displayName} size={30} />
              <div className="member-text">
                <span className="member-name">{u.displayName}</span>
                <span className="muted member-sub">@{u.username}</span>
              </div>
              <button
                type="button"
                className="btn btn-small btn-primary"
                aria-label={t('members.addLabel', { name: u.displayName })}
                onClick={() =>
                  void client.conversations.addMembers(conversation.id, [u.id]).then(() => {
                    setAdded(t('members.added', { name: u.displayName }));
                    setQuery('');
                  }, onError)
                }
              >
                <IconPlus size={14} />
                {t('members.addShort')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="visually-hidden" role="status">
        {added}
      </div>
    </div>
  );
}

function Details({ conversation, onError }: { conversation: Conversation; onError: (e: unknown) => void }) {
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
        {!direct && <Details conversation={conversation} onError={onError} />}
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
