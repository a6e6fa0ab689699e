import { HearthError, type ChannelPreview as Preview, type Message } from '@hearth/client';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction } from '../../app/errors.js';
import { navigate } from '../../app/router.js';
import { useClientState } from '../../app/store.js';
import { Avatar } from '../../ui/Avatar.js';
import { MessageText } from '../markdown/Markdown.js';
import { IconBack, IconTrash } from './icons.js';
import { ForwardedMark, Gutter, MessageHeader } from './MessageParts.js';
import { SystemLine } from './MessageRow.js';

const PAGE = 50;

/** The preview of a channel, or `missing` when there is nothing the user may see (not a public channel). */
function usePreview(conversationId: string): { preview: Preview | null; missing: boolean; loadOlder: () => Promise<void> } {
  const client = useClient();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    let live = true;
    client.conversations.preview(conversationId).then(
      (p) => live && setPreview(p),
      (err: unknown) => live && err instanceof HearthError && err.code === 'CONVERSATION_NOT_FOUND' && setMissing(true),
    );
    return () => {
      live = false;
    };
  }, [client, conversationId]);
  async function loadOlder() {
    const first = preview?.messages[0];
    if (!preview || !first) return;
    const page = await client.messages.page(conversationId, { before: first.seq, limit: PAGE });
    setPreview({ ...preview, messages: [...page.messages, ...preview.messages], hasMore: page.hasMore });
  }
  return { preview, missing, loadOlder };
}

/** One message of the preview: who, when and what, without actions (the reader is not in the channel). */
function PreviewMessage({ message }: { message: Message }) {
  const { t } = useTranslation();
  const meId = useClientState((c) => c.users.me?.id);
  if (message.content?.type === 'system') return <SystemLine message={message} content={message.content} tabbable={false} />;
  return (
    <div className="msg msg-head" role="article" aria-roledescription={t('conversation.messageRole')}>
      <Gutter head senderId={message.senderId} at={message.createdAt} />
      <div className="msg-main">
        <MessageHeader senderId={message.senderId} at={message.createdAt} tabbable={false} />
        {message.forwarded && <ForwardedMark message={message} />}
        <div className="msg-body">
          {message.deletedAt !== null || !message.content ? (
            <div className="msg-deleted">
              <IconTrash size={14} />
              {t('conversation.deleted')}
            </div>
          ) : (
            <MessageText text={message.content.text} entities={message.content.entities} meId={meId} />
          )}
        </div>
      </div>
    </div>
  );
}

/** The preview's messages, oldest first, scrolled to the latest when they arrive, with a button to show older ones. */
function PreviewHistory({ preview, loadOlder }: { preview: Preview; loadOlder: () => Promise<void> }) {
  const { t } = useTranslation();
  const older = useAction();
  const ref = useRef<HTMLDivElement>(null);
  const { channel, messages, hasMore } = preview;
  const latest = messages.at(-1)?.id;
  useEffect(() => {
    ref.current?.scrollTo({ top: ref.current.scrollHeight });
  }, [latest]);
  return (
    // Focusable, so that the keyboard can scroll it: nothing inside is.
    <div ref={ref} className="preview-scroll" role="region" aria-label={t('conversation.messagesIn', { title: channel.title })} tabIndex={0}>
      {hasMore && (
        <button type="button" className="btn btn-small preview-older" disabled={older.busy} onClick={() => void older.run(loadOlder)}>
          {t('conversation.previewOlder')}
        </button>
      )}
      {older.error && (
        <p className="field-error" role="alert">
          {older.error}
        </p>
      )}
      {messages.length === 0 && <p className="muted preview-empty">{t('conversation.previewEmpty')}</p>}
      <div role="list" className="preview-list">
        {messages.map((m) => (
          <div role="listitem" key={m.id}>
            <PreviewMessage message={m} />
          </div>
        ))}
      </div>
    </div>
  );
}

/**
 * A public channel the user is not in, read-only: its recent history (paging back on demand) and a Join button in
 * place of the composer. Joining adds the conversation to the client, and the screen becomes the conversation.
 * Anything else the user may not see says so.
 */
export function ChannelPreview({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const { preview, missing, loadOlder } = usePreview(conversationId);
  const joining = useAction();
  if (!preview) {
    return (
      <div className="conv-missing" role="status">
        {missing ? t('common.errors.CONVERSATION_NOT_FOUND') : <span className="spinner" aria-label={t('common.loading')} />}
      </div>
    );
  }
  const { channel } = preview;
  const members = t('conversation.memberCount', { count: channel.memberCount });
  return (
    <section className="conv" aria-labelledby="conv-title">
      <header className="conv-header">
        <button type="button" className="icon-btn conv-back" aria-label={t('conversation.backToList')} onClick={() => navigate({ name: 'home' })}>
          <IconBack size={20} />
        </button>
        <Avatar id={channel.id} name={channel.title} size={38} />
        <div className="conv-heading">
          <h2 className="conv-title" id="conv-title">
            <span className="conv-kind" aria-hidden="true">
              #
            </span>
            {channel.title}
          </h2>
          <p className="conv-subtitle">{channel.topic ? `${members} · ${channel.topic}` : members}</p>
        </div>
      </header>
      <div className="conv-body">
        <div className="conv-main">
          <PreviewHistory preview={preview} loadOlder={loadOlder} />
          <div className="conv-preview-bar">
            <p>{t('conversation.previewing', { name: channel.title })}</p>
            {joining.error && (
              <p className="field-error" role="alert">
                {joining.error}
              </p>
            )}
            <button
              type="button"
              className="btn btn-primary"
              disabled={joining.busy}
              aria-label={t('channels.joinNamed', { name: channel.title })}
              onClick={() => void joining.run(async () => void (await client.conversations.join(conversationId)))}
            >
              {t('channels.join')}
            </button>
          </div>
        </div>
      </div>
    </section>
  );
}
