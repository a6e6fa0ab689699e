import type { MediaContent, Message, OutgoingMessage, SystemContent } from '@hearth/client';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useClientState } from '../../app/store.js';
import { formatDateTime } from '../../i18n/index.js';
import { MessageText } from '../markdown/Markdown.js';
import { MediaAttachments } from '../media/MediaAttachments.js';
import { useActions, useInfo } from './context.js';
import { IconAlert, IconForward, IconTrash } from './icons.js';
import { LinkPreviewCard } from './LinkPreviewCard.js';
import { ForwardedMark, Gutter, HiddenByline, MessageHeader, ReactionChip, ReplyQuote, SeenBy, Status } from './MessageParts.js';
import { MessageToolbar } from './MessageToolbar.js';
import { systemText } from './systemLine.js';

/** A line the server wrote (a join, a rename): one sentence, no author block and no actions. */
export function SystemLine({ message, content, tabbable }: { message: Message; content: SystemContent; tabbable: boolean }) {
  const { t } = useTranslation();
  const text = useClientState((c) => systemText(c, message.senderId, content, t));
  return (
    <div className="msg msg-system" data-message-id={message.id} data-seq={message.seq} tabIndex={tabbable ? 0 : -1} role="article" aria-roledescription={t('conversation.messageRole')}>
      <div className="msg-system-text">{text}</div>
    </div>
  );
}

/** A media message's files, then its caption, rendered like a text message. */
function MediaBody({ content, meId }: { content: MediaContent; meId: string | undefined }) {
  return (
    <div className="msg-media">
      <MediaAttachments attachments={content.attachments} />
      {content.text.trim() !== '' && <MessageText text={content.text} entities={content.entities} meId={meId} />}
    </div>
  );
}

export const MessageRow = memo(function MessageRow({
  message,
  head,
  highlighted,
  showSeenBy,
  tabbable,
}: {
  message: Message;
  head: boolean;
  highlighted: boolean;
  showSeenBy: boolean;
  tabbable: boolean;
}) {
  const { t } = useTranslation();
  const { meId, kind } = useInfo();
  const client = useClient();
  const mine = message.senderId === meId;
  const deleted = message.deletedAt !== null || message.content === null;
  const mentionsMe = !mine && !deleted && client.state.mentionsMe(message);
  if (message.content?.type === 'system') return <SystemLine message={message} content={message.content} tabbable={tabbable} />;
  return (
    <div
      className={`msg${head ? ' msg-head' : ''}${mine ? ' msg-mine' : ''}${mentionsMe ? ' msg-mentions-me' : ''}${highlighted ? ' msg-highlight' : ''}`}
      data-message-id={message.id}
      data-seq={message.seq}
      tabIndex={tabbable ? 0 : -1}
      role="article"
      aria-roledescription={t('conversation.messageRole')}
    >
      <Gutter head={head} senderId={message.senderId} at={message.createdAt} />
      <div className="msg-main">
        {head ? <MessageHeader senderId={message.senderId} at={message.createdAt} tabbable={tabbable} /> : <HiddenByline senderId={message.senderId} at={message.createdAt} />}
        {message.forwarded && <ForwardedMark message={message} />}
        {message.replyTo && !deleted && <ReplyQuote message={message} />}
        <div className="msg-body">
          {deleted ? (
            <div className="msg-deleted">
              <IconTrash size={14} />
              {t('conversation.deleted')}
            </div>
          ) : message.content?.type === 'text' ? (
            <MessageText text={message.content.text} entities={message.content.entities} meId={meId} />
          ) : message.content?.type === 'media' ? (
            <MediaBody content={message.content} meId={meId} />
          ) : null}
          <span className="msg-meta">
            {message.editedAt !== null && !deleted && (
              <span className="msg-edited" title={formatDateTime(message.editedAt)}>
                {t('conversation.edited')}
              </span>
            )}
            {mine && !deleted && <Status message={message} />}
          </span>
        </div>
        {message.linkPreview && !deleted && <LinkPreviewCard message={message} preview={message.linkPreview} />}
        {message.reactions.length > 0 && (
          <div className="reactions">
            {message.reactions.map((g) => (
              <ReactionChip key={g.emoji} message={message} group={g} />
            ))}
          </div>
        )}
        {showSeenBy && kind !== 'direct' && <SeenBy message={message} />}
      </div>
      <MessageToolbar message={message} tabbable={tabbable} />
    </div>
  );
});

/** A message of mine still in the outbox: pending (clock) or failed (retry, discard). */
export const PendingRow = memo(function PendingRow({ item, head }: { item: OutgoingMessage; head: boolean }) {
  const { t } = useTranslation();
  const actions = useActions();
  const { meId } = useInfo();
  const failed = item.state === 'failed';
  return (
    <div className={`msg msg-mine msg-pending${head ? ' msg-head' : ''}${failed ? ' msg-failed' : ''}`} role="article" aria-roledescription={t('conversation.messageRole')}>
      {meId && <Gutter head={head} senderId={meId} at={item.queuedAt} />}
      <div className="msg-main">
        {head && meId && <MessageHeader senderId={meId} at={item.queuedAt} tabbable={false} />}
        {item.forwardFrom && (
          <div className="msg-forwarded">
            <IconForward size={13} />
            <span>{t('conversation.forwarding')}</span>
          </div>
        )}
        <div className="msg-body">
          {item.content?.type === 'text' && <MessageText text={item.content.text} entities={item.content.entities} meId={meId} />}
          {item.content?.type === 'media' && <MediaBody content={item.content} meId={meId} />}
          <span className="msg-meta">{!failed && <Status item={item} />}</span>
        </div>
        {failed && (
          <div className="msg-failed-bar" role="alert">
            <IconAlert size={15} />
            <span>{t('conversation.failed')}</span>
            <button type="button" className="link-btn" onClick={() => actions.retry(item)}>
              {t('conversation.retry')}
            </button>
            <button type="button" className="link-btn" onClick={() => actions.discard(item)}>
              {t('conversation.discard')}
            </button>
          </div>
        )}
      </div>
    </div>
  );
});
