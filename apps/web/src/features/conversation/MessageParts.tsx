import type { Message, OutgoingMessage, ReactionGroup } from '@hearth/client';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { displayName, useUser } from '../../app/people.js';
import { shallowEqual, useClientState } from '../../app/store.js';
import { formatDateTime, formatTime } from '../../i18n/index.js';
import { plainText } from '../markdown/render.js';
import { writtenLine } from '../media/format.js';
import { ProfileAvatar, ProfileName } from '../profile/ProfileButton.js';
import { useActions, useInfo } from './context.js';
import { IconCheck, IconClock, IconDoubleCheck, IconForward, IconReply } from './icons.js';

/* The parts of a message row: who and when, the quote it replies to, reactions, delivery status, "Seen by". */

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

export function ReactionChip({ message, group }: { message: Message; group: ReactionGroup }) {
  const { t } = useTranslation();
  const actions = useActions();
  const { meId, readOnly } = useInfo();
  const names = useNames(group.userIds);
  const mine = meId !== undefined && group.userIds.includes(meId);
  const who = names.map((n, i) => (group.userIds[i] === meId ? t('conversation.you') : n));
  const label = t('conversation.reactedBy', { emoji: group.emoji, count: group.userIds.length, names: new Intl.ListFormat(undefined, { type: 'conjunction' }).format(who) });
  return (
    <button type="button" className={`reaction${mine ? ' reaction-mine' : ''}`} aria-pressed={mine} aria-label={label} title={label} disabled={readOnly} onClick={() => actions.toggleReaction(message, group.emoji)}>
      <span className="reaction-emoji" aria-hidden="true">
        {group.emoji}
      </span>
      <span className="reaction-count" aria-hidden="true">
        {group.userIds.length}
      </span>
    </button>
  );
}

export function ReplyQuote({ message }: { message: Message }) {
  const { t } = useTranslation();
  const actions = useActions();
  const ref = message.replyTo!;
  const author = useUser(ref.senderId);
  const name = displayName(author);
  // A media original that is loaded says what it is ("Photo", "Voice message (0:07)"), not only its file names.
  const original = useClientState((c) => c.messages.window(message.conversationId)?.messages.find((m) => m.id === ref.messageId)?.content ?? null);
  const excerpt = original?.type === 'media' && ref.excerpt !== null ? writtenLine(original, t, plainText) : ref.excerpt !== null ? plainText(ref.excerpt) : null;
  return (
    <button type="button" className="reply-quote" onClick={() => actions.jumpToReply(ref)} title={t('conversation.goToOriginal')}>
      <IconReply size={14} className="reply-quote-icon" />
      <span className="visually-hidden">{t('conversation.inReplyTo')}</span>
      <span className="reply-quote-name">{name}</span>
      <span className="reply-quote-text" dir="auto">
        {excerpt ?? <em>{t('conversation.originalDeleted')}</em>}
      </span>
    </button>
  );
}

export function Status({ message, item }: { message?: Message; item?: OutgoingMessage }) {
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

export function SeenBy({ message }: { message: Message }) {
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

export function MessageHeader({ senderId, at, tabbable }: { senderId: string; at: number; tabbable: boolean }) {
  const user = useUser(senderId);
  const name = displayName(user);
  return (
    <div className="msg-header">
      {/* In the tab order only with its message, like the message's actions. */}
      <ProfileName userId={senderId} name={name} className="msg-author" tabIndex={tabbable ? 0 : -1} />
      <time className="msg-time" dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
        {formatTime(at)}
      </time>
    </div>
  );
}

export function Gutter({ head, senderId, at }: { head: boolean; senderId: string; at: number }) {
  const user = useUser(senderId);
  if (head) return <div className="msg-gutter">{<ProfileAvatar userId={senderId} name={displayName(user)} size={36} />}</div>;
  return (
    <div className="msg-gutter">
      <time className="msg-gutter-time" dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
        {formatTime(at)}
      </time>
    </div>
  );
}

/** The hidden "Ana, 10:42" that lets a screen reader place a grouped message without its visible header. */
export function HiddenByline({ senderId, at }: { senderId: string; at: number }) {
  const user = useUser(senderId);
  return <span className="visually-hidden">{`${displayName(user)}, ${formatTime(at)}: `}</span>;
}

export function ForwardedMark({ message }: { message: Message }) {
  const { t } = useTranslation();
  const original = useUser(message.forwarded?.originalSenderId);
  return (
    <div className="msg-forwarded">
      <IconForward size={13} />
      <span>{t('conversation.forwardedFrom', { name: displayName(original) })}</span>
    </div>
  );
}
