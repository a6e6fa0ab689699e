import { HearthError, type Message } from '@hearth/client';
import { memo, useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type ChangeEvent, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { withTone } from '../emoji/data.js';
import { AttachmentTray } from '../media/AttachmentTray.js';
import { AttachButton, MicButton, pastedFiles, RecorderSlot, useVoiceMessage } from '../media/ComposerMedia.js';
import type { Uploads } from '../media/useUploads.js';
import { rememberEmoji, skinTone } from '../emoji/prefs.js';
import { Autocomplete, type Option } from './Autocomplete.js';
import { ComposerBar, EmojiButton } from './ComposerBar.js';
import { completedShortcode, mentionEntities, splice, type DraftMention } from './composerText.js';
import { useInfo } from './context.js';
import { IconSend } from './icons.js';
import { useAutocomplete, type Suggestions } from './useAutocomplete.js';
import { useComposerDraft, type ComposerDraft } from './useComposerDraft.js';

interface ComposerProps {
  title: string;
  replyTo: Message | null;
  editing: Message | null;
  onCancel: () => void;
  onSent: () => void;
  onEditLast: () => void;
  onError: (err: unknown) => void;
  /** The files attached to the next message (its caption is the text). */
  uploads: Uploads;
}

/** Focus on opening (not on touch screens, where it would pop the keyboard up) and on replying; height follows the text. */
function useComposerFocus(area: RefObject<HTMLTextAreaElement | null>, conversationId: string, replyTo: Message | null, text: string): void {
  useEffect(() => {
    if (window.matchMedia('(pointer: fine)').matches) area.current?.focus();
  }, [area, conversationId]);
  useEffect(() => {
    if (replyTo) area.current?.focus();
  }, [area, replyTo]);
  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
  }, [area, text]);
}

/** Sends the draft (as a reply when replying) or saves the edit; does nothing with a blank draft. */
function useSubmit({ replyTo, editing, onCancel, onSent, onError, uploads }: ComposerProps, draft: ComposerDraft, setCaret: (caret: number) => void): () => void {
  const client = useClient();
  const { conversationId: id } = useInfo();
  return () => {
    const body = draft.text.replace(/^\s*\n|\s+$/g, '');
    const media = !editing && uploads.items.length > 0;
    // A media message's caption may be emptied; a text may not.
    const captionEdit = editing?.content?.type === 'media';
    // With files attached, Send waits for their uploads (the button says so); the text is their caption.
    if (media ? !uploads.ready : !body.trim() && !captionEdit) return;
    // Send is disabled then, with the reason under the composer; Enter still tells it in words.
    if (new TextEncoder().encode(body).length > client.limits.maxTextBytes) return onError(new HearthError('MESSAGE_TOO_LARGE', '', { maxBytes: client.limits.maxTextBytes }));
    const entities = mentionEntities(body, draft.mentions);
    if (editing) {
      const before = editing.content?.type === 'text' || editing.content?.type === 'media' ? editing.content : undefined;
      const content = before?.type === 'media' ? { type: 'media' as const, text: body, entities, attachments: before.attachments } : body;
      if (body !== (before?.text ?? '') || JSON.stringify(entities) !== JSON.stringify(before?.entities ?? [])) client.messages.edit(id, editing.id, content, entities).catch(onError);
      draft.restore();
      return onCancel();
    }
    client.stopTyping(id);
    const content = media ? { type: 'media' as const, text: body, entities, attachments: uploads.items.flatMap((i) => (i.uploaded ? [i.uploaded] : [])) } : body;
    client.messages.send(id, content, { entities, ...(replyTo ? { replyToId: replyTo.id } : {}) }).catch(() => undefined);
    if (media) uploads.clear();
    draft.clear();
    setCaret(0);
    onSent();
  };
}

/**
 * A finished voice recording: into the tray (its upload shows progress, and a failure can be retried or removed),
 * then sent as soon as it is uploaded. Returns what the recorder calls with the recording.
 */
function useSendRecording(uploads: Uploads, submit: () => void): (file: File, voice: { durationMs: number; waveform: number[] }) => void {
  const [waiting, setWaiting] = useState(false);
  const submitRef = useRef(submit);
  submitRef.current = submit;
  const failed = uploads.items.some((i) => i.state === 'failed');
  useEffect(() => {
    if (!waiting || !(uploads.ready || failed || uploads.items.length === 0)) return;
    setWaiting(false);
    if (uploads.ready) submitRef.current();
  }, [waiting, uploads.ready, uploads.items.length, failed]);
  return useCallback(
    (file, voice) => {
      uploads.add([file], voice);
      setWaiting(true);
    },
    [uploads],
  );
}

/**
 * The size of the draft against the server's limit: a line near it (over 90 %), and `over` past it, which disables
 * Send and says why (`id` is the line's, for aria-describedby).
 */
function useSizeLimit(text: string, id: string): { id: string; over: boolean; text: string | null } {
  const { t } = useTranslation();
  const max = useClient().limits.maxTextBytes;
  // Counting bytes is needed only once the text could be near the limit (at most 4 bytes per UTF-16 unit).
  const bytes = text.length > max / 4 ? new TextEncoder().encode(text).length : 0;
  const over = bytes > max;
  const line = bytes > max * 0.9 ? t(over ? 'conversation.overLimit' : 'conversation.nearLimit', { count: bytes, max }) : null;
  return { id, over, text: line };
}

/** ↑/↓, Enter, Tab and Esc in the suggestions while they are open; Enter sends, Esc cancels, ↑ edits the last. */
function composerKeys(e: KeyboardEvent<HTMLTextAreaElement>, s: Suggestions, act: { choose: (o: Option) => void; submit: () => void; cancel?: () => void; editLast?: () => void }): void {
  if (e.nativeEvent.isComposing) return;
  const open = s.options.length > 0;
  let handled = true;
  if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) s.setActive((s.active + (e.key === 'ArrowDown' ? 1 : -1) + s.options.length) % s.options.length);
  else if (open && (e.key === 'Enter' || e.key === 'Tab')) {
    const option = s.options[s.active];
    if (option) act.choose(option);
  } else if (open && e.key === 'Escape') s.dismiss();
  else if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) act.submit();
  else if (e.key === 'Escape' && act.cancel) act.cancel();
  else if (e.key === 'ArrowUp' && act.editLast) act.editLast();
  else handled = false;
  if (handled) e.preventDefault();
}

/** Writes a new message, a reply or an edit: mentions and emoji shortcodes complete as you type. */
export const Composer = memo(function Composer(props: ComposerProps) {
  const { title, replyTo, editing, onCancel, onEditLast, onError, uploads } = props;
  const { t } = useTranslation();
  const client = useClient();
  const { conversationId: id, kind, meId } = useInfo();
  const listId = useId();
  const areaRef = useRef<HTMLTextAreaElement>(null);
  const draft = useComposerDraft(id, editing, areaRef);
  const { text, setText, addMention } = draft;
  const [caret, setCaret] = useState(0);
  const suggestions = useAutocomplete(text, caret, { conversationId: id, kind, meId });
  const { trigger, options, emoji } = suggestions;
  useComposerFocus(areaRef, id, replyTo, text);
  const submit = useSubmit(props, draft, setCaret);
  const voice = useVoiceMessage(useSendRecording(uploads, submit), onError);

  const replaceRange = useCallback(
    (start: number, end: number, insert: string, mention?: DraftMention) => {
      const el = areaRef.current;
      const next = splice(el?.value ?? '', start, end, insert);
      setText(next.text);
      setCaret(next.caret);
      if (mention) addMention(mention);
      requestAnimationFrame(() => {
        el?.focus();
        el?.setSelectionRange(next.caret, next.caret);
      });
    },
    [setText, addMention],
  );

  function choose(option: Option) {
    if (!trigger) return;
    if (option.kind === 'emoji') {
      rememberEmoji(option.emoji);
      return replaceRange(trigger.start, trigger.end, option.emoji);
    }
    const label = option.kind === 'all' ? '@all' : `@${option.user.displayName}`;
    replaceRange(trigger.start, trigger.end, `${label} `, { text: label, userId: option.kind === 'all' ? null : option.user.id });
  }

  // Emoji data that arrives after `:name:` was typed still completes it.
  useEffect(() => {
    const el = areaRef.current;
    const done = el && emoji ? completedShortcode(el.value, el.selectionStart ?? el.value.length) : null;
    const entry = done && emoji?.byShortcode.get(done.name);
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
      ({ text: value, caret: pos } = splice(value, done.start, done.end, glyph));
      requestAnimationFrame(() => areaRef.current?.setSelectionRange(pos, pos));
    }
    setText(value);
    setCaret(pos);
    suggestions.undismiss();
    if (value.trim() && !editing) client.typing(id);
    else client.stopTyping(id);
  }

  function cancel() {
    if (editing) draft.restore();
    onCancel();
  }

  const open = options.length > 0;
  const limit = useSizeLimit(text, `${listId}-limit`);
  const attached = uploads.items.length > 0 && !editing;
  const sendable = (attached ? uploads.ready : text.trim() !== '' || editing?.content?.type === 'media') && !limit.over;
  const showMic = !attached && !editing && text.trim() === '' && typeof MediaRecorder !== 'undefined';
  return (
    <div className="composer-wrap">
      {(replyTo || editing) && <ComposerBar replyTo={replyTo} editing={editing} onCancel={cancel} />}
      {open && (
        <Autocomplete
          id={listId}
          label={trigger?.kind === 'emoji' ? t('conversation.emojiSuggestions') : t('conversation.mentionSuggestions')}
          options={options}
          active={suggestions.active}
          onActive={suggestions.setActive}
          onChoose={choose}
        />
      )}
      {!editing && <AttachmentTray uploads={uploads} />}
      {voice.mode !== null ? (
        <RecorderSlot voice={voice} />
      ) : (
        <div className={`composer${editing ? ' composer-editing' : ''}`}>
          {!editing && <AttachButton onFiles={uploads.add} />}
          <EmojiButton onPick={(glyph) => replaceRange(areaRef.current?.selectionStart ?? text.length, areaRef.current?.selectionEnd ?? text.length, glyph)} onClose={() => areaRef.current?.focus()} />
          {/* A textbox, not a combobox (a role a textarea may not take): aria-autocomplete and aria-activedescendant announce the suggestions. */}
          <textarea
            ref={areaRef}
            className="composer-input"
            rows={1}
            dir="auto"
            value={text}
            placeholder={editing ? t('conversation.editPlaceholder') : t('conversation.placeholder', { title })}
            aria-label={t('conversation.composer')}
            aria-autocomplete="list"
            aria-controls={open ? listId : undefined}
            aria-activedescendant={open ? `${listId}-opt-${suggestions.active}` : undefined}
            aria-describedby={limit.over ? `${listId}-help ${limit.id}` : `${listId}-help`}
            onChange={onChange}
            onKeyDown={(e) => composerKeys(e, suggestions, { choose, submit, ...(editing || replyTo ? { cancel } : {}), ...(text === '' && !editing ? { editLast: onEditLast } : {}) })}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
            onPaste={(e) => !editing && pastedFiles(e, uploads)}
            onBlur={suggestions.dismiss}
            onFocus={suggestions.undismiss}
          />
          {showMic ? (
            <MicButton voice={voice} />
          ) : (
            <button type="button" className="composer-send" aria-label={editing ? t('conversation.saveEdit') : uploads.uploading && attached ? t('media.waitUploads') : t('conversation.send')} aria-describedby={limit.over ? limit.id : undefined} disabled={!sendable} onClick={submit}>
              <IconSend size={18} />
            </button>
          )}
        </div>
      )}
      <span id={`${listId}-help`} className="visually-hidden">
        {t('markdown.help')}
      </span>
      {limit.text && (
        <div id={limit.id} className={`composer-limit${limit.over ? ' over' : ''}`} role="status">
          {limit.text}
        </div>
      )}
    </div>
  );
});
