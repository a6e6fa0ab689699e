import { HearthError, type Conversation } from '@hearth/client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { conversationTitle, displayName, useUser } from '../../app/people.js';
import { navigate } from '../../app/router.js';
import { conversationSnapshot, sameConversation } from '../../app/snapshots.js';
import { shallowEqual, useClientState } from '../../app/store.js';
import { useFileDrop } from '../media/ComposerMedia.js';
import { FilesPanel } from '../media/FilesPanel.js';
import { useUploads } from '../media/useUploads.js';
import { MembersPanel } from '../members/MembersPanel.js';
import { ProfileContext } from '../profile/context.js';
import { ProfileCard } from '../profile/ProfileCard.js';
import { ChannelPreview } from './ChannelPreview.js';
import { Composer } from './Composer.js';
import { ActionsContext, InfoContext, type ConversationInfo } from './context.js';
import { ConversationHeader } from './Header.js';
import { MessageList, type MessageListHandle } from './MessageList.js';
import { Overlays } from './Overlays.js';
import { useTimeline } from './timeline.js';
import { TypingLine } from './Typing.js';
import { useComposerTarget } from './useComposerTarget.js';
import { useMessageActions } from './useMessageActions.js';
import { useToast } from './useToast.js';
import './conversation.css';

/**
 * The conversation, as it is now. One the sync has not brought yet (just created elsewhere, or a link) is fetched
 * directly; `missing` once the server says there is no such conversation (or it is not the user's).
 */
function useConversation(conversationId: string): { conversation: Conversation | undefined; missing: boolean } {
  const client = useClient();
  const conversation = useClientState((c) => conversationSnapshot(c, conversationId), sameConversation);
  const connected = useClientState((c) => c.connectionState === 'online');
  const [missing, setMissing] = useState(false);
  const held = conversation !== undefined;
  useEffect(() => {
    if (held || !connected) return;
    const timer = setTimeout(() => {
      client.http.call('getConversation', { params: { conversationId } }).then(
        (c) => client.adoptConversation(c),
        (err: unknown) => {
          if (err instanceof HearthError && err.code === 'CONVERSATION_NOT_FOUND') setMissing(true);
        },
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [client, held, conversationId, connected]);
  return { conversation, missing };
}

/** One conversation: header, virtualised history, typing line, composer, and the members panel. */
export default function ConversationScreen({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const { conversation, missing } = useConversation(conversationId);
  // Not one of the user's: a public channel they may read before joining, else nothing (ChannelPreview says so).
  if (!conversation && missing) return <ChannelPreview conversationId={conversationId} />;
  if (!conversation) {
    return (
      <div className="conv-missing" role="status">
        <span className="spinner" aria-label={t('common.loading')} />
      </div>
    );
  }
  return <Loaded conversation={conversation} />;
}

function Loaded({ conversation }: { conversation: Conversation }) {
  const client = useClient();
  const { id, kind, memberCount } = conversation;
  const meId = useClientState((c) => c.users.me?.id);
  const title = useClientState((c) => conversationTitle(c, conversation));
  const typers = useClientState((c) => c.typers(id), shallowEqual);
  const timeline = useTimeline(id);
  const listRef = useRef<MessageListHandle>(null);
  const [panel, setPanel] = useState<'members' | 'files' | null>(null);
  const [profileId, setProfileId] = useState<string | null>(null);
  const { toast, show, showError } = useToast();
  const target = useComposerTarget(id, meId, listRef);
  const { actions, dialogs } = useMessageActions({ target, list: listRef, show, showError });
  const uploads = useUploads(id);

  // Members: for receipts (ticks, "Seen by"), mentions and the panel.
  useEffect(() => {
    if (!client.conversations.cachedMembers(id)) void client.conversations.members(id).catch(() => undefined);
  }, [client, id]);

  const readOnly = conversation.me.removal !== null;
  const moderator = kind !== 'direct' && !readOnly && (conversation.me.role === 'owner' || conversation.me.role === 'admin');
  const info: ConversationInfo = useMemo(() => ({ conversationId: id, kind, memberCount, meId, moderator, readOnly }), [id, kind, memberCount, meId, moderator, readOnly]);
  const drop = useFileDrop(uploads, !readOnly);
  const toggle = (which: 'members' | 'files') => setPanel((p) => (p === which ? null : which));

  return (
    <InfoContext.Provider value={info}>
      <ActionsContext.Provider value={actions}>
        <ProfileContext.Provider value={setProfileId}>
          <section className={`conv${drop.dragging ? ' conv-dropping' : ''}`} aria-labelledby="conv-title" {...drop.handlers}>
            <ConversationHeader conversation={conversation} title={title} typers={typers} panel={panel} onTogglePanel={toggle} />
            <div className="conv-body">
              <div className="conv-main">
                <MessageList ref={listRef} timeline={timeline} title={title} />
                <TypingLine userIds={typers} />
                {conversation.me.removal ? (
                  <RemovedNotice conversationId={id} removedBy={conversation.me.removal.removedBy} onError={showError} />
                ) : (
                  <>
                    {kind === 'direct' && conversation.lastMessage === null && <DraftHint title={title} />}
                    <Composer title={title} replyTo={target.replyTo} editing={target.editing} onCancel={target.cancel} onSent={target.sent} onEditLast={target.editLast} onError={showError} uploads={uploads} />
                  </>
                )}
              </div>
              {panel === 'members' && <MembersPanel conversation={conversation} onClose={() => setPanel(null)} onError={showError} />}
              {panel === 'files' && <FilesPanel conversationId={id} onClose={() => setPanel(null)} />}
            </div>
            {drop.dragging && <DropHint />}
            <Overlays conversationId={id} dialogs={dialogs} toast={toast} show={show} showError={showError} onReact={actions.toggleReaction} />
            {profileId && <ProfileCard userId={profileId} onClose={() => setProfileId(null)} />}
          </section>
        </ProfileContext.Provider>
      </ActionsContext.Provider>
    </InfoContext.Provider>
  );
}

/**
 * In place of the composer, in a conversation the user was removed from: it is theirs to read, not to write in,
 * until they dismiss it from their list (here and on their other devices).
 */
function RemovedNotice({ conversationId, removedBy, onError }: { conversationId: string; removedBy: string; onError: (err: unknown) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const remover = useUser(removedBy);
  const [busy, setBusy] = useState(false);
  function hide() {
    setBusy(true);
    client.conversations.hide(conversationId).then(
      () => navigate({ name: 'home' }, { replace: true }),
      (err: unknown) => {
        setBusy(false);
        onError(err);
      },
    );
  }
  return (
    <div className="conv-removed">
      <p role="status">{t('conversation.removedBy', { name: displayName(remover) })}</p>
      <button type="button" className="btn" disabled={busy} onClick={hide}>
        {t('conversation.hideRemoved')}
      </button>
    </div>
  );
}

/** Over the conversation while files are dragged onto it. */
function DropHint() {
  const { t } = useTranslation();
  return (
    <div className="conv-drop" aria-hidden="true">
      <p>{t('media.dropHere')}</p>
    </div>
  );
}

/** Above the composer of a direct conversation nothing was said in yet: the other person sees it from the first message. */
function DraftHint({ title }: { title: string }) {
  const { t } = useTranslation();
  return <p className="conv-draft-hint muted">{t('conversation.draftHint', { name: title })}</p>;
}
