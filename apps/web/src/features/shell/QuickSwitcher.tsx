import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { conversationTitle } from '../../app/people.js';
import { navigate } from '../../app/router.js';
import { Avatar } from '../../ui/Avatar.js';
import { Dialog } from '../../ui/Dialog.js';
import { fold } from '../sidebar/format.js';
import { Icon } from '../sidebar/icons.js';
import { autofocus } from '../sidebar/UserPicker.js';
import '../sidebar/dialogs.css';

/** Ranks a title against a query: prefix, then start of a word, then anywhere; -1 for no match. */
function rank(title: string, query: string): number {
  if (!query) return 0;
  const t = fold(title);
  if (t.startsWith(query)) return 3;
  if (t.split(/[\s\-_.#]+/).some((w) => w.startsWith(query))) return 2;
  return t.includes(query) ? 1 : -1;
}

/** Ctrl/Cmd+K: type a few letters of a conversation's name, ↑/↓ to choose, Enter to open, Esc to close. */
export function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const results = useMemo(() => {
    const q = fold(query.trim());
    return client.conversations
      .list()
      .map((c, order) => ({ c, title: conversationTitle(client, c), order }))
      .map((x) => ({ ...x, score: rank(x.title, q) }))
      .filter((x) => x.score >= 0)
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .slice(0, 50);
  }, [client, query]);
  useEffect(() => setActive(0), [query]);
  const current = results[Math.min(active, results.length - 1)];
  useEffect(() => {
    if (current) document.getElementById(`switch-${current.c.id}`)?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  function open(id: string) {
    onClose();
    navigate({ name: 'conversation', id });
  }
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'ArrowDown') setActive((a) => (results.length ? (a + 1) % results.length : 0));
    else if (e.key === 'ArrowUp') setActive((a) => (results.length ? (a - 1 + results.length) % results.length : 0));
    else if (e.key === 'Enter') {
      if (current) open(current.c.id);
    } else return;
    e.preventDefault();
  }

  return (
    <Dialog title={t('shell.switcher.title')} onClose={onClose}>
      <div className="search-box">
        <Icon name="search" size={16} />
        <input
          ref={autofocus}
          type="search"
          role="combobox"
          aria-label={t('shell.switcher.label')}
          aria-expanded="true"
          aria-controls="switcher-list"
          aria-autocomplete="list"
          aria-activedescendant={current ? `switch-${current.c.id}` : undefined}
          placeholder={t('shell.switcher.placeholder')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <ul id="switcher-list" role="listbox" className="switcher-list" aria-label={t('shell.switcher.results')}>
        {results.map(({ c, title }, i) => (
          <li
            key={c.id}
            id={`switch-${c.id}`}
            role="option"
            aria-selected={i === active}
            className={`switcher-option${i === active ? ' active' : ''}`}
            onMouseMove={() => i !== active && setActive(i)}
            onClick={() => open(c.id)}
          >
            <Avatar id={c.peerId ?? c.id} name={title} size={28} />
            <span className="switcher-title">
              <bdi>{title}</bdi>
            </span>
            <span className="switcher-kind">{t(`sidebar.kind.${c.kind}`)}</span>
            {c.me.unreadCount > 0 && (
              <span className={`badge${c.me.muted ? ' badge-muted' : ''}`} aria-label={t('sidebar.unread', { count: c.me.unreadCount })}>
                {c.me.unreadCount}
              </span>
            )}
          </li>
        ))}
      </ul>
      {results.length === 0 && (
        <p className="muted" role="status">
          {t('shell.switcher.none')}
        </p>
      )}
      <p className="switcher-hint" aria-hidden="true">
        <kbd>↑</kbd> <kbd>↓</kbd> {t('shell.switcher.hintMove')} · <kbd>Enter</kbd> {t('shell.switcher.hintOpen')} · <kbd>Esc</kbd> {t('shell.switcher.hintClose')}
      </p>
    </Dialog>
  );
}
