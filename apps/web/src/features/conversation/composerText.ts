import type { Entity } from '@hearth/client';

/** A mention inserted in the composer: the text shown ("@Ana García") and who it names (null for @all). */
export interface DraftMention {
  text: string;
  userId: string | null;
}

/**
 * Turns the composer's text and the mentions inserted into it into entities: every occurrence of an inserted
 * mention's text becomes an entity (so editing around it keeps it; breaking it drops it). Longer texts win.
 */
export function mentionEntities(text: string, mentions: readonly DraftMention[]): Entity[] {
  const taken: Array<[number, number]> = [];
  const out: Entity[] = [];
  const unique = [...new Map(mentions.map((m) => [m.text, m])).values()].sort((a, b) => b.text.length - a.text.length);
  for (const m of unique) {
    if (m.text.length < 2) continue;
    let from = 0;
    for (;;) {
      const at = text.indexOf(m.text, from);
      if (at < 0) break;
      from = at + m.text.length;
      const end = at + m.text.length;
      // Whole words only: "@Ana" must not match inside "@Anabel".
      const after = text[end];
      if (after !== undefined && /[\p{L}\p{N}_]/u.test(after)) continue;
      if (taken.some(([s, e]) => at < e && end > s)) continue;
      taken.push([at, end]);
      out.push(m.userId ? { type: 'mention', offset: at, length: m.text.length, userId: m.userId } : { type: 'mention_all', offset: at, length: m.text.length });
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** The mentions of a stored message, to edit it with its mentions intact. */
export function mentionsFromEntities(text: string, entities: readonly Entity[]): DraftMention[] {
  return entities.map((e) => ({ text: text.slice(e.offset, e.offset + e.length), userId: e.type === 'mention' ? e.userId : null }));
}

export type Trigger = { kind: 'mention' | 'emoji'; query: string; start: number; end: number };

/** The autocomplete the caret is in, if any: `@que` (mention) or `:qu` with 2+ characters (emoji shortcode). */
export function findTrigger(text: string, caret: number): Trigger | null {
  const before = text.slice(0, caret);
  const mention = /(^|[\s([{"'])@([\p{L}\p{N}._-]{0,32})$/u.exec(before);
  if (mention) return { kind: 'mention', query: mention[2]!, start: caret - mention[2]!.length - 1, end: caret };
  const emoji = /(^|[\s([{"']):([a-z0-9_+-]{2,32})$/i.exec(before);
  if (emoji) return { kind: 'emoji', query: emoji[2]!.toLowerCase(), start: caret - emoji[2]!.length - 1, end: caret };
  return null;
}

/** `:name:` just typed before the caret: its range and name, to replace with the emoji. */
export function completedShortcode(text: string, caret: number): { start: number; end: number; name: string } | null {
  const m = /(^|[\s([{"']):([a-z0-9_+-]{2,32}):$/i.exec(text.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[2]!.length - 2, end: caret, name: m[2]!.toLowerCase() };
}

/** Replaces text[start, end) by `insert`; returns the new text and caret. */
export function splice(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length };
}
