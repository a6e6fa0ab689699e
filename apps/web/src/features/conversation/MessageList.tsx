import { useVirtualizer } from '@tanstack/react-virtual';
import i18next from 'i18next';
import { forwardRef, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, useClientEvent } from '../../app/client.js';
import { equalItems, pendingSnapshot } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';
import { formatDay } from '../../i18n/index.js';
import { plainText } from '../markdown/render.js';
import { useInfo } from './context.js';
import { IconArrowDown, IconArrowUp } from './icons.js';
import { MessageRow, PendingRow } from './MessageRow.js';
import { buildRows, type Row } from './rows.js';
import type { Timeline } from './timeline.js';

/** Rows closer than this to an end of the loaded history fetch the next page. */
const LOAD_MARGIN_PX = 800;
const AT_END_PX = 32;

export interface MessageListHandle {
  /** Scrolls to the newest message (back to the live window if detached) and sticks there. */
  toLatest(): void;
  /** Scrolls to a message, loading history as needed, highlights it and (unless `focus` is false) focuses it. */
  jumpTo(seq: number, messageId: string, focus?: boolean): void;
}

function estimate(row: Row | undefined): number {
  switch (row?.kind) {
    case 'message':
    case 'pending':
      return row.head ? 64 : 28;
    case 'day':
      return 44;
    case 'unread':
      return 36;
    default:
      return 56;
  }
}

/** "Today", "Yesterday" (in the user's language), else the full date. */
function dayLabel(at: number): string {
  const start = (ms: number) => new Date(new Date(ms).getFullYear(), new Date(ms).getMonth(), new Date(ms).getDate()).getTime();
  const diff = Math.round((start(at) - start(Date.now())) / 86_400_000);
  if (diff === 0 || diff === -1) {
    const text = new Intl.RelativeTimeFormat(i18next.language, { numeric: 'auto' }).format(diff, 'day');
    return text.charAt(0).toLocaleUpperCase(i18next.language) + text.slice(1);
  }
  return formatDay(at);
}

function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', on);
    window.addEventListener('focus', on);
    return () => {
      document.removeEventListener('visibilitychange', on);
      window.removeEventListener('focus', on);
    };
  }, []);
  return visible;
}

export const MessageList = forwardRef<MessageListHandle, { timeline: Timeline; title: string; onEditLast?: () => void }>(function MessageList({ timeline, title }, ref) {
  const { t } = useTranslation();
  const client = useClient();
  const { conversationId, meId } = useInfo();
  const readSeq = useClientState((c) => c.conversations.get(conversationId)?.me.readSeq ?? 0);
  const lastMessage = useClientState((c) => c.conversations.get(conversationId)?.lastMessage);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [readSeqAtOpen, setReadSeqAtOpen] = useState<number | null>(readSeq);
  const [atEnd, setAtEnd] = useState(true);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [newWhileAway, setNewWhileAway] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const [viewport, setViewport] = useState(0);
  const visible = useDocumentVisible();
  const pendingJump = useRef<string | null>(null);
  const pendingFocus = useRef(true);
  const initialised = useRef(false);
  const started = useRef(false);

  const pending = useClientState((c) => pendingSnapshot(c, conversationId), equalItems);
  const hasUnread = readSeqAtOpen !== null && (lastMessage?.seq ?? 0) > readSeqAtOpen && lastMessage?.senderId !== meId;

  const rows = useMemo(
    () =>
      buildRows({
        messages: timeline.messages,
        pending,
        meId,
        readSeqAtOpen: hasUnread ? readSeqAtOpen : null,
        hasOlder: timeline.hasOlder,
        hasNewer: timeline.hasNewer,
      }),
    [timeline.messages, timeline.hasOlder, timeline.hasNewer, pending, meId, readSeqAtOpen, hasUnread],
  );

  // The latest message of mine (for "Seen by" in groups).
  const lastMineId = useMemo(() => {
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i]!;
      if (r.kind === 'message' && r.message.senderId === meId && !r.message.deletedAt) return r.message.id;
    }
    return null;
  }, [rows, meId]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => estimate(rows[i]),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 10,
    paddingStart: 8,
    paddingEnd: 8,
  });

  // Scroll position rules, applied after every change of rows or sizes:
  // - pinned (at the newest message, live): stay at the bottom as messages arrive or grow;
  // - older messages prepended: the message that was at the top stays exactly where it was.
  const pinned = useRef(true);
  const anchor = useRef<{ key: string; delta: number } | null>(null);
  const total = virtualizer.getTotalSize();
  const rememberAnchor = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const top = el.scrollTop;
    for (const item of virtualizer.getVirtualItems()) {
      const row = rows[item.index];
      if (row && (row.kind === 'message' || row.kind === 'pending') && item.end > top) {
        anchor.current = { key: row.key, delta: item.start - top };
        return;
      }
    }
  }, [rows, virtualizer]);
  // The list keeps its own anchor, so the library must not shift the position by itself as well.
  virtualizer.shouldAdjustScrollPositionOnItemSizeChange = () => false;
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || !started.current) return;
    if (pinned.current && timeline.live && !pendingJump.current) {
      if (el.scrollTop < el.scrollHeight - el.clientHeight - 1) el.scrollTop = el.scrollHeight;
      return;
    }
    const a = anchor.current;
    if (!a) return;
    const i = rows.findIndex((r) => r.key === a.key);
    const item = i >= 0 ? virtualizer.measurementsCache[i] : undefined;
    if (!item) return;
    const target = item.start - a.delta;
    if (Math.abs(el.scrollTop - target) > 1) el.scrollTop = target;
  });

  const indexOfKey = useCallback((key: string) => rows.findIndex((r) => r.key === key), [rows]);

  // Opening: start at the "new messages" divider when there is one, else at the latest message.
  useLayoutEffect(() => {
    if (started.current || !timeline.ready || rows.length <= 1) return;
    started.current = true;
    const divider = indexOfKey('unread');
    pinned.current = divider < 0;
    anchor.current = null;
    if (divider >= 0) virtualizer.scrollToIndex(divider, { align: 'start' });
    else {
      const el = scrollRef.current;
      if (el) el.scrollTop = el.scrollHeight;
      virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    }
    // Paging starts once the first position has settled, so opening does not read as a scroll to the top.
    requestAnimationFrame(() => requestAnimationFrame(() => {
      initialised.current = true;
    }));
  }, [timeline.ready, rows, indexOfKey, virtualizer]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const fromEnd = el.scrollHeight - el.scrollTop - el.clientHeight;
    const end = fromEnd <= AT_END_PX && !timeline.hasNewer;
    if (started.current) pinned.current = end && timeline.live;
    rememberAnchor();
    setAtEnd(end);
    if (end) setNewWhileAway(0);
    if (!initialised.current) return;
    if (el.scrollTop < LOAD_MARGIN_PX && timeline.hasOlder && !timeline.loading) void timeline.loadOlder();
    if (fromEnd < LOAD_MARGIN_PX && timeline.hasNewer && !timeline.loading) void timeline.loadNewer();
  }, [timeline, rememberAnchor]);

  // Content can end up short of the viewport (or a page can arrive) without a scroll event: check again.
  useEffect(() => {
    onScroll();
  }, [rows, viewport, onScroll]);

  // Read: the latest messages are on screen, the list is live and the tab is visible.
  const lastSeq = timeline.live ? (timeline.messages[timeline.messages.length - 1]?.seq ?? 0) : 0;
  useEffect(() => {
    if (!timeline.live || !atEnd || !visible || lastSeq === 0) return;
    if (lastSeq > readSeq) client.messages.markRead(conversationId, lastSeq);
  }, [client, conversationId, timeline.live, atEnd, visible, lastSeq, readSeq]);

  // New messages from others: counted while scrolled away, and announced to screen readers.
  useClientEvent('message.created', ({ message }) => {
    if (message.conversationId !== conversationId || message.senderId === meId) return;
    if (!atEnd || !timeline.live) setNewWhileAway((n) => n + 1);
    const name = client.users.cached(message.senderId)?.displayName ?? '';
    const text = message.content?.type === 'text' ? plainText(message.content.text).slice(0, 240) : '';
    setAnnouncement(t('conversation.announce', { name, text }));
  });

  // Sending a message of my own takes the list to the latest and clears the unread divider.
  const toLatest = useCallback(() => {
    if (!timeline.live) timeline.toLatest();
    pinned.current = true;
    setNewWhileAway(0);
    requestAnimationFrame(() => {
      virtualizer.scrollToIndex(Math.max(0, virtualizer.options.count - 1), { align: 'end' });
      requestAnimationFrame(() => {
        const el = scrollRef.current;
        if (el) el.scrollTop = el.scrollHeight;
      });
    });
  }, [timeline, virtualizer]);

  const scrollToKey = useCallback(
    (key: string, flash: boolean, focus = true) => {
      const i = indexOfKey(key);
      if (i < 0) return false;
      pinned.current = false;
      anchor.current = null;
      virtualizer.scrollToIndex(i, { align: 'center' });
      if (flash) {
        setHighlight(key);
        setActiveKey(key);
        setTimeout(() => setHighlight((h) => (h === key ? null : h)), 2200);
        if (focus) setTimeout(() => scrollRef.current?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(key)}"] .msg`)?.focus({ preventScroll: true }), 120);
      }
      return true;
    },
    [indexOfKey, virtualizer],
  );

  // A jump whose target never arrived (network trouble, a message that is gone) must not hold the list.
  const settleJump = useCallback((target: string) => {
    setTimeout(() => {
      if (pendingJump.current === target) pendingJump.current = null;
    }, 600);
  }, []);

  const keyOfMessage = useCallback((messageId: string) => {
    const row = rows.find((r) => r.kind === 'message' && r.message.id === messageId);
    return row?.key ?? null;
  }, [rows]);

  const jumpTo = useCallback(
    (seq: number, messageId: string, focus = true) => {
      const key = keyOfMessage(messageId);
      if (key && scrollToKey(key, true, focus)) return;
      pendingFocus.current = focus;
      pendingJump.current = messageId;
      void timeline.reveal(seq).finally(() => settleJump(messageId));
    },
    [keyOfMessage, scrollToKey, timeline, settleJump],
  );

  // A jump waiting for its page: scroll once the message is among the rows.
  useLayoutEffect(() => {
    const id = pendingJump.current;
    if (!id) return;
    if (id === 'unread') {
      const i = indexOfKey('unread');
      if (i >= 0) {
        pendingJump.current = null;
        pinned.current = false;
        anchor.current = null;
        requestAnimationFrame(() => virtualizer.scrollToIndex(i, { align: 'start' }));
      }
      return;
    }
    const key = keyOfMessage(id);
    if (key) {
      pendingJump.current = null;
      requestAnimationFrame(() => scrollToKey(key, true, pendingFocus.current));
    }
  }, [rows, keyOfMessage, scrollToKey, indexOfKey, virtualizer]);

  useImperativeHandle(ref, () => ({
    toLatest: () => {
      setReadSeqAtOpen(null);
      toLatest();
    },
    jumpTo,
  }), [toLatest, jumpTo]);

  const unreadIndex = indexOfKey('unread');
  const range = virtualizer.range;
  const unreadVisible = unreadIndex >= 0 && range !== null && unreadIndex >= range.startIndex && unreadIndex <= range.endIndex;
  const firstUnreadSeq = readSeqAtOpen;
  const [unreadSeen, setUnreadSeen] = useState(false);
  useEffect(() => {
    if (unreadVisible) setUnreadSeen(true);
  }, [unreadVisible]);
  const showJumpUnread = hasUnread && !unreadSeen && !unreadVisible && (unreadIndex < 0 || (range !== null && unreadIndex < range.startIndex));

  function jumpToUnread() {
    if (unreadIndex >= 0) {
      pinned.current = false;
      anchor.current = null;
      virtualizer.scrollToIndex(unreadIndex, { align: 'start' });
      return;
    }
    if (firstUnreadSeq === null) return;
    // Load back to the last message read; the divider then appears and the effect above scrolls to it.
    pendingJump.current = 'unread';
    void timeline.reveal(firstUnreadSeq).finally(() => settleJump('unread'));
  }

  // Keyboard: one message is in the tab order; arrows move between messages.
  const messageKeys = useMemo(() => rows.filter((r) => r.kind === 'message').map((r) => r.key), [rows]);
  const tabbableKey = activeKey && messageKeys.includes(activeKey) ? activeKey : (messageKeys[messageKeys.length - 1] ?? null);
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const target = e.target as HTMLElement;
    if (!target.classList.contains('msg')) return;
    const key = target.closest<HTMLElement>('[data-row-key]')?.dataset.rowKey;
    if (!key) return;
    const at = messageKeys.indexOf(key);
    let next: string | undefined;
    if (e.key === 'ArrowUp') next = messageKeys[at - 1];
    else if (e.key === 'ArrowDown') next = messageKeys[at + 1];
    else if (e.key === 'Home') next = messageKeys[0];
    else if (e.key === 'End') next = messageKeys[messageKeys.length - 1];
    else return;
    e.preventDefault();
    if (!next) return;
    setActiveKey(next);
    if (e.key !== 'End') {
      pinned.current = false;
      anchor.current = null;
    }
    const i = indexOfKey(next);
    virtualizer.scrollToIndex(i, { align: 'auto' });
    const focusNext = (tries: number) => {
      const el = scrollRef.current?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(next)}"] .msg`);
      if (el) el.focus({ preventScroll: false });
      else if (tries > 0) requestAnimationFrame(() => focusNext(tries - 1));
    };
    requestAnimationFrame(() => focusNext(5));
  }

  const items = virtualizer.getVirtualItems();
  // Short conversations sit at the bottom, as in every chat app.
  const offset = Math.max(0, viewport - total);

  function renderRow(row: Row) {
    switch (row.kind) {
      case 'start':
        return (
          <div className="list-start">
            <p className="list-start-title">{title}</p>
            <p className="muted">{t('conversation.beginning')}</p>
          </div>
        );
      case 'older':
      case 'newer':
        return (
          <div className="list-loader" aria-hidden={timeline.loading ? undefined : true}>
            <span className="spinner" />
            <span className="visually-hidden">{t('common.loading')}</span>
          </div>
        );
      case 'day':
        return (
          <div className="day-sep" role="separator" aria-label={dayLabel(row.at)}>
            <span title={formatDay(row.at)}>{dayLabel(row.at)}</span>
          </div>
        );
      case 'unread':
        return (
          <div className="unread-sep" role="separator" aria-label={t('conversation.newMessagesDivider')}>
            <span>{t('conversation.newMessagesDivider')}</span>
          </div>
        );
      case 'message':
        return <MessageRow message={row.message} head={row.head} highlighted={highlight === row.key} showSeenBy={row.message.id === lastMineId} tabbable={row.key === tabbableKey} />;
      case 'pending':
        return <PendingRow item={row.item} head={row.head} />;
    }
  }

  return (
    <div className="msg-list-wrap">
      <div
        ref={scrollRef}
        className="msg-scroll"
        role="region"
        aria-label={t('conversation.messagesIn', { title })}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
      >
        {!timeline.ready && (
          <div className="list-loader list-loader-full" role="status">
            <span className="spinner" />
            <span className="visually-hidden">{t('common.loading')}</span>
          </div>
        )}
        <div className="msg-canvas" role="list" aria-busy={timeline.loading !== null} style={{ height: total + offset }}>
          {items.map((vi) => {
            const row = rows[vi.index];
            if (!row) return null;
            return (
              <div
                key={vi.key}
                role="listitem"
                data-index={vi.index}
                data-row-key={row.key}
                ref={virtualizer.measureElement}
                className="msg-row"
                style={{ transform: `translateY(${vi.start + offset}px)` }}
              >
                {renderRow(row)}
              </div>
            );
          })}
        </div>
      </div>
      {showJumpUnread && (
        <button type="button" className="pill pill-top" onClick={jumpToUnread}>
          <IconArrowUp size={15} />
          {t('conversation.jumpToUnread')}
        </button>
      )}
      {(!atEnd || !timeline.live) && (
        <button type="button" className={`pill pill-bottom${newWhileAway > 0 ? ' pill-accent' : ''}`} onClick={toLatest}>
          {newWhileAway > 0 ? t('conversation.newMessages', { count: newWhileAway }) : t('conversation.backToLatest')}
          <IconArrowDown size={15} />
        </button>
      )}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </div>
  );
});
