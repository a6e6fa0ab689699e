import type { Conversation, User } from '@hearth/client';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { Avatar } from '../../ui/Avatar.js';
import { IconPlus } from '../conversation/icons.js';

/** Searches the directory for people who are not members yet, and adds them. */
export function AddMembers({ conversation, memberIds, onError }: { conversation: Conversation; memberIds: Set<string>; onError: (e: unknown) => void }) {
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
