import type { Message } from '@hearth/client';
import { useMemo, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { rememberEmoji } from '../emoji/prefs.js';
import type { MessageActions } from './context.js';
import type { ComposerTarget } from './useComposerTarget.js';
import type { MessageListHandle } from './MessageList.js';
import type { Popover } from './ReactionPopover.js';

/** The dialogs and popovers a message action opens; null when closed. */
export interface ActionDialogs {
  confirmDelete: Message | null;
  forwarding: Message | null;
  popover: Popover | null;
  setConfirmDelete: (message: Message | null) => void;
  setForwarding: (message: Message | null) => void;
  setPopover: (popover: Popover | null) => void;
}

/** What a message row can do (reply, edit, delete, forward, copy, react …), and the dialogs those open. */
export function useMessageActions({
  target,
  list,
  show,
  showError,
}: {
  target: Pick<ComposerTarget, 'reply' | 'edit'>;
  list: RefObject<MessageListHandle | null>;
  show: (text: string) => void;
  showError: (err: unknown) => void;
}): { actions: MessageActions; dialogs: ActionDialogs } {
  const { t } = useTranslation();
  const client = useClient();
  const [confirmDelete, setConfirmDelete] = useState<Message | null>(null);
  const [forwarding, setForwarding] = useState<Message | null>(null);
  const [popover, setPopover] = useState<Popover | null>(null);
  const { reply, edit } = target;
  const actions: MessageActions = useMemo(
    () => ({
      reply,
      edit,
      remove: setConfirmDelete,
      forward: setForwarding,
      copy: (m) => {
        if (m.content?.type !== 'text') return;
        navigator.clipboard?.writeText(m.content.text).then(
          () => show(t('conversation.copied')),
          () => show(t('common.errors.default')),
        );
      },
      toggleReaction: (m, emoji) => {
        rememberEmoji(emoji);
        client.messages.toggleReaction(m, emoji).catch(showError);
      },
      openReactionPicker: (m, anchor) => setPopover({ message: m, rect: anchor.getBoundingClientRect(), full: false, anchor }),
      jumpToReply: (ref) => list.current?.jumpTo(ref.seq, ref.messageId),
      removeLinkPreview: (m) => void client.messages.removeLinkPreview(m.conversationId, m.id).catch(showError),
      retry: (item) => void client.messages.retry(item.clientId).catch(() => undefined),
      discard: (item) => client.messages.discard(item.clientId),
    }),
    [client, t, show, showError, reply, edit, list],
  );
  return { actions, dialogs: { confirmDelete, forwarding, popover, setConfirmDelete, setForwarding, setPopover } };
}
