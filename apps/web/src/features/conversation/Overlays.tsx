import type { Message } from '@hearth/client';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { ConfirmDialog } from './dialogs.js';
import { ForwardDialog } from './ForwardDialog.js';
import { ReactionPopover } from './ReactionPopover.js';
import type { ActionDialogs } from './useMessageActions.js';

/** What opens over the conversation: the reaction picker, the delete confirmation, the forward dialog, a toast. */
export function Overlays({
  conversationId,
  dialogs,
  toast,
  show,
  showError,
  onReact,
}: {
  conversationId: string;
  dialogs: ActionDialogs;
  toast: string | null;
  show: (text: string) => void;
  showError: (err: unknown) => void;
  onReact: (message: Message, emoji: string) => void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const { popover, confirmDelete, forwarding, setPopover, setConfirmDelete, setForwarding } = dialogs;
  const closePopover = () => {
    setPopover(null);
    if (popover?.anchor.isConnected) popover.anchor.focus({ preventScroll: true });
  };
  return (
    <>
      {popover && (
        <ReactionPopover
          popover={popover}
          onMore={() => setPopover({ ...popover, full: true })}
          onPick={(emoji) => {
            onReact(popover.message, emoji);
            closePopover();
          }}
          onClose={closePopover}
        />
      )}
      {confirmDelete && (
        <ConfirmDialog
          title={t('conversation.deleteTitle')}
          body={t('conversation.deleteBody')}
          confirm={t('conversation.actions.delete')}
          danger
          onConfirm={() => void client.messages.delete(conversationId, confirmDelete.id).catch(showError)}
          onClose={() => setConfirmDelete(null)}
        />
      )}
      {forwarding && <ForwardDialog message={forwarding} onForwarded={show} onClose={() => setForwarding(null)} />}
      {toast && (
        <div className="toast" role="status">
          {toast}
        </div>
      )}
    </>
  );
}
