import { defaultRangeExtractor, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type RefObject } from 'react';
import { navigate } from '../../app/router.js';
import type { Entry } from './entries.js';

const ROW_HEIGHT = 68;
const PAGE_ROWS = 8;

/** The index of the row an event came from (its link carries `data-row`), or -1. */
function rowIndexOf(target: EventTarget): number {
  return Number((target as HTMLElement).closest('li')?.querySelector<HTMLElement>('[data-row]')?.dataset.row ?? -1);
}

function nextIndex(key: string, index: number, count: number): number | undefined {
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, index + 1);
    case 'ArrowUp':
      return index - 1;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return Math.min(count - 1, index + PAGE_ROWS);
    case 'PageUp':
      return Math.max(0, index - PAGE_ROWS);
    default:
      return undefined;
  }
}

export interface RovingRows {
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  /** The row in the tab order: the focused one, else the open one, else the first. */
  tabbableId: string | null;
  focusRow: (index: number) => void;
  onKeyDown: (e: KeyboardEvent) => void;
  onFocus: (e: FocusEvent) => void;
}

/**
 * The virtual list of conversations with roving focus: one row is in the tab order; arrows, Home, End and Page
 * keys move between rows (scrolling the one focused into view); ↑ on the first row goes back to the filter.
 */
export function useRovingRows(rows: Entry[], activeId: string | null, scroller: RefObject<HTMLDivElement | null>, filterInput: RefObject<HTMLInputElement | null>): RovingRows {
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const pendingFocus = useRef<number | null>(null);
  const tabbableId = rows.some((r) => r.id === focusedId) ? focusedId : rows.some((r) => r.id === activeId) ? activeId : (rows[0]?.id ?? null);
  const tabbableIndex = rows.findIndex((r) => r.id === tabbableId);
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

  // A row focused before the virtual list rendered it gets the focus once it is there.
  const focusPending = () => {
    const el = pendingFocus.current === null ? null : scroller.current?.querySelector<HTMLElement>(`[data-row="${pendingFocus.current}"]`);
    if (!el) return;
    pendingFocus.current = null;
    el.focus();
  };
  useEffect(focusPending);

  function focusRow(index: number) {
    const row = rows[index];
    if (!row) return;
    setFocusedId(row.id);
    pendingFocus.current = index;
    virtualizer.scrollToIndex(index, { align: 'auto' });
    focusPending();
  }

  function onKeyDown(e: KeyboardEvent) {
    const index = rowIndexOf(e.target);
    if (index < 0 || e.altKey || e.ctrlKey || e.metaKey) return;
    const next = nextIndex(e.key, index, rows.length);
    if (next === undefined) return;
    e.preventDefault();
    if (next < 0) filterInput.current?.focus();
    else focusRow(next);
  }

  function onFocus(e: FocusEvent) {
    const row = rows[rowIndexOf(e.target)];
    if (row && row.id !== focusedId) setFocusedId(row.id);
  }

  return { virtualizer, tabbableId, focusRow, onKeyDown, onFocus };
}

/**
 * Alt+↑/↓: previous or next conversation; Alt+Shift+↑/↓: the previous or next one with unread messages (as in
 * Slack). Listened to in the capture phase so that it works from anywhere, the composer included.
 */
export function useConversationShortcuts(rows: Entry[], activeId: string | null): void {
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
}
