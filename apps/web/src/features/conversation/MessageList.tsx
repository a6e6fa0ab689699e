import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { forwardRef, memo, useEffect, useImperativeHandle, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { useInfo } from './context.js';
import { IconArrowDown, IconArrowUp } from './icons.js';
import { estimateRowHeight, ListRow } from './ListRow.js';
import type { Row } from './rows.js';
import type { Timeline } from './timeline.js';
import { useJumps } from './useJumps.js';
import { useListKeyboard } from './useListKeyboard.js';
import { useListRows } from './useListRows.js';
import { useMarkRead } from './useMarkRead.js';
import { useNewMessages } from './useNewMessages.js';
import { useScrollAnchor } from './useScrollAnchor.js';

export interface MessageListHandle {
  /** Scrolls to the newest message (back to the live window if detached) and sticks there; drops the divider. */
  toLatest(): void;
  /** Scrolls to a message, loading history as needed, highlights it and (unless `focus` is false) focuses it. */
  jumpTo(seq: number, messageId: string, focus?: boolean): void;
}

function useRowVirtualizer(scrollRef: RefObject<HTMLDivElement | null>, rows: Row[]): Virtualizer<HTMLDivElement, Element> {
  return useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => estimateRowHeight(rows[i]),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 10,
    paddingStart: 8,
    paddingEnd: 8,
  });
}

/** "Jump to first unread" shows while the divider is above the screen and has never been on it. */
function useUnreadPill(rows: Row[], virtualizer: Virtualizer<HTMLDivElement, Element>, hasUnread: boolean): boolean {
  const index = rows.findIndex((r) => r.key === 'unread');
  const range = virtualizer.range;
  const visible = index >= 0 && range !== null && index >= range.startIndex && index <= range.endIndex;
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    if (visible) setSeen(true);
  }, [visible]);
  return hasUnread && !seen && !visible && (index < 0 || (range !== null && index < range.startIndex));
}

const MessageListView = forwardRef<MessageListHandle, { timeline: Timeline; title: string }>(function MessageList({ timeline, title }, ref) {
  const { t } = useTranslation();
  const { conversationId, meId } = useInfo();
  const scrollRef = useRef<HTMLDivElement>(null);
  const pendingJump = useRef<string | null>(null);
  const { rows, lastMineId, hasUnread, readSeqAtOpen, forgetUnread } = useListRows(conversationId, meId, timeline);
  const virtualizer = useRowVirtualizer(scrollRef, rows);
  const list = { rows, virtualizer, scrollRef };
  const scroll = useScrollAnchor(list, timeline, pendingJump);
  const keyboard = useListKeyboard(list, scroll.unpin);
  const jumps = useJumps(list, { timeline, pendingJump, scroll, onFocusRow: keyboard.setActiveKey });
  const away = !scroll.atEnd || !timeline.live;
  const fresh = useNewMessages(conversationId, meId, away);
  useMarkRead(conversationId, timeline, scroll.atEnd);
  const showJumpUnread = useUnreadPill(rows, virtualizer, hasUnread);

  const toLatest = () => {
    jumps.toLatest();
    fresh.clear();
  };
  useImperativeHandle(ref, () => ({
    toLatest: () => {
      forgetUnread();
      jumps.toLatest();
      fresh.clear();
    },
    jumpTo: jumps.jumpTo,
  }));

  // Short conversations sit at the bottom, as in every chat app.
  const total = virtualizer.getTotalSize();
  const offset = Math.max(0, scroll.viewport - total);
  return (
    <div className="msg-list-wrap">
      <div ref={scrollRef} className="msg-scroll" role="region" aria-label={t('conversation.messagesIn', { title })} onScroll={scroll.onScroll} onKeyDown={keyboard.onKeyDown}>
        {!timeline.ready && (
          <div className="list-loader list-loader-full" role="status">
            <span className="spinner" />
            <span className="visually-hidden">{t('common.loading')}</span>
          </div>
        )}
        <div className="msg-canvas" role="list" aria-busy={timeline.loading !== null} style={{ height: total + offset }}>
          {virtualizer.getVirtualItems().map((vi) => {
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
                <ListRow
                  row={row}
                  title={title}
                  loading={timeline.loading !== null}
                  highlighted={jumps.highlight === row.key}
                  showSeenBy={row.kind === 'message' && row.message.id === lastMineId}
                  tabbable={row.key === keyboard.tabbableKey}
                />
              </div>
            );
          })}
        </div>
      </div>
      {showJumpUnread && (
        <button type="button" className="pill pill-top" onClick={() => jumps.jumpToUnread(readSeqAtOpen)}>
          <IconArrowUp size={15} />
          {t('conversation.jumpToUnread')}
        </button>
      )}
      {away && (
        <button type="button" className={`pill pill-bottom${fresh.count > 0 ? ' pill-accent' : ''}`} onClick={toLatest}>
          {fresh.count > 0 ? t('conversation.newMessages', { count: fresh.count }) : t('conversation.backToLatest')}
          <IconArrowDown size={15} />
        </button>
      )}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {fresh.announcement}
      </div>
    </div>
  );
});

/** The conversation's history: a virtualised list that stays at the latest message, pages and jumps. */
export const MessageList = memo(MessageListView);
