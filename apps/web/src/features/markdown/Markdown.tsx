import type { Entity } from '@hearth/client';
import { memo, useMemo } from 'react';
import { purify } from './purify.js';
import { isEmojiOnly, renderMessageHtml } from './render.js';
import './markdown.css';

/**
 * A message's text as formatted, sanitised HTML (see render.ts). `names` resolves mentioned users' display names;
 * pass a stable string key of it in `namesKey` so the HTML is rebuilt when a name arrives.
 */
export const MessageText = memo(function MessageText({
  text,
  entities,
  meId,
  nameOf,
  namesKey,
}: {
  text: string;
  entities: readonly Entity[];
  meId: string | undefined;
  nameOf: (userId: string) => string | undefined;
  namesKey: string;
}) {
  const html = useMemo(
    () => purify(renderMessageHtml(text, entities, { meId, nameOf })),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- nameOf is a new function each render; namesKey is its content
    [text, entities, meId, namesKey],
  );
  const jumbo = useMemo(() => entities.length === 0 && isEmojiOnly(text), [text, entities]);
  return <div className={`md${jumbo ? ' md-jumbo' : ''}`} dir="auto" dangerouslySetInnerHTML={{ __html: html }} />;
});
