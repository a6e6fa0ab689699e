import type { Message } from '@hearth/client';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { displayName, useUser } from '../../app/people.js';
import { plainText } from '../markdown/render.js';
import { writtenLine } from '../media/format.js';
import { IconClose, IconEdit, IconReply, IconSmile } from './icons.js';

const EmojiPicker = lazy(() => import('../emoji/EmojiPicker.js'));

/** Above the composer while replying or editing: what to, and a button to cancel. */
export function ComposerBar({ replyTo, editing, onCancel }: { replyTo: Message | null; editing: Message | null; onCancel: () => void }) {
  const { t } = useTranslation();
  const replyAuthor = useUser(replyTo?.senderId);
  return (
    <div className="composer-bar">
      {editing ? <IconEdit size={16} className="composer-bar-icon" /> : <IconReply size={16} className="composer-bar-icon" />}
      <div className="composer-bar-text">
        <span className="composer-bar-title">{editing ? t('conversation.editing') : t('conversation.replyingTo', { name: displayName(replyAuthor) })}</span>
        {replyTo && !editing && (
          <span className="composer-bar-excerpt" dir="auto">
            {writtenLine(replyTo.content, t, plainText)}
          </span>
        )}
        {editing && <span className="composer-bar-excerpt muted">{t('conversation.editHint')}</span>}
      </div>
      <button type="button" className="icon-btn" aria-label={editing ? t('conversation.cancelEdit') : t('conversation.cancelReply')} onClick={onCancel}>
        <IconClose size={16} />
      </button>
    </div>
  );
}

/** The composer's emoji button and the picker it opens (a lazy chunk); picking inserts at the caret. */
export function EmojiButton({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div className="composer-emoji">
      <button type="button" className="icon-btn" aria-label={t('conversation.emojiButton')} aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen((o) => !o)}>
        <IconSmile size={20} />
      </button>
      {open && (
        <div className="composer-picker">
          <Suspense fallback={<div className="emoji-picker emoji-picker-loading" />}>
            <EmojiPicker
              onPick={(emoji) => {
                onPick(emoji);
                setOpen(false);
              }}
              onClose={() => {
                setOpen(false);
                onClose();
              }}
            />
          </Suspense>
        </div>
      )}
    </div>
  );
}
