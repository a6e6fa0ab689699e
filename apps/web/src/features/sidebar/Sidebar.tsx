import type { Conversation, HearthClient } from '@hearth/client';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { navigate, useRoute } from '../../app/router.js';
import { equalItems } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';
import { StartButtons } from '../shell/StartButtons.js';
import { ConversationRow, type RowActions } from './ConversationRow.js';
import { entries, FILTERS, type Entry, type Filter } from './entries.js';
import { Icon } from './icons.js';
import { LeaveDialog } from './LeaveDialog.js';
import { SidebarHeader } from './SidebarHeader.js';
import { useConversationShortcuts, useRovingRows } from './useRovingRows.js';
import './sidebar.css';

/** Fetches, once, the profiles the list names but the cache lacks (peers, senders of last messages). */
const requestedBy = new WeakMap<HearthClient, Set<string>>();
function fetchMissingUsers(client: HearthClient): void {
  let requested = requestedBy.get(client);
  if (!requested) requestedBy.set(client, (requested = new Set()));
  const missing: string[] = [];
  for (const c of client.conversations.list()) {
    for (const id of [c.peerId, c.kind === 'direct' ? null : c.lastMessage?.senderId]) {
      if (id && !requested.has(id) && !client.users.cached(id) && id !== client.users.me?.id) {
        requested.add(id);
        missing.push(id);
      }
    }
  }
  if (missing.length === 0) return;
  void Promise.allSettled(missing.map((id) => client.users.get(id))).then((results) => {
    results.forEach((r, i) => r.status === 'rejected' && requested.delete(missing[i]!));
    client.changed();
  });
}

/** The search box and the kind chips above the list. */
function SidebarFilter({
  query,
  filter,
  input,
  onQuery,
  onFilter,
  onKeyDown,
  hasList,
}: {
  query: string;
  filter: Filter;
  input: RefObject<HTMLInputElement | null>;
  onQuery: (query: string) => void;
  onFilter: (filter: Filter) => void;
  onKeyDown: (e: KeyboardEvent<HTMLInputElement>) => void;
  /** Whether the list the filter controls is on the page (it is not while nothing matches). */
  hasList: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="sidebar-tools">
      <div className="search-box">
        <Icon name="search" size={16} />
        <input
          ref={input}
          type="search"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={t('sidebar.filter.placeholder')}
          aria-label={t('sidebar.filter.label')}
          aria-controls={hasList ? 'conversation-list' : undefined}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="chips" role="group" aria-label={t('sidebar.filter.kinds')}>
        {FILTERS.map((f) => (
          <button key={f} type="button" className="chip" aria-pressed={filter === f} onClick={() => onFilter(f)}>
            {t(`sidebar.filter.${f}`)}
          </button>
        ))}
      </div>
    </div>
  );
}

/** No rows: no conversation yet (with ways to start one), or none that passes the filters. */
function SidebarEmpty({ query, filter }: { query: string; filter: Filter }) {
  const { t } = useTranslation();
  const none = useClientState((c) => c.conversations.list().length === 0);
  return (
    <div className="sidebar-empty">
      {none ? (
        <>
          <p>{t('sidebar.empty.none')}</p>
          <StartButtons />
        </>
      ) : (
        <p role="status">{query ? t('sidebar.empty.noMatch', { query: query.trim() }) : t(`sidebar.empty.filter.${filter}`)}</p>
      )}
    </div>
  );
}

/** The actions of a row's menu; `leave` opens the confirmation. */
function useRowActions(onLeave: (conversation: Conversation | null) => void): RowActions {
  const client = useClient();
  return useMemo<RowActions>(
    () => ({
      open: (id) => navigate({ name: 'conversation', id }),
      markRead: (id) => {
        try {
          client.messages.markRead(id);
        } catch {
          /* gone meanwhile */
        }
      },
      setMuted: (id, muted) => void client.conversations.setMuted(id, muted).catch(() => undefined),
      leave: (id) => onLeave(client.conversations.get(id) ?? null),
    }),
    [client, onLeave],
  );
}

/** The conversation list: who I am, a filter, and every conversation, most recent first. */
export function Sidebar() {
  const { t } = useTranslation();
  const client = useClient();
  const route = useRoute();
  const activeId = route.name === 'conversation' ? route.id : null;
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const [leaving, setLeaving] = useState<Conversation | null>(null);
  const rows: Entry[] = useClientState((c) => entries(c, filter, query, activeId), equalItems);
  useEffect(() => fetchMissingUsers(client), [client, rows]);
  const actions = useRowActions(setLeaving);
  const scroller = useRef<HTMLDivElement>(null);
  const filterInput = useRef<HTMLInputElement>(null);
  const list = useRovingRows(rows, activeId, scroller, filterInput);
  useConversationShortcuts(rows, activeId);

  function onFilterKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && rows.length > 0) list.focusRow(0);
    else if (e.key === 'Enter' && rows[0]) navigate({ name: 'conversation', id: rows[0].id });
    else if (e.key === 'Escape' && query) setQuery('');
    else return;
    e.preventDefault();
  }

  return (
    <div className="sidebar">
      <SidebarHeader />
      <SidebarFilter query={query} filter={filter} input={filterInput} onQuery={setQuery} onFilter={setFilter} onKeyDown={onFilterKeyDown} hasList={rows.length > 0} />
      <h2 className="visually-hidden" id="conversation-list-heading">
        {t('sidebar.listHeading')}
      </h2>
      <div className="cl-scroller" ref={scroller}>
        {rows.length === 0 ? (
          <SidebarEmpty query={query} filter={filter} />
        ) : (
          <ul id="conversation-list" className="cl-list" aria-labelledby="conversation-list-heading" style={{ height: list.virtualizer.getTotalSize() }} onKeyDown={list.onKeyDown} onFocus={list.onFocus}>
            {list.virtualizer.getVirtualItems().map((item) => {
              const id = rows[item.index]!.id;
              return <ConversationRow key={id} id={id} index={item.index} count={rows.length} top={item.start} active={id === activeId} tabbable={id === list.tabbableId} actions={actions} />;
            })}
          </ul>
        )}
      </div>
      {leaving && <LeaveDialog conversation={leaving} onClose={() => setLeaving(null)} />}
    </div>
  );
}
