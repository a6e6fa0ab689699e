import { FORWARD_TARGETS_MAX, HearthError, type ForwardResult, type ForwardTarget, type Message } from '@hearth/client';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction, useErrorText } from '../../app/errors.js';
import { conversationTitle } from '../../app/people.js';
import { equalItems } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';
import { Avatar } from '../../ui/Avatar.js';
import { DialogActions, Dialog } from '../../ui/Dialog.js';
import { plainText } from '../markdown/render.js';
import { writtenLine } from '../media/format.js';
import { PickedList, type Picked } from '../sidebar/PickedList.js';
import { autofocus, useDirectory } from '../sidebar/UserPicker.js';

/** Somewhere a message can be forwarded: one of the user's conversations, or a person (their direct conversation). */
interface Choice extends Picked {
  target: ForwardTarget;
  detail: string;
}

const keyOf = (target: ForwardTarget) => (target.type === 'conversation' ? `c:${target.conversationId}` : `u:${target.userId}`);

/**
 * What matches the query: the conversations the user can write in, then people from the directory they have no
 * direct conversation with yet (with the others, their conversation stands for them).
 */
function useChoices(query: string): { conversations: Choice[]; people: Choice[]; loading: boolean } {
  const { t } = useTranslation();
  const writable = useClientState(
    (c) =>
      c.conversations
        .list()
        .filter((x) => !x.me.removal)
        .map((x) => ({ id: x.id, kind: x.kind, peerId: x.peerId, title: conversationTitle(c, x) })),
    equalItems,
  );
  const directory = useDirectory(query);
  return useMemo(() => {
    const q = query.trim().toLowerCase();
    const conversations = writable
      .filter(({ title }) => !q || title.toLowerCase().includes(q))
      .map((c): Choice => ({ key: `c:${c.id}`, target: { type: 'conversation', conversationId: c.id }, name: c.title, avatarId: c.peerId ?? c.id, detail: t(`conversation.kind.${c.kind}`) }));
    const talkingTo = new Set(writable.map((c) => c.peerId));
    const people = directory.users
      .filter((u) => !talkingTo.has(u.id))
      .map((u): Choice => ({ key: `u:${u.id}`, target: { type: 'user', userId: u.id }, name: u.displayName, avatarId: u.id, detail: `@${u.username}` }));
    return { conversations, people, loading: directory.loading };
  }, [writable, directory, query, t]);
}

/** One group of choices (conversations, or people) as checkboxes. */
function ChoiceGroup({ label, choices, chosen, full, onToggle }: { label: string; choices: Choice[]; chosen: ReadonlySet<string>; full: boolean; onToggle: (choice: Choice) => void }) {
  if (choices.length === 0) return null;
  return (
    <fieldset className="forward-group">
      <legend className="forward-legend">{label}</legend>
      <ul className="forward-list">
        {choices.map((c) => (
          <li key={c.key}>
            <label className="forward-item">
              <input type="checkbox" checked={chosen.has(c.key)} disabled={full && !chosen.has(c.key)} onChange={() => onToggle(c)} />
              <Avatar id={c.avatarId} name={c.name} size={32} />
              <bdi className="forward-title">{c.name}</bdi>
              <span className="muted forward-kind">{c.detail}</span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

/** Some targets failed: says which and why (the others got the message). */
class PartialFailure extends Error {}

/**
 * Forwards a message to up to FORWARD_TARGETS_MAX conversations and people at once, with an optional comment sent
 * before the copy in each. When some targets fail, the dialog stays open with those still chosen, to retry.
 */
export function ForwardDialog({ message, onForwarded, onClose }: { message: Message; onForwarded: (text: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<Choice[]>([]);
  const [comment, setComment] = useState('');
  const { busy, error, run } = useAction();
  const { conversations, people, loading } = useChoices(query);
  const keys = new Set(chosen.map((c) => c.key));
  const full = chosen.length >= FORWARD_TARGETS_MAX;
  const excerpt = writtenLine(message.content, t, plainText);

  function toggle(choice: Choice) {
    setChosen((list) => (list.some((c) => c.key === choice.key) ? list.filter((c) => c.key !== choice.key) : [...list, choice]));
  }
  function report(results: ForwardResult[]): string {
    const failed = results.filter((r) => r.error !== null);
    if (failed.length === 0) return chosen.length === 1 ? t('conversation.forwardedTo', { title: chosen[0]!.name }) : t('conversation.forwardedToMany', { count: chosen.length });
    const failedKeys = new Set(failed.map((r) => keyOf(r.target)));
    const names = chosen.filter((c) => failedKeys.has(c.key)).map((c) => c.name);
    setChosen((list) => list.filter((c) => failedKeys.has(c.key)));
    const reason = errorText(new HearthError(failed[0]!.error!.code, failed[0]!.error!.message ?? ''));
    throw new PartialFailure(t('conversation.forwardFailed', { names: new Intl.ListFormat(undefined, { type: 'conjunction' }).format(names), reason, count: results.length - failed.length }));
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (chosen.length === 0) return;
    const text = comment.trim();
    void run(
      async () => {
        const from = { conversationId: message.conversationId, messageId: message.id };
        const done = report(await client.messages.forwardMany(from, chosen.map((c) => c.target), text ? { comment: text } : {}));
        onForwarded(done);
        onClose();
      },
      (err) => (err instanceof PartialFailure ? err.message : undefined),
    );
  }

  const nothing = conversations.length === 0 && people.length === 0 && !loading;
  return (
    <Dialog title={t('conversation.forwardTitle')} onClose={onClose} wide>
      <form className="dialog-form" onSubmit={submit}>
        <blockquote className="forward-preview">{excerpt}</blockquote>
        <PickedList
          items={chosen}
          label={t('conversation.forwardChosen', { count: chosen.length })}
          removeLabel={(name) => t('conversation.forwardUnchoose', { name })}
          onRemove={(key) => setChosen((list) => list.filter((c) => c.key !== key))}
        />
        <input
          className="forward-search"
          type="search"
          ref={autofocus}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            // Enter chooses the first match (type a name, Enter, next name) rather than sending half-chosen.
            if (e.key !== 'Enter') return;
            e.preventDefault();
            const first = conversations[0] ?? people[0];
            if (first && (!full || keys.has(first.key))) toggle(first);
          }}
          placeholder={t('conversation.forwardSearch')}
          aria-label={t('conversation.forwardSearch')}
          autoComplete="off"
          spellCheck={false}
        />
        <div className="forward-choices">
          <ChoiceGroup label={t('conversation.forwardConversations')} choices={conversations} chosen={keys} full={full} onToggle={toggle} />
          <ChoiceGroup label={t('conversation.forwardPeople')} choices={people} chosen={keys} full={full} onToggle={toggle} />
        </div>
        <p className="muted forward-status" role="status">
          {full ? t('conversation.forwardLimit', { count: FORWARD_TARGETS_MAX }) : nothing ? t('conversation.forwardNone') : ''}
        </p>
        <div className="field">
          <label htmlFor="forward-comment">
            {t('conversation.forwardComment')} <span className="muted">{t('sidebar.optional')}</span>
          </label>
          <textarea id="forward-comment" className="forward-comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
        </div>
        <DialogActions error={error} onCancel={onClose}>
          <button type="submit" className="btn btn-primary" disabled={busy || chosen.length === 0}>
            {t('conversation.forwardSend')}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
