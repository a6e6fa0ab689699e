import { useMemo, useState, type KeyboardEvent, type RefObject } from 'react';
import type { ListParts } from './list.js';

const STEPS: Record<string, (at: number, last: number) => number> = {
  ArrowUp: (at) => at - 1,
  ArrowDown: (at) => at + 1,
  Home: () => 0,
  End: (_, last) => last,
};

/** Focuses the message of a row once the virtual list has rendered it (a few frames at most). */
function focusWhenRendered(scrollRef: RefObject<HTMLDivElement | null>, key: string, tries = 5): void {
  requestAnimationFrame(() => {
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(key)}"] .msg`);
    if (el) el.focus({ preventScroll: false });
    else if (tries > 0) focusWhenRendered(scrollRef, key, tries - 1);
  });
}

/**
 * Roving focus over the messages: one message is in the tab order (the one last moved to, else the latest);
 * ↑/↓ move between messages, Home and End go to the first and last loaded.
 */
export function useListKeyboard(
  { rows, virtualizer, scrollRef }: ListParts,
  unpin: () => void,
): { tabbableKey: string | null; setActiveKey: (key: string) => void; onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => void } {
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const messageKeys = useMemo(() => rows.filter((r) => r.kind === 'message').map((r) => r.key), [rows]);
  const tabbableKey = activeKey && messageKeys.includes(activeKey) ? activeKey : (messageKeys[messageKeys.length - 1] ?? null);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const target = e.target as HTMLElement;
    const key = target.classList.contains('msg') ? target.closest<HTMLElement>('[data-row-key]')?.dataset.rowKey : undefined;
    const step = STEPS[e.key];
    if (!key || !step) return;
    e.preventDefault();
    const next = messageKeys[step(messageKeys.indexOf(key), messageKeys.length - 1)];
    if (!next) return;
    setActiveKey(next);
    if (e.key !== 'End') unpin();
    virtualizer.scrollToIndex(rows.findIndex((r) => r.key === next), { align: 'auto' });
    focusWhenRendered(scrollRef, next);
  }

  return { tabbableKey, setActiveKey, onKeyDown };
}
