import type { Message, User } from '@hearth/client';
import { lazy, memo, Suspense, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { shallowEqual, useClientState } from '../../app/store.js';
import { displayName, useUser } from '../../app/people.js';
import { Avatar } from '../../ui/Avatar.js';
import { plainText } from '../markdown/render.js';
import { emojiDataIfLoaded, loadEmojiData, shortcodeSuggestions, withTone, type EmojiData } from '../emoji/data.js';
import { rememberEmoji, skinTone } from '../emoji/prefs.js';
import { completedShortcode, findTrigger, mentionEntities, mentionsFromEntities, splice, type DraftMention, type Trigger } from './composerText.js';
import { useInfo } from './context.js';
import { IconClose, IconEdit, IconReply, IconSend, IconSmile } from './icons.js';

const EmojiPicker = lazy(() => import('../emoji/EmojiPicker.js'));

/** Unsent drafts per conversation, kept while the app is open. */
const drafts = new Map<string, { text: string; mentions: DraftMention[] }>();

type Option = { kind: 'user'; user: User } | { kind: 'all' } | { kind: 'emoji'; code: string; emoji: string };

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Writes a new message, a reply or an edit: mentions and emoji shortcodes complete as you type. */
export const Composer = memo(function Composer({
  title,
  replyTo,
  editing,
  onCancel,
  onSent,
  onEditLast,
  onError,
}: {
  title: string;
  replyTo: Message | null;
  editing: Message | null;
  onCancel: () => void;
  onSent: () => void;
  onEditLast: () => void;
  onError: (err: unknown) => void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const { conversationId: id, kind, meId } = useInfo();
  const listId = useId();
  const areaRef = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(() => drafts.get(id)?.text ?? '');
  const [mentions, setMentions] = useState<DraftMention[]>(() => drafts.get(id)?.mentions ?? []);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [emoji, setEmoji] = useState<EmojiData | undefined>(emojiDataIfLoaded);
  const [pickerOpen, setPickerOpen] = useState(false);
  const memberIds = useClientState((c) => c.conversations.cachedMembers(id)?.map((m) => m.userId), shallowEqual);
  const memberUsers = useClientState((c) => (memberIds ?? []).map((userId) => c.users.cached(userId)).filter((u): u is User => Boolean(u)), shallowEqual);
  const replyAuthor = useUser(replyTo?.senderId);
  const savedDraft = useRef<{ text: string; mentions: DraftMention[] } | null>(null);

  // Drafts survive switching conversations.
  const latest = useRef({ text, mentions });
  latest.current = { text, mentions };
  useEffect(
    () => () => {
      if (latest.current.text.trim() && !savedDraft.current) drafts.set(id, latest.current);
      else if (savedDraft.current) drafts.set(id, savedDraft.current);
      else drafts.delete(id);
    },
    [id],
  );

  useEffect(() => {
    if (memberIds && memberUsers.length < memberIds.length) {
      void client.users.getMany(memberIds).then(() => client.changed(), () => undefined);
    }
  }, [client, memberIds, memberUsers.length]);

  // Entering edit mode puts the message in the composer (and keeps the draft to restore afterwards).
  useEffect(() => {
    if (!editing || editing.content?.type !== 'text') return;
    savedDraft.current ??= { text: latest.current.text, mentions: latest.current.mentions };
    setText(editing.content.text);
    setMentions(mentionsFromEntities(editing.content.text, editing.content.entities));
    requestAnimationFrame(() => {
      const el = areaRef.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    });
  }, [editing]);

  useEffect(() => {
    if (replyTo) areaRef.current?.focus();
  }, [replyTo]);

  // Focus the composer when the conversation opens (not on touch screens, where it would pop the keyboard up).
  useEffect(() => {
    if (window.matchMedia('(pointer: fine)').matches) areaRef.current?.focus();
  }, [id]);

  // The textarea grows with its text, up to a limit.
  useLayoutEffect(() => {
    const el = areaRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
  }, [text]);

  const trigger: Trigger | null = useMemo(() => {
    const found = findTrigger(text, caret);
    return found && found.start !== dismissed ? found : null;
  }, [text, caret, dismissed]);

  useEffect(() => {
    if (trigger?.kind === 'emoji' && !emoji) loadEmojiData().then(setEmoji, () => undefined);
  }, [trigger, emoji]);

  const options: Option[] = useMemo(() => {
    if (!trigger) return [];
    if (trigger.kind === 'emoji') {
      if (!emoji) return [];
      const tone = skinTone();
      return shortcodeSuggestions(emoji, trigger.query).map(([code, entry]) => ({ kind: 'emoji' as const, code, emoji: withTone(entry, tone) }));
    }
    const q = fold(trigger.query);
    const users = memberUsers
      .filter((u) => u.id !== meId)
      .map((u) => ({ u, name: fold(u.displayName), user: fold(u.username) }))
      .filter(({ name, user }) => !q || name.startsWith(q) || user.startsWith(q) || name.split(/\s+/).some((w) => w.startsWith(q)))
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, 8)
      .map(({ u }) => ({ kind: 'user' as const, user: u }));
    const all: Option[] = kind !== 'direct' && 'all'.startsWith(q) ? [{ kind: 'all' }] : [];
    return [...users, ...all];
  }, [trigger, emoji, memberUsers, meId, kind]);

  const open = options.length > 0;
  useEffect(() => setActive(0), [trigger?.kind, trigger?.query]);

  const replaceRange = useCallback((start: number, end: number, insert: string, mention?: DraftMention) => {
    const el = areaRef.current;
    const next = splice(el?.value ?? '', start, end, insert);
    setText(next.text);
    setCaret(next.caret);
    if (mention) setMentions((m) => [...m, mention]);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  }, []);

  function choose(option: Option) {
    if (!trigger) return;
    if (option.kind === 'emoji') {
      rememberEmoji(option.emoji);
      replaceRange(trigger.start, trigger.end, option.emoji);
    } else if (option.kind === 'all') {
      replaceRange(trigger.start, trigger.end, '@all ', { text: '@all', userId: null });
    } else {
      const label = `@${option.user.displayName}`;
      replaceRange(trigger.start, trigger.end, `${label} `, { text: label, userId: option.user.id });
    }
  }

  // Emoji data that arrives after `:name:` was typed still completes it.
  useEffect(() => {
    const el = areaRef.current;
    if (!emoji || !el) return;
    const pos = el.selectionStart ?? el.value.length;
    const done = completedShortcode(el.value, pos);
    const entry = done && emoji.byShortcode.get(done.name);
    if (done && entry) replaceRange(done.start, done.end, withTone(entry, skinTone()));
  }, [emoji, replaceRange]);

  function onChange(e: ChangeEvent<HTMLTextAreaElement>) {
    let value = e.target.value;
    let pos = e.target.selectionStart ?? value.length;
    // `:smile:` becomes 😄 as soon as the closing colon is typed.
    const done = completedShortcode(value, pos);
    const entry = done && emoji?.byShortcode.get(done.name);
    if (done && entry) {
      const glyph = withTone(entry, skinTone());
      rememberEmoji(glyph);
      const next = splice(value, done.start, done.end, glyph);
      value = next.text;
      pos = next.caret;
      requestAnimationFrame(() => areaRef.current?.setSelectionRange(pos, pos));
    }
    setText(value);
    setCaret(pos);
    setDismissed(null);
    if (value.trim() && !editing) client.typing(id);
    else client.stopTyping(id);
  }

  function reset() {
    setText('');
    setMentions([]);
    setCaret(0);
  }

  function cancel() {
    if (editing) {
      const saved = savedDraft.current;
      savedDraft.current = null;
      setText(saved?.text ?? '');
      setMentions(saved?.mentions ?? []);
    }
    onCancel();
  }

  function submit() {
    const body = text.replace(/^\s*\n|\s+$/g, '');
    if (!body.trim()) return;
    const bytes = new TextEncoder().encode(body).length;
    if (bytes > client.limits.maxTextBytes) {
      onError(new Error('MESSAGE_TOO_LARGE'));
      return;
    }
    const entities = mentionEntities(body, mentions);
    if (editing) {
      const before = editing.content?.type === 'text' ? editing.content.text : '';
      if (body !== before || JSON.stringify(entities) !== JSON.stringify(editing.content?.entities ?? [])) {
        client.messages.edit(id, editing.id, body, entities).catch(onError);
      }
      const saved = savedDraft.current;
      savedDraft.current = null;
      setText(saved?.text ?? '');
      setMentions(saved?.mentions ?? []);
      onCancel();
      return;
    }
    client.stopTyping(id);
    client.messages.send(id, body, { entities, ...(replyTo ? { replyToId: replyTo.id } : {}) }).catch(() => undefined);
    reset();
    drafts.delete(id);
    onSent();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.nativeEvent.isComposing) return;
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : -1) + options.length) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const option = options[active];
        if (option) choose(option);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissed(trigger?.start ?? null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && (editing || replyTo)) {
      e.preventDefault();
      cancel();
    } else if (e.key === 'ArrowUp' && text === '' && !editing) {
      e.preventDefault();
      onEditLast();
    }
  }

  function insertEmoji(glyph: string) {
    const el = areaRef.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    replaceRange(start, end, glyph);
    setPickerOpen(false);
  }

  const activeId = open ? `${listId}-opt-${active}` : undefined;
  const bytesWarning = text.length > client.limits.maxTextBytes / 4 ? new TextEncoder().encode(text).length : 0;

  return (
    <div className="composer-wrap">
      {(replyTo || editing) && (
        <div className="composer-bar">
          {editing ? <IconEdit size={16} className="composer-bar-icon" /> : <IconReply size={16} className="composer-bar-icon" />}
          <div className="composer-bar-text">
            <span className="composer-bar-title">{editing ? t('conversation.editing') : t('conversation.replyingTo', { name: displayName(replyAuthor) })}</span>
            {replyTo && !editing && (
              <span className="composer-bar-excerpt" dir="auto">
                {replyTo.content?.type === 'text' ? plainText(replyTo.content.text) : ''}
              </span>
            )}
            {editing && <span className="composer-bar-excerpt muted">{t('conversation.editHint')}</span>}
          </div>
          <button type="button" className="icon-btn" aria-label={editing ? t('conversation.cancelEdit') : t('conversation.cancelReply')} onClick={cancel}>
            <IconClose size={16} />
          </button>
        </div>
      )}
      {open && (
        <ul className="autocomplete" role="listbox" id={listId} aria-label={trigger?.kind === 'emoji' ? t('conversation.emojiSuggestions') : t('conversation.mentionSuggestions')}>
          {options.map((o, i) => (
            <li
              key={o.kind === 'user' ? o.user.id : o.kind === 'emoji' ? o.code : 'all'}
              id={`${listId}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={`autocomplete-item${i === active ? ' active' : ''}`}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(o);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {o.kind === 'user' && (
                <>
                  <Avatar id={o.user.id} name={o.user.displayName} size={24} />
                  <span className="autocomplete-name">{o.user.displayName}</span>
                  <span className="muted">@{o.user.username}</span>
                </>
              )}
              {o.kind === 'all' && (
                <>
                  <span className="autocomplete-all" aria-hidden="true">@</span>
                  <span className="autocomplete-name">@all</span>
                  <span className="muted">{t('conversation.mentionAll')}</span>
                </>
              )}
              {o.kind === 'emoji' && (
                <>
                  <span className="autocomplete-emoji" aria-hidden="true">
                    {o.emoji}
                  </span>
                  <span className="autocomplete-name">:{o.code}:</span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className={`composer${editing ? ' composer-editing' : ''}`}>
        <div className="composer-emoji">
          <button type="button" className="icon-btn" aria-label={t('conversation.emojiButton')} aria-expanded={pickerOpen} aria-haspopup="dialog" onClick={() => setPickerOpen((o) => !o)}>
            <IconSmile size={20} />
          </button>
          {pickerOpen && (
            <div className="composer-picker">
              <Suspense fallback={<div className="emoji-picker emoji-picker-loading" />}>
                <EmojiPicker
                  onPick={insertEmoji}
                  onClose={() => {
                    setPickerOpen(false);
                    areaRef.current?.focus();
                  }}
                />
              </Suspense>
            </div>
          )}
        </div>
        <textarea
          ref={areaRef}
          className="composer-input"
          rows={1}
          dir="auto"
          value={text}
          placeholder={editing ? t('conversation.editPlaceholder') : t('conversation.placeholder', { title })}
          aria-label={t('conversation.composer')}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={open ? listId : undefined}
          aria-activedescendant={activeId}
          aria-describedby={`${listId}-help`}
          onChange={onChange}
          onKeyDown={onKeyDown}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onBlur={() => setDismissed(trigger?.start ?? null)}
          onFocus={() => setDismissed(null)}
        />
        <button type="button" className="composer-send" aria-label={editing ? t('conversation.saveEdit') : t('conversation.send')} disabled={!text.trim()} onClick={submit}>
          <IconSend size={18} />
        </button>
      </div>
      <span id={`${listId}-help`} className="visually-hidden">
        {t('markdown.help')}
      </span>
      {bytesWarning > client.limits.maxTextBytes * 0.9 && (
        <div className={`composer-limit${bytesWarning > client.limits.maxTextBytes ? ' over' : ''}`} role="status">
          {t('conversation.tooLong', { count: bytesWarning, max: client.limits.maxTextBytes })}
        </div>
      )}
    </div>
  );
});
