import type { Conversation } from '@hearth/client';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction } from '../../app/errors.js';
import { conversationTitle } from '../../app/people.js';
import { navigate, useRoute } from '../../app/router.js';
import { Dialog, DialogActions } from '../../ui/Dialog.js';

/** Asks before leaving a group or channel. */
export function LeaveDialog({ conversation, onClose }: { conversation: Conversation; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const route = useRoute();
  const { error, run } = useAction();
  const title = conversationTitle(client, conversation);
  const leave = () =>
    run(async () => {
      await client.conversations.leave(conversation.id);
      if (route.name === 'conversation' && route.id === conversation.id) navigate({ name: 'home' }, { replace: true });
      onClose();
    });
  return (
    <Dialog title={t('sidebar.leave.title', { name: title })} onClose={onClose}>
      <p>{t(conversation.kind === 'channel' ? 'sidebar.leave.channel' : 'sidebar.leave.group')}</p>
      <DialogActions error={error} onCancel={onClose}>
        <button type="button" className="btn btn-danger-solid" onClick={() => void leave()}>
          {t('sidebar.leave.confirm')}
        </button>
      </DialogActions>
    </Dialog>
  );
}
