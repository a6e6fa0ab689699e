import type { Message } from '@hearth/client';
import { useTranslation } from 'react-i18next';
import { QUICK_REACTIONS } from '../emoji/prefs.js';
import { useActions, useInfo } from './context.js';
import { IconCopy, IconEdit, IconForward, IconReply, IconSmilePlus, IconTrash } from './icons.js';

/** The actions of a message, shown on hover and focus: quick reactions, react, reply, edit, forward, copy, delete. */
export function MessageToolbar({ message, tabbable }: { message: Message; tabbable: boolean }) {
  const { t } = useTranslation();
  const actions = useActions();
  const { meId, moderator, readOnly } = useInfo();
  const mine = message.senderId === meId;
  const deleted = message.deletedAt !== null;
  if (deleted) return null;
  const text = message.content?.type === 'text';
  // Only the message in the tab order has its actions in it too (the others are reached with the arrow keys).
  const tab = tabbable ? 0 : -1;
  return (
    <div className="msg-actions" role="toolbar" aria-label={t('conversation.actions.label')}>
      {!readOnly && (
        <>
          <div className="msg-quick" role="group" aria-label={t('conversation.actions.quickReactions')}>
            {QUICK_REACTIONS.slice(0, 3).map((e) => (
              <button key={e} type="button" tabIndex={tab} className="msg-action msg-action-emoji" aria-label={t('conversation.actions.reactWith', { emoji: e })} title={e} onClick={() => actions.toggleReaction(message, e)}>
                {e}
              </button>
            ))}
          </div>
          <button type="button" tabIndex={tab} className="msg-action" aria-label={t('conversation.actions.react')} title={t('conversation.actions.react')} aria-haspopup="dialog" onClick={(e) => actions.openReactionPicker(message, e.currentTarget)}>
            <IconSmilePlus size={17} />
          </button>
          <button type="button" tabIndex={tab} className="msg-action" aria-label={t('conversation.actions.reply')} title={t('conversation.actions.reply')} onClick={() => actions.reply(message)}>
            <IconReply size={17} />
          </button>
        </>
      )}
      {mine && (text || message.content?.type === 'media') && !readOnly && (
        <button type="button" tabIndex={tab} className="msg-action" aria-label={t('conversation.actions.edit')} title={t('conversation.actions.edit')} onClick={() => actions.edit(message)}>
          <IconEdit size={16} />
        </button>
      )}
      <button type="button" tabIndex={tab} className="msg-action" aria-label={t('conversation.actions.forward')} title={t('conversation.actions.forward')} onClick={() => actions.forward(message)}>
        <IconForward size={17} />
      </button>
      {text && (
        <button type="button" tabIndex={tab} className="msg-action" aria-label={t('conversation.actions.copy')} title={t('conversation.actions.copy')} onClick={() => actions.copy(message)}>
          <IconCopy size={16} />
        </button>
      )}
      {((mine && !readOnly) || moderator) && (
        <button type="button" tabIndex={tab} className="msg-action msg-action-danger" aria-label={t('conversation.actions.delete')} title={t('conversation.actions.delete')} onClick={() => actions.remove(message)}>
          <IconTrash size={16} />
        </button>
      )}
    </div>
  );
}
