import type { Entity, HearthClient } from '@hearth/client';
import { memo, useMemo } from 'react';
import { shallowEqual, useClientState } from '../../app/store.js';
import { isEmojiOnly, renderMessage, type Sanitizer } from './render.js';
import { createSanitizer } from './sanitize.js';
import './markdown.css';

let pageSanitizer: Sanitizer | undefined;
/** The page's one sanitiser, made on first use. */
function sanitize(html: string): string {
  pageSanitizer ??= createSanitizer(window);
  return pageSanitizer(html);
}

/** The current display names of the users a message mentions, by id (the signed-in user's too). */
function mentionedNames(client: HearthClient, entities: readonly Entity[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const e of entities) {
    if (e.type !== 'mention') continue;
    const name = client.users.cached(e.userId)?.displayName ?? (client.users.me?.id === e.userId ? client.users.me.displayName : undefined);
    if (name !== undefined) names[e.userId] = name;
  }
  return names;
}

/** A message's text as formatted, sanitised HTML (see render.ts); mentions show their users' current names. */
export const MessageText = memo(function MessageText({ text, entities, meId }: { text: string; entities: readonly Entity[]; meId: string | undefined }) {
  const names = useClientState((c) => mentionedNames(c, entities), shallowEqual);
  const html = useMemo(() => renderMessage(sanitize, text, entities, { meId, names }), [text, entities, meId, names]);
  const jumbo = useMemo(() => entities.length === 0 && isEmojiOnly(text), [text, entities]);
  return <div className={`md${jumbo ? ' md-jumbo' : ''}`} dir="auto" dangerouslySetInnerHTML={{ __html: html }} />;
});
