import type { Message, OutgoingMessage, ReactionGroup } from '@hearth/client';
import { memo, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { shallowEqual, useClientState } from '../../app/store.js';
import { displayName, useUser } from '../../app/people.js';
import { formatDateTime, formatTime } from '../../i18n/index.js';
import { Avatar } from '../../ui/Avatar.js';
import { MessageText } from '../markdown/Markdown.js';
import { plainText } from '../markdown/render.js';
import { QUICK_REACTIONS } from '../emoji/prefs.js';
import { useActions, useInfo } from './context.js';
import {
  IconAlert,
  IconCheck,
  IconClock,
  IconCopy,
  IconDoubleCheck,
  IconEdit,
  IconForward,
  IconReply,
  IconSmilePlus,
  IconTrash,
} from './icons.js';

/** Display names of users from the local cache (fetching unknown ones once in the background). */
function useNames(userIds: readonly string[]): string[] {
  const client = useClient();
  const names = useClientState((c) => userIds.map((id) => c.users.cached(id)?.displayName ?? (c.users.me?.id === id ? c.users.me.displayName : undefined)), shallowEqual);
  const missing = userIds.filter((_, i) => names[i] === undefined).join(',');
  useEffect(() => {
    if (!missing) return;
    client.users.getMany(missing.split(',')).then(
      () => client.changed(),
      () => undefined,
    );
  }, [client, missing]);
  return names.map((n) => n ?? '…');
}

function ReactionChip({ message, group }: { message: Message; group: ReactionGroup }) {
  const { t } = useTranslation();
  const actions = useActions();
  const { meId } = useInfo();
  const names = useNames(group.userIds);
  const mine = meId !== undefined && group.userIds.includes(meId);
  const who = names.map((n, i) => (group.userIds[i] === meId ? t('conversation.you') : n));
  const label = t('conversation.reactedBy', { emoji: group.emoji, count: group.userIds.length, names: new Intl.ListFormat(undefined, { type: 'conjunction' }).format(who) });
  return (
    <button type="button" className={`reaction${mine ? ' reaction-mine' : ''}`} aria-pressed={mine} aria-label={label} title={label} onClick={() => actions.toggleReaction(message, group.emoji)}>
      <span className="reaction-emoji" aria-hidden="true">
        {group.emoji}
      </span>
      <span className="reaction-count" aria-hidden="true">
        {group.userIds.length}
      </span>
    </button>
  );
}

function ReplyQuote({ message }: { message: Message }) {
  const { t } = useTranslation();
  const actions = useActions();
  const ref = message.replyTo!;
  const author = useUser(ref.senderId);
  const name = displayName(author);
  return (
    <button type="button" className="reply-quote" onClick={() => actions.jumpToReply(ref)} title={t('conversation.goToOriginal')}>
      <IconReply size={14} className="reply-quote-icon" />
      <span className="visually-hidden">{t('conversation.inReplyTo')}</span>
      <span className="reply-quote-name">{name}</span>
      <span className="reply-quote-text" dir="auto">
        {ref.excerpt !== null ? plainText(ref.excerpt) : <em>{t('conversation.originalUnavailable')}</em>}
      </span>
    </button>
  );
}

function Status({ message, item }: { message?: Message; item?: OutgoingMessage }) {
  const { t } = useTranslation();
  const status = useClientState((c) => (message ? c.messages.status(message) : item ? c.messages.status(item) : 'sent'));
  if (status === 'failed') return null;
  const label = t(`conversation.status.${status}`);
  return (
    <span className={`msg-status msg-status-${status}`} role="img" aria-label={label} title={label}>
      {status === 'pending' ? <IconClock size={13} /> : status === 'sent' ? <IconCheck size={14} /> : <IconDoubleCheck size={15} />}
    </span>
  );
}

function SeenBy({ message }: { message: Message }) {
  const { t } = useTranslation();
  const { memberCount } = useInfo();
  const seen = useClientState((c) => c.messages.seenBy(message), shallowEqual);
  const key = seen.join(',');
  const names = useNames(key ? key.split(',') : []);
  if (seen.length === 0) return null;
  const everyone = memberCount > 2 && seen.length >= memberCount - 1;
  const text = everyone
    ? t('conversation.seenByEveryone')
    : names.length > 3
      ? t('conversation.seenByMany', { names: names.slice(0, 2).join(', '), count: names.length - 2 })
      : t('conversation.seenBy', { names: new Intl.ListFormat(undefined, { type: 'conjunction' }).format(names) });
  return <div className="seen-by">{text}</div>;
}

function Actions({ message, tabbable }: { message: Message; tabbable: boolean }) {
  const { t } = useTranslation();
  const actions = useActions();
  const { meId, moderator } = useInfo();
  const mine = message.senderId === meId;
  const deleted = message.deletedAt !== null;
  if (deleted) return null;
  const text = message.content?.type === 'text';
  // Only the message in the tab order has its actions in it too (the others are reached with the arrow keys).
  const tab = tabbable ? 0 : -1;
  return (
    <div className="msg-actions" role="toolbar" aria-label={t('conversation.actions.label')}>
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
      {mine && text && (
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
      {(mine || moderator) && (
        <button type="button" tabIndex={tab} className="msg-action msg-action-danger" aria-label={t('conversation.actions.delete')} title={t('conversation.actions.delete')} onClick={() => actions.remove(message)}>
          <IconTrash size={16} />
        </button>
      )}
    </div>
  );
}

function Header({ senderId, at }: { senderId: string; at: number }) {
  const user = useUser(senderId);
  const name = displayName(user);
  return (
    <div className="msg-header">
      <span className="msg-author">{name}</span>
      <time className="msg-time" dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
        {formatTime(at)}
      </time>
    </div>
  );
}

function Gutter({ head, senderId, at }: { head: boolean; senderId: string; at: number }) {
  const user = useUser(senderId);
  if (head) return <div className="msg-gutter">{<Avatar id={senderId} name={displayName(user)} size={36} />}</div>;
  return (
    <div className="msg-gutter">
      <time className="msg-gutter-time" dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
        {formatTime(at)}
      </time>
    </div>
  );
}

/** The hidden "Ana, 10:42" that lets a screen reader place a grouped message without its visible header. */
function HiddenByline({ senderId, at }: { senderId: string; at: number }) {
  const user = useUser(senderId);
  return <span className="visually-hidden">{`${displayName(user)}, ${formatTime(at)}: `}</span>;
}

function ForwardedMark({ message }: { message: Message }) {
  const { t } = useTranslation();
  const original = useUser(message.forwarded?.originalSenderId);
  return (
    <div className="msg-forwarded">
      <IconForward size={13} />
      <span>{t('conversation.forwardedFrom', { name: displayName(original) })}</span>
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
  const names = useClientState((c) => (message.content?.entities.length ? message.content.entities.map((e) => (e.type === 'mention' ? (c.users.cached(e.userId)?.displayName ?? '') : '')).join('|') : ''));
  const nameOf = (id: string) => client.users.cached(id)?.displayName ?? (client.users.me?.id === id ? client.users.me.displayName : undefined);
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
        {head ? <Header senderId={message.senderId} at={message.createdAt} /> : <HiddenByline senderId={message.senderId} at={message.createdAt} />}
        {message.forwarded && <ForwardedMark message={message} />}
        {message.replyTo && !deleted && <ReplyQuote message={message} />}
        <div className="msg-body">
          {deleted ? (
            <div className="msg-deleted">
              <IconTrash size={14} />
              {t('conversation.deleted')}
            </div>
          ) : message.content?.type === 'text' ? (
            <MessageText text={message.content.text} entities={message.content.entities} meId={meId} nameOf={nameOf} namesKey={names} />
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
        {message.reactions.length > 0 && (
          <div className="reactions">
            {message.reactions.map((g) => (
              <ReactionChip key={g.emoji} message={message} group={g} />
            ))}
          </div>
        )}
        {showSeenBy && kind !== 'direct' && <SeenBy message={message} />}
      </div>
      <Actions message={message} tabbable={tabbable} />
    </div>
  );
});

/** A message of mine still in the outbox: pending (clock) or failed (retry, discard). */
export const PendingRow = memo(function PendingRow({ item, head }: { item: OutgoingMessage; head: boolean }) {
  const { t } = useTranslation();
  const actions = useActions();
  const { meId } = useInfo();
  const client = useClient();
  const failed = item.state === 'failed';
  const nameOf = (id: string) => client.users.cached(id)?.displayName;
  return (
    <div className={`msg msg-mine msg-pending${head ? ' msg-head' : ''}${failed ? ' msg-failed' : ''}`} role="article" aria-roledescription={t('conversation.messageRole')}>
      {meId && <Gutter head={head} senderId={meId} at={item.queuedAt} />}
      <div className="msg-main">
        {head && meId && <Header senderId={meId} at={item.queuedAt} />}
        {item.forwardFrom && (
          <div className="msg-forwarded">
            <IconForward size={13} />
            <span>{t('conversation.forwarding')}</span>
          </div>
        )}
        <div className="msg-body">
          {item.content?.type === 'text' && <MessageText text={item.content.text} entities={item.content.entities} meId={meId} nameOf={nameOf} namesKey="" />}
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
