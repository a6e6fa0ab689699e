import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { ListParts } from './list.js';
import type { Timeline } from './timeline.js';

/** Rows closer than this to an end of the loaded history fetch the next page. */
const LOAD_MARGIN_PX = 800;
const AT_END_PX = 32;

export interface ScrollAnchor {
  /** The newest message is on screen (within a few pixels). */
  atEnd: boolean;
  /** The height of the scrolling box. */
  viewport: number;
  onScroll: () => void;
  /** Stay at the newest message from now on, as messages arrive or grow. */
  pinToEnd: () => void;
  /** Stop holding any position: a scroll to somewhere else follows. */
  unpin: () => void;
}

/**
 * Where the list stays while rows arrive, grow and load, applied after every render:
 * - pinned (at the newest message, live): stay at the bottom as messages arrive or grow;
 * - otherwise the first message on screen stays exactly where it was (older pages prepended, rows measured).
 * Opening starts at the "new messages" divider when there is one, else at the latest message. Scrolling near an
 * end of what is loaded loads the next page. A pending jump (`pendingJump`) suspends pinning until it lands.
 */
export function useScrollAnchor(list: ListParts, timeline: Timeline, pendingJump: RefObject<string | null>): ScrollAnchor {
  const { rows, virtualizer, scrollRef } = list;
  const [atEnd, setAtEnd] = useState(true);
  const viewport = useViewportHeight(scrollRef);
  const position = useRef<Position>({ pinned: true, anchor: null, started: false, initialised: false }).current;
  useHeldPosition(list, position, timeline.live, pendingJump);
  useOpeningPosition(list, position, timeline.ready);

  const rememberAnchor = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const top = el.scrollTop;
    // Searched among every row's measurements, not the rendered rows: after a long scroll (a jump, a scrollbar
    // drag) those are still the rows of the old position, and an anchor kept from there pulls the list back.
    const items = virtualizer.measurementsCache;
    for (let i = firstEndingAfter(items, top); i < items.length; i++) {
      const row = rows[i];
      if (row && (row.kind === 'message' || row.kind === 'pending')) {
        position.anchor = { key: row.key, delta: items[i]!.start - top };
        return;
      }
    }
  }, [rows, virtualizer, scrollRef, position]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const fromEnd = el.scrollHeight - el.scrollTop - el.clientHeight;
    const end = fromEnd <= AT_END_PX && !timeline.hasNewer;
    if (position.started) position.pinned = end && timeline.live;
    rememberAnchor();
    setAtEnd(end);
    if (!position.initialised) return;
    if (el.scrollTop < LOAD_MARGIN_PX && timeline.hasOlder && !timeline.loading) void timeline.loadOlder();
    if (fromEnd < LOAD_MARGIN_PX && timeline.hasNewer && !timeline.loading) void timeline.loadNewer();
  }, [timeline, rememberAnchor, scrollRef, position]);

  // Content can end up short of the viewport (or a page can arrive) without a scroll event: check again.
  useEffect(() => {
    onScroll();
  }, [rows, viewport, onScroll]);

  const pinToEnd = useCallback(() => {
    position.pinned = true;
  }, [position]);
  const unpin = useCallback(() => {
    position.pinned = false;
    position.anchor = null;
  }, [position]);
  return { atEnd, viewport, onScroll, pinToEnd, unpin };
}

/** The index of the first item that ends below `offset` (items ascending), by binary search. */
function firstEndingAfter(items: ReadonlyArray<{ end: number }>, offset: number): number {
  let first = 0;
  for (let hi = items.length; first < hi; ) {
    const mid = (first + hi) >> 1;
    if (items[mid]!.end > offset) hi = mid;
    else first = mid + 1;
  }
  return first;
}

/** Where the list holds still, kept across renders (read and written by effects and handlers, never rendered). */
interface Position {
  /** At the newest message: stay there. */
  pinned: boolean;
  /** Else the first message on screen, and its distance from the top of the screen. */
  anchor: { key: string; delta: number } | null;
  /** The first position has been taken. */
  started: boolean;
  /** … and has settled: scrolling near the top loads older messages from now on. */
  initialised: boolean;
}

/** After every render: back to the bottom when pinned, else the anchor message back to where it was. */
function useHeldPosition({ scrollRef, virtualizer, rows }: ListParts, position: Position, live: boolean, pendingJump: RefObject<string | null>): void {
  // The list keeps its own anchor, so the library must not shift the position by itself as well.
  virtualizer.shouldAdjustScrollPositionOnItemSizeChange = () => false;
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || !position.started) return;
    if (position.pinned && live && !pendingJump.current) {
      if (el.scrollTop < el.scrollHeight - el.clientHeight - 1) el.scrollTop = el.scrollHeight;
      return;
    }
    const a = position.anchor;
    if (!a) return;
    const i = rows.findIndex((r) => r.key === a.key);
    const item = i >= 0 ? virtualizer.measurementsCache[i] : undefined;
    if (!item) return;
    const target = item.start - a.delta;
    if (Math.abs(el.scrollTop - target) > 1) el.scrollTop = target;
  });
}

/** Opening: at the "new messages" divider when there is one, else at the latest message. */
function useOpeningPosition({ scrollRef, virtualizer, rows }: ListParts, position: Position, ready: boolean): void {
  useLayoutEffect(() => {
    if (position.started || !ready || rows.length <= 1) return;
    position.started = true;
    const divider = rows.findIndex((r) => r.key === 'unread');
    position.pinned = divider < 0;
    position.anchor = null;
    if (divider >= 0) virtualizer.scrollToIndex(divider, { align: 'start' });
    else {
      const el = scrollRef.current;
      if (el) el.scrollTop = el.scrollHeight;
      virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    }
    // Paging starts once the first position has settled, so opening does not read as a scroll to the top.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        position.initialised = true;
      }),
    );
  }, [ready, rows, virtualizer, scrollRef, position]);
}

/** The height of an element, following its resizes. */
function useViewportHeight(ref: RefObject<HTMLElement | null>): number {
  const [height, setHeight] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return height;
}
