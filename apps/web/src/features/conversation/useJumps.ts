import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { ListParts } from './list.js';
import type { Row } from './rows.js';
import type { Timeline } from './timeline.js';
import type { ScrollAnchor } from './useScrollAnchor.js';

/** The pending jump that waits for the unread divider (other pending jumps hold a message id). */
const UNREAD = 'unread';

function keyOfMessage(rows: Row[], messageId: string): string | null {
  return rows.find((r) => r.kind === 'message' && r.message.id === messageId)?.key ?? null;
}

/**
 * Loads a target that is not among the rows yet (`timeline.reveal`) and scrolls to it once its row appears. Until
 * then `pendingJump` holds it (the list does not pin meanwhile); a target that never arrives (network trouble, a
 * message that is gone) is let go shortly after the load ends.
 */
function usePendingJump({
  rows,
  virtualizer,
  timeline,
  pendingJump,
  unpin,
  scrollToKey,
}: Omit<ListParts, 'scrollRef'> & {
  timeline: Timeline;
  pendingJump: RefObject<string | null>;
  unpin: () => void;
  scrollToKey: (key: string, focus: boolean) => boolean;
}): (seq: number, target: string, focus: boolean) => void {
  const pendingFocus = useRef(true);
  useLayoutEffect(() => {
    const target = pendingJump.current;
    if (!target) return;
    if (target === UNREAD) {
      const i = rows.findIndex((r) => r.key === UNREAD);
      if (i < 0) return;
      pendingJump.current = null;
      // Unpinned when the scroll happens, as scrollToKey does: until then, a check of the old position (onScroll
      // after the new rows) pins the list to the bottom again and keeps its anchor there.
      requestAnimationFrame(() => {
        unpin();
        virtualizer.scrollToIndex(i, { align: 'start' });
      });
      return;
    }
    const key = keyOfMessage(rows, target);
    if (!key) return;
    pendingJump.current = null;
    requestAnimationFrame(() => scrollToKey(key, pendingFocus.current));
  }, [rows, scrollToKey, virtualizer, unpin, pendingJump]);
  return useCallback(
    (seq: number, target: string, focus: boolean) => {
      pendingFocus.current = focus;
      pendingJump.current = target;
      void timeline.reveal(seq).finally(() =>
        setTimeout(() => {
          if (pendingJump.current === target) pendingJump.current = null;
        }, 600),
      );
    },
    [timeline, pendingJump],
  );
}

export interface Jumps {
  /** The row key of the message just jumped to, highlighted for a moment. */
  highlight: string | null;
  /** Scrolls to a message, loading history as needed, highlights it and (unless `focus` is false) focuses it. */
  jumpTo: (seq: number, messageId: string, focus?: boolean) => void;
  /** Scrolls to the "new messages" divider, loading back to the read position if needed. */
  jumpToUnread: (readSeq: number | null) => void;
  /** Scrolls to the newest message (back to the live window if detached) and sticks there. */
  toLatest: () => void;
}

/**
 * Moves the list to a message, to the unread divider or to the latest. A target not among the rows yet is loaded
 * (`timeline.reveal`) and kept in `pendingJump` until its row appears.
 */
export function useJumps(
  { rows, virtualizer, scrollRef }: ListParts,
  {
    timeline,
    pendingJump,
    scroll,
    onFocusRow,
  }: {
    timeline: Timeline;
    pendingJump: RefObject<string | null>;
    scroll: Pick<ScrollAnchor, 'pinToEnd' | 'unpin'>;
    /** The row jumped to becomes the one in the tab order. */
    onFocusRow: (key: string) => void;
  },
): Jumps {
  const [highlight, setHighlight] = useState<string | null>(null);
  const { pinToEnd, unpin } = scroll;

  const scrollToKey = useCallback(
    (key: string, focus: boolean) => {
      const i = rows.findIndex((r) => r.key === key);
      if (i < 0) return false;
      unpin();
      virtualizer.scrollToIndex(i, { align: 'center' });
      setHighlight(key);
      onFocusRow(key);
      setTimeout(() => setHighlight((h) => (h === key ? null : h)), 2200);
      if (focus) setTimeout(() => scrollRef.current?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(key)}"] .msg`)?.focus({ preventScroll: true }), 120);
      return true;
    },
    [rows, virtualizer, unpin, onFocusRow, scrollRef],
  );

  const reveal = usePendingJump({ rows, virtualizer, timeline, pendingJump, unpin, scrollToKey });
  const jumpTo = useCallback(
    (seq: number, messageId: string, focus = true) => {
      const key = keyOfMessage(rows, messageId);
      if (!key || !scrollToKey(key, focus)) reveal(seq, messageId, focus);
    },
    [rows, scrollToKey, reveal],
  );

  const jumpToUnread = useCallback(
    (readSeq: number | null) => {
      const i = rows.findIndex((r) => r.key === UNREAD);
      if (i >= 0) {
        unpin();
        virtualizer.scrollToIndex(i, { align: 'start' });
      } else if (readSeq !== null) {
        // Load back to the last message read; the divider then appears and usePendingJump scrolls to it.
        reveal(readSeq, UNREAD, false);
      }
    },
    [rows, virtualizer, unpin, reveal],
  );

  const toLatest = useCallback(() => {
    if (!timeline.live) timeline.toLatest();
    pinToEnd();
    requestAnimationFrame(() => {
      virtualizer.scrollToIndex(Math.max(0, virtualizer.options.count - 1), { align: 'end' });
      requestAnimationFrame(() => {
        const el = scrollRef.current;
        if (el) el.scrollTop = el.scrollHeight;
      });
    });
  }, [timeline, virtualizer, pinToEnd, scrollRef]);

  return { highlight, jumpTo, jumpToUnread, toLatest };
}
