import { HearthError, type Conversation, type Message, type OutgoingMessage, type ReplyRef } from '@hearth/client';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../app/errors.js';
import { useClient, useClientEvent } from '../../app/client.js';
import { conversationSnapshot, sameConversation } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';
import { conversationTitle } from '../../app/people.js';
import { QUICK_REACTIONS, rememberEmoji } from '../emoji/prefs.js';
import { MembersPanel } from '../members/MembersPanel.js';
import { Composer } from './Composer.js';
import { ActionsContext, InfoContext, type ConversationInfo, type MessageActions } from './context.js';
import { ConfirmDialog, ForwardDialog } from './dialogs.js';
import { ConversationHeader } from './Header.js';
import { IconPlus } from './icons.js';
import { MessageList, type MessageListHandle } from './MessageList.js';
import { useTimeline } from './timeline.js';
import { TypingLine } from './Typing.js';
import './conversation.css';

const EmojiPicker = lazy(() => import('../emoji/EmojiPicker.js'));

type Popover = { message: Message; rect: DOMRect; full: boolean; anchor: HTMLElement };

/** One conversation: header, virtualised history, typing line, composer, and the members panel. */
export default function ConversationScreen({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const conversation = useClientState((c) => conversationSnapshot(c, conversationId), sameConversation);
  const connected = useClientState((c) => c.connectionState === 'online');
  const [missing, setMissing] = useState(false);

  // A conversation the sync has not brought yet (just created elsewhere, or a link): fetch it directly.
  useEffect(() => {
    if (conversation || !connected) return;
    const timer = setTimeout(() => {
      client.http.call('getConversation', { params: { conversationId } }).then(
        (c) => client.adoptConversation(c),
        (err: unknown) => {
          if (err instanceof HearthError && err.code === 'CONVERSATION_NOT_FOUND') setMissing(true);
        },
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [client, conversation, conversationId, connected]);

  if (!conversation) {
    return (
      <div className="conv-missing" role="status">
        {missing ? t('common.errors.CONVERSATION_NOT_FOUND') : <span className="spinner" aria-label={t('common.loading')} />}
      </div>
    );
  }
  return <Loaded conversation={conversation} />;
}

function Loaded({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const client = useClient();
  const id = conversation.id;
  const meId = useClientState((c) => c.users.me?.id);
  const title = useClientState((c) => conversationTitle(c, conversation));
  const timeline = useTimeline(id);
  const listRef = useRef<MessageListHandle>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<Message | null>(null);
  const [forwarding, setForwarding] = useState<Message | null>(null);
  const [popover, setPopover] = useState<Popover | null>(null);
  const [panelOpen, setPanelOpen] = useState(false);
  const [toast, setToast] = useState<string | null>(null);
  const [typers, setTypers] = useState<string[]>(() => client.typers(id));
  useClientEvent('typers', (e) => {
    if (e.conversationId === id) setTypers(e.userIds);
  });

  // Members: for receipts (ticks, "Seen by"), mentions and the panel.
  useEffect(() => {
    if (!client.conversations.cachedMembers(id)) void client.conversations.members(id).catch(() => undefined);
  }, [client, id]);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 2600);
    return () => clearTimeout(timer);
  }, [toast]);

  const errorText = useErrorText();
  const showError = useCallback((err: unknown) => setToast(errorText(err)), [errorText]);

  const moderator = conversation.kind !== 'direct' && (conversation.me.role === 'owner' || conversation.me.role === 'admin');
  const { kind, memberCount } = conversation;
  const info: ConversationInfo = useMemo(() => ({ conversationId: id, kind, memberCount, meId, moderator }), [id, kind, memberCount, meId, moderator]);

  const actions: MessageActions = useMemo(
    () => ({
      reply: (m) => {
        setEditing(null);
        setReplyTo(m);
      },
      edit: (m) => {
        setReplyTo(null);
        setEditing(m);
      },
      remove: (m) => setConfirmDelete(m),
      forward: (m) => setForwarding(m),
      copy: (m) => {
        if (m.content?.type !== 'text') return;
        navigator.clipboard?.writeText(m.content.text).then(
          () => setToast(t('conversation.copied')),
          () => setToast(t('common.errors.default')),
        );
      },
      toggleReaction: (m, emoji) => {
        rememberEmoji(emoji);
        client.messages.toggleReaction(m, emoji).catch(showError);
      },
      openReactionPicker: (m, anchor) => setPopover({ message: m, rect: anchor.getBoundingClientRect(), full: false, anchor }),
      jumpToReply: (ref: ReplyRef) => listRef.current?.jumpTo(ref.seq, ref.messageId),
      retry: (item: OutgoingMessage) => void client.messages.retry(item.clientId).catch(() => undefined),
      discard: (item: OutgoingMessage) => client.messages.discard(item.clientId),
    }),
    [client, t, showError],
  );

  const editLast = useCallback(() => {
    const list = client.messages.window(id)?.messages ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i]!;
      if (m.senderId === meId && m.deletedAt === null && m.content?.type === 'text') {
        setReplyTo(null);
        setEditing(m);
        listRef.current?.jumpTo(m.seq, m.id, false);
        return;
      }
    }
  }, [client, id, meId]);

  // Messages deleted (or edited elsewhere) while being edited or replied to.
  useEffect(() => {
    if (editing && client.messages.window(id)?.messages.find((m) => m.id === editing.id)?.deletedAt) setEditing(null);
  }, [client, id, editing, conversation.pts]);

  return (
    <InfoContext.Provider value={info}>
      <ActionsContext.Provider value={actions}>
        <section className="conv" aria-labelledby="conv-title">
          <ConversationHeader conversation={conversation} title={title} typers={typers} panelOpen={panelOpen} onTogglePanel={() => setPanelOpen((o) => !o)} />
          <div className="conv-body">
            <div className="conv-main">
              <MessageList ref={listRef} timeline={timeline} title={title} />
              <TypingLine userIds={typers} />
              <Composer
                title={title}
                replyTo={replyTo}
                editing={editing}
                onCancel={() => {
                  setReplyTo(null);
                  setEditing(null);
                }}
                onSent={() => {
                  setReplyTo(null);
                  listRef.current?.toLatest();
                }}
                onEditLast={editLast}
                onError={showError}
              />
            </div>
            {panelOpen && <MembersPanel conversation={conversation} onClose={() => setPanelOpen(false)} onError={showError} />}
          </div>
          {popover && (
            <ReactionPopover
              popover={popover}
              onMore={() => setPopover({ ...popover, full: true })}
              onPick={(emoji) => {
                actions.toggleReaction(popover.message, emoji);
                setPopover(null);
                if (popover.anchor.isConnected) popover.anchor.focus({ preventScroll: true });
              }}
              onClose={() => {
                setPopover(null);
                if (popover.anchor.isConnected) popover.anchor.focus({ preventScroll: true });
              }}
            />
          )}
          {confirmDelete && (
            <ConfirmDialog
              title={t('conversation.deleteTitle')}
              body={t('conversation.deleteBody')}
              confirm={t('conversation.actions.delete')}
              danger
              onConfirm={() => void client.messages.delete(id, confirmDelete.id).catch(showError)}
              onClose={() => setConfirmDelete(null)}
            />
          )}
          {forwarding && (
            <ForwardDialog
              message={forwarding}
              onForwarded={(to) => setToast(t('conversation.forwardedTo', { title: to }))}
              onClose={() => setForwarding(null)}
            />
          )}
          {toast && (
            <div className="toast" role="status">
              {toast}
            </div>
          )}
        </section>
      </ActionsContext.Provider>
    </InfoContext.Provider>
  );
}

function ReactionPopover({ popover, onPick, onMore, onClose }: { popover: Popover; onPick: (emoji: string) => void; onMore: () => void; onClose: () => void }) {
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
