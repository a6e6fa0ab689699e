import type { Conversation, HearthClient } from '@hearth/client';
import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../app/errors.js';
import { useClient, useClientEvent } from '../../app/client.js';
import { useClientState } from '../../app/store.js';
import { conversationTitle } from '../../app/people.js';
import { navigate, useRoute } from '../../app/router.js';
import { Avatar } from '../../ui/Avatar.js';
import { Dialog, DialogActions } from '../../ui/Dialog.js';
import { openDialog } from '../shell/dialogs.js';
import { ConversationRow, type RowActions, type RowModel } from './ConversationRow.js';
import { fold, fullTime, listTime, previewOf } from './format.js';
import { Icon } from './icons.js';
import { MenuButton } from './Menu.js';
import './sidebar.css';

/** A conversation that passes the filters. */
interface Entry {
  id: string;
  conversation: Conversation;
  title: string;
  unread: number;
}

type Filter = 'all' | 'unread' | 'direct' | 'group' | 'channel';
const FILTERS: Filter[] = ['all', 'unread', 'direct', 'group', 'channel'];
const ROW_HEIGHT = 68;

/** Fetches, once, the profiles the visible rows name but the cache lacks (peers, senders of last messages). */
const requestedBy = new WeakMap<HearthClient, Set<string>>();
function fetchMissingUsers(client: HearthClient, conversations: Conversation[]): void {
  let requested = requestedBy.get(client);
  if (!requested) requestedBy.set(client, (requested = new Set()));
  const missing: string[] = [];
  for (const c of conversations) {
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

/** The signed-in person, with the "new" menu and the settings button. */
function SidebarHeader() {
  const { t } = useTranslation();
  const me = useClientState((c) => c.users.me);
  const online = useClientState((c) => c.connectionState === 'online');
  const name = me?.displayName ?? '…';
  const status = me ? [me.statusEmoji, me.statusText].filter(Boolean).join(' ') : '';
  return (
    <header className="sidebar-header">
      <button type="button" className="me-card" onClick={() => navigate({ name: 'settings' })}>
        <Avatar id={me?.id ?? 'me'} name={name} size={38} presence={online ? 'online' : 'offline'} />
        <span className="me-text">
          <bdi className="me-name">{name}</bdi>
          <span className="me-status">{status ? <bdi>{status}</bdi> : t('sidebar.setStatus')}</span>
        </span>
        <span className="visually-hidden">, {t('sidebar.profile')}</span>
      </button>
      <MenuButton
        label={t('sidebar.new.label')}
        items={[
          { id: 'direct', label: t('sidebar.new.direct'), icon: 'message', onSelect: () => openDialog('direct') },
          { id: 'group', label: t('sidebar.new.group'), icon: 'users', onSelect: () => openDialog('group') },
          { id: 'channel', label: t('sidebar.new.channel'), icon: 'hash', onSelect: () => openDialog('channel') },
          { id: 'browse', label: t('sidebar.new.browse'), icon: 'compass', onSelect: () => navigate({ name: 'channels' }) },
        ]}
      >
        <Icon name="plus" />
      </MenuButton>
      <button type="button" className="icon-btn" aria-label={t('sidebar.settings')} title={t('sidebar.settings')} onClick={() => navigate({ name: 'settings' })}>
        <Icon name="settings" />
      </button>
    </header>
  );
}

/** Asks before leaving a group or channel. */
function LeaveDialog({ conversation, onClose }: { conversation: Conversation; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const route = useRoute();
  const errorText = useErrorText();
  const [error, setError] = useState<string | null>(null);
  const title = conversationTitle(client, conversation);
  async function leave() {
    try {
      await client.conversations.leave(conversation.id);
      if (route.name === 'conversation' && route.id === conversation.id) navigate({ name: 'home' }, { replace: true });
      onClose();
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <Dialog title={t('sidebar.leave.title', { name: title })} onClose={onClose}>
      <p>{t(conversation.kind === 'channel' ? 'sidebar.leave.channel' : 'sidebar.leave.group')}</p>
      <DialogActions error={error} onCancel={onClose}>
        <button type="button" className="btn btn-danger-solid" onClick={() => void leave()}>
          {t('sidebar.leave.confirm')}
        </button>
      </DialogActions>
    </Dialog>
  );
}

/** The conversation list: who I am, a filter, and every conversation, most recent first. */
export function Sidebar() {
  const { t } = useTranslation();
  const client = useClient();
  const route = useRoute();
  const activeId = route.name === 'conversation' ? route.id : null;
  const conversations = useClientState((c) => c.conversations.list());
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const [leaving, setLeaving] = useState<Conversation | null>(null);
  const [, setTypingTick] = useState(0);
  useClientEvent('typers', () => setTypingTick((n) => n + 1));

  useEffect(() => fetchMissingUsers(client, conversations));

  // Every conversation that passes the filters gets a cheap entry; the full row (preview, times) is built only
  // for the rows on screen, so hundreds of conversations cost little on each change.
  const folded = fold(query.trim());
  const rows: Entry[] = [];
  for (const c of conversations) {
    if (filter === 'unread' && c.me.unreadCount === 0 && c.id !== activeId) continue;
    if (filter !== 'all' && filter !== 'unread' && c.kind !== filter) continue;
    const title = conversationTitle(client, c);
    if (folded && !fold(title).includes(folded)) continue;
    rows.push({ id: c.id, conversation: c, title, unread: c.me.unreadCount });
  }
  const me = client.users.me?.id;
  const now = Date.now();
  function rowModel({ conversation: c, title }: Entry): RowModel {
    const at = c.lastMessage?.createdAt ?? c.createdAt;
    const typers = client.typers(c.id).filter((id) => id !== me);
    let typing: string | null = null;
    if (typers.length === 1) typing = c.kind === 'direct' ? t('sidebar.typing.direct') : t('sidebar.typing.one', { name: client.users.cached(typers[0]!)?.displayName ?? '…' });
    else if (typers.length > 1) typing = t('sidebar.typing.many', { count: typers.length });
    return {
      id: c.id,
      kind: c.kind,
      title,
      avatarId: c.peerId ?? c.id,
      presence: c.kind === 'direct' && c.peerId ? (client.state.presence.get(c.peerId)?.state ?? 'offline') : undefined,
      time: listTime(at, now),
      timeFull: fullTime(at),
      iso: new Date(at).toISOString(),
      preview: previewOf(client, c, t),
      typing,
      unread: c.me.unreadCount,
      mentions: c.me.unreadMentionCount,
      muted: c.me.muted,
      active: c.id === activeId,
    };
  }

  const actions = useMemo<RowActions>(
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
      leave: (id) => setLeaving(client.conversations.get(id) ?? null),
    }),
    [client],
  );

  // Roving focus: one row is in the tab order (the focused one, else the open one, else the first).
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const tabbableId = rows.some((r) => r.id === focusedId) ? focusedId : rows.some((r) => r.id === activeId) ? activeId : (rows[0]?.id ?? null);
  const tabbableIndex = rows.findIndex((r) => r.id === tabbableId);
  const scroller = useRef<HTMLDivElement>(null);
  const pendingFocus = useRef<number | null>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => rows[i]?.id ?? i,
    rangeExtractor: useCallback(
      (range: Parameters<typeof defaultRangeExtractor>[0]) => {
        const indexes = defaultRangeExtractor(range);
        // The row that holds the tab stop stays rendered, so Tab can always reach the list.
        if (tabbableIndex >= 0 && !indexes.includes(tabbableIndex)) indexes.push(tabbableIndex);
        return indexes.sort((a, b) => a - b);
      },
      [tabbableIndex],
    ),
  });

  useEffect(() => {
    if (pendingFocus.current === null) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-row="${pendingFocus.current}"]`);
    if (el) {
      pendingFocus.current = null;
      el.focus();
    }
  });

  function focusRow(index: number) {
    const row = rows[index];
    if (!row) return;
    setFocusedId(row.id);
    pendingFocus.current = index;
    virtualizer.scrollToIndex(index, { align: 'auto' });
    const el = scroller.current?.querySelector<HTMLElement>(`[data-row="${index}"]`);
    if (el) {
      pendingFocus.current = null;
      el.focus();
    }
  }

  function onListKeyDown(e: KeyboardEvent) {
    const target = e.target as HTMLElement;
    const index = Number(target.closest<HTMLElement>('li')?.querySelector<HTMLElement>('[data-row]')?.dataset.row ?? -1);
    if (index < 0 || e.altKey || e.ctrlKey || e.metaKey) return;
    let next: number | undefined;
    if (e.key === 'ArrowDown') next = Math.min(rows.length - 1, index + 1);
    else if (e.key === 'ArrowUp') {
      if (index === 0) {
        e.preventDefault();
        filterInput.current?.focus();
        return;
      }
      next = index - 1;
    } else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = rows.length - 1;
    else if (e.key === 'PageDown') next = Math.min(rows.length - 1, index + 8);
    else if (e.key === 'PageUp') next = Math.max(0, index - 8);
    if (next === undefined) return;
    e.preventDefault();
    focusRow(next);
  }

  // Alt+↑/↓: previous or next conversation; Alt+Shift+↑/↓: the previous or next one with unread messages (as in
  // Slack). Listened to in the capture phase so that it works from anywhere, the composer included.
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  useEffect(() => {
    function onKey(e: globalThis.KeyboardEvent) {
      if (!e.altKey || e.ctrlKey || e.metaKey || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') || e.defaultPrevented) return;
      const list = rowsRef.current;
      const at = list.findIndex((r) => r.id === activeId);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      for (let i = at + step; i >= 0 && i < list.length; i += step) {
        if (!e.shiftKey || list[i]!.unread > 0) {
          // A global shortcut: it wins over the focused control's own use of the arrows (the composer's ↑).
          e.preventDefault();
          e.stopPropagation();
          navigate({ name: 'conversation', id: list[i]!.id });
          return;
        }
      }
    }
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [activeId]);

  const filterInput = useRef<HTMLInputElement>(null);
  function onFilterKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && rows.length > 0) {
      e.preventDefault();
      focusRow(0);
    } else if (e.key === 'Enter' && rows[0]) {
      e.preventDefault();
      navigate({ name: 'conversation', id: rows[0].id });
    } else if (e.key === 'Escape' && query) {
      e.preventDefault();
      setQuery('');
    }
  }

  const items = virtualizer.getVirtualItems();
  return (
    <div className="sidebar">
      <SidebarHeader />
      <div className="sidebar-tools">
        <div className="search-box">
          <Icon name="search" size={16} />
          <input
            ref={filterInput}
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onFilterKeyDown}
            placeholder={t('sidebar.filter.placeholder')}
            aria-label={t('sidebar.filter.label')}
            aria-controls="conversation-list"
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="chips" role="group" aria-label={t('sidebar.filter.kinds')}>
          {FILTERS.map((f) => (
            <button key={f} type="button" className="chip" aria-pressed={filter === f} onClick={() => setFilter(f)}>
              {t(`sidebar.filter.${f}`)}
            </button>
          ))}
        </div>
      </div>
      <h2 className="visually-hidden" id="conversation-list-heading">
        {t('sidebar.listHeading')}
      </h2>
      <div className="cl-scroller" ref={scroller}>
        {rows.length === 0 ? (
          <div className="sidebar-empty">
            {conversations.length === 0 ? (
              <>
                <p>{t('sidebar.empty.none')}</p>
                <button type="button" className="btn btn-primary" onClick={() => openDialog('direct')}>
                  <Icon name="message" size={18} />
                  {t('sidebar.new.direct')}
                </button>
                <button type="button" className="btn" onClick={() => navigate({ name: 'channels' })}>
                  <Icon name="compass" size={18} />
                  {t('sidebar.new.browse')}
                </button>
              </>
            ) : (
              <p role="status">{query ? t('sidebar.empty.noMatch', { query: query.trim() }) : t(`sidebar.empty.filter.${filter}`)}</p>
            )}
          </div>
        ) : (
          <ul
            id="conversation-list"
            className="cl-list"
            aria-labelledby="conversation-list-heading"
            style={{ height: virtualizer.getTotalSize() }}
            onKeyDown={onListKeyDown}
            onFocus={(e) => {
              const index = Number((e.target as HTMLElement).closest('li')?.querySelector<HTMLElement>('[data-row]')?.dataset.row ?? -1);
              const row = rows[index];
              if (row && row.id !== focusedId) setFocusedId(row.id);
            }}
          >
            {items.map((item) => {
              const row = rowModel(rows[item.index]!);
              return <ConversationRow key={row.id} row={row} index={item.index} count={rows.length} top={item.start} tabbable={row.id === tabbableId} actions={actions} />;
            })}
          </ul>
        )}
      </div>
      {leaving && <LeaveDialog conversation={leaving} onClose={() => setLeaving(null)} />}
    </div>
  );
}
