import type { Message } from '@hearth/client';
import { lazy, Suspense, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { QUICK_REACTIONS } from '../emoji/prefs.js';
import { IconPlus } from './icons.js';

const EmojiPicker = lazy(() => import('../emoji/EmojiPicker.js'));

/** The reaction picker of a message, anchored to the button that opened it: quick reactions, or the full picker. */
export type Popover = { message: Message; rect: DOMRect; full: boolean; anchor: HTMLElement };

/** The quick reactions (←/→ move between them) and a "more" button that opens the full emoji picker in place. */
export function ReactionPopover({ popover, onPick, onMore, onClose }: { popover: Popover; onPick: (emoji: string) => void; onMore: () => void; onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const width = popover.full ? Math.min(352, window.innerWidth - 16) : 290;
  const height = popover.full ? Math.min(420, window.innerHeight - 120) : 48;
  const rtl = document.documentElement.dir === 'rtl';
  const left = Math.max(8, Math.min(rtl ? popover.rect.left : popover.rect.right - width, window.innerWidth - width - 8));
  const below = popover.rect.bottom + 6;
  const top = below + height > window.innerHeight - 8 ? Math.max(8, popover.rect.top - height - 6) : below;

  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    if (popover.full) return;
    ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) closeRef.current();
    };
    document.addEventListener('mousedown', onDown, true);
    return () => document.removeEventListener('mousedown', onDown, true);
  }, [popover.full]);

  return (
    <div ref={ref} className="reaction-popover" style={{ top, left }}>
      {popover.full ? (
        <Suspense fallback={<div className="emoji-picker emoji-picker-loading" />}>
          <EmojiPicker onPick={onPick} onClose={onClose} label={t('conversation.actions.react')} />
        </Suspense>
      ) : (
        <div
          className="quick-reactions"
          role="dialog"
          aria-label={t('conversation.actions.react')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose();
            if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
              const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
              const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
              const step = (e.key === 'ArrowRight') !== rtl ? 1 : -1;
              buttons[(i + step + buttons.length) % buttons.length]?.focus();
            }
          }}
        >
          {QUICK_REACTIONS.map((emoji) => (
            <button key={emoji} type="button" className="quick-reaction" aria-label={t('conversation.actions.reactWith', { emoji })} onClick={() => onPick(emoji)}>
              {emoji}
            </button>
          ))}
          <button type="button" className="quick-reaction quick-more" aria-label={t('conversation.moreReactions')} title={t('conversation.moreReactions')} onClick={onMore}>
            <IconPlus size={18} />
          </button>
        </div>
      )}
    </div>
  );
}
