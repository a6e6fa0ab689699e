import type { User } from '@hearth/client';
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../app/errors.js';
import { useClient } from '../../app/client.js';
import { Avatar } from '../../ui/Avatar.js';
import { Icon } from './icons.js';

/**
 * Marks an element for the browser's dialog autofocus: `showModal()` focuses the element carrying the
 * `autofocus` attribute (React's `autoFocus` prop focuses at mount, before the dialog opens, and is lost).
 */
export function autofocus(el: HTMLElement | null): void {
  el?.setAttribute('autofocus', '');
}

/**
 * Searches the user directory as the query changes (debounced), leaving the signed-in user out. Results of an
 * earlier query stay while the next one loads, narrowed to what is typed now, so that what is picked always
 * matches the query.
 */
export function useDirectory(query: string): { users: User[]; loading: boolean; error: string | null } {
  const client = useClient();
  const errorText = useErrorText();
  const [state, setState] = useState<{ users: User[]; loading: boolean; error: string | null }>({ users: [], loading: true, error: null });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(
      () => {
        client.users.search(query.trim(), 30).then(
          (users) => live && setState({ users: users.filter((u) => u.id !== client.users.me?.id), loading: false, error: null }),
          (err: unknown) => live && setState({ users: [], loading: false, error: errorText(err) }),
        );
      },
      query ? 180 : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, query, errorText]);
  const q = query.trim().toLowerCase();
  const users = useMemo(() => (q ? state.users.filter((u) => u.username.toLowerCase().includes(q) || u.displayName.toLowerCase().includes(q)) : state.users), [state.users, q]);
  return useMemo(() => ({ ...state, users }), [state, users]);
}

/**
 * A search box over the user directory with a list of results (combobox + listbox): type to search, ↑/↓ to move,
 * Enter to pick. With `selected`, the list is multi-select and shows which people are picked.
 */
export function UserPicker({
  label,
  onPick,
  selected,
  busy,
}: {
  label: string;
  onPick: (user: User) => void;
  selected?: ReadonlySet<string>;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const { users, loading, error } = useDirectory(query);
  const [active, setActive] = useState(0);
  const id = useId();
  const listId = `${id}-list`;
  useEffect(() => setActive(0), [users]);
  const activeUser = users[Math.min(active, users.length - 1)];

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(users.length - 1, a + 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
    else if (e.key === 'Home' && e.ctrlKey) setActive(0);
    else if (e.key === 'End' && e.ctrlKey) setActive(users.length - 1);
    else if (e.key === 'Enter') {
      if (activeUser && !busy) onPick(activeUser);
    } else return;
    e.preventDefault();
  }
  useEffect(() => {
    if (activeUser) document.getElementById(`${id}-${activeUser.id}`)?.scrollIntoView({ block: 'nearest' });
  }, [activeUser, id]);

  return (
    <div className="picker">
      <div className="search-box">
        <Icon name="search" size={16} />
        <input
          type="search"
          role="combobox"
          aria-label={label}
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeUser ? `${id}-${activeUser.id}` : undefined}
          placeholder={t('sidebar.picker.placeholder')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          ref={autofocus}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <ul id={listId} role="listbox" className="picker-list" aria-label={t('sidebar.picker.results')} aria-multiselectable={selected ? true : undefined} aria-busy={loading}>
        {users.map((u, i) => {
          const picked = selected?.has(u.id) ?? false;
          return (
            <li
              key={u.id}
              id={`${id}-${u.id}`}
              role="option"
              aria-selected={selected ? picked : i === active}
              className={`picker-option${i === active ? ' active' : ''}`}
              onMouseMove={() => i !== active && setActive(i)}
              onClick={() => !busy && onPick(u)}
            >
              <Avatar id={u.id} name={u.displayName} size={34} />
              <span className="picker-names">
                <span className="picker-name">
                  {u.statusEmoji && <span aria-hidden="true">{u.statusEmoji} </span>}
                  <bdi>{u.displayName}</bdi>
                </span>
                <span className="picker-username">@{u.username}</span>
              </span>
              {selected && <span className={`picker-check${picked ? ' checked' : ''}`}>{picked && <Icon name="check" size={14} />}</span>}
            </li>
          );
        })}
      </ul>
      <p className="picker-status muted" role="status">
        {error ?? (!loading && users.length === 0 ? (query.trim() ? t('sidebar.picker.none', { query: query.trim() }) : t('sidebar.picker.nobody')) : '')}
      </p>
    </div>
  );
}
